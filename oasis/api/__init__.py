"""The REST API over a platform database: reads of the simulated world, control of a run."""

from oasis.api.app import create_app
from oasis.api.server import BackgroundServer, serve, serve_in_thread
from oasis.loop.commands import CommandQueue, Controller

__all__ = [
    "BackgroundServer",
    "CommandQueue",
    "Controller",
    "create_app",
    "serve",
    "serve_in_thread",
]
