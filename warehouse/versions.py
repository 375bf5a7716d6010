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


def current_facts(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> dict[str, tuple[Fact, ...]]:
    """The current facts of several filings in one query, by filing."""
    rows = con.execute(
        f"SELECT filing_id, {', '.join(quote(f) for f in _FACT_FIELDS)} FROM facts_t "
        "WHERE list_contains(?, filing_id) ORDER BY filing_id, ordinal",
        [filing_ids],
    ).fetchall()
    out: dict[str, list[Fact]] = {fid: [] for fid in filing_ids}
    for fid, *values in rows:
        out[fid].append(Fact(**dict(zip(_FACT_FIELDS, values))))
    return {fid: tuple(facts) for fid, facts in out.items()}


def republications(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> list[tuple[FilingVersion, FilingVersion]]:
    """(previous, current) versions of each of ``filing_ids`` that was re-published."""
    rows = con.execute(
        """
        SELECT filing_id, list(version ORDER BY version DESC)[1:2], list(sha256 ORDER BY version DESC)[1:2]
        FROM filing_versions_t WHERE list_contains(?, filing_id)
        GROUP BY filing_id HAVING count(*) > 1 ORDER BY filing_id
        """,
        [filing_ids],
    ).fetchall()
    current = current_facts(con, [r[0] for r in rows]) if rows else {}
    return [
        (FilingVersion(fid, old, old_sha, _facts(con, "facts_history_t", fid, old)),
         FilingVersion(fid, new, new_sha, current[fid]))
        for fid, (new, old), (new_sha, old_sha) in rows
    ]
