"""CSV that a spreadsheet opens as data, never as formulas (OWASP: CSV injection).

Text from outside (an incident's category from a feed, a user name typed at a failed
sign-in) can start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which
Excel and LibreOffice read as the start of a formula: ``=HYPERLINK(...)`` becomes a link,
``+cmd|' /C calc'!A0`` a command. Such a cell gets a leading single quote, which spreadsheets
show as text. Numbers stay numbers: ints and floats are left alone, and so is text that is
nothing but a number (``-3.5``), which no spreadsheet evaluates as anything else.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> int: ...


def cell(value: Any) -> Any:
    """``value`` as it is safe to put in a CSV cell."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`cell`."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])
