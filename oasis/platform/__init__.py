"""The SQL-backed social platform: schema, every SQL statement, and applying actions."""

from oasis.platform.errors import PlatformError
from oasis.platform.platform import Platform, RunInfo
from oasis.platform.settings import PlatformSettings

__all__ = ["Platform", "PlatformError", "PlatformSettings", "RunInfo"]
