"""docker-compose.yml: checked by Compose itself (client side, no engine) and by its content."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import ROOT

SECRETS = {"RAY_AUTH_TOKEN": "t" * 64, "POSTGRES_PASSWORD": "p" * 48, "OASIS_API_TOKEN": "a" * 64}
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def compose_cli() -> list[str] | None:
    """Compose v2 (`docker compose`) when its plugin is there, else Debian's `docker-compose`."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def run_config(env_overrides: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    cli = compose_cli()
    if cli is None:
        pytest.skip("no Compose client: apt-get install docker-compose")
    # no DOCKER_HOST and no daemon: `config` must work on the client side alone
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("DOCKER")}
    env.update(env_overrides)
    command = [
        *cli,
        "--env-file",
        str(ROOT / ".env.example"),
        "-f",
        str(ROOT / "docker-compose.yml"),
    ]
    return subprocess.run(
        [*command, *extra, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_compose_accepts_the_file_with_secrets_set() -> None:
    result = run_config(SECRETS)
    assert result.returncode == 0, result.stderr


def test_compose_accepts_the_two_gpu_profile() -> None:
    result = run_config(SECRETS, "--profile", "gpu2")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["RAY_AUTH_TOKEN", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_a_secret(missing: str) -> None:
    result = run_config({k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_every_variable_is_documented_in_env_example(env_example: dict[str, str]) -> None:
    used = set(VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    assert used - set(env_example) == set()


def test_services_are_all_there(compose: dict[str, Any]) -> None:
    expected = {"postgres", "vllm-0", "vllm-1", "ray-head", "ray-worker", "api", "experiment"}
    assert set(compose["services"]) == expected


def test_postgres_has_health_check_and_named_volume(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]


@pytest.mark.parametrize("name", ["vllm-0", "vllm-1"])
def test_vllm_servers_reserve_a_gpu_and_take_flags_from_env(
    compose: dict[str, Any], name: str
) -> None:
    server = compose["services"][name]
    assert server["image"].startswith("${VLLM_IMAGE:-vllm/vllm-openai:")
    (device,) = server["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia"
    assert device["capabilities"] == ["gpu"]
    flags = {arg.split("=")[0]: arg.partition("=")[2] for arg in server["command"]}
    assert "--enable-prefix-caching" in flags
    for flag, variable in [
        ("--model", "VLLM_MODEL"),
        ("--max-num-seqs", "VLLM_MAX_NUM_SEQS"),
        ("--structured-outputs-config.backend", "VLLM_STRUCTURED_OUTPUTS_BACKEND"),
        ("--tensor-parallel-size", "VLLM_TENSOR_PARALLEL_SIZE"),
    ]:
        assert flags[flag].startswith("${" + variable)
    assert "/health" in " ".join(server["healthcheck"]["test"])


def test_llm_endpoints_name_compose_services(
    compose: dict[str, Any], env_example: dict[str, str]
) -> None:
    hosts = re.findall(r"http://([a-z0-9-]+):8000/v1", env_example["OASIS_LLM_ENDPOINTS"])
    assert hosts
    assert set(hosts) <= set(compose["services"])


@pytest.mark.parametrize("name", ["ray-head", "ray-worker", "api", "experiment"])
def test_our_services_use_our_image_and_ray_token_auth(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    assert Path(ROOT / service["build"]["dockerfile"]).is_file()
    assert service["environment"]["RAY_AUTH_MODE"] == "token"
    assert service["environment"]["RAY_AUTH_TOKEN"].startswith("${RAY_AUTH_TOKEN:?")


def test_ray_workers_join_the_head(compose: dict[str, Any]) -> None:
    head, worker = compose["services"]["ray-head"], compose["services"]["ray-worker"]
    assert "--head" in head["command"]
    assert "--address=ray-head:6379" in worker["command"]
    assert worker["depends_on"]["ray-head"]["condition"] == "service_healthy"


def test_experiment_is_one_shot_after_its_dependencies(compose: dict[str, Any]) -> None:
    experiment = compose["services"]["experiment"]
    assert experiment["restart"] == "no"
    shell, flag, script = experiment["command"]
    join, run = script.split(" && ")
    assert (shell, flag) == ("sh", "-c")
    assert join == "ray start --address=ray-head:6379 --num-cpus=0"
    assert run.startswith('exec oasis run "experiments/${OASIS_EXPERIMENT:?')
    assert experiment["environment"]["RAY_ADDRESS"] == "ray-head:6379"
    conditions = {name: dep["condition"] for name, dep in experiment["depends_on"].items()}
    assert conditions["postgres"] == conditions["vllm-0"] == "service_healthy"
    assert experiment["environment"]["OASIS_DATABASE_URL"].startswith("postgresql+psycopg://")
