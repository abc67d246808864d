"""London, loaded once per run, and the real reference data the geodata tests check against."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.geometry

from geodata import London

# ../shared/data beside the repository, as on the team's machines and CI; overridable.
SHARED = Path(
    os.environ.get("BLUELAMP_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
FULL_BOUNDARIES = SHARED / "boundaries" / "london_boroughs.geojson"
POLICE_UK = SHARED / "police-uk"
THAMES = SHARED / "boundaries" / "thames.geojson"


def _require(path: Path) -> Path:
    """The reference file, or a one-line skip on a bare clone. CI always has ../shared, so
    there (CI=true) a missing file is a failure: the checks must not vanish silently."""
    if path.exists():
        return path
    reason = (
        f"reference data {path} is missing (../shared/data beside the repository, or "
        "BLUELAMP_SHARED_DATA; see README, 'Reference data')"
    )
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def london() -> London:
    return London.load()


@pytest.fixture(scope="session")
def london_full() -> London:
    return London.load(_require(FULL_BOUNDARIES))


@pytest.fixture(scope="session")
def thames() -> shapely.Polygon:
    """The real River Thames (London Datastore) as one polygon."""
    collection = json.loads(_require(THAMES).read_text())
    return shapely.geometry.shape(collection["features"][0]["geometry"])


@pytest.fixture(scope="session")
def met_points() -> tuple[np.ndarray, np.ndarray]:
    """(lats, lons) of the 51,266 real Met burglaries in police.uk, 2024-03 to 2025-02."""
    lats: list[float] = []
    lons: list[float] = []
    for path in sorted(_require(POLICE_UK).glob("*-metropolitan-street.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Latitude"] and row["Longitude"]:
                    lats.append(float(row["Latitude"]))
                    lons.append(float(row["Longitude"]))
    if len(lats) < 50_000:
        pytest.fail(f"expected ~51,266 Met points in {POLICE_UK}, read {len(lats)}")
    return np.array(lats), np.array(lons)


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data (read-only reference data); skipped without it, failed under CI."""
    return _require(SHARED)
