"""The words people use for a report's columns and coded values, in every format (the
frames keep their machine names: code and the JSON's ``columns`` use those)."""

from __future__ import annotations

from typing import Any

HEADERS = {
    "bcu": "BCU",
    "within_target": "within target",
    "within_target_pct": "% within target",
    "median_min": "median response (min)",
    "p90_min": "90th percentile response (min)",
    "created": "created (London time)",
    "response_min": "response (min)",
    "target_min": "target (min)",
    "first_unit": "first unit",
    "previous": "previous period",
    "change_pct": "% change",
    "on_duty_hours": "on-duty hours",
    "committed_hours": "committed hours",
    "utilisation_pct": "% utilisation",
    "lent_by": "lent by",
    "borrowed_by": "borrowed by",
    "incidents_attended": "incidents attended",
    "hour": "hour of day (London)",
    "unit_hours_on_duty": "unit-hours on duty",
    "demand_per_unit": "incidents per unit-hour",
    "share_pct": "% of its kind",
    "accepted_pct": "% accepted (of those decided)",
    "unit_id": "unit",
}
GRADES = {"I": "Immediate (I)", "S": "Significant (S)", "E": "Extended (E)", "R": "Referred (R)"}
#: Columns whose values are codes from the feed (``concern_for_welfare``, ``on_scene``).
CODED = frozenset({"category", "status", "outcome", "unit_type"})


def header(column: object) -> str:
    name = str(column)
    return HEADERS.get(name, name.replace("_", " "))


def value(column: object, value: Any) -> Any:
    """A cell as people read it: coded text with spaces (``on scene``), the rest as is."""
    if isinstance(value, str) and str(column) in CODED:
        return value.replace("_", " ")
    return value


def series(name: object) -> str:
    """A chart series' name: a grade in words, or the column's header."""
    text = str(name)
    return GRADES.get(text, header(text))
