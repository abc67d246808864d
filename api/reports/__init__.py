"""Reports for resource planners, computed from the read models (stream.readmodel) and
rendered as JSON, CSV, XLSX or PDF (``api.reports.formats``)."""

from api.reports import demand, resources, response  # noqa: F401 - they register themselves
from api.reports.model import REPORTS, Filters, Period, Report, ReportError, build

__all__ = ["REPORTS", "Filters", "Period", "Report", "ReportError", "build"]
