"""Recording deliveries in the warehouse's alert outbox (``alert_deliveries``); reads are in warehouse.reads.

Statuses: ``pending`` is owed (never attempted, or attempted and failed: ``attempts`` and
``last_error`` say so) and is retried by every dispatch; ``sent`` is final; ``failed`` is
final too: an event notice (run failed, portal down) that could not be delivered, or a
pending flag withdrawn because the filing no longer has it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import duckdb

from warehouse.reads import (  # re-exported: the alerts stage's records and reads
    Delivery, FlagRow, History, current_flags, filings, history, list_deliveries, require_tables, was_sent,
)

INCONSISTENCY, RESOLVED = "inconsistency", "resolved"
FALSE_ALARM = "false_alarm"  # the review decision that stops alerts (warehouse.reviews)


def event_fingerprint(kind: str, *key: object) -> str:
    return hashlib.sha256("\x1f".join([kind, *map(str, key)]).encode()).hexdigest()


def now() -> datetime:
    """Naive UTC, like every timestamp in the warehouse."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_time() -> str:
    """For message footers: readers want their own clock (Beijing time on the servers)."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")


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




__all__ = [
    "INCONSISTENCY", "RESOLVED", "Delivery", "FlagRow", "History", "add_pending", "current_flags", "event_fingerprint",
    "filings", "history", "list_deliveries", "local_time", "now", "require_tables", "settle", "was_sent", "withdraw",
]
