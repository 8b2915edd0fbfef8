"""OASIS: a social-media simulator whose users are played by LLM agents.

The public Python API, for notebooks and scripts::

    import oasis

    config = oasis.load_experiment("examples/quickstart.yaml", steps=3, output="results/nb")
    with oasis.open_simulation(config) as sim:
        report = sim.step()          # one committed step -> StepReport
        sim.run()                    # the remaining steps
        sim.write_results()          # the results folder, as `oasis run` writes it
    with oasis.open_run("results/nb") as run:
        posts = run.posts()          # DataFrames: users, follows, posts, traces, metrics
        tree = run.cascade_graph(1)  # networkx.DiGraph

A policy of one's own is a class with ``decide(agents: Sequence[AgentContext]) ->
list[list[Action]]`` named ``module:Class`` under ``policy.custom`` in the experiment file.
Importing this package loads no engine, Ray or model; the loop loads when first asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from oasis.core.actions import Action, ActionResult, ActionType

if TYPE_CHECKING:
    from oasis.agents.observation import Observation, PostView
    from oasis.agents.policy import AgentContext, Policy
    from oasis.config import ExperimentConfig
    from oasis.loop.run_tables import RunTables
    from oasis.loop.simulation import Simulation
    from oasis.loop.step_runner import StepReport

__all__ = [
    "Action",
    "ActionResult",
    "ActionType",
    "AgentContext",
    "Observation",
    "Policy",
    "PostView",
    "RunTables",
    "Simulation",
    "StepReport",
    "load_experiment",
    "open_run",
    "open_simulation",
]

_LAZY = {  # loaded when first asked for, so ``import oasis.platform`` loads no agents
    "AgentContext": "oasis.agents.policy",
    "Observation": "oasis.agents.observation",
    "Policy": "oasis.agents.policy",
    "PostView": "oasis.agents.observation",
    "RunTables": "oasis.loop.run_tables",
    "Simulation": "oasis.loop.simulation",
    "StepReport": "oasis.loop.step_runner",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'oasis' has no attribute {name!r}")


def load_experiment(path: str | Path, **overrides: Any) -> ExperimentConfig:
    """Load an experiment file, with top-level keys overridden (sections merged key by key).

    Example: ``load_experiment("exp.yaml", steps=5, policy={"llm_share": 0.1})``.
    """
    from oasis.config import load_config

    return load_config(path, overrides=overrides)


def open_simulation(
    experiment: ExperimentConfig | str | Path, *, resume: bool = False
) -> Simulation:
    """Open a run of ``experiment`` (a loaded config or a file) to step it from Python."""
    from oasis.config import ExperimentConfig, load_config
    from oasis.loop.simulation import Simulation

    config = experiment if isinstance(experiment, ExperimentConfig) else load_config(experiment)
    return Simulation.open(config, resume=resume)


def open_run(path_or_url: str | Path) -> RunTables:
    """Open a finished or running run (results folder, SQLite file or database URL)."""
    from oasis.loop.run_tables import RunTables

    return RunTables(path_or_url)
