"""The ``oasis`` command: run an experiment, serve its database over REST, plan a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oasis.config import ConfigError, load_config
from oasis.results import write_results
from oasis.simulation import Simulation, StepReport

app = typer.Typer(help="OASIS: simulate social media with LLM agents.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def _commands() -> None:
    """Run experiments, serve their databases, plan clusters."""


@app.command()
def run(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML file.")],
    resume: Annotated[bool, typer.Option(help="Continue the run found in the database.")] = False,
) -> None:
    """Run an experiment and write its results folder."""
    try:
        config = load_config(experiment)
        simulation = Simulation.open(config, resume=resume)
    except (ConfigError, ValueError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                "steps", total=config.steps, completed=simulation.next_step, status=""
            )

            def show(report: StepReport) -> None:
                progress.update(task, advance=1, status=_status(report))

            simulation.run(on_step=show)
        files = write_results(simulation.platform, simulation.clock, config.output, config.name)
    finally:
        simulation.close()
    console.print(f"results: {config.output} ({len(files)} files); database: {config.database_url}")


def _status(report: StepReport) -> str:
    rate = report.actions / report.seconds if report.seconds else 0.0
    return (
        f"step {report.step}: {report.active} active, {report.actions} actions "
        f"({rate:,.0f}/s), {report.failed} failed, LLM {report.llm_requests} requests "
        f"({report.llm_failures} failed)"
    )


def main() -> None:
    """Entry point of ``python -m oasis``."""
    app()
