import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "jixiao" / "samples" / "seeds"

# Prefect state for tests goes to a throwaway home, never the user's ~/.prefect. Created
# here: on a fresh clone nothing else makes it, and Prefect will not create its parents.
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".pytest_cache" / "prefect-home"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def seed_path(number: int) -> Path:
    return next(SEEDS.glob(f"{number:03d}_*.txt"))


@pytest.fixture(scope="session")
def seeds() -> dict[int, Path]:
    return {n: seed_path(n) for n in range(5)}


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (each start costs ~10 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=600):  # a hang guard: 120 s ran out at a load of 18
        yield
