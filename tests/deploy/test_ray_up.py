"""deploy/ray-cluster.yaml passes the checks `ray up` runs before it touches any machine."""

from typing import Any

import pytest

from tests.deploy.conftest import ROOT, load_yaml


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_yaml(ROOT / "deploy" / "ray-cluster.yaml")


def test_ray_accepts_the_cluster_config(config: dict[str, Any]) -> None:
    # the same two steps as `ray up` (ray.autoscaler._private.commands._bootstrap_config)
    from ray.autoscaler._private.util import prepare_config, validate_config

    prepared = prepare_config(config)
    validate_config(prepared)
    (node_type,) = prepared["available_node_types"].values()
    workers = len(config["provider"]["worker_ips"])
    assert node_type["min_workers"] == node_type["max_workers"] == workers


def test_every_node_uses_token_auth_and_our_image(config: dict[str, Any]) -> None:
    docker = config["docker"]
    assert docker["image"].startswith("oasis-sim:")
    assert "--env RAY_AUTH_MODE=token" in docker["run_options"]
    assert config["file_mounts"]["~/.ray/auth_token"] == "~/.ray/auth_token"


def test_the_head_keeps_its_cpus_for_the_driver(config: dict[str, Any]) -> None:
    head = " ".join(config["head_start_ray_commands"])
    assert "--head" in head and "--num-cpus=0" in head
    assert "--address=$RAY_HEAD_IP:6379" in " ".join(config["worker_start_ray_commands"])
