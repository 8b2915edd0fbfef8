"""``llm.max_invalid_rate``: a step whose answers mostly do not parse is not committed."""

from __future__ import annotations

import pytest

from oasis.errors import RunError
from oasis.loop.simulation import Simulation
from oasis.platform.schema import Trace
from oasis.testing.replies import Reply
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.factories import GARBLED, acting_reply, experiment, finished_dump, finished_tables


class Babble:
    """Answers like ``acting_reply`` until ``garbage`` is set, then text that is not JSON."""

    def __init__(self) -> None:
        self.garbage = False

    def __call__(self, request):
        return Reply(malformed="garbage") if self.garbage else acting_reply(request)


def test_a_step_of_invalid_answers_stops_the_run_resumably(tmp_path):
    babble = Babble()
    with ScriptedLLMServer(babble) as server:
        llm = {"endpoints": [server.base_url], "model": "scripted"}
        expected = finished_dump(experiment(tmp_path, "whole", llm=llm))

        config = experiment(tmp_path, "babble", llm=llm)
        with Simulation.open(config) as simulation:
            simulation.step()
            babble.garbage = True
            with pytest.raises(
                RunError, match=r"^step 1: (\d+) of \1 LLM answers did not parse"
            ) as e:
                simulation.run()
            assert "llm.max_invalid_rate 50%" in str(e.value) and "--resume" in str(e.value)
            assert "\n" not in str(e.value)
            info = simulation.platform.run_info()
        assert (info.last_step, info.status) == (0, "failed")

        babble.garbage = False
        dump = finished_dump(config, resume=True)
    assert dump == expected


def test_all_invalid_from_the_first_step_commits_nothing(tmp_path):
    with ScriptedLLMServer(lambda request: Reply(malformed="garbage")) as server:
        config = experiment(tmp_path, "garbage", llm={"endpoints": [server.base_url]})
        with Simulation.open(config) as simulation:
            with pytest.raises(RunError, match=r"^step 0: \d+ of \d+ LLM answers did not parse"):
                simulation.run()
            info = simulation.platform.run_info()
    assert info.last_step == -1


def test_a_bound_of_one_never_stops_and_each_invalid_answer_keeps_its_reason(tmp_path):
    fly = Reply(text='{"actions": [{"action": "fly"}]}')
    with ScriptedLLMServer(lambda request: fly) as server:
        llm = {"endpoints": [server.base_url], "max_invalid_rate": 1.0}
        [trace] = finished_tables(experiment(tmp_path, "fly", steps=2, llm=llm), Trace)
    answered = trace[trace["action"] == "do_nothing"]
    assert len(answered) > 0 and set(answered["step"]) == {0, 1}
    assert {r["invalid"] for r in answered["result"]} == {"unknown_action: 'fly'"}


def test_a_few_invalid_answers_are_recorded_and_the_run_goes_on(tmp_path, llm_server):
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    [trace] = finished_tables(experiment(tmp_path, "few", llm=llm), Trace)
    garbled = trace[trace["user_id"].isin(GARBLED)]
    assert len(garbled) > 0
    assert all(r["invalid"].startswith("bad_json") for r in garbled["result"])
    others = trace[~trace["user_id"].isin(GARBLED)]
    assert not any("invalid" in r for r in others["result"])
