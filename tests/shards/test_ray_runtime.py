"""Starting Ray: once per process, reused after; enough CPUs for the shards asked for."""

from __future__ import annotations

import os

import pytest

from oasis.agents.shards.ray_runtime import ensure_ray, local_cpus
from oasis.agents.shards.settings import RaySettings


def test_local_ray_gets_at_least_the_shards_cpus() -> None:
    cores = os.cpu_count() or 1
    assert local_cpus(RaySettings(mode="local", shards=1)) == cores
    wide = RaySettings(mode="local", shards=cores * 2, cpus_per_shard=1.5)
    assert local_cpus(wide) == cores * 3


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_a_running_ray_is_reused() -> None:
    import ray

    assert ensure_ray(RaySettings(mode="local")) is False
    assert ensure_ray(RaySettings(mode="cluster", address="10.0.0.1:6379")) is False
    assert ray.is_initialized()


def test_mode_none_is_not_ray() -> None:
    with pytest.raises(ValueError, match="in-process"):
        ensure_ray(RaySettings(mode="none"))
