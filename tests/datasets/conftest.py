import os
from pathlib import Path

import pytest

from oasis.datasets.settings import BUILTIN_DATA


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The OASIS seed files shipped with the package (OASIS_DATA_DIR points elsewhere)."""
    return Path(os.environ.get("OASIS_DATA_DIR", BUILTIN_DATA))


@pytest.fixture(scope="session")
def twitter_dir(seed_dir: Path) -> Path:
    return seed_dir / "twitter"
