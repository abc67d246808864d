"""The OpenAPI ``content`` of answers that are files (reports, layers, debriefs): one place,
so every download route declares its media types the same way."""

from __future__ import annotations


def files(*media: str) -> dict[str, dict[str, object]]:
    """The ``content`` entry of a download answered in any of these media types."""
    return {m: {"schema": {"type": "string", "format": "binary"}} for m in media}


#: The media types a report is downloaded in (reports.formats), besides JSON.
REPORT_FILES = files(
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
)
GIS_FILES = files("application/geo+json", "application/geopackage+sqlite3")
PDF_FILE = files("application/pdf")
