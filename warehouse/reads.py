"""What the alerts and the flows read from the warehouse: flags with their filing's context, the
alert outbox's history, past runs' portal statuses. Queries here, so their callers name no table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from core.records import Flag, StoredFlag
from warehouse.flags import read_flags


@dataclass(frozen=True)
class FlagRow:
    """A flag to alert with the filing it is about."""

    stored: StoredFlag
    department: str | None
    region: str | None
    fiscal_year: int | None
    source_url: str | None
    portal: str | None
    decision: str | None = None  # the analysts' review decision in force (warehouse.reviews)

    @property
    def flag(self) -> Flag:
        return self.stored.flag

    @property
    def fingerprint(self) -> str:
        return self.stored.fingerprint

    @property
    def filing_id(self) -> str:
        return self.stored.filing_id


@dataclass(frozen=True)
class History:
    """What one channel already knows about one fingerprint."""

    filing_id: str | None
    rule: str | None
    inconsistency_sent: datetime | None
    resolved_sent: datetime | None
    inconsistency_pending: bool
    resolved_pending: bool

    @property
    def alerted(self) -> bool:
        """Told about and not since told it was resolved."""
        return self.inconsistency_sent is not None and (
            self.resolved_sent is None or self.resolved_sent < self.inconsistency_sent
        )


@dataclass(frozen=True)
class Delivery:
    fingerprint: str
    channel: str
    kind: str
    filing_id: str | None
    rule: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime | None
    sent_at: datetime | None
    digest_id: str | None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def require_tables(con: duckdb.DuckDBPyConnection) -> None:
    missing = [t for t in ("filings", "inconsistencies", "alert_deliveries") if not _columns(con, t)]
    if missing:
        raise RuntimeError(f"warehouse is missing {', '.join(missing)}: create the warehouse schema first")


def current_flags(con: duckdb.DuckDBPyConnection) -> list[FlagRow]:
    """Every flag whose inputs are certain, one per fingerprint, with its filing's context.

    Flags stored for review (``needs_review``) are never alerted.
    """
    stored = read_flags(con, certain_only=True)
    context = filings(con, sorted({s.filing_id for s in stored}))
    decisions = dict(con.execute("SELECT fingerprint, decision FROM reviews").fetchall())
    flags: dict[str, FlagRow] = {}
    for one in sorted(stored, key=lambda s: _filing_order(context.get(s.filing_id, {}), s)):
        filing = context.get(one.filing_id, {})
        flags.setdefault(one.fingerprint, FlagRow(
            one, filing.get("department"), filing.get("region"), filing.get("fiscal_year"),
            filing.get("source_url"), filing.get("portal"), decisions.get(one.fingerprint),
        ))
    return list(flags.values())


def _filing_order(filing: dict, stored: StoredFlag) -> tuple:
    department = filing.get("department")
    return (department is None, department or "", filing.get("fiscal_year") or 0, stored.filing_id,
            stored.flag.rule, stored.flag.subject is not None, stored.flag.subject or "")


def filings(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> dict[str, dict]:
    rows = con.execute(
        "SELECT filing_id, department, fiscal_year, region, source_url, status, portal FROM filings "
        "WHERE list_contains(?, filing_id)",
        [filing_ids],
    ).fetchall()
    keys = ("filing_id", "department", "fiscal_year", "region", "source_url", "status", "portal")
    return {r[0]: dict(zip(keys, r)) for r in rows}


def history(con: duckdb.DuckDBPyConnection, channel: str) -> dict[str, History]:
    rows = con.execute(
        """
        SELECT fingerprint, any_value(filing_id), any_value(rule),
               max(sent_at) FILTER (WHERE kind = 'inconsistency' AND status = 'sent'),
               max(sent_at) FILTER (WHERE kind = 'resolved' AND status = 'sent'),
               coalesce(bool_or(kind = 'inconsistency' AND status = 'pending'), false),
               coalesce(bool_or(kind = 'resolved' AND status = 'pending'), false)
        FROM alert_deliveries
        WHERE channel = ? AND kind IN ('inconsistency', 'resolved')
        GROUP BY fingerprint
        """,
        [channel],
    ).fetchall()
    return {r[0]: History(*r[1:]) for r in rows}


def was_sent(con: duckdb.DuckDBPyConnection, channel: str, kind: str, fp: str) -> bool:
    rows = con.execute(  # fetchall: DuckDB 2.0 dislikes results left half-read
        "SELECT count(*) FROM alert_deliveries WHERE channel = ? AND kind = ? AND fingerprint = ? AND status = 'sent'",
        [channel, kind, fp],
    ).fetchall()
    return bool(rows[0][0])


def list_deliveries(
    con: duckdb.DuckDBPyConnection, limit: int = 50, channel: str | None = None, status: str | None = None
) -> list[Delivery]:
    """The newest deliveries first (``jixiao alerts list``)."""
    rows = con.execute(
        """
        SELECT fingerprint, channel, kind, filing_id, rule, status, attempts, last_error, created_at, sent_at,
               digest_id
        FROM alert_deliveries
        WHERE (? IS NULL OR channel = ?) AND (? IS NULL OR status = ?)
        ORDER BY coalesce(sent_at, created_at) DESC, channel, kind, filing_id, rule
        LIMIT ?
        """,
        [channel, channel, status, status, limit],
    ).fetchall()
    return [Delivery(*r) for r in rows]


def portal_statuses(con: duckdb.DuckDBPyConnection, portal: str) -> list[str]:
    """The portal's status in every crawl (and demo) run so far, oldest first; ``ok`` when unlisted."""
    rows = con.execute(
        "SELECT summary FROM runs WHERE kind IN ('crawl', 'demo') AND summary IS NOT NULL ORDER BY started_at"
    ).fetchall()
    return [json.loads(summary).get("portal_status", {}).get(portal, "ok") for (summary,) in rows]
