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
    FILINGS_T, INDICATORS_T, RUNS, SCHEMA_MIGRATIONS, UNMAPPED_LABELS_T,
)
from warehouse.schema.tables import TABLES as FILING_AND_RUN_TABLES
from warehouse.schema.units import (
    FACT_VERSIONS, FACTS_HISTORY_T, FILING_UNITS_T, FILING_VERSIONS, FILING_VERSIONS_T, UNIT_REVIEW,
    UNIT_REVIEW_T, UNIT_TABLES, UNIT_YEARS, UNITS, UNITS_T,
)
from warehouse.schema.views import (
    ALERTS, COST_CONTROL, FACTS, FILING_SUMMARY, FILINGS, FUND_EXECUTION, INDICATORS, STAFFING,
)
from warehouse.schema.views import SPEC_VIEWS as FILING_SPEC_VIEWS
from warehouse.schema.views import VIEWS as FILING_VIEWS

TABLES: tuple[Table, ...] = FILING_AND_RUN_TABLES + UNIT_TABLES
# SPEC §5 views first (units and filing_versions are part of the contract), then the conveniences.
SPEC_VIEWS: tuple[View, ...] = FILING_SPEC_VIEWS + (UNITS, FILING_VERSIONS)
VIEWS: tuple[View, ...] = (
    SPEC_VIEWS + tuple(v for v in FILING_VIEWS if v not in FILING_SPEC_VIEWS) + (UNIT_REVIEW, FACT_VERSIONS, UNIT_YEARS)
)
PUBLIC_VIEWS: tuple[str, ...] = tuple(v.name for v in VIEWS)

# Bump together with a new entry in warehouse.migrations.MIGRATIONS.
SCHEMA_VERSION = 4

__all__ = [
    "FACT_VERSIONS", "FACTS_HISTORY_T", "FILING_UNITS_T", "FILING_VERSIONS", "FILING_VERSIONS_T", "UNIT_REVIEW",
    "UNIT_REVIEW_T", "UNIT_YEARS", "UNITS", "UNITS_T",
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
