"""Issue #13.8: interview usage is counted in its own step; heuristic agents are not interviewed."""

from __future__ import annotations

from oasis.loop.commands import CommandQueue
from oasis.loop.simulation import Simulation
from oasis.platform.schema import StepMetrics
from tests.factories import experiment


def test_interview_usage_is_counted_in_the_step_it_happens_the_last_one_too(tmp_path, llm_server):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    question = {"kind": "interview", "question": "How do you feel?", "user_ids": [1, 2, 3]}
    config = experiment(
        tmp_path, "asked", steps=3, llm=llm, policy={"llm_share": 0.0, "llm_agents": [1, 2, 3]},
        activation={"views_per_hour": 0.0},
        events=[{"step": 0, **question}, {"step": 2, **question}],
    )  # fmt: skip
    with Simulation.open(config) as simulation:
        simulation.run()
        with simulation.platform.reader() as reader:
            metrics = reader.table(StepMetrics).sort_values("step")["metrics"].tolist()
    # Nobody is active: every request is an interview, three at step 0 and three at step 2,
    # or the stance judge scoring their answers (counted in requests too, issue #27).
    assert [m["requests"] - m["judge_requests"] for m in metrics] == [3, 0, 3]
    assert [m["judge_requests"] for m in metrics] == [3, 0, 3]


def test_an_api_interview_of_heuristic_agents_is_refused_with_a_reason(tmp_path, llm_server):
    queue = CommandQueue()
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    config = experiment(tmp_path, "rules", steps=2, llm=llm, policy={"llm_share": 0.0,
                        "llm_agents": [1]})  # fmt: skip
    with Simulation.open(config, controller=queue) as simulation:
        mixed = queue.interview([1, 2], "Why?")
        llm_only = queue.interview([1], "Why?")
        simulation.run()
    refused = queue.interview_state(mixed)
    assert not refused.answers and "[2] are heuristic agents" in refused.refused
    answered = queue.interview_state(llm_only)
    assert answered.refused is None and answered.answered and answered.answers[1]
    assert queue.status().open_interviews == 0
