"""Reports for resource planners, computed from the read models (reports.readmodel) and
rendered as JSON, CSV, XLSX or PDF (``reports.formats``)."""

from reports import demand, resources, response  # noqa: F401 - they register themselves
from reports.model import REPORTS, Filters, Period, Report, ReportError, build

__all__ = ["REPORTS", "Filters", "Period", "Report", "ReportError", "build"]
