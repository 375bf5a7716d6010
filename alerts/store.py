"""Reading flags and recording deliveries in the warehouse (``alert_deliveries``).

Statuses: ``pending`` is owed (never attempted, or attempted and failed: ``attempts`` and
``last_error`` say so) and is retried by every dispatch; ``sent`` is final; ``failed`` is
final too: an event notice (run failed, portal down) that could not be delivered, or a
pending flag withdrawn because the filing no longer has it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

INCONSISTENCY, RESOLVED = "inconsistency", "resolved"


def event_fingerprint(kind: str, *key: object) -> str:
    return hashlib.sha256("\x1f".join([kind, *map(str, key)]).encode()).hexdigest()


@dataclass(frozen=True)
class FlagRow:
    fingerprint: str
    filing_id: str
    rule: str
    severity: str
    message: str
    expected: float | None
    actual: float | None
    subject: str | None
    location: str | None
    detected_at: datetime | None
    department: str | None
    region: str | None
    fiscal_year: int | None
    source_url: str | None
    portal: str | None
    unit: str | None = None


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


def now() -> datetime:
    """Naive UTC, like every timestamp in the warehouse."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_time() -> str:
    """For message footers: readers want their own clock (Beijing time on the servers)."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


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
    rows = con.execute(
        """
        SELECT i.fingerprint, i.filing_id, i.rule, i.severity, i.message, i.expected, i.actual, i.subject,
               i.location, i.detected_at, f.department, f.region, f.fiscal_year, f.source_url, f.portal, i.unit
        FROM inconsistencies i LEFT JOIN filings f ON f.filing_id = i.filing_id
        WHERE NOT coalesce(i.needs_review, false)
        ORDER BY f.department NULLS LAST, f.fiscal_year, i.filing_id, i.rule, i.subject NULLS FIRST
        """
    ).fetchall()
    flags: dict[str, FlagRow] = {}
    for (fp, filing_id, rule, severity, message, expected, actual, subject, location, detected_at,
         department, region, fiscal_year, source_url, portal, unit) in rows:
        flags.setdefault(fp, FlagRow(
            fp, filing_id, rule, severity, message, _float(expected), _float(actual), subject, location,
            detected_at, department, region, fiscal_year, source_url, portal, unit,
        ))
    return list(flags.values())


def _float(value) -> float | None:
    return None if value is None else float(value)


def filings(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> dict[str, dict]:
    rows = con.execute(
        "SELECT filing_id, department, fiscal_year, region, source_url, status FROM filings "
        "WHERE list_contains(?, filing_id)",
        [filing_ids],
    ).fetchall()
    keys = ("filing_id", "department", "fiscal_year", "region", "source_url", "status")
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


def add_pending(con: duckdb.DuckDBPyConnection, channel: str, kind: str, rows: list[tuple[str, str | None, str | None]]) -> None:
    """Record owed deliveries (fingerprint, filing_id, rule) before trying to send them."""
    if rows:
        created = now()
        con.executemany(
            "INSERT INTO alert_deliveries (fingerprint, channel, kind, filing_id, rule, status, attempts, "
            "last_error, created_at, sent_at, digest_id) VALUES (?, ?, ?, ?, ?, 'pending', 0, NULL, ?, NULL, NULL)",
            [(fp, channel, kind, filing_id, rule, created) for fp, filing_id, rule in rows],
        ).fetchall()  # drained: the warehouse's register() refuses while a result is open


def settle(
    con: duckdb.DuckDBPyConnection,
    channel: str,
    kind: str,
    fingerprints: list[str],
    *,
    status: str,
    attempts: int,
    digest_id: str | None,
    error: str | None = None,
) -> None:
    """Move pending rows to ``status`` (``pending`` again keeps them owed, counting attempts)."""
    if not fingerprints:
        return
    con.execute(
        """
        UPDATE alert_deliveries
        SET status = ?, attempts = attempts + ?, digest_id = ?,
            last_error = coalesce(?, last_error),
            sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
        WHERE channel = ? AND kind = ? AND status = 'pending' AND list_contains(?, fingerprint)
        """,
        [status, attempts, digest_id, error, status, now(), channel, kind, fingerprints],
    ).fetchall()


def withdraw(con: duckdb.DuckDBPyConnection, channel: str, kind: str, fingerprints: list[str], reason: str) -> None:
    if fingerprints:
        con.execute(
            "UPDATE alert_deliveries SET status = 'failed', last_error = ? "
            "WHERE channel = ? AND kind = ? AND status = 'pending' AND list_contains(?, fingerprint)",
            [reason, channel, kind, fingerprints],
        ).fetchall()


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
