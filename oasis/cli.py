"""The ``oasis`` command: run an experiment, serve its database over REST, plan a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from oasis.analysis.report import markdown_table
from oasis.config import ExperimentConfig, api_token, load_config, load_sweep
from oasis.datasets.source import build_population
from oasis.errors import OasisError
from oasis.loop.commands import CommandQueue
from oasis.loop.fork import fork as fork_run
from oasis.loop.fork import parent_database
from oasis.loop.results import (
    failure_line,
    recorded_step_metrics,
    score_run,
    write_run,
    write_seed_summary,
)
from oasis.loop.seeds import parse_seeds, seed_configs
from oasis.loop.simulation import Simulation, StepReport
from oasis.loop.sweep import run_sweep, sweep_folder, sweep_points
from oasis.planning.capacity import describe_plan
from oasis.planning.capacity import plan as capacity_plan
from oasis.planning.inputs import measured_inputs, plan_inputs

if TYPE_CHECKING:
    from oasis.api.server import BackgroundServer

app = typer.Typer(help="OASIS: simulate social media with LLM agents.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def _commands() -> None:
    """Run experiments, serve their databases, plan clusters."""


Host = Annotated[str, typer.Option(help="Address to bind the API to.")]
Port = Annotated[int, typer.Option(help="Port of the API.")]
Token = Annotated[
    str | None,
    typer.Option(help="Bearer token of the control endpoints (default: $OASIS_API_TOKEN)."),
]


Seeds = Annotated[
    str | None,
    typer.Option(
        help="Run once per seed (e.g. 1-5 or 1,3,7) and write each curve's mean and spread."
    ),
]


@app.command()
def run(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML file.")],
    resume: Annotated[bool, typer.Option(help="Continue the run found in the database.")] = False,
    serve: Annotated[bool, typer.Option(help="Serve the REST API beside the run.")] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    token: Token = None,
    seeds: Seeds = None,
) -> None:
    """Run an experiment and write its results folder."""
    try:
        config = load_config(experiment)
        runs = seed_configs(config, parse_seeds(seeds) if seeds else config.seeds)
    except (OasisError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for one in runs:
        _run_one(one, resume, serve, host, port, token)
    if len(runs) > 1:
        files = write_seed_summary(config.output, [r.output for r in runs], config.name)
        console.print(f"seeds {[r.seed for r in runs]}: mean and spread in {files[0].parent}")


def _run_one(
    config: ExperimentConfig, resume: bool, serve: bool, host: str, port: int, token: str | None
) -> None:
    queue = CommandQueue() if serve else None
    try:
        simulation = Simulation.open(config, resume=resume, controller=queue)
    except (OasisError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    server = None
    if serve:
        from oasis.api import serve_in_thread  # the web stack loads only when asked for

        server = serve_in_thread(config.database_url, host, port, token or api_token(), queue)
    if server is not None:
        console.print(_urls(*server.address), soft_wrap=True)
    _run_to_end(simulation, config, server)


@app.command()
def fork(
    run_dir: Annotated[Path, typer.Argument(help="The parent run's results folder.")],
    at_step: Annotated[int, typer.Option(min=0, help="The last step taken from the parent.")],
    config_file: Annotated[
        Path, typer.Option("--config", help="The experiment YAML the fork continues with.")
    ],
    out: Annotated[Path | None, typer.Option(help="The fork's results folder.")] = None,
    parent_db: Annotated[
        str | None, typer.Option(help="The parent's database URL, if run.json cannot name it.")
    ] = None,
) -> None:
    """Fork a run after step K: its world up to K, the new config's steps after."""
    try:
        config = load_config(config_file)
        if out is not None:
            config = config.model_copy(update={"output": out.resolve()})
        simulation = fork_run(parent_db or run_dir.resolve(), at_step, config)
    except (OasisError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"forked {run_dir} after step {at_step} into {config.output}")
    _run_to_end(simulation, config, None)


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML every run starts from.")],
    grid: Annotated[Path, typer.Option(help="The sweep YAML: grid, seeds, metrics, bounds.")],
) -> None:
    """Run the cross product of settings and seeds as Ray tasks; finished runs are skipped."""
    try:
        config, settings = load_config(experiment), load_sweep(grid)
        points = sweep_points(config, settings)
    except (OasisError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"sweep: {len(points)} runs into {sweep_folder(config, settings)}")

    def show(record: dict[str, Any]) -> None:
        console.print(f"finished {record['folder']}")

    try:
        result = run_sweep(config, settings, on_done=show)
    except OasisError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"{result.skipped} runs were already finished; table: {result.files[0]}")
    typer.echo(markdown_table(result.summary))


def _run_to_end(
    simulation: Simulation, config: ExperimentConfig, server: BackgroundServer | None
) -> None:
    """Run the remaining steps with a progress bar, then write the results folder."""
    columns: tuple[ProgressColumn, ...] = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        *((InFlightColumn(simulation),) if config.llm.endpoints else ()),
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
        files = write_run(simulation)
    finally:
        simulation.close()
        if server is not None:
            server.stop()
    console.print(failure_line(config.output))
    console.print(f"results: {config.output} ({len(files)} files); database: {config.database_url}")


@app.command()
def compare(
    results: Annotated[Path, typer.Argument(help="A run's results folder (with cascades.csv).")],
    real: Annotated[
        Path,
        typer.Argument(
            help="Real per-minute curves: CSV (minute,scale,depth,max_breadth) "
            "or OASIS's pickled lists."
        ),
    ],
    minutes: Annotated[int, typer.Option(help="Score the first this many minutes.")] = 150,
) -> None:
    """Per-minute NRMSE of a run's cascade against real curves (scale, depth, max breadth)."""
    try:
        scores, root, alignment = score_run(results, real, minutes)
    except (OasisError, OSError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"cascade of post {root} in {results}; alignment: {alignment}")
    for metric, value in scores.items():
        typer.echo(f"{metric}: NRMSE {value:.3f}")


@app.command("serve")
def serve_command(
    db: Annotated[
        str, typer.Option(help="Database URL of a run (sqlite:///... or postgresql://...).")
    ],
    host: Host = "127.0.0.1",
    port: Port = 8000,
    token: Token = None,
) -> None:
    """Serve the REST API over a finished or running simulation's database."""
    if db.startswith("sqlite:///") and not Path(db.removeprefix("sqlite:///")).exists():
        console.print(f"[red]error:[/red] no database at {db}")
        raise typer.Exit(2)
    from oasis.api import serve as serve_api

    console.print(_urls(host, port), soft_wrap=True)
    serve_api(db, host, port, token or api_token())


def _urls(host: str, port: int) -> str:
    """Where the dashboard and the API's documentation are served."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    base = f"http://{shown}:{port}"
    return f"dashboard: {base}/ · API: {base}/docs"


@app.command()
def plan(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML file.")],
    gpus: Annotated[int, typer.Option(min=1, help="GPUs for vLLM servers.")] = 1,
    model_size: Annotated[str, typer.Option(help="Model size, such as 8b or 70b.")] = "8b",
    gpu: Annotated[str, typer.Option(help="GPU kind (h100, a100, ...).")] = "h100",
    from_run: Annotated[
        Path | None,
        typer.Option(help="A finished run's folder: use its measured tokens per request."),
    ] = None,
) -> None:
    """Estimate the LLM-bound time per step and in total before paying for a cluster."""
    try:
        config = load_config(experiment)
        inputs = plan_inputs(
            config, build_population(config.population, config.seed), gpus, model_size, gpu
        )
        if from_run is not None:
            steps = recorded_step_metrics(parent_database(from_run))
            inputs = measured_inputs(inputs, steps)
            typer.echo(f"tokens per request measured by {from_run} over {len(steps)} steps")
    except OasisError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for line in describe_plan(capacity_plan(inputs), inputs):
        typer.echo(line)


class InFlightColumn(ProgressColumn):
    """The LLM requests in flight right now, read from the simulation while a step runs."""

    max_refresh = 0.5  # seconds; with Ray shards each reading asks every shard

    def __init__(self, simulation: Simulation) -> None:
        super().__init__()
        self.simulation = simulation

    def render(self, task: Task) -> Text:
        """The count, as the progress bar shows it."""
        return Text(f"LLM in flight: {self.simulation.llm_in_flight()}")


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
