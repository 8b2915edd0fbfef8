"""Issue #13.5: every bad input gets one line, and docs/bad_inputs.md lists them all.

Each case runs the ``oasis`` command in this process (Typer's runner, exactly what the command
prints on stderr) and must end with exit code 2 and ONE line, no traceback. The test then
regenerates ``docs/bad_inputs.md``; if the committed file differed, it fails once so that the
regenerated table gets committed.
"""

from __future__ import annotations

import json
import pickle
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oasis.cli import app
from oasis.config import load_config
from oasis.loop.simulation import Simulation
from tests.conftest import PG_DSN, postgres_schema
from tests.simulation.dropped_connection import ConnectionDrop

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "bad_inputs.md"
GOOD = "steps: 2\noutput: out\npopulation: {n_users: 20}\n"
PG_BASE = PG_DSN.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Case:
    """One bad input: what it is, how to set it up in a folder, and the command's arguments."""

    title: str
    args: tuple[str, ...]
    prepare: Callable[[Path], None] = lambda folder: None
    env: tuple[tuple[str, str], ...] = ()
    expect: str = ""
    mid_run: bool = False  # the run's progress bar comes before the line


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        path = folder / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)

    return prepare


def good_and(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        write("exp.yaml", GOOD)(folder)
        for step in steps:
            step(folder)

    return prepare


def finished_run(folder: Path) -> None:
    assert CliRunner().invoke(app, ["run", str(folder / "exp.yaml")]).exit_code == 0


_writers: list[Simulation] = []


def writing(folder: Path) -> None:
    """A run of ``exp.yaml`` kept open (so locked) by this process until the test ends."""
    _writers.append(Simulation.open(load_config(folder / "exp.yaml")))


def db(url: str) -> tuple[tuple[str, str], ...]:
    return (("OASIS_DATABASE_URL", url),)


_held: list[socket.socket] = []


def taken_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    _held.append(sock)  # kept listening until the session ends
    return int(sock.getsockname()[1])


def scored_run(folder: Path) -> None:
    """A results folder with one cascade to compare (``run/``)."""
    (folder / "run").mkdir()
    table = "root_post_id,time,scale,depth,max_breadth\n1,0,1,0,0\n"
    (folder / "run" / "cascades.csv").write_text(table)


def truncated(folder: Path) -> None:
    """The finished run's database cut to half its size."""
    database = folder / "out" / "oasis.db"
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])


def write_run_db(data: bytes) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        (folder / "run").mkdir()
        (folder / "run" / "oasis.db").write_bytes(data)

    return prepare


HEADER = "minute,scale,depth,max_breadth\n"
CURVES = {"scale": [1, 2], "depth": [0, 1], "max_breadth": [0, 1]}


def curves(name: str, data: bytes) -> Callable[[Path], None]:
    def prepare(folder: Path) -> None:
        scored_run(folder)
        write(name, data)(folder)

    return prepare


def results_on_a_full_disk(folder: Path) -> None:
    """The results folder's summary.md on /dev/full: writing it fails as on a full disk."""
    (folder / "out").mkdir()
    (folder / "out" / "summary.md").symlink_to("/dev/full")


_schemas: list[ExitStack] = []


def dropped_connection(folder: Path) -> None:
    """A run on a fresh PostgreSQL schema whose connection is dropped after step 1."""
    schemas = ExitStack()
    _schemas.append(schemas)
    drop = ConnectionDrop(schemas.enter_context(postgres_schema()))
    schemas.callback(drop.join, 60)
    write("exp.yaml", GOOD.replace("steps: 2", "steps: 12") + f"database: '{drop.url}'\n")(folder)
    drop.start()


def deleted_mid_run(folder: Path) -> None:
    """A run whose SQLite file is deleted once it has committed step 1 (by a thread)."""
    write("exp.yaml", GOOD.replace("steps: 2", "steps: 40"))(folder)
    database = folder / "out" / "oasis.db"
    reading = f"file:{database}?mode=ro"  # never creates the file

    def delete_after_step_1() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with suppress(sqlite3.Error), closing(sqlite3.connect(reading, uri=True)) as conn:
                if (conn.execute("SELECT last_step FROM run").fetchone() or (None,))[0]:
                    database.unlink()
                    return
            time.sleep(0.005)

    thread = threading.Thread(target=delete_after_step_1, daemon=True)
    _threads.append(thread)
    thread.start()


_threads: list[threading.Thread] = []
MISSING_PG = f"{PG_BASE}/no_such_database"


def parent_on_missing_pg(folder: Path) -> None:
    """A run's results folder whose run.json names a PostgreSQL database that does not exist."""
    (folder / "run").mkdir()
    (folder / "run" / "run.json").write_text(json.dumps({"database_url": MISSING_PG}))


PORT = taken_port()
CASES = [
    Case("experiment file missing", ("run", "missing.yaml"), expect="cannot read"),
    Case("experiment file is binary", ("run", "bin.yaml"), write("bin.yaml", bytes(range(256))),
         expect="not a YAML text file"),
    Case("experiment file is not YAML", ("run", "exp.yaml"), write("exp.yaml", "steps: [1,\n"),
         expect="not valid YAML"),
    Case("experiment file is a list", ("run", "exp.yaml"), write("exp.yaml", "- 1\n"),
         expect="mapping"),
    Case("a bad value (`steps: 0`)", ("run", "exp.yaml"), write("exp.yaml", "steps: 0\n"),
         expect="steps"),
    Case("an unknown key", ("run", "exp.yaml"), write("exp.yaml", "stpes: 3\n"), expect="stpes"),
    Case("`output` is a file", ("run", "exp.yaml"),
         good_and(write("out", "a file")), expect="output:"),
    Case("`output` under /proc", ("run", "exp.yaml"),
         write("exp.yaml", GOOD.replace("out\n", "/proc/oasis-out\n")), expect="output:"),
    Case("database URL is not a URL", ("run", "exp.yaml"), good_and(), db("not a url"),
         "not a database URL"),
    Case("database driver not installed", ("run", "exp.yaml"), good_and(),
         db("mysql://user:secret@localhost/oasis"), "no driver"),
    Case("PostgreSQL refuses the connection", ("run", "exp.yaml"), good_and(),
         db("postgresql://postgres:secret@127.0.0.1:1/oasis"), "Connection refused"),
    Case("PostgreSQL database missing", ("run", "exp.yaml"), good_and(),
         db(f"{PG_BASE}/no_such_database"), "does not exist"),
    Case("PostgreSQL connection dropped mid-run", ("run", "exp.yaml"), dropped_connection,
         expect="the connection was lost", mid_run=True),
    Case("SQLite file deleted mid-run", ("run", "exp.yaml"), deleted_mid_run,
         expect="was deleted or replaced", mid_run=True),
    Case("results folder on a full disk", ("run", "exp.yaml"), good_and(results_on_a_full_disk),
         expect="No space left on device", mid_run=True),
    Case("a second `oasis run` on a finished run", ("run", "exp.yaml"),
         good_and(finished_run), expect="use --resume"),
    Case("`--resume` with another seed", ("run", "exp.yaml", "--resume"),
         good_and(finished_run, write("exp.yaml", "seed: 9\n" + GOOD)), expect="seed"),
    Case("`--resume` with more users", ("run", "exp.yaml", "--resume"),
         good_and(finished_run, write("exp.yaml", GOOD.replace("20", "30"))), expect="n_users"),
    Case("LLM endpoint down", ("run", "exp.yaml"), good_and(),
         (("OASIS_LLM_ENDPOINTS", "http://127.0.0.1:9/v1"),), "cannot be reached"),
    Case("LLM endpoint not a URL", ("run", "exp.yaml"), good_and(),
         (("OASIS_LLM_ENDPOINTS", "not-a-url"),), "is not a URL"),
    Case("a second writer: `--resume` while a run writes", ("run", "exp.yaml", "--resume"),
         good_and(writing), expect="another oasis process"),
    Case("`--serve` on a port in use", ("run", "exp.yaml", "--serve", "--port", str(PORT)),
         good_and(), expect="already in use"),
    Case("`oasis serve` on a missing database", ("serve", "--db", "sqlite:///missing.db"),
         expect="no database"),
    Case("`oasis serve` on a file that is not a database", ("serve", "--db", "sqlite:///exp.yaml"),
         good_and(), expect="not a database"),
    Case("`oasis serve` on a database without a run", ("serve", "--db", "sqlite:///empty.db"),
         write("empty.db", b""), expect="holds no OASIS run"),
    Case("`oasis serve` on a missing PostgreSQL database", ("serve", "--db", MISSING_PG),
         expect="does not exist"),
    Case("`oasis token issue` on a missing PostgreSQL database",
         ("token", "issue", "--db", MISSING_PG), expect="does not exist"),
    Case("`oasis token list` on a missing PostgreSQL database",
         ("token", "list", "--db", MISSING_PG), expect="does not exist"),
    Case("`oasis token revoke` on a missing PostgreSQL database",
         ("token", "revoke", "1", "--db", MISSING_PG), expect="does not exist"),
    Case("sweep sets `seed` under `grid`", ("sweep", "exp.yaml", "--grid", "grid.yaml"),
         good_and(write("grid.yaml", "grid: {seed: [1, 2]}\n")), expect="the sweep sets"),
    Case("sweep sets `database` under `fixed`", ("sweep", "exp.yaml", "--grid", "grid.yaml"),
         good_and(write("grid.yaml", "fixed: {database: 'sqlite:///x.db'}\n")),
         expect="the sweep sets"),
    Case("sweep grid with an empty list", ("sweep", "exp.yaml", "--grid", "grid.yaml"),
         good_and(write("grid.yaml", "grid: {recsys.kind: []}\n")), expect="at least one value"),
    Case("export of a YAML path", ("export", "exp.yaml"), good_and(), expect="not a database"),
    Case("export of a missing PostgreSQL database", ("export", MISSING_PG),
         expect="does not exist"),
    Case("export of a run on a missing PostgreSQL database", ("export", "run"),
         parent_on_missing_pg, expect="does not exist"),
    Case("export of an empty database", ("export", "empty.db"), write("empty.db", b""),
         expect="holds no OASIS run"),
    Case("export of a truncated database", ("export", "out"), good_and(finished_run, truncated),
         expect="malformed"),
    Case("export `--until-step` past 2^63", ("export", "out", "--until-step", str(2**64)),
         good_and(finished_run), expect="past the last storable step"),
    Case("fork of an empty database", ("fork", "run", "--at-step", "0", "--config", "exp.yaml",
         "--out", "f"), good_and(write_run_db(b"")), expect="holds no OASIS run"),
    Case("fork of a run on a missing PostgreSQL database", ("fork", "run", "--at-step", "0",
         "--config", "exp.yaml", "--out", "f"), good_and(parent_on_missing_pg),
         expect="does not exist"),
    Case("`fork --resume` of a run on a missing PostgreSQL database", ("fork", "run",
         "--at-step", "0", "--config", "exp.yaml", "--out", "f", "--resume"),
         good_and(parent_on_missing_pg), expect="does not exist"),
    Case("fork of a truncated database", ("fork", "out", "--at-step", "0", "--config",
         "exp.yaml", "--out", "f"), good_and(finished_run, truncated), expect="malformed"),
    Case("`plan --from-run` of an empty database", ("plan", "exp.yaml", "--from-run", "run"),
         good_and(write_run_db(b"")), expect="holds no OASIS run"),
    Case("`plan --from-run` of a truncated database", ("plan", "exp.yaml", "--from-run", "out"),
         good_and(finished_run, truncated), expect="malformed"),
    Case("`plan --from-run` of a run on a missing PostgreSQL database",
         ("plan", "exp.yaml", "--from-run", "run"), good_and(parent_on_missing_pg),
         expect="does not exist"),
    Case("`compare --minutes 0`", ("compare", "run", "real.csv", "--minutes", "0"),
         curves("real.csv", (HEADER + "0,1,0,0\n").encode()), expect="at least 1 minute"),
    Case("`compare --minutes -5`", ("compare", "run", "real.csv", "--minutes", "-5"),
         curves("real.csv", (HEADER + "0,1,0,0\n").encode()), expect="at least 1 minute"),
    Case("compare on a header-only CSV", ("compare", "run", "real.csv"),
         curves("real.csv", HEADER.encode()), expect="no rows"),
    Case("compare on CSV text in a `.txt`", ("compare", "run", "real.txt"),
         curves("real.txt", (HEADER + "0,1,0,0\n").encode()), expect="not a pickle"),
    Case("compare on a truncated pickle", ("compare", "run", "real.pkl"),
         curves("real.pkl", pickle.dumps(CURVES)[:-9]), expect="truncated"),
    Case("compare on a pickle without `depth`", ("compare", "run", "real.pkl"),
         curves("real.pkl", pickle.dumps({"scale": [1], "max_breadth": [1]})), expect="no depth"),
    Case("compare on a pickle that would run code", ("compare", "run", "real.pkl"),
         curves("real.pkl", b"cos\nsystem\n(S'touch pwned'\ntR."), expect="refused"),
]  # fmt: skip


def see(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The one line the user sees for ``case``, with the test's folder shown as ``<dir>``."""
    folder.mkdir()
    case.prepare(folder)
    monkeypatch.chdir(folder)
    done = CliRunner().invoke(app, list(case.args), env=dict(case.env))
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if case.mid_run:
        lines = [line for line in lines if not line.startswith("steps")]
    assert done.exit_code == 2, (case.title, done.output, done.exception)
    assert len(lines) == 1 and lines[0].startswith("error: "), (case.title, done.output)
    assert case.expect in lines[0], (case.title, lines[0])
    assert "secret" not in done.output
    line = lines[0].replace(str(folder.resolve()), "<dir>").replace(PG_BASE, "postgresql://...")
    line = re.sub(r"oasis-drop-[0-9a-f]+", "oasis-drop-<id>", line)
    if case.mid_run:  # where a run stopped depends on the machine's pace
        line = re.sub(r"(step|steps up to) \d+", r"\1 <n>", line)
    return re.sub(r"pid \d+", "pid <pid>", re.sub(r"t_[0-9a-f]{12}", "<schema>", line))


def render(rows: list[tuple[str, str, str]]) -> str:
    head = [
        "# Bad inputs and the one line each gets",
        "",
        "Generated by `tests/simulation/test_bad_inputs.py` (do not edit by hand): each bad input",
        "below was tried, and the `oasis` command answered with exit code 2 and this one line.",
        "",
        "| bad input | command | what the user sees |",
        "| --- | --- | --- |",
    ]
    body = [f"| {t} | `oasis {c}` | `{line}` |" for t, c, line in rows]
    return "\n".join([*head, *body, ""])


@pytest.mark.slow
def test_every_bad_input_gets_one_line_and_the_table_is_current(tmp_path, monkeypatch):
    rows = []
    for index, case in enumerate(CASES):
        try:
            line = see(case, tmp_path / f"case{index}", monkeypatch)
        finally:
            while _writers:
                _writers.pop().close()
            while _schemas:
                _schemas.pop().close()
            while _threads:
                _threads.pop().join(60)
        command = (
            " ".join(case.args).replace(str(PORT), "8000").replace(PG_BASE, "postgresql://...")
        )
        env = " ".join(f"{k}={v}" for k, v in case.env).replace(PG_BASE, "postgresql://...")
        rows.append((case.title, f"{command}` with `{env}" if env else command, line))
    text = render(rows).replace(str(PORT), "8000")
    current = TABLE.read_text() if TABLE.exists() else ""
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(text)
    assert current == text, "docs/bad_inputs.md was out of date: regenerated, commit it"
