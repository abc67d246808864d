"""The reports on offer, by name: importing this module registers each of them (``advice``,
``demand``, ``response``, ``resources``) in ``REPORTS`` and gives what callers build them with."""

from reports import advice, demand, resources, response  # noqa: F401 - they register themselves
from reports.model import REPORTS, Filters, Period, Report, ReportError, build

__all__ = ["REPORTS", "Filters", "Period", "Report", "ReportError", "build"]
