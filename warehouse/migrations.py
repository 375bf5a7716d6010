"""Schema versions and how to bring an older database file up to date.

A fresh file gets the current schema straight from ``warehouse.schema`` and every version
recorded as applied. An older file runs its pending migrations in one transaction: a
failed migration leaves the file as it was.
Changing a column means rebuilding the table (create new + INSERT … SELECT + swap): DuckDB
refuses ALTER on tables with indexes, and rebuilding works whatever the change.
Views are derived, so they are dropped and recreated on every open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import duckdb

from warehouse import schema
from warehouse.schema import Table, literal, quote


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _baseline(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 is the first schema; files older than that do not exist."""


def _run_id_on_every_row(con: duckdb.DuckDBPyConnection) -> None:
    """dlt's load id: each filing row carries the run that wrote it, so diffs need no join."""
    for table in (schema.FACTS_T, schema.INDICATORS_T, schema.INCONSISTENCIES_T,
                  schema.UNMAPPED_LABELS_T, schema.DOCUMENTS_T):
        owner = f"(SELECT f.run_id FROM filings_t f WHERE f.filing_id = {quote(table.name)}.filing_id)"
        rebuild(con, table, {"run_id": owner})


# Until version 3 each engine stored its own pair: sums kept the printed total as expected and
# the computed sum as actual; exceed rules kept the limit as expected. Frozen lists: the rules
# as they were then.
_V2_SUM_RULES = ("three_public_sum", "vehicles_sum", "project_sum", "public_funds_parts_exceed",
                 "expenditure_structure_mismatch", "revenue_structure_mismatch", "fund_parts_mismatch",
                 "income_identity_mismatch", "total_score_mismatch")
_V2_LIMIT_RULES = ("staffing_over_quota", "execution_over_budget", "three_public_over_budget", "score_exceeds_max")


def _one_meaning_for_flag_numbers(con: duckdb.DuckDBPyConnection) -> None:
    """printed/computed/limit_value, expected = what actual should be, and the evidence columns."""
    swapped = f"rule IN ({', '.join(literal(r) for r in _V2_SUM_RULES)})"
    bounded = f"rule IN ({', '.join(literal(r) for r in _V2_LIMIT_RULES)})"
    printed = f"CASE WHEN {swapped} THEN expected ELSE actual END"
    expected = f"CASE WHEN {swapped} THEN actual ELSE expected END"
    rebuild(con, schema.INCONSISTENCIES_T, {
        "printed": printed,
        "computed": f"CASE WHEN {bounded} THEN NULL WHEN {swapped} THEN actual ELSE expected END",
        "limit_value": f"CASE WHEN {bounded} THEN expected END",
        "expected": expected,
        "actual": printed,
        "needs_review": "false",
        "fingerprint": "sha256(concat_ws(chr(31), filing_id, rule, coalesce(subject, ''), '', "
                       f"coalesce(printf('%.2f', {printed}), ''), coalesce(printf('%.2f', {expected}), '')))",
    })


def _facts_inferred(con: duckdb.DuckDBPyConnection) -> None:
    """Older rows were not inferred as far as anyone knew: false until the filing is reprocessed."""
    rebuild(con, schema.FACTS_T, {"inferred": "false"})
    if "facts_history_t" in existing_tables(con):  # the facts of earlier filing versions, same columns
        rebuild(con, schema.FACTS_HISTORY_T, {"inferred": "false"})


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _baseline),
    Migration(2, "run_id on every filing row", _run_id_on_every_row),
    Migration(3, "flags: one meaning for expected/actual, evidence, needs_review, fingerprint",
              _one_meaning_for_flag_numbers),
    Migration(4, "facts: inferred (a place taken from the form's template order)", _facts_inferred),
)


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
    ).fetchall()
    return {r[0] for r in rows}


def existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
        "ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Highest applied version; None for an empty file."""
    tables = existing_tables(con)
    if "schema_migrations" not in tables:
        if tables:
            raise RuntimeError(
                f"database has tables {sorted(tables)} but no schema_migrations: not a jixiao warehouse"
            )
        return None
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def rebuild_sql(table: Table, old_columns: list[str], renames: dict[str, str] | None = None) -> list[str]:
    """Statements that rebuild ``table`` to its current definition, keeping its rows.

    Columns present in both are copied; ``renames`` maps a new column to an SQL expression
    over the old table; new columns get their default (or NULL).
    """
    renames = renames or {}
    tmp = f"{table.name}__new"
    targets, exprs = [], []
    for col in table.columns:
        if col.name in renames:
            targets.append(quote(col.name))
            exprs.append(renames[col.name])
        elif col.name in old_columns:
            targets.append(quote(col.name))
            exprs.append(quote(col.name))
    return [
        f"DROP TABLE IF EXISTS {quote(tmp)}",
        table.ddl(tmp),
        f"INSERT INTO {quote(tmp)} ({', '.join(targets)}) SELECT {', '.join(exprs)} FROM {quote(table.name)}",
        f"DROP TABLE {quote(table.name)}",
        f"ALTER TABLE {quote(tmp)} RENAME TO {quote(table.name)}",
    ]


def rebuild(con: duckdb.DuckDBPyConnection, table: Table, renames: dict[str, str] | None = None) -> None:
    for statement in rebuild_sql(table, existing_columns(con, table.name), renames):
        con.execute(statement)


def _drop_views(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal").fetchall()
    for (name,) in rows:
        con.execute(f"DROP VIEW IF EXISTS {quote(name)}")


def _record(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    con.execute(
        "INSERT INTO schema_migrations (version, applied_at, description) VALUES (?, ?, ?)",
        [migration.version, _utcnow(), migration.description],
    )


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the schema to ``SCHEMA_VERSION``; returns the versions applied now."""
    latest = MIGRATIONS[-1].version
    assert latest == schema.SCHEMA_VERSION, "schema.SCHEMA_VERSION and MIGRATIONS disagree"
    version = current_version(con)
    if version is not None and version > latest:
        raise RuntimeError(
            f"database schema is version {version}, newer than this jixiao (version {latest}): upgrade jixiao"
        )
    applied: list[int] = []
    con.execute("BEGIN TRANSACTION")
    try:
        _drop_views(con)
        if version is None:
            for statement in schema.table_ddl():
                con.execute(statement)
            for migration in MIGRATIONS:
                _record(con, migration)
            applied = [m.version for m in MIGRATIONS]
        else:
            for migration in MIGRATIONS:
                if migration.version > version:
                    migration.apply(con)
                    _record(con, migration)
                    applied.append(migration.version)
            # Tables added by a version need no migration body: create what is missing.
            for statement in schema.table_ddl():
                con.execute(statement)
        for statement in schema.view_ddl() + schema.comment_statements():
            con.execute(statement)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return applied


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
