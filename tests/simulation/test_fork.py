"""A fork at step K is the parent's world up to K and follows its own config after."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack

import pytest

from oasis.loop.fork import ForkError, fork
from oasis.loop.simulation import Simulation
from tests.conftest import postgres_schema
from tests.factories import experiment

K = 2
STEPS = 5


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def databases(request, tmp_path):
    """Two fresh databases of one backend: the parent's and the fork's (None: SQLite default)."""
    if request.param == "sqlite":
        yield None, None
        return
    with ExitStack() as stack:
        yield stack.enter_context(postgres_schema()), stack.enter_context(postgres_schema())


def llm_settings(server, **extra):
    return {"endpoints": [server.base_url], "model": "scripted", **extra}


def parent_run(config):
    with Simulation.open(config) as simulation:
        simulation.run()
        dump, digests = simulation.platform.dump(), simulation.platform.step_digests(STEPS)
    return dump, digests


def forked_run(parent, config):
    with fork(parent, K, config) as simulation:
        assert simulation.next_step == K + 1
        simulation.run()
        dump, digests = simulation.platform.dump(), simulation.platform.step_digests(STEPS)
        info = simulation.platform.run_info()
    return dump, digests, info


def test_a_fork_with_the_parents_config_ends_identical_step_for_step(
    tmp_path, llm_server, databases
):
    a, b = databases
    common = {"steps": STEPS, "llm": llm_settings(llm_server), "policy": {"llm_share": 0.5}}
    parent = experiment(tmp_path, "parent", database=a, **common)
    dump, digests = parent_run(parent)
    child = experiment(tmp_path, "child", database=b, **common)
    fork_dump, fork_digests, info = forked_run(parent.output, child)
    assert fork_digests == digests and len(digests) == STEPS
    assert fork_dump == dump
    assert info.config["fork"]["at_step"] == K
    assert info.config["fork"]["parent"] == str(parent.output)


def test_a_fork_with_an_intervention_diverges_only_after_k(tmp_path):
    parent = experiment(tmp_path, "parent", steps=STEPS)
    _, digests = parent_run(parent)
    post = {"step": K + 1, "kind": "post", "user_id": 1, "content": "BREAKING: a fact-check"}
    for name, change in [("post", {"events": [post]}), ("recsys", {"recsys": {"kind": "random"}})]:
        child = experiment(tmp_path, name, steps=STEPS, **change)
        _, fork_digests, _ = forked_run(parent.output, child)
        assert [fork_digests[s] for s in range(K + 1)] == [digests[s] for s in range(K + 1)]
        assert fork_digests[K + 1] != digests[K + 1]


def test_what_a_fork_may_not_change_is_refused_in_one_line(tmp_path):
    parent = experiment(tmp_path, "parent", steps=STEPS)
    parent_run(parent)
    early = {"step": K, "kind": "post", "user_id": 1, "content": "too early"}
    cases = [
        ({"seed": 9}, "may not change seed"),
        ({"population": {"source": "synthetic", "n_users": 60}}, "population.n_users"),
        ({"events": [early]}, f"events at or before step {K}"),
        ({"steps": K + 1}, "leaves nothing to run"),
    ]
    for i, (change, message) in enumerate(cases):
        with pytest.raises(ForkError, match=message) as caught:
            fork(parent.output, K, experiment(tmp_path, f"bad{i}", **{"steps": STEPS, **change}))
        assert "\n" not in str(caught.value)
    with pytest.raises(ForkError, match="not committed"):
        fork(parent.output, STEPS, experiment(tmp_path, "late", steps=STEPS + 3))


def test_a_fork_of_a_fork_rebuilds_each_stretch_with_its_own_config(tmp_path):
    parent = experiment(tmp_path, "parent", steps=STEPS)
    parent_run(parent)
    first = experiment(tmp_path, "first", steps=STEPS, recsys={"kind": "random"})
    _, first_digests, _ = forked_run(parent.output, first)
    second = experiment(tmp_path, "second", steps=STEPS + 1, recsys={"kind": "random"})
    with fork(first.output, K + 1, second) as simulation:
        simulation.run()
        digests = simulation.platform.step_digests(STEPS)
    assert [digests[s] for s in range(STEPS)] == [first_digests[s] for s in range(STEPS)]


def _flip_last_byte(blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 1])


ALTERATIONS = {
    # a changed action at step 1
    "action": (
        "UPDATE trace SET action = CASE action WHEN 'like_post' THEN 'repost' ELSE 'like_post' "
        "END WHERE trace_id = (SELECT min(trace_id) FROM trace WHERE step = 1)",
        1,
    ),
    # a changed feed at step 0: one post id in the stored CSR record
    "feed": ("UPDATE feed_log SET post_ids = flip(post_ids) WHERE step = 0", 0),
    # the fork's own step, the last one rebuilt
    "last step": (
        f"UPDATE trace SET reason = 'altered' WHERE trace_id = "
        f"(SELECT max(trace_id) FROM trace WHERE step = {K})",
        K,
    ),
}


@pytest.mark.parametrize("alteration", ALTERATIONS)
def test_a_parent_whose_committed_world_was_altered_is_refused(tmp_path, alteration):
    parent = experiment(tmp_path, "parent", steps=STEPS)
    parent_run(parent)
    statement, step = ALTERATIONS[alteration]
    with sqlite3.connect(parent.output / "oasis.db") as conn:
        conn.create_function("flip", 1, _flip_last_byte)
        assert conn.execute(statement).rowcount == 1
    with pytest.raises(ForkError, match=f"differs from the parent's from step {step} on"):
        fork(parent.output, K, experiment(tmp_path, "child", steps=STEPS))
