"""What analysts read: the HTML report (``jixiao report``) and the query helpers (``jixiao query``).

Everything here opens the published warehouse read-only through ``warehouse.open_readonly``
/ ``warehouse.query``, so it is safe to run while the nightly pipeline writes its own file.
Modules: ``query`` (jixiao query), ``data`` (what the report reads), ``formatting``,
``charts`` and ``page`` (the HTML).
"""

from warehouse.report.data import MAX_FILINGS, FilingCard, FlagView, collect
from warehouse.report.formatting import local_text, describe_place, fmt_num, humanize_location, source_href
from warehouse.report.page import build_report, render_report
from warehouse.report.query import (
    QUERY_FORMATS, QueryError, ReadOnlyQueryError, format_rows, query_text, run_query,
)

__all__ = [
    "MAX_FILINGS", "QUERY_FORMATS", "FilingCard", "FlagView", "QueryError", "ReadOnlyQueryError", "local_text",
    "build_report", "collect", "describe_place", "fmt_num", "format_rows", "humanize_location",
    "query_text", "render_report", "run_query", "source_href",
]
