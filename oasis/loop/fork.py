"""Forking a run at a step: a new run whose world is the parent's at the end of step K.

The fork rebuilds the parent's world by running the parent's config again for steps 0..K into
its own database, and then checks it: every per-step log (actions with their outcomes, feeds)
must hash the same as the parent's, step by step, or the fork is refused. Heuristic agents give
the same decisions from the same seed; LLM agents give the same answers when the parent's answers
are in the answer cache (``llm.cache``), which then costs no requests. Rebuilding instead of
copying and cutting the parent's database is what makes the world exact: unlikes, unfollows,
counters and the agents' memories after step K cannot be undone from a copy. What the parent
was told through its control queue (the operator's posts and agents, people's joins and
actions) is queued again at the step it was carried out in. Steps after K
follow the new config, whose changes are checked against :data:`oasis.config.FORK_MAY_CHANGE`.
A fork of a fork rebuilds each ancestor's stretch with the config it ran with.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oasis.config import (
    FORK_MAY_CHANGE,
    RESUME_MAY_CHANGE,
    ExperimentConfig,
    Lineage,
    config_changes,
)
from oasis.errors import OasisError
from oasis.loop.commands import REPLAYED, ReplayedCommands
from oasis.loop.opening import RUN_FILE
from oasis.loop.run_tables import database_url
from oasis.loop.simulation import Simulation
from oasis.platform import Platform
from oasis.platform.commands import CommandRow


class ForkError(OasisError, ValueError):
    """A fork that cannot be made: a bad step, a forbidden change, or a parent not rebuilt."""


def parent_database(run: str | Path) -> str:
    """The database URL of a run named by its results folder (or given as a URL)."""
    try:
        return database_url(run)
    except FileNotFoundError:
        raise ForkError(f"{run} holds no run (no {RUN_FILE} and no oasis.db)") from None


def fork(
    parent: str | Path, at_step: int, config: ExperimentConfig, resume: bool = False
) -> Simulation:
    """Make the fork of ``parent`` at ``at_step`` that continues with ``config``.

    Returns the fork, opened with its world as the parent's after ``at_step``, ready to
    :meth:`~oasis.loop.simulation.Simulation.run` its remaining steps. With ``resume`` a fork
    that was cut off goes on from its last committed step: in the rebuild (each stretch resumed
    like ``oasis run --resume``, which refuses a database holding another run) or after it.

    Raises:
        ForkError: the step is not committed in the parent, the config changes what a fork may
            not change, or the rebuilt world differs from the parent's.
    """
    url = parent_database(parent)
    if url == config.database_url:
        raise ForkError("the fork needs a database of its own (set --out or database)")
    source = Platform.open(url, read_only=True)
    try:
        source.check_readable()
        stored = _parent_config(source, url, at_step)
        _check_changes(stored, config, at_step)
        lineage = Lineage(parent=str(parent), at_step=at_step, parent_config=stored)
        forked = config.model_copy(update={"fork": lineage})
        done = _steps_done(forked) if resume else None
        if done is None or done < at_step:
            _rebuild(forked, source.commands().recorded(REPLAYED, at_step), done)
        _compare(source, forked, at_step)
    finally:
        source.close()
    return Simulation.open(forked, resume=True)


def _steps_done(forked: ExperimentConfig) -> int | None:
    """The fork's last committed step (-1: none yet), or None when its database holds no run."""
    forked.output.mkdir(parents=True, exist_ok=True)  # where a SQLite database goes
    existing = Platform.open(forked.database_url)
    try:
        info = existing.run_info()
    finally:
        existing.close()
    return None if info is None else info.last_step


def _parent_config(source: Platform, url: str, at_step: int) -> dict[str, Any]:
    info = source.run_info()
    if info is None:
        raise ForkError(f"{url} holds no run")
    if not 0 <= at_step <= info.last_step:
        raise ForkError(f"step {at_step} is not committed in the parent (last {info.last_step})")
    return info.config


def _check_changes(stored: dict[str, Any], config: ExperimentConfig, at_step: int) -> None:
    new = config.model_dump(mode="json")
    refused = config_changes(stored, new, FORK_MAY_CHANGE)
    if refused:
        raise ForkError(f"a fork may not change {', '.join(refused)}")
    if config.steps <= at_step + 1:
        raise ForkError(f"steps ({config.steps}) leaves nothing to run after step {at_step}")
    before = [e for e in stored.get("events", ()) if e["step"] <= at_step]
    if before != [e for e in new["events"] if e["step"] <= at_step]:
        raise ForkError(f"events at or before step {at_step} must be the parent's")


def stages(config: ExperimentConfig) -> list[tuple[ExperimentConfig, int]]:
    """The configs a forked run's world followed, each with the last step it ran (fork chains).

    The operational settings (output, database, endpoints, Ray, cache) are ``config``'s own.
    """
    chain: list[tuple[ExperimentConfig, int]] = [(config, config.steps - 1)]
    while (lineage := chain[0][0].fork) is not None:
        ancestor = _operated_by(ExperimentConfig.model_validate(lineage.parent_config), config)
        chain.insert(0, (ancestor, lineage.at_step))
    return chain


def _operated_by(world: ExperimentConfig, config: ExperimentConfig) -> ExperimentConfig:
    """``world`` run where and how ``config`` runs: output, database, endpoints, Ray, cache."""
    llm_keys = [k.removeprefix("llm.") for k in RESUME_MAY_CHANGE if k.startswith("llm.")]
    llm = world.llm.model_copy(update={k: getattr(config.llm, k) for k in llm_keys})
    update = {k: getattr(config, k) for k in ("name", "output", "database", "ray")}
    return world.model_copy(update={**update, "llm": llm})


def _rebuild(forked: ExperimentConfig, recorded: Sequence[CommandRow], done: int | None) -> None:
    """Run every ancestor's stretch into the fork's database, the last up to the fork's step.

    The parent's ``recorded`` commands (the operator's posts and agents, people's joins and
    actions) are queued again at the step each was carried out in. ``done`` is the last step
    an earlier, cut-off rebuild committed (None: it wrote no run): finished stretches are
    skipped and the one it was in is resumed.
    """
    chain = stages(forked)
    forked.output.mkdir(parents=True, exist_ok=True)  # where a SQLite database goes
    for index, (world, last) in enumerate(chain[:-1]):
        stretch = world.model_copy(update={"steps": last + 1})
        queue = Platform.open(forked.database_url)  # the fork's table the commands go into
        try:
            if done is not None and done >= last:  # finished: go on under the next config
                queue.set_config(chain[index + 1][0].model_dump(mode="json"))
                continue
            replay = ReplayedCommands(recorded, queue.commands())
            _run_stretch(stretch, index > 0 or done is not None, replay, chain[index + 1][0])
        finally:
            queue.close()


def _run_stretch(
    stretch: ExperimentConfig, resume: bool, replay: ReplayedCommands, then: ExperimentConfig
) -> None:
    """Run one ancestor's stretch, then leave its database to go on under ``then``."""
    simulation = Simulation.open(stretch, resume=resume, controller=replay)
    try:
        simulation.run()
        # The next stretch resumes this database under its own config.
        simulation.platform.set_config(then.model_dump(mode="json"))
    finally:
        simulation.close()


def _compare(source: Platform, forked: ExperimentConfig, at_step: int) -> None:
    """Refuse the fork unless each rebuilt step's logs hash as the parent's."""
    rebuilt = Platform.open(forked.database_url, read_only=True)
    try:
        mine = rebuilt.step_digests(at_step)
    finally:
        rebuilt.close()
    theirs = source.step_digests(at_step)
    differing = [s for s in range(at_step + 1) if mine.get(s) != theirs.get(s)]
    if differing:
        raise ForkError(
            f"the rebuilt world differs from the parent's from step {differing[0]} on "
            "(were the parent's LLM answers cached? was it changed through the API?)"
        )
