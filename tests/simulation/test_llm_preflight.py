"""Issue #13.7: an LLM that cannot be reached stops the run with one line, never a worthless run."""

from __future__ import annotations

import pytest

from oasis.agents.llm.preflight import EndpointError, check_endpoints
from oasis.errors import RunError
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.testing.replies import Reply
from oasis.testing.scripted_llm import ScriptedLLMServer
from tests.api.conftest import free_port
from tests.factories import acting_reply, experiment, finished_dump


def test_each_endpoint_must_answer_and_serve_the_model(llm_server):
    good, down = llm_server.base_url, f"http://127.0.0.1:{free_port()}/v1"
    check_endpoints([good], "scripted")
    check_endpoints([good], "default")  # accepts whatever is served
    with pytest.raises(EndpointError) as failed:
        check_endpoints([good, down, "not-a-url"], "scripted", timeout_s=5)
    message = str(failed.value)
    assert message.startswith("llm.endpoints: ") and "\n" not in message
    assert f"{down} cannot be reached" in message and "not-a-url is not a URL" in message
    assert good not in message
    with pytest.raises(EndpointError, match="does not serve model 'llama'"):
        check_endpoints([good], "llama")


def test_a_run_with_an_unreachable_endpoint_stops_before_anything_is_written(tmp_path):
    llm = {"endpoints": [f"http://127.0.0.1:{free_port()}/v1"]}
    config = experiment(tmp_path, "down", llm=llm)
    with pytest.raises(EndpointError, match="cannot be reached"):
        Simulation.open(config)
    platform = Platform.open(config.database_url)
    assert platform.run_info() is None
    platform.close()


class Outage:
    """Answers like ``acting_reply`` until ``down`` is set, then HTTP 503 to everything."""

    def __init__(self) -> None:
        self.down = False

    def __call__(self, request):
        return Reply(status=503) if self.down else acting_reply(request)


def test_a_step_with_too_many_failures_stops_the_run_resumably(tmp_path):
    outage = Outage()
    with ScriptedLLMServer(outage) as server:
        llm = {"endpoints": [server.base_url], "model": "scripted", "max_retries": 0}
        expected = finished_dump(experiment(tmp_path, "whole", steps=4, llm=llm))

        config = experiment(tmp_path, "outage", steps=4, llm=llm)
        with Simulation.open(config) as simulation:
            simulation.step()
            simulation.step()
            outage.down = True
            with pytest.raises(
                RunError, match=r"step 2: \d+ of \d+ LLM requests failed"
            ) as stopped:
                simulation.run()
            assert "--resume" in str(stopped.value)
            info = simulation.platform.run_info()
        assert (info.last_step, info.status) == (1, "failed")

        outage.down = False
        dump = finished_dump(config, resume=True)
    assert dump == expected


def test_tools_mode_starts_only_where_the_server_calls_tools(tmp_path):
    with ScriptedLLMServer() as calls:  # answers a tools request with a tool call
        llm = {"endpoints": [calls.base_url], "model": "scripted", "tools": True}
        Simulation.open(experiment(tmp_path, "calls", steps=1, llm=llm)).close()
        probe = calls.log.bodies[0]
    assert probe["tool_choice"] == "required" and len(probe["tools"]) == 1

    with ScriptedLLMServer(lambda request: Reply(text="Sure, I will do nothing.")) as prose:
        url = prose.base_url
        llm = {"endpoints": [url], "model": "scripted", "tools": True}
        config = experiment(tmp_path, "prose", llm=llm)
        with pytest.raises(EndpointError) as refused:
            Simulation.open(config)
        assert prose.log.requests == 1
    message = str(refused.value)
    assert message.startswith(f"llm.tools: {url} ignored tool_choice") and "\n" not in message
    assert "'Sure, I will do nothing.'" in message and "set llm.tools to false" in message
    platform = Platform.open(config.database_url)
    assert platform.run_info() is None
    platform.close()
