"""Opening a run: what is checked before anything is written, and what is written first.

:meth:`~oasis.loop.simulation.Simulation.open` reads this module top to bottom: the results
folder's run file (:func:`write_run_file`), the checks that can refuse a start
(:func:`checked_start`: the run lock, what a resume may change, the population, the LLM
endpoints), the herd experiment's seed threads, then the run written in one transaction, or the
config a resumed run goes on with (:func:`record_run`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from oasis.agents.llm.preflight import check_endpoints, check_tool_choice
from oasis.agents.settings import WorkerSpec
from oasis.config import RESUME_MAY_CHANGE, ExperimentConfig, config_changes, redact
from oasis.core.redaction import redact_url
from oasis.datasets.cleaning import Repair
from oasis.datasets.population import Population
from oasis.datasets.source import build_population
from oasis.errors import RunError
from oasis.loop.herd_threads import HerdThreads
from oasis.loop.phases import PhaseClock
from oasis.loop.roster import custom_policies
from oasis.loop.stance_book import StanceBook
from oasis.platform import Platform, RunInfo

RUN_FILE = "run.json"


def write_run_file(config: ExperimentConfig) -> None:
    """Note in the results folder where its database is, so the folder names the run.

    A password in the URL is not written; such a parent is named by its URL instead.

    Raises:
        RunError: the folder already names a run in another database (the same experiment
            run on SQLite and then on PostgreSQL would overwrite the first one's results).
    """
    url = redact_url(config.database_url)
    path = config.output / RUN_FILE
    try:
        named = json.loads(path.read_text()).get("database_url") if path.exists() else None
    except (OSError, ValueError, AttributeError):
        named = None  # not a run file of ours: nothing to protect
    if named not in (None, url):
        raise RunError(
            f"output: {config.output} holds the results of the run in {named}; give the run "
            f"in {url} an output folder of its own"
        )
    text = json.dumps({"name": config.name, "database_url": url}, indent=1)
    path.write_text(text + "\n")


def checked_start(
    config: ExperimentConfig, platform: Platform, resume: bool, setup: PhaseClock
) -> tuple[RunInfo | None, Population, WorkerSpec]:
    """Everything that can refuse a start, checked before anything is written.

    The run lock, the run found (and what a resume may change), the population, the LLM
    endpoints; ``setup`` times the population. Returns the run found, the population and what
    the agents' workers need (custom policies included).
    """
    platform.lock_run()  # a second writer is refused before it reads anything
    info = platform.run_info()
    if info is not None and not resume:
        raise RunError(f"{redact_url(config.database_url)} already holds a run; use --resume")
    if info is not None:
        _check_continuation(info, redact(config.model_dump(mode="json")), config.steps)
    with setup("population"):
        population = build_population(config.population, config.seed)
    llm = config.llm
    if llm.endpoints:  # an unreachable LLM leaves nothing behind
        check_endpoints(llm.endpoints, llm.model, llm.api_key, min(llm.timeout_s, 10.0))
    for each in (llm, *(g.llm for g in config.llm_groups)):
        if each.tools and each.endpoints:  # nor one that would answer every decision in text
            check_tool_choice(each.endpoints, each.model, each.api_key, each.timeout_s)
    spec = replace(config.worker_spec(), custom=custom_policies(config, population))
    return info, population, spec


def _check_continuation(info: RunInfo, config: dict[str, Any], steps: int) -> None:
    """Refuse to resume a run with a config that would simulate something else."""
    # Both redacted: a fork stores its configs as they are, a run stores them redacted.
    changes = config_changes(redact(info.config), config, RESUME_MAY_CHANGE)
    old_llm, new_llm = info.config.get("llm") or {}, config.get("llm") or {}
    if bool(old_llm.get("endpoints")) != bool(new_llm.get("endpoints")):
        changes.append("llm.endpoints")  # with or without endpoints, other agents are LLM agents
    if changes:
        raise RunError(
            f"--resume: {', '.join(sorted(set(changes)))} changed since the run started; a "
            "resumed run simulates the same experiment (only steps, where it runs and how the "
            "LLM is reached may change)"
        )
    if steps <= info.last_step:
        raise RunError(
            f"--resume: steps is {steps} but {info.last_step + 1} steps are already committed"
        )


def herd_threads(
    config: ExperimentConfig, population: Population
) -> tuple[HerdThreads | None, tuple[Repair, ...]]:
    """The herd experiment's seed threads, and the repairs their file needed."""
    if config.herd is None:
        return None, ()
    herd = HerdThreads.load(config.herd, population.size, config.seed)
    return herd, herd.repairs


def record_run(
    config: ExperimentConfig,
    platform: Platform,
    info: RunInfo | None,
    population: Population,
    stances: StanceBook | None,
    ready: Callable[[], None],
) -> bool:
    """Write the run with its population in one transaction, or the config it goes on with.

    ``ready`` (the rest of the set-up, done meanwhile) is waited for before anything commits:
    if it raises, nothing is written. Returns whether the population was written (a fresh run).
    """
    stored = redact(config.model_dump(mode="json"))
    if info is None or not platform.has_population():
        platform.begin_run(config.seed, stored, population.users, population.follows, ready)
        if stances is not None:
            platform.save_stances(-1, stances.start())
        return True
    ready()
    if info.config != stored:
        platform.set_config(stored)  # more steps, another endpoint, ...
    return False
