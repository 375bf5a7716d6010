"""The warehouse schema as data: tables, views and their comments in one place.

Everything else is generated from here: the DDL, the ``COMMENT ON`` statements that make
``duckdb_columns()`` self-documenting, and ``docs/warehouse.md``. The views are the public
interface (SPEC §5); the ``*_t`` tables behind them are free to change through migrations.
"""

from __future__ import annotations

from warehouse.schema.inconsistencies import INCONSISTENCIES, INCONSISTENCIES_T, PLACE_TYPE, SEVERITIES
from warehouse.schema.model import Column, Table, View, literal, quote
from warehouse.schema.reviews import DECISIONS, REVIEWS
from warehouse.schema.tables import (
    ALERT_DELIVERIES, ALERT_KINDS, ALERT_STATUSES, DOCUMENTS_T, FACTS_T, FILING_STATUSES, FILING_TABLES,
    FILINGS_T, INDICATORS_T, RUNS, SCHEMA_MIGRATIONS, TABLES, UNMAPPED_LABELS_T,
)
from warehouse.schema.views import (
    ALERTS, COST_CONTROL, FACTS, FILING_SUMMARY, FILINGS, FUND_EXECUTION, INDICATORS, PUBLIC_VIEWS,
    SPEC_VIEWS, STAFFING, VIEWS,
)

# Bump together with a new entry in warehouse.migrations.MIGRATIONS.
SCHEMA_VERSION = 3

__all__ = [
    "ALERT_DELIVERIES", "ALERT_KINDS", "DECISIONS", "REVIEWS", "ALERT_STATUSES", "ALERTS", "COST_CONTROL", "DOCUMENTS_T", "FACTS",
    "FACTS_T", "FILING_STATUSES", "FILING_SUMMARY", "FILING_TABLES", "FILINGS", "FILINGS_T", "FUND_EXECUTION",
    "INCONSISTENCIES", "INCONSISTENCIES_T", "INDICATORS", "PLACE_TYPE", "INDICATORS_T", "PUBLIC_VIEWS", "RUNS",
    "SCHEMA_MIGRATIONS", "SCHEMA_VERSION", "SEVERITIES", "SPEC_VIEWS", "STAFFING", "TABLES",
    "UNMAPPED_LABELS_T", "VIEWS", "Column", "Table", "View", "comment_statements", "literal", "quote",
    "table", "table_ddl", "view_ddl",
]


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def table_ddl() -> list[str]:
    return [t.ddl() for t in TABLES]


def view_ddl() -> list[str]:
    return [v.ddl() for v in VIEWS]


def comment_statements() -> list[str]:
    out: list[str] = []
    for obj in (*TABLES, *VIEWS):
        out += obj.comments()
    return out
