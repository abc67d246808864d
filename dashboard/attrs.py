"""HTML ``data-*`` and ``aria-*`` attributes for Dash components, which take them as
keyword arguments that Python names cannot spell."""

from __future__ import annotations

from typing import Any


def data(**attributes: str) -> dict[str, Any]:
    return {f"data-{name}": value for name, value in attributes.items()}


def aria(**attributes: str) -> dict[str, Any]:
    return {f"aria-{name}": value for name, value in attributes.items()}
