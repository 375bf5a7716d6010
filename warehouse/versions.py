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
from warehouse.rows import FACT_FIELDS, insert_rows, parse_timestamp
from warehouse.schema import quote

def record_versions(con: duckdb.DuckDBPyConnection, results: list[FilingResult], now: datetime) -> None:
    """Before the filings' rows are replaced (inside the load's transaction): a new version for each
    whose documents changed, the old facts kept; the same set of queries however many filings."""
    fids = [r.filing.filing_id for r in results]
    stored = {fid: (sha, fetched) for fid, sha, fetched in con.execute(
        "SELECT filing_id, sha256, fetched_at FROM filings_t WHERE list_contains(?, filing_id)", [fids]).fetchall()}
    current = {fid: (version, sha) for fid, version, sha in con.execute(
        "SELECT filing_id, max(version), arg_max(sha256, version) FROM filing_versions_t "
        "WHERE list_contains(?, filing_id) AND superseded_at IS NULL GROUP BY filing_id", [fids]).fetchall()}
    legacy, versions, superseded = [], [], []
    for result in results:
        filing = result.filing
        fid = filing.filing_id
        latest = current.get(fid)
        if fid in stored and latest is None:
            # Loaded before versions were kept: what is stored is version 1.
            sha, fetched = stored[fid]
            legacy.append({"filing_id": fid, "version": 1, "sha256": sha, "fetched_at": fetched, "loaded_at": now})
            latest = (1, sha)
        if latest is not None and latest[1] == filing.sha256:
            continue
        if latest is not None:
            superseded.append((fid, latest[0]))
        versions.append({"filing_id": fid, "version": latest[0] + 1 if latest else 1, "sha256": filing.sha256,
                         "fetched_at": parse_timestamp(filing.fetched_at) or now, "loaded_at": now})
    insert_rows(con, schema.FILING_VERSIONS_T, legacy)
    if superseded:
        keep = ", ".join(quote(c.name) for c in schema.FACTS_T.columns if c.name != "filing_id")
        pairs = [[fid for fid, _ in superseded], [version for _, version in superseded]]
        replaced = "(SELECT unnest(?) AS filing_id, unnest(?) AS version) p"
        con.execute(f"INSERT INTO facts_history_t (filing_id, version, {keep}) "
                    f"SELECT f.filing_id, p.version, {keep} FROM facts_t f JOIN {replaced} USING (filing_id)", pairs)
        con.execute(f"UPDATE filing_versions_t SET superseded_at = ? FROM {replaced} "
                    "WHERE filing_versions_t.filing_id = p.filing_id AND filing_versions_t.version = p.version",
                    [now, *pairs])
    insert_rows(con, schema.FILING_VERSIONS_T, versions)


def _facts(con: duckdb.DuckDBPyConnection, table: str, filing_id: str, version: int | None = None) -> tuple[Fact, ...]:
    where = "filing_id = ?" + (" AND version = ?" if version is not None else "")
    params = [filing_id] + ([version] if version is not None else [])
    rows = con.execute(
        f"SELECT {', '.join(quote(f) for f in FACT_FIELDS)} FROM {quote(table)} WHERE {where} ORDER BY ordinal",
        params,
    ).fetchall()
    return tuple(Fact(**dict(zip(FACT_FIELDS, row))) for row in rows)


def current_facts(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> dict[str, tuple[Fact, ...]]:
    """The current facts of several filings in one query, by filing."""
    rows = con.execute(
        f"SELECT filing_id, {', '.join(quote(f) for f in FACT_FIELDS)} FROM facts_t "
        "WHERE list_contains(?, filing_id) ORDER BY filing_id, ordinal",
        [filing_ids],
    ).fetchall()
    out: dict[str, list[Fact]] = {fid: [] for fid in filing_ids}
    for fid, *values in rows:
        out[fid].append(Fact(**dict(zip(FACT_FIELDS, values))))
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
