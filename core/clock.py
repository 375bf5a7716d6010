"""The configured timezone (``[schedule] timezone``): the warehouse stores naive UTC, readers see local time."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
_BEIJING_ZONES = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC"}


def zone_label(tz: str) -> str:
    """How a page names the zone: 北京时间 for China's, else the IANA name."""
    return "北京时间" if tz in _BEIJING_ZONES else tz


def to_local(stamp: datetime, tz: str = DEFAULT_TIMEZONE) -> datetime:
    """A naive-UTC warehouse timestamp in the configured zone (aware)."""
    return stamp.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))
