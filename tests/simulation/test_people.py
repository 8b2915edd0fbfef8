"""People play users beside the agents; a resume or a fork replays what they did exactly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import ExitStack

import pytest

from oasis.loop.commands import StoredCommands
from oasis.loop.fork import fork
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Trace
from tests.conftest import postgres_schema
from tests.factories import experiment, finished_dump

STEPS = 6
TAKEN = 7  # the agent a person takes over; a second person signs up as user 50
NEWCOMER = 50
POSTGRES = pytest.mark.postgres
PROFILE = {"user_name": "visitor", "name": "A Visitor", "bio": "here for the study"}


def queue(simulation: Simulation) -> None:
    """What the two people do before the step the simulation is about to make."""
    desk = StoredCommands(simulation.platform.commands()).people()
    step = simulation.next_step
    if step == 1:
        desk.join(1, None, PROFILE)
        desk.join(2, TAKEN, {})
    elif step == 2:
        desk.act(2, TAKEN, "create_post", {"content": "a person was here"})
        desk.act(2, TAKEN, "follow", {"followee_id": 3})
        desk.act(2, TAKEN, "like_post", {"post_id": 99_999})
    elif step == 3:
        desk.act(1, NEWCOMER, "create_post", {"content": "hello from the newcomer"})
        desk.act(1, NEWCOMER, "follow", {"followee_id": TAKEN})
        desk.move(2, TAKEN, "away")
        desk.move(2, TAKEN, "back")


def run_with_people(simulation: Simulation, until: int = STEPS) -> None:
    while simulation.next_step < until:
        queue(simulation)
        simulation.step()


def people_run(name: str, tmp_path, stop_after: int | None = None, database: str | None = None):
    config = experiment(tmp_path, name, steps=STEPS, database=database)
    """``config`` run with people to its end (or to ``stop_after``, killed, then resumed): the
    config and the simulation, still open."""
    if stop_after is None:
        simulation = Simulation.open(config)
    else:
        with Simulation.open(config) as killed:
            run_with_people(killed, stop_after)
            queue(killed)  # queued, then the process dies before the step is made
        simulation = Simulation.open(config, resume=True)
        simulation.step()  # takes what was queued before the kill
    run_with_people(simulation)
    return config, simulation


def read(simulation: Simulation, what: Callable):
    with simulation.platform.reader() as reader:
        return what(reader)


def test_people_act_as_users_the_agents_see_and_their_outcomes_are_recorded(tmp_path):
    _, simulation = people_run("people", tmp_path)
    with simulation:
        trace = read(simulation, lambda r: r.table(Trace))
        feeds = {t: read(simulation, lambda r, t=t: r.feeds(t)) for t in range(STEPS)}
        rows = simulation.platform.commands().recorded(("person_act", "person_join"), STEPS)
    by_person = trace[trace["actor"] == "person"]
    assert set(by_person["user_id"]) == {TAKEN, NEWCOMER}
    assert set(by_person[by_person["user_id"] == NEWCOMER]["step"]) == {1, 3}  # signed up at 1
    # from its take-over at step 1, the agent's policy no longer decides for it
    taken = trace[(trace["user_id"] == TAKEN) & (trace["step"] >= 1)]
    assert set(taken["actor"]) == {"person"}
    failed = [r.result for r in rows if r.payload.get("args") == {"post_id": 99_999}]
    assert failed == [{"ok": False, "reason": "post_not_found", "data": {}}]
    joined = [r.result for r in rows if r.kind == "person_join"]
    signed_up = {"ok": True, "reason": None, "data": {"user_id": NEWCOMER}, "user_id": NEWCOMER}
    assert joined == [signed_up, {"ok": True, "user_id": TAKEN}]
    # a present person gets the recommender's feed every step, logged as an agent's
    for step in range(1, STEPS):
        assert TAKEN in feeds[step][0]
        assert (NEWCOMER in feeds[step][0]) == (step >= 2)
    post = trace[(trace["user_id"] == TAKEN) & (trace["action"] == "create_post")]
    post_id = post.iloc[0]["result"]["post_id"]
    shown_to_agents = [
        u
        for step in range(3, STEPS)
        for u, start, end in zip(feeds[step][0], feeds[step][1], feeds[step][1][1:], strict=False)
        if u not in (TAKEN, NEWCOMER) and post_id in feeds[step][2][start:end]
    ]
    assert shown_to_agents  # agents' later feeds show the person's post


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_run_with_people_resumed_after_a_kill_matches_the_whole_run(tmp_path, backend):
    with ExitStack() as stack:
        pg = backend == "postgres"
        a, b = (stack.enter_context(postgres_schema()) if pg else None for _ in range(2))
        with people_run("whole", tmp_path, database=a)[1] as whole:
            expected = whole.platform.dump()
        with people_run("resumed", tmp_path, stop_after=2, database=b)[1] as resumed:
            dump = resumed.platform.dump()
    assert dump == expected
    assert any("person" in row for row in dump["trace"])


def test_a_fork_after_the_peoples_actions_matches_the_parent(tmp_path):
    parent, whole = people_run("parent", tmp_path)
    with whole:
        expected, digests = whole.platform.dump(), whole.platform.step_digests(STEPS)
    with fork(parent.output, 4, experiment(tmp_path, "child", steps=STEPS)) as child:
        assert child.people.state == {TAKEN: True, NEWCOMER: True}
        child.run()
        assert child.platform.step_digests(STEPS) == digests
        assert child.platform.dump() == expected
    assert finished_dump(experiment(tmp_path, "no-people", steps=STEPS)) != expected


def test_with_humans_wait_s_a_step_waits_for_the_present_people(tmp_path):
    config = experiment(tmp_path, "wait", steps=4, humans={"wait_s": 600})
    with Simulation.open(config) as simulation:
        desk = StoredCommands(simulation.platform.commands()).people()
        desk.join(2, TAKEN, {})
        simulation.step()  # the take-over is carried out; from now on each step waits for them
        runner = threading.Thread(target=simulation.run)
        runner.start()
        runner.join(timeout=1.5)
        assert runner.is_alive() and simulation.next_step == 1  # waiting for the person
        desk.act(2, TAKEN, "create_post", {"content": "my turn"})
        wait_until(lambda: simulation.next_step == 2)
        desk.move(2, TAKEN, "away")  # nobody present: the run goes on without waiting
        runner.join(timeout=120)
        assert not runner.is_alive() and simulation.next_step == 4
        trace = read(simulation, lambda r: r.table(Trace))
    mine = trace[trace["actor"] == "person"]
    assert list(zip(mine["step"], mine["action"], strict=True)) == [(1, "create_post")]


def wait_until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
