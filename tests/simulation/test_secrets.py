"""Issue #13.4: the LLM API key and the database password never leave the machine."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from oasis.config import redact
from oasis.core.redaction import redact_url
from oasis.platform import Platform
from tests.api.conftest import api_in_thread
from tests.conftest import postgres_schema
from tests.simulation.test_cli import ROOT, oasis

KEY, PASSWORD = "sk-very-secret", "pg-very-secret"


def with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{PASSWORD}@")


def test_redaction_keeps_everything_but_secrets():
    config = {
        "llm": {"api_key": KEY, "endpoints": ["http://a:1/v1"]},
        "recsys": {"api_key": "EMPTY"},
        "database": f"postgresql://u:{PASSWORD}@h/db",
        "seed": 3,
        "scorers": [{"api_key": KEY}, f"http://u:{PASSWORD}@b:2/v1"],
    }
    assert redact(config) == {
        "llm": {"api_key": "***", "endpoints": ["http://a:1/v1"]},
        "recsys": {"api_key": "EMPTY"},
        "database": "postgresql://u:***@h/db",
        "seed": 3,
        "scorers": [{"api_key": "***"}, "http://u:***@b:2/v1"],
    }
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_the_platform_shows_database_urls_without_their_password():
    shown = redact_url(f"postgresql://u:{PASSWORD}@h:5432/db")
    assert PASSWORD not in shown and shown.startswith("postgresql://u:") and "@h:5432/db" in shown


@pytest.mark.postgres
def test_a_run_stores_prints_and_serves_no_secret(tmp_path):
    with postgres_schema() as url:
        (tmp_path / "exp.yaml").write_text(
            f"steps: 2\noutput: out\ndatabase: '{with_password(url)}'\n"
            f"llm: {{api_key: {KEY}}}\npopulation: {{n_users: 30}}\n"
        )
        done = oasis("run", "exp.yaml", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "results:" in done.stderr and "***" in done.stderr
        platform = Platform.open(url, read_only=True)
        stored = repr(platform.run_info())
        platform.close()
        with api_in_thread(url) as base, httpx.Client(base_url=base) as client:
            served = client.get("/run").text + client.get("/export/run?format=csv").text
    for text in (done.stdout + done.stderr, stored, served):
        assert KEY not in text and PASSWORD not in text


def test_the_api_redacts_runs_that_stored_secrets(sqlite_url):
    platform = Platform.open(sqlite_url)
    platform.start_run(1, {"llm": {"api_key": KEY}, "database": f"postgresql://u:{PASSWORD}@h/d"})
    platform.close()
    with api_in_thread(sqlite_url) as base, httpx.Client(base_url=base) as client:
        run = client.get("/run")
        exported = client.get("/export/run?format=csv")
    assert run.status_code == exported.status_code == 200
    for text in (run.text, exported.text):
        assert KEY not in text and PASSWORD not in text and "***" in text


@pytest.mark.postgres
def test_a_folder_whose_run_json_lacks_the_password_opens_with_oasis_database_url(tmp_path):
    with postgres_schema() as url:
        secret_url = with_password(url)
        (tmp_path / "exp.yaml").write_text(
            f"steps: 2\noutput: out\ndatabase: '{secret_url}'\npopulation: {{n_users: 30}}\n"
        )
        (tmp_path / "fork.yaml").write_text("steps: 3\noutput: child\npopulation: {n_users: 30}\n")
        assert oasis("run", "exp.yaml", cwd=tmp_path).returncode == 0
        assert PASSWORD not in (tmp_path / "out" / "run.json").read_text()

        def export(**env: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "oasis", "export", "out", "--out", "f.graphml"],
                cwd=tmp_path, capture_output=True, text=True, timeout=300,
                env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
            )  # fmt: skip

        refused = export()
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines() == [
            f"error: run.json names {redact_url(secret_url)} without its password: set "
            "OASIS_DATABASE_URL to that database's URL, or give the URL instead of the folder"
        ]
        assert export(OASIS_DATABASE_URL=f"{url}x").returncode == 2  # another database
        opened = export(OASIS_DATABASE_URL=secret_url)
        assert opened.returncode == 0, opened.stderr
        assert (tmp_path / "f.graphml").stat().st_size > 0
        forked = oasis("fork", url, "--at-step", "0", "--config", "fork.yaml", cwd=tmp_path)
        assert forked.returncode == 0, forked.stderr  # a database URL, not a folder
        assert (tmp_path / "child" / "summary.md").exists()
