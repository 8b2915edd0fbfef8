"""Small Twitter and Reddit runs whose LLM agents are a real model (SmolLM2-135M on a CPU).

A real model, unlike the scripted server, can write what does not parse, invent ids, run on
until ``max_tokens`` and ignore tools. These runs check that the answer schema keeps it to what
makes sense, that whatever goes wrong is recorded with its reason, and that interviews, the
answer cache and resume work with answers nobody scripted. About ten seconds a request on one
thread: a few agents, two steps.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from oasis.agents.llm.preflight import EndpointError
from oasis.errors import RunError
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.platform.errors import PlatformError
from oasis.platform.schema import StepMetrics, Trace
from tests.factories import experiment
from tests.real_llm.conftest import llm_settings, tokens_generated

pytestmark = [pytest.mark.real_llm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
LLM_AGENTS = [0, 1, 2]
# What an action fails with when it names something that does not exist, or the agent itself.
INVENTED = {"post_not_found", "comment_not_found", "user_not_found", "group_not_found",
            "self_follow", "self_mute"}  # fmt: skip
QUESTION = "Do you trust the news you read here?"
SCALE = {"low": 1, "high": 5, "low_label": "not at all", "high_label": "completely"}


def small(tmp_path, name, server, kind="twitter", **overrides):
    """A 30-user run with three LLM agents, everyone active, two steps."""
    return experiment(
        tmp_path, name, steps=2, population={"source": "synthetic", "n_users": 30},
        activation={"kind": "uniform", "views_per_hour": 1.0}, platform={"kind": kind},
        recsys={"kind": kind, "k": 3}, policy={"llm_agents": LLM_AGENTS, "llm_share": 0.0},
        llm=llm_settings(server, cache=str(tmp_path / "answers")), **overrides,
    )  # fmt: skip


def tables(simulation):
    with simulation.platform.reader() as reader:
        trace = reader.table(Trace)
        metrics = reader.table(StepMetrics).sort_values("step")
    return trace, dict(zip(metrics["step"], metrics["metrics"], strict=True))


def decisions(trace):
    """The LLM agents' decision rows (interviews apart)."""
    mine = trace[trace["user_id"].isin(LLM_AGENTS) & (trace["action"] != "interview")]
    return mine


def check_answers(trace):
    """>= 90% of decisions parse, each invalid one keeps its reason, no invented id."""
    rows = decisions(trace)
    answered = rows.groupby(["step", "user_id"]).ngroups
    invalid = rows[rows["result"].map(lambda r: "invalid" in r)]
    assert answered == 2 * len(LLM_AGENTS)
    assert len(invalid) <= 0.1 * answered, invalid[["args", "result"]].to_dict("records")
    assert all(
        r["invalid"] and a["raw"] for a, r in zip(invalid["args"], invalid["result"], strict=True)
    )
    failed = rows[~rows["ok"]]
    assert not set(failed["reason"]) & INVENTED, failed[["action", "args", "reason"]]


def test_twitter_with_interviews_and_a_rerun_from_the_answer_cache(tmp_path, local_llm):
    events = [{"step": 1, "kind": "interview", "question": QUESTION}]
    config = small(tmp_path, "tw", local_llm, events=events, interview={"scale": SCALE})
    with Simulation.open(config) as simulation:
        simulation.run()
        trace, metrics = tables(simulation)
        world = simulation.platform.dump()
    check_answers(trace)
    asked = trace[trace["action"] == "interview"]
    assert sorted(asked["user_id"]) == LLM_AGENTS
    assert all(a["response"].strip() and -1 <= a["stance"] <= 1 for a in asked["args"])
    assert metrics[1]["judge_requests"] == len(LLM_AGENTS)
    n = len(LLM_AGENTS)
    assert sum(m["requests"] for m in metrics.values()) == 2 * n + n + n
    assert sum(m["prefix_cached_tokens"] for m in metrics.values()) > 0

    again = small(tmp_path, "tw_again", local_llm, events=events, interview={"scale": SCALE})
    generated = tokens_generated(local_llm)
    with Simulation.open(again) as rerun:
        rerun.run()
        _, rerun_metrics = tables(rerun)
        assert rerun.platform.dump() == world
    # The judge rates at temperature 0 with seed 0, so its requests are cached too.
    assert [m["requests"] for m in rerun_metrics.values()] == [0, 0]
    assert sum(m["cache_hits"] for m in rerun_metrics.values()) == 2 * n + n + n
    assert tokens_generated(local_llm) == generated  # the server did not answer anything


def oasis(*args, cwd):
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": os.environ["HOME"]}
    command = [sys.executable, "-m", "oasis", *args]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_reddit_killed_after_a_step_resumes_and_replays_from_the_cache(tmp_path, local_llm):
    config = small(tmp_path, "rd", local_llm, kind="reddit")
    raw = config.model_dump(mode="json")
    (tmp_path / "rd.yaml").write_text(yaml.safe_dump(raw))
    run = oasis("run", "rd.yaml", cwd=tmp_path)
    deadline = time.monotonic() + 600
    while last_step(config.database_url) < 0:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.5)
    run.send_signal(signal.SIGKILL)
    run.wait()
    step0 = rows_of(config.database_url, 0)

    resumed = oasis("run", "rd.yaml", "--resume", cwd=tmp_path)
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    assert last_step(config.database_url) == 1
    assert rows_of(config.database_url, 0).equals(step0)  # what was committed stays

    # A fresh run with the same answer cache asks nothing and builds the same world: the
    # resumed run's steps are the ones an uninterrupted run given those answers makes.
    replay = small(tmp_path, "rd_replay", local_llm, kind="reddit")
    with Simulation.open(replay) as simulation:
        simulation.run()
        trace, metrics = tables(simulation)
        world = simulation.platform.dump()
    assert [m["requests"] for m in metrics.values()] == [0, 0]
    check_answers(trace)
    platform = Platform.open(config.database_url)
    assert platform.dump() == world
    platform.close()


def last_step(url):
    try:
        platform = Platform.open(url)
    except PlatformError:  # the run has not made its database yet
        return -1
    try:
        info = platform.run_info()
        return -1 if info is None else info.last_step
    finally:
        platform.close()


def rows_of(url, step) -> pd.DataFrame:
    platform = Platform.open(url)
    try:
        with platform.reader() as reader:
            trace = reader.table(Trace)
    finally:
        platform.close()
    return trace[trace["step"] == step].reset_index(drop=True)


def test_answers_cut_by_max_tokens_stop_the_first_step(tmp_path, local_llm):
    config = small(tmp_path, "cut", local_llm)
    llm = llm_settings(local_llm, max_tokens=16)
    config = config.model_copy(update={"llm": config.llm.model_validate(llm)})
    with Simulation.open(config) as simulation:
        with pytest.raises(RunError, match=r"^step 0: 3 of 3 LLM answers did not parse"):
            simulation.run()
        assert simulation.platform.run_info().last_step == -1


def test_tools_mode_is_refused_in_one_line(tmp_path, local_llm):
    config = small(tmp_path, "tools", local_llm)
    config = config.model_copy(
        update={"llm": config.llm.model_validate(llm_settings(local_llm, tools=True))}
    )
    with pytest.raises(EndpointError, match=r"^llm\.tools: \S+ ignored tool_choice") as refused:
        Simulation.open(config)
    assert "\n" not in str(refused.value)
