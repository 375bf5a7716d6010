"""The alerts stage's view of the warehouse: fingerprints, and the outbox (``alert_deliveries``)
reads and writes of warehouse.reads and warehouse.outbox, re-exported under one name.

Statuses: ``pending`` is owed (never attempted, or attempted and failed: ``attempts`` and
``last_error`` say so) and is retried by every dispatch; ``sent`` is final; ``failed`` is
final too: an event notice (run failed, portal down) that could not be delivered, or a
pending flag withdrawn because the filing no longer has it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from core.clock import DEFAULT_TIMEZONE, zone_label

from warehouse.outbox import add_pending, now, settle, withdraw
from warehouse.reads import (  # re-exported: the alerts stage's records and reads
    Delivery, FlagRow, History, current_flags, filings, history, list_deliveries, require_tables, was_sent,
)

INCONSISTENCY, RESOLVED = "inconsistency", "resolved"
FALSE_ALARM = "false_alarm"  # the review decision that stops alerts (warehouse.reviews)


def event_fingerprint(kind: str, *key: object) -> str:
    return hashlib.sha256("\x1f".join([kind, *map(str, key)]).encode()).hexdigest()


def local_time(tz: str = DEFAULT_TIMEZONE) -> str:
    """For message footers: the configured ``[schedule] timezone``, not the server's clock
    (a server kept on UTC would print 18:00 for a digest read at 02:00 北京时间)."""
    return f"{datetime.now(ZoneInfo(tz)):%Y-%m-%d %H:%M} {zone_label(tz)}"


__all__ = [
    "INCONSISTENCY", "RESOLVED", "Delivery", "FlagRow", "History", "add_pending", "current_flags", "event_fingerprint",
    "filings", "history", "list_deliveries", "local_time", "now", "require_tables", "settle", "was_sent", "withdraw",
]
