"""Derive the simulator's spatial demand tables from the real data in ../shared/data.

    .venv/bin/python scripts/derive_demand.py [--shared ../shared/data]

Writes (committed; the source files are not):

- stream/sim/data/borough_category_counts.csv — Met recorded offences per borough and
  Bluelamp incident category, summed over the 24 months 2024-01..2025-12 of the MOPAC
  borough-level file (mopac/mps-borough-level-crime-24m.csv);
- stream/sim/data/hex_counts.csv — street-level Met burglaries per H3 cell (resolution 8),
  police.uk 2024-03..2025-02 (police-uk/*-metropolitan-street.csv), for where in a borough.

Each MOPAC major category maps to one incident category (MAJOR_TO_CATEGORY); the categories
that are not crimes (ASB, domestic, concern for welfare, road traffic) get their weights in
the simulator from these (stream/sim/demand.py says which).
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import h3

from geodata import London

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "stream" / "sim" / "data"
MAJOR_TO_CATEGORY = {
    "VIOLENCE AGAINST THE PERSON": "violence",
    "SEXUAL OFFENCES": "violence",
    "ROBBERY": "robbery",
    "POSSESSION OF WEAPONS": "weapons",
    "THEFT": "theft",
    "VEHICLE OFFENCES": "vehicle_crime",
    "BURGLARY": "burglary",
    "ARSON AND CRIMINAL DAMAGE": "criminal_damage",
    "PUBLIC ORDER OFFENCES": "public_order",
    "DRUG OFFENCES": "drugs",
    "MISCELLANEOUS CRIMES AGAINST SOCIETY": "public_order",
    # Fraud is reported online and rarely needs a unit sent: left out.
}


def borough_counts(shared: Path, london: London) -> Counter[tuple[str, str]]:
    names = {b.name for b in london.boroughs}
    counts: Counter[tuple[str, str]] = Counter()
    with (shared / "mopac" / "mps-borough-level-crime-24m.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            category = MAJOR_TO_CATEGORY.get(row["MajorText"])
            borough = row["BoroughName"].strip()
            if category is None or borough not in names:
                continue
            counts[borough, category] += sum(int(v or 0) for k, v in row.items() if k.isdigit())
    return counts


def hex_counts(shared: Path, london: London) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted((shared / "police-uk").glob("*-metropolitan-street.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Latitude"] and row["Longitude"]:
                    lat, lon = float(row["Latitude"]), float(row["Longitude"])
                    if london.locate(lat, lon) is not None:
                        counts[h3.latlng_to_cell(lat, lon, 8)] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    london = London.load()
    OUT.mkdir(parents=True, exist_ok=True)
    boroughs = borough_counts(args.shared, london)
    with (OUT / "borough_category_counts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["borough", "category", "offences_24m"])
        for (borough, category), n in sorted(boroughs.items()):
            writer.writerow([borough, category, n])
    hexes = hex_counts(args.shared, london)
    with (OUT / "hex_counts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["h3_res8", "burglaries_12m"])
        for cell, n in sorted(hexes.items()):
            writer.writerow([cell, n])
    print(
        f"{len(boroughs)} borough x category rows ({sum(boroughs.values()):,} offences); "
        f"{len(hexes)} hexes ({sum(hexes.values()):,} burglaries)"
    )


if __name__ == "__main__":
    main()
