"""The debriefs' maps: units by status and the calls that matter, over the boroughs'
outlines, as a picture of the log had them (a plotly figure; reports.formats renders PNG)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import plotly.graph_objects as go
from shapely import unary_union
from shapely.geometry import box

from geodata import London
from reports.words import value
from stream.picture import Picture

#: The colours of a unit's status, as the screens' legend (dashboard palette).
STATUS_COLOURS = {
    "available": "#2da44e", "at_station": "#2da44e", "en_route": "#d29922",
    "on_scene": "#cf222e", "busy": "#8250df", "refreshment": "#6e7781", "custody": "#6e7781",
}  # fmt: skip


@dataclass(frozen=True)
class View:
    """What a map shows: its centre and half-height (degrees of latitude), the units to
    name, and the calls to mark (lat, lon, legend name)."""

    lat: float
    lon: float
    span_deg: float
    named: frozenset[str] = frozenset()
    marks: tuple[tuple[float, float, str], ...] = field(default=())

    @property
    def squash(self) -> float:
        """How much shorter a degree of longitude is here than one of latitude."""
        return max(0.2, math.cos(math.radians(self.lat)))

    @property
    def span_lon(self) -> float:
        return self.span_deg / self.squash

    def holds(self, lat: float, lon: float) -> bool:
        return abs(lat - self.lat) <= self.span_deg and abs(lon - self.lon) <= self.span_lon


def map_figure(london: London, picture: Picture, view: View, title: str) -> go.Figure:
    """Boroughs outlined, each unit on duty in the view by its status (the named ones
    labelled with their callsign), the marked calls as stars."""
    figure = go.Figure()
    _outlines(figure, london, view)
    by_status: dict[str, list[tuple[float, float, str]]] = {}
    for unit in picture.units.values():
        status = unit.status.value
        if status != "off_duty" and view.holds(unit.lat, unit.lon):
            label = unit.callsign if unit.unit_id in view.named else ""
            by_status.setdefault(status, []).append((unit.lon, unit.lat, label))
    size = 9 if view.span_deg < 0.1 else 5
    for status, points in sorted(by_status.items()):
        xs, ys, labels = zip(*points, strict=True)
        colour = STATUS_COLOURS.get(status, "#57606a")
        figure.add_trace(go.Scatter(
            x=xs, y=ys, text=labels, mode="markers+text", textposition="top center",
            name=str(value("status", status)),
            marker={"symbol": "square", "size": size, "color": colour},
        ))  # fmt: skip
    marks: dict[str, list[tuple[float, float]]] = {}
    for lat, lon, name in view.marks:
        marks.setdefault(name, []).append((lon, lat))
    for name, spots in marks.items():
        xs, ys = zip(*spots, strict=True)
        figure.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=name,
            marker={"symbol": "star", "size": 2 * size, "color": "#0969da", "line": {"width": 1}},
        ))  # fmt: skip
    figure.update_layout(
        title=title, width=900, height=620, template="plotly_white",
        xaxis={"range": [view.lon - view.span_lon, view.lon + view.span_lon], "visible": False},
        yaxis={"range": [view.lat - view.span_deg, view.lat + view.span_deg], "visible": False,
               "scaleanchor": "x", "scaleratio": 1 / view.squash},
        legend={"orientation": "h", "y": -0.02}, margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )  # fmt: skip
    return figure


def london_view(london: London) -> tuple[float, float, float]:
    """(lat, lon, half-height) that hold all of London."""
    west, south, east, north = unary_union([b.geometry for b in london.boroughs]).bounds
    return (south + north) / 2, (west + east) / 2, (north - south) / 2 * 1.02


def _outlines(figure: go.Figure, london: London, view: View) -> None:
    window = box(
        view.lon - view.span_lon,
        view.lat - view.span_deg,
        view.lon + view.span_lon,
        view.lat + view.span_deg,
    )
    line = {"color": "#8c959f", "width": 1}
    for borough in london.boroughs:
        for ring in _rings(borough.geometry.intersection(window)):
            xs, ys = zip(*ring, strict=True)
            figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=line, showlegend=False))


def _rings(shape: object) -> list[list[tuple[float, float]]]:
    geoms = getattr(shape, "geoms", None)
    if geoms is not None:
        return [ring for part in geoms for ring in _rings(part)]
    exterior = getattr(shape, "exterior", None)
    if exterior is None or getattr(shape, "is_empty", True):
        return []
    interiors = getattr(shape, "interiors", ())
    return [list(exterior.coords), *(list(i.coords) for i in interiors)]
