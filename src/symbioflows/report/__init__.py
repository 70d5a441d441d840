"""Report folders: a self-contained ``index.html`` plus every table as CSV and Parquet.

:class:`ReportSection` holds one section (title, HTML text, tables, figures);
:func:`write_report` writes a list of them.
"""

from __future__ import annotations

from symbioflows.report.writer import ReportSection, write_report

__all__ = ["ReportSection", "write_report"]
