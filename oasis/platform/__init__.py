"""The SQL-backed social platform: schema, every SQL statement, and applying actions."""

from oasis.platform.errors import PlatformError
from oasis.platform.feed_log import FeedRecord
from oasis.platform.platform import Platform, RunInfo
from oasis.platform.settings import PlatformSettings
from oasis.platform.stances import StanceRecord
from oasis.platform.step import StepTransaction
from oasis.platform.step_changes import StepChanges

__all__ = [
    "FeedRecord",
    "Platform",
    "PlatformError",
    "PlatformSettings",
    "RunInfo",
    "StanceRecord",
    "StepChanges",
    "StepTransaction",
]
