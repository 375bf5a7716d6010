"""Re-publications kept: a filing whose documents changed gets a new version, the old facts stay.

``facts_t`` holds the current version only (what the SPEC views show); before a changed
filing's rows are replaced, its facts are copied to ``facts_history_t`` under the version
they belonged to, and ``filing_versions_t`` records when each version was superseded.
A reload of the same bytes (a new parser) stays the same version.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from core.records import Fact, FilingResult, FilingVersion
from warehouse import schema
from warehouse.rows import parse_timestamp
from warehouse.schema import quote

_FACT_FIELDS = ("form", "subject", "item", "column", "value", "unit", "source_label", "match_score",
                "match_method", "location", "raw_value", "inferred")


def _current(con: duckdb.DuckDBPyConnection, filing_id: str) -> tuple[int, str] | None:
    rows = con.execute(
        "SELECT version, sha256 FROM filing_versions_t WHERE filing_id = ? AND superseded_at IS NULL "
        "ORDER BY version DESC LIMIT 1",
        [filing_id],
    ).fetchall()
    return rows[0] if rows else None


def record_version(con: duckdb.DuckDBPyConnection, result: FilingResult, now: datetime) -> int:
    """Before the filing's rows are replaced (inside the load's transaction): its version now."""
    filing = result.filing
    fid, sha = filing.filing_id, filing.sha256
    stored = con.execute("SELECT sha256, fetched_at FROM filings_t WHERE filing_id = ?", [fid]).fetchall()
    current = _current(con, fid)
    if stored and current is None:
        # Loaded before versions were kept: what is stored is version 1.
        con.execute(
            "INSERT INTO filing_versions_t (filing_id, version, sha256, fetched_at, loaded_at) VALUES (?, 1, ?, ?, ?)",
            [fid, stored[0][0], stored[0][1], now],
        )
        current = (1, stored[0][0])
    if current is not None and current[1] == sha:
        return current[0]
    version = 1
    if current is not None:
        version = current[0] + 1
        keep = [c.name for c in schema.FACTS_T.columns if c.name != "filing_id"]
        columns = ", ".join(quote(c) for c in keep)
        con.execute(
            f"INSERT INTO facts_history_t (filing_id, version, {columns}) "
            f"SELECT filing_id, ?, {columns} FROM facts_t WHERE filing_id = ?",
            [current[0], fid],
        )
        con.execute("UPDATE filing_versions_t SET superseded_at = ? WHERE filing_id = ? AND version = ?",
                    [now, fid, current[0]])
    con.execute(
        "INSERT INTO filing_versions_t (filing_id, version, sha256, fetched_at, loaded_at) VALUES (?, ?, ?, ?, ?)",
        [fid, version, sha, parse_timestamp(filing.fetched_at) or now, now],
    )
    return version


def _facts(con: duckdb.DuckDBPyConnection, table: str, filing_id: str, version: int | None = None) -> tuple[Fact, ...]:
    where = "filing_id = ?" + (" AND version = ?" if version is not None else "")
    params = [filing_id] + ([version] if version is not None else [])
    rows = con.execute(
        f"SELECT {', '.join(quote(f) for f in _FACT_FIELDS)} FROM {quote(table)} WHERE {where} ORDER BY ordinal",
        params,
    ).fetchall()
    return tuple(Fact(**dict(zip(_FACT_FIELDS, row))) for row in rows)


def current_facts(con: duckdb.DuckDBPyConnection, filing_id: str) -> tuple[Fact, ...]:
    return _facts(con, "facts_t", filing_id)


def last_two_versions(con: duckdb.DuckDBPyConnection, filing_id: str) -> tuple[FilingVersion, FilingVersion] | None:
    """(previous, current) when the filing was re-published, else None."""
    rows = con.execute(
        "SELECT version, sha256 FROM filing_versions_t WHERE filing_id = ? ORDER BY version DESC LIMIT 2",
        [filing_id],
    ).fetchall()
    if len(rows) < 2:
        return None
    (new, new_sha), (old, old_sha) = rows
    previous = FilingVersion(filing_id, old, old_sha, _facts(con, "facts_history_t", filing_id, old))
    return previous, FilingVersion(filing_id, new, new_sha, current_facts(con, filing_id))
