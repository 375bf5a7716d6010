"""Writes to the alert outbox (``alert_deliveries``): owed deliveries recorded before sending,
then settled (sent, still pending with the attempt counted, failed) or withdrawn."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb


def now() -> datetime:
    """Naive UTC, like every timestamp in the warehouse."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


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
