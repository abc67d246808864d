"""Derive geodata/data/london_boroughs.geojson (and the tube lines) from vega-datasets 3.2.1.

The source is the npm package ``vega-datasets`` 3.2.1, file ``data/londonBoroughs.json``: the
London borough boundaries (OGL v3) simplified to 1,227 vertices as TopoJSON. This script
fetches the package with ``npm pack`` from the npm registry, decodes the TopoJSON, adds each
borough's GSS code, BCU and Met flag from geodata/bcu.py, and writes GeoJSON (WGS84, 6
decimals). Run from the repository root:

    .venv/bin/python scripts/derive_boroughs.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.bcu import BOROUGH_BY_NAME  # noqa: E402

PACKAGE = "vega-datasets@3.2.1"
OUT = ROOT / "geodata" / "data"


def fetch(package: str, workdir: Path) -> Path:
    """npm pack the package into workdir and extract it; returns the package directory."""
    result = subprocess.run(
        ["npm", "pack", package, "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON quantisation and delta encoding: arcs as lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 6), round(y * sy + ty, 6)))
        arcs.append(points)
    return arcs


def line(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """Stitch arcs into one line; ~i is arc i reversed; shared end points appear once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return [list(p) for p in points]


def geometry(obj: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> dict[str, Any]:
    kind = obj["type"]
    if kind == "Polygon":
        return {"type": kind, "coordinates": [line(r, arcs) for r in obj["arcs"]]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [[line(r, arcs) for r in poly] for poly in obj["arcs"]],
        }
    if kind == "LineString":
        return {"type": kind, "coordinates": line(obj["arcs"], arcs)}
    if kind == "MultiLineString":
        return {"type": kind, "coordinates": [line(part, arcs) for part in obj["arcs"]]}
    raise ValueError(f"unsupported TopoJSON geometry {kind}")


def boroughs(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    features = []
    for obj in topology["objects"]["boroughs"]["geometries"]:
        info = BOROUGH_BY_NAME[obj["id"]]  # KeyError: a name geodata/bcu.py does not know
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": info.name,
                    "gss_code": info.gss_code,
                    "bcu": info.bcu,
                    "met": info.met,
                    "inner": info.inner,
                },
                "geometry": geometry(obj, arcs),
            }
        )
    if len(features) != 33:
        raise ValueError(f"expected 33 boroughs, found {len(features)}")
    features.sort(key=lambda f: f["properties"]["gss_code"])
    return {"type": "FeatureCollection", "features": features}


def tube_lines(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    (name,) = topology["objects"]
    features = [
        {
            "type": "Feature",
            "properties": {"line": obj.get("id") or obj.get("properties", {})},
            "geometry": geometry(obj, arcs),
        }
        for obj in topology["objects"][name]["geometries"]
    ]
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        package = fetch(PACKAGE, Path(tmp))
        source = json.loads((package / "data" / "londonBoroughs.json").read_text())
        tubes = json.loads((package / "data" / "londonTubeLines.json").read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    for name, collection in (
        ("london_boroughs.geojson", boroughs(source)),
        ("london_tube_lines.geojson", tube_lines(tubes)),
    ):
        (OUT / name).write_text(json.dumps(collection, separators=(",", ":")) + "\n")
        print(f"wrote {OUT / name}: {len(collection['features'])} features")


if __name__ == "__main__":
    main()
