import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = (
    ROOT / "data" / "oasis",
    ROOT / "shared" / "data" / "oasis",
    ROOT.parent / "shared" / "data" / "oasis",
)


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The shipped OASIS seed files (OASIS_DATA_DIR overrides the search)."""
    if "OASIS_DATA_DIR" in os.environ:
        return Path(os.environ["OASIS_DATA_DIR"])
    for candidate in CANDIDATES:
        if (candidate / "twitter" / "all_topics.csv").exists():
            return candidate
    raise FileNotFoundError(f"OASIS seed data not found in {[str(c) for c in CANDIDATES]}")


@pytest.fixture(scope="session")
def twitter_dir(seed_dir: Path) -> Path:
    return seed_dir / "twitter"
