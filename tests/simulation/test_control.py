"""Commands from the API's queue reach the loop: injected posts and agents, interviews, pause."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from oasis.loop.commands import REPLAYED, CommandQueue, ReplayedCommands, StoredCommands
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.platform.schema import Trace
from tests.factories import experiment, finished_tables


def test_injected_posts_agents_and_interviews_take_effect(tmp_path, llm_server):
    queue = CommandQueue()
    llm = {"endpoints": [llm_server.base_url], "model": "scripted"}
    config = experiment(
        tmp_path, "ctl", steps=3, llm=llm, policy={"llm_share": 0.2, "llm_agents": [1, 2]}
    )
    with Simulation.open(config, controller=queue) as simulation:
        simulation.step()
        queue.inject_post(4, "breaking news from the API")
        queue.inject_agent("newcomer", "New Comer", "just arrived")
        request = queue.interview([1, 2], "How do you feel?")
        simulation.step()
        simulation.step()
        with simulation.platform.reader() as reader:
            trace = reader.table(Trace)
            profiles = reader.profiles([50])
    injected = trace[
        (trace["step"] == 1) & (trace["user_id"] == 4) & (trace["action"] == "create_post")
    ]
    assert [a["content"] for a in injected["args"]] == ["breaking news from the API"]
    assert profiles[50]["user_name"] == "newcomer"
    assert 50 in simulation.roster.agent_ids
    state = queue.interview_state(request)
    assert set(state.answers) == {1, 2}
    asked = trace[(trace["action"] == "interview") & (trace["step"] == 1)]
    assert sorted(asked["user_id"]) == [1, 2]


def test_pause_holds_the_loop_until_resumed(tmp_path):
    queue = CommandQueue()
    with Simulation.open(experiment(tmp_path, "pause", steps=2), controller=queue) as simulation:
        queue.pause()
        runner = threading.Thread(target=simulation.run)
        runner.start()
        runner.join(timeout=1.0)
        assert runner.is_alive() and simulation.next_step == 0
        queue.resume()
        runner.join(timeout=60)
        assert not runner.is_alive() and simulation.next_step == 2


def test_a_stored_command_takes_effect_once_wherever_the_run_stops(tmp_path):
    """The step that carries out a command marks it done in its own commit: a run stopped right
    after that commit does not post it again on resume (it was marked in a later transaction)."""
    config = experiment(tmp_path, "once", steps=3)
    with Simulation.open(config) as simulation:
        simulation.step()
        StoredCommands(simulation.platform.commands()).inject_post(4, "posted once")

        def stop_when_marking(conn, cursor, statement, *args) -> None:
            if statement.startswith("UPDATE control_command"):
                raise KeyboardInterrupt  # the process stops here, as if killed

        event.listen(simulation.platform.engine, "before_cursor_execute", stop_when_marking)
        with pytest.raises(KeyboardInterrupt):
            simulation.step()
    [trace] = finished_tables(config, Trace, resume=True)
    posted = trace[(trace["action"] == "create_post") & trace["ok"]]
    assert [a["content"] for a in posted["args"]].count("posted once") == 1


def test_every_accepted_command_ends_done_refused_or_expired(tmp_path):
    """Issue #25.8: pause and resume are marked done once they acted; what arrives during the
    last step is expired (interviews refused, with why) when the run ends."""
    with Simulation.open(experiment(tmp_path, "ends", steps=2)) as simulation:
        api = StoredCommands(simulation.platform.commands())  # as the API process writes them
        api.pause()
        api.resume()
        late: list[int] = []

        def during_the_last_step(report) -> None:
            if report.step == 1:
                late.extend([api.inject_post(4, "too late"), api.interview([1], "still there?")])

        simulation.run(on_step=during_the_last_step)
        store = simulation.platform.commands()
        rows = {i: store.get(i) for i in range(1, 5)}
    assert [(rows[i].kind, rows[i].status, rows[i].step) for i in (1, 2)] == [
        ("pause", "done", 0),
        ("resume", "done", 0),
    ]
    post, interview = (rows[i] for i in late)
    assert post.status == "expired" and "the run ended after step 1" in post.result["error"]
    assert interview.status == "refused" and "the run ended" in interview.result["error"]
    assert api.interview_state(late[1]).refused.startswith("the run ended")  # as GET shows it


def test_a_replayed_command_is_queued_once_when_a_rebuild_stops_in_its_step(tmp_path):
    """A fork's rebuild killed after queueing a parent's command and before its step's commit
    takes that copy on resume instead of queueing a second one (the world would differ)."""
    parent = experiment(tmp_path, "parent", steps=3)
    with Simulation.open(parent) as simulation:
        simulation.step()
        StoredCommands(simulation.platform.commands()).inject_post(4, "replayed once")
        simulation.run()
        recorded = simulation.platform.commands().recorded(REPLAYED, 2)
    config = experiment(tmp_path, "rebuilt", steps=3)
    config.output.mkdir(parents=True)
    queue = Platform.open(config.database_url)  # as the fork's rebuild queues into its table
    try:
        replay = ReplayedCommands(recorded, queue.commands())
        with Simulation.open(config, controller=replay) as simulation:
            simulation.step()

            def stop_when_marking(conn, cursor, statement, *args) -> None:
                if statement.startswith("UPDATE control_command"):
                    raise KeyboardInterrupt  # killed after the copy was queued

            event.listen(simulation.platform.engine, "before_cursor_execute", stop_when_marking)
            with pytest.raises(KeyboardInterrupt):
                simulation.step()
        replay = ReplayedCommands(recorded, queue.commands())
        with Simulation.open(config, resume=True, controller=replay) as simulation:
            simulation.run()
            with simulation.platform.reader() as reader:
                trace = reader.table(Trace)
    finally:
        queue.close()
    posted = trace[(trace["action"] == "create_post") & trace["ok"]]
    replayed = [a["content"] == "replayed once" for a in posted["args"]]
    assert posted.loc[replayed, "step"].tolist() == [1]
