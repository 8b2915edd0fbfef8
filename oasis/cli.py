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

from oasis.analysis.graphs import GraphFormat
from oasis.analysis.report import markdown_table
from oasis.cli_errors import one_line_errors
from oasis.cli_signals import stop_asked, terminate_as_interrupt
from oasis.cli_tokens import token_app
from oasis.config import (
    ExperimentConfig,
    api_token,
    database_from_env,
    load_config,
    load_sweep,
)
from oasis.core.redaction import redact_url
from oasis.datasets.source import build_population
from oasis.errors import OasisError
from oasis.loop.commands import StoredCommands
from oasis.loop.fork import fork as fork_run
from oasis.loop.fork import parent_database
from oasis.loop.graph_export import GraphKind, export_graph
from oasis.loop.results import (
    failure_line,
    prepare_output,
    recorded_step_metrics,
    score_run,
    write_run,
)
from oasis.loop.run_tables import open_run
from oasis.loop.seed_summary import write_seed_summary
from oasis.loop.seeds import parse_seeds, seed_configs
from oasis.loop.simulation import Simulation
from oasis.loop.step_runner import StepReport
from oasis.loop.sweep import run_sweep, sweep_folder, sweep_points
from oasis.planning.capacity import describe_plan
from oasis.planning.capacity import plan as capacity_plan
from oasis.planning.inputs import active_agents, measured_inputs, plan_inputs
from oasis.platform import Platform, PlatformError
from oasis.platform.run_lock import RunLockLostError

if TYPE_CHECKING:
    from oasis.api.server import ApiProcess

app = typer.Typer(help="OASIS: simulate social media with LLM agents.", no_args_is_help=True)
# The largest step a database can store (SQLite's and PostgreSQL's 64-bit integers).
MAX_STEP = 2**63 - 1
console = Console(stderr=True)


app.add_typer(token_app, name="token")


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
@one_line_errors
def run(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML file.")],
    resume: Annotated[bool, typer.Option(help="Continue the run found in the database.")] = False,
    serve: Annotated[bool, typer.Option(help="Serve the REST API beside the run.")] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    token: Token = None,
    seeds: Seeds = None,
) -> None:
    """Run an experiment and write its results folder.

    With ``--serve`` the API runs as a process of its own (``oasis serve``) over the run's
    database, so reads never slow the run; its control commands reach the run through the
    database, at the next step boundary. It stops when the run ends (the console says so, and
    how to serve the run after it).
    """
    config = load_config(experiment)
    runs = seed_configs(config, parse_seeds(seeds) if seeds else config.seeds)
    with terminate_as_interrupt():
        for one in runs:
            _run_one(one, resume, serve, host, port, token)
    if len(runs) > 1:
        files = write_seed_summary(config.output, [r.output for r in runs], config.name)
        console.print(f"seeds {[r.seed for r in runs]}: mean and spread in {files[0].parent}")


def _run_one(
    config: ExperimentConfig, resume: bool, serve: bool, host: str, port: int, token: str | None
) -> None:
    if serve:  # before anything is written to the database
        from oasis.api.server import ApiProcess, check_port_free  # the web stack, when asked

        check_port_free(host, port)
    prepare_output(config.output)
    try:
        simulation = Simulation.open(config, resume=resume)
    except OSError as exc:
        raise OasisError(str(exc)) from exc
    api = None
    try:
        if serve:
            api = ApiProcess(config.database_url, host, port, token or api_token())
            api.wait_until_serving()
            console.print(_urls(host, port), soft_wrap=True)
            console.print(_served_until_the_end(config), soft_wrap=True)
    except BaseException:
        simulation.close()
        if api is not None:
            api.stop()
        raise
    _run_to_end(simulation, config, api)


@app.command()
@one_line_errors
def fork(
    run_dir: Annotated[
        str, typer.Argument(help="The parent run's results folder, or its database URL.")
    ],
    at_step: Annotated[int, typer.Option(min=0, help="The last step taken from the parent.")],
    config_file: Annotated[
        Path, typer.Option("--config", help="The experiment YAML the fork continues with.")
    ],
    out: Annotated[Path | None, typer.Option(help="The fork's results folder.")] = None,
    parent_db: Annotated[
        str | None, typer.Option(help="The parent's database URL, if run.json cannot name it.")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Go on with a fork that was cut off (in its rebuild or after).")
    ] = False,
) -> None:
    """Fork a run after step K: its world up to K, the new config's steps after."""
    with terminate_as_interrupt():
        try:
            config = load_config(config_file)
            if out is not None:
                config = config.model_copy(update={"output": out.resolve()})
            parent = run_dir if "://" in run_dir else Path(run_dir).resolve()
            simulation = fork_run(parent_db or parent, at_step, config, resume)
        except OSError as exc:
            raise OasisError(str(exc)) from exc
        console.print(f"forked {run_dir} after step {at_step} into {config.output}")
        _run_to_end(simulation, config, None)


@app.command()
@one_line_errors
def sweep(
    experiment: Annotated[Path, typer.Argument(help="The experiment YAML every run starts from.")],
    grid: Annotated[Path, typer.Option(help="The sweep YAML: grid, seeds, metrics, bounds.")],
) -> None:
    """Run the cross product of settings and seeds as Ray tasks; finished runs are skipped."""
    try:
        config, settings = load_config(experiment), load_sweep(grid)
        points = sweep_points(config, settings)
    except OSError as exc:
        raise OasisError(str(exc)) from exc
    console.print(f"sweep: {len(points)} runs into {sweep_folder(config, settings)}")

    def show(record: dict[str, Any]) -> None:
        console.print(f"finished {record['folder']}")

    result = run_sweep(config, settings, on_done=show)
    console.print(f"{result.skipped} runs were already finished; table: {result.files[0]}")
    typer.echo(markdown_table(result.summary))


def _run_to_end(
    simulation: Simulation, config: ExperimentConfig, server: ApiProcess | None
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
                if stop_asked():  # the interrupt was dropped on its way
                    raise KeyboardInterrupt

            try:
                simulation.run(on_step=show)
            except RunLockLostError:
                raise  # it says how to go on
            except PlatformError as exc:
                raise OasisError(f"{exc}; {_kept(simulation.next_step)}") from exc
        files = _results_written(simulation)
    finally:
        simulation.close()
        if server is not None:
            server.stop()
    console.print(failure_line(config.output))
    database = redact_url(config.database_url)
    console.print(f"results: {config.output} ({len(files)} files); database: {database}")


def _results_written(simulation: Simulation) -> list[Path]:
    """Write the results folder; a full or unwritable disk is one line, the database kept."""
    try:
        return write_run(simulation)
    except OSError as exc:
        raise OasisError(
            f"results: cannot write in {simulation.config.output} ({exc.strerror or exc}); the "
            "run's database is kept: make room, then the same command with --resume writes the "
            "results again"
        ) from exc


def _kept(next_step: int) -> str:
    """What a run stopped by its database keeps, and how to go on."""
    if next_step == 0:
        return "no step was committed; the same command with --resume starts again"
    return f"steps up to {next_step - 1} are kept; the same command with --resume goes on"


@app.command()
@one_line_errors
def compare(
    results: Annotated[Path, typer.Argument(help="A run's results folder (with cascades.csv).")],
    real: Annotated[
        Path,
        typer.Argument(
            help="Real per-minute curves: CSV (minute,scale,depth,max_breadth), OASIS's folder "
            "of real_data_scale/, real_data_depth/, real_data_max_breadth/, or one pickle."
        ),
    ],
    minutes: Annotated[int, typer.Option(help="Score the first this many minutes.")] = 150,
    topic: Annotated[
        str | None,
        typer.Option(help="The topic to read from OASIS's folder (default: the run's topic)."),
    ] = None,
) -> None:
    """Per-minute NRMSE of a run's cascade against real curves (scale, depth, max breadth)."""
    if minutes < 1:
        raise OasisError(f"--minutes: score at least 1 minute, not {minutes}")
    try:
        scores, root, alignment = score_run(results, real, minutes, topic)
    except OSError as exc:
        raise OasisError(f"{exc.filename or results}: {exc.strerror}") from exc
    typer.echo(f"cascade of post {root} in {results}; alignment: {alignment}")
    for metric, value in scores.items():
        typer.echo(f"{metric}: NRMSE {value:.3f}")


@app.command("serve")
@one_line_errors
def serve_command(
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL of a run (sqlite:///... or postgresql://...; "
            "default: $OASIS_DATABASE_URL, which keeps a password off the command line)."
        ),
    ] = None,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    token: Token = None,
    cache_check_ms: Annotated[
        float,
        typer.Option(
            help="At most how often (ms) to ask the database whether a step committed, before "
            "answering a read from the response cache; 0: every time (microseconds on SQLite)."
        ),
    ] = 0.0,
    cache_mb: Annotated[
        float, typer.Option(help="Megabytes of read responses kept between commits; 0: none.")
    ] = 64.0,
    idle_priority: Annotated[
        bool,
        typer.Option(
            help="Take only CPU time no other process wants (Linux's SCHED_IDLE; nice 19 "
            "elsewhere), as beside a run on the same machine."
        ),
    ] = False,
    stop_with_parent: Annotated[
        int | None,
        typer.Option(hidden=True, help="Stop when this process (the run serving it) ends."),
    ] = None,
    allow_launch: Annotated[
        bool,
        typer.Option(
            help="Let the set-up page start runs (with the token), into --launch-dir; off by "
            "default."
        ),
    ] = False,
    launch_dir: Annotated[
        Path, typer.Option(help="Where runs started from the set-up page go.")
    ] = Path("launched"),
) -> None:
    """Serve the REST API over a finished or running simulation's database.

    With a token, control commands are written into the run's database, which the run reads at
    each step boundary (``oasis run`` in another process or container).
    """
    from oasis.api import serve as serve_api
    from oasis.api.cache import ResponseCacheSettings
    from oasis.api.server import check_port_free, take_idle_cpu_only

    db = db or database_from_env()
    if db is None:
        raise OasisError("--db: give the run's database URL (or set OASIS_DATABASE_URL)")
    token = token or api_token()
    if allow_launch and not token:
        raise OasisError("--allow-launch needs a token (--token or OASIS_API_TOKEN)")
    if db.startswith("sqlite:///") and not Path(db.removeprefix("sqlite:///")).exists():
        raise OasisError(f"no database at {db}")
    platform = Platform.open(db, read_only=True)
    try:
        platform.check_readable()  # refused now, not with a 503 to every request
    finally:
        platform.close()
    check_port_free(host, port)
    console.print(_urls(host, port), soft_wrap=True)
    # With a token, control commands are written into the run's database for it to read.
    controller = StoredCommands(Platform.open(db).commands()) if token else None
    cache = ResponseCacheSettings(check_ms=cache_check_ms, max_mb=cache_mb)
    if idle_priority:
        take_idle_cpu_only()
    if stop_with_parent is not None:
        from oasis.api.lifeline import stop_with_parent as lifeline

        lifeline(stop_with_parent)
    launching = launch_dir.resolve() if allow_launch else None
    serve_api(db, host, port, token, controller, cache, launching)


def _urls(host: str, port: int) -> str:
    """Where the dashboard and the API's documentation are served."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    base = f"http://{shown}:{port}"
    return f"dashboard: {base}/ · API: {base}/docs"


def _served_until_the_end(config: ExperimentConfig) -> str:
    """What ``--serve`` does when the run ends, said before it starts."""
    return (
        "the API stops when the run ends; to read the run after it: "
        f"oasis serve --db '{redact_url(config.database_url)}'"
    )


@app.command("export")
@one_line_errors
def export_command(
    run: Annotated[str, typer.Argument(help="A results folder, SQLite file or database URL.")],
    graph: Annotated[GraphKind, typer.Option(help="follows or cascades.")] = "follows",
    fmt: Annotated[GraphFormat, typer.Option("--format", help="graphml, gexf or edgelist.")] = (
        "graphml"
    ),
    out: Annotated[Path | None, typer.Option(help="Output file; default RUN/<graph>.<format>.")] = (
        None
    ),
    until_step: Annotated[int | None, typer.Option(help="Follows made by this step.")] = (None),
    sample: Annotated[int | None, typer.Option(min=1, help="A seeded sample of users.")] = None,
    k_core: Annotated[int | None, typer.Option(min=1, help="Keep only the k-core.")] = None,
    root: Annotated[list[int] | None, typer.Option(help="Cascade root post id(s).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the user sample.")] = 0,
) -> None:
    """Write a run's follow graph or cascade trees for Gephi and networkx, streaming."""
    if until_step is not None and not -MAX_STEP <= until_step <= MAX_STEP:
        raise OasisError(f"--until-step: {until_step} is past the last storable step {MAX_STEP}")
    try:
        with open_run(run) as tables:
            target = out or _default_graph_path(run, graph, fmt)
            edges = export_graph(
                tables, graph, fmt, target, until_step=until_step, sample=sample,
                k_core=k_core, roots=tuple(root or ()), seed=seed,
            )  # fmt: skip
    except (OSError, ValueError) as exc:
        raise OasisError(str(exc)) from exc
    typer.echo(f"{graph}: {edges} edges -> {target}")


def _default_graph_path(run: str, graph: str, fmt: str) -> Path:
    folder = Path(run) if "://" not in run and Path(run).is_dir() else Path.cwd()
    return folder / f"{graph}.{'txt' if fmt == 'edgelist' else fmt}"


@app.command()
@one_line_errors
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
    config = load_config(experiment)
    try:
        population = build_population(config.population, config.seed)
        inputs = plan_inputs(config, population, gpus, model_size, gpu)
        typer.echo(f"active agents per step: {active_agents(config, population):,.0f} in all")
        if from_run is not None:
            steps = recorded_step_metrics(parent_database(from_run))
            inputs = measured_inputs(inputs, steps)
            typer.echo(f"tokens per request measured by {from_run} over {len(steps)} steps")
    except ValueError as exc:
        raise OasisError(str(exc)) from exc
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
