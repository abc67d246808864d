"""Derive geodata/data/london_boroughs.geojson (and the tube lines) from vega-datasets 3.2.1.

The source is the npm package ``vega-datasets`` 3.2.1, file ``data/londonBoroughs.json``: the
London borough boundaries (OGL v3) simplified to 1,227 vertices as TopoJSON. This script
fetches the package with ``npm pack`` from the npm registry, decodes the TopoJSON, adds each
borough's GSS code, BCU and Met flag from geodata/bcu.py, and writes GeoJSON (WGS84, 6
decimals). Run from the repository root:

    .venv/bin/python scripts/derive_boroughs.py
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.bcu import borough_named  # noqa: E402

PACKAGE = "vega-datasets@3.2.1"
OUT = ROOT / "geodata" / "data"
# The source files as published in 3.2.1 (also recorded in geodata/data/PROVENANCE.md).
SHA256 = {
    "londonBoroughs.json": "2dfeae7dd8123c57cf652938717ca27470c3684a1671d7f39d8afe518187a80a",
    "londonTubeLines.json": "4f5ac0dd520d6e4663293230db095a4c7730b271f577fe6dd9ca3e1000c13527",
}


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


def read_source(package: Path, name: str) -> dict[str, Any]:
    """A data file of the package, checked against the digest it was first derived from."""
    raw = (package / "data" / name).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256[name]:
        raise SystemExit(f"{PACKAGE} data/{name} has sha256 {digest}, expected {SHA256[name]}")
    parsed: dict[str, Any] = json.loads(raw)
    return parsed


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
        info = borough_named(obj["id"])  # tolerant of "&", hyphens, "Royal Borough of"
        if info is None:
            raise ValueError(f"borough {obj['id']!r} is not one of London's 33 boroughs")
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
    names = {f["properties"]["name"] for f in features}
    if len(features) != 33 or len(names) != 33:
        raise ValueError(f"expected the 33 boroughs once each, found {sorted(names)}")
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
        source = read_source(package, "londonBoroughs.json")
        tubes = read_source(package, "londonTubeLines.json")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, collection in (
        ("london_boroughs.geojson", boroughs(source)),
        ("london_tube_lines.geojson", tube_lines(tubes)),
    ):
        (OUT / name).write_text(json.dumps(collection, separators=(",", ":")) + "\n")
        print(f"wrote {OUT / name}: {len(collection['features'])} features")


if __name__ == "__main__":
    main()
