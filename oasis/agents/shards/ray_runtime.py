"""Starting Ray once per process: a local Ray for the run, or a connection to a cluster.

Ray is imported here, when a run asks for shards, never at import time. A Ray that is already
initialised (a test session, a notebook, a second run in the same process) is reused as it is.
Token authentication is Ray's own: with ``RAY_AUTH_MODE=token`` a local Ray makes its token and a
cluster's token comes from ``RAY_AUTH_TOKEN`` or ``RAY_AUTH_TOKEN_PATH``, read by Ray itself.
"""

from __future__ import annotations

import logging
import math
import os

from oasis.agents.shards.settings import RaySettings

# A new local Ray turns token authentication on by default (RAY_AUTH_MODE unset) and says so in
# a warning on every start: nothing for a user to act on. That logger is quieted for local Rays
# only, so a cluster's warnings (a cluster without authentication, say) still show.
_RAY_AUTH_LOGGER = "ray._private.authentication.authentication_token_setup"


def ensure_ray(settings: RaySettings, num_cpus: int | None = None) -> bool:
    """Initialise Ray for ``settings`` unless it already is; True when this call started it.

    Mode ``local`` starts a Ray without dashboard or usage stats, with ``num_cpus`` (default:
    enough for every shard, at least the machine's cores); ``cluster`` connects to
    ``settings.address`` (``"auto"`` when unset: the cluster this node belongs to).
    """
    import ray

    if settings.mode == "none":
        raise ValueError("ray.mode is 'none': decisions run in-process, not on Ray")
    if ray.is_initialized():
        return False
    # Ray reads this when it starts; the usage report would phone home from every run.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if settings.mode == "cluster":
        ray.init(address=settings.address or "auto", log_to_driver=False, configure_logging=False)
    else:
        logging.getLogger(_RAY_AUTH_LOGGER).setLevel(logging.ERROR)
        ray.init(
            num_cpus=num_cpus or local_cpus(settings),
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    return True


def local_cpus(settings: RaySettings) -> int:
    """CPUs to give a local Ray: the machine's cores, or more if the shards ask for more."""
    return max(os.cpu_count() or 1, math.ceil(settings.shards * settings.cpus_per_shard))
