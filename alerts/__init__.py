"""Alerts: one digest per channel of the flags it has not heard about, delivered once.

Plain functions for the flows and the CLI; nothing here imports Prefect.
"""

from alerts.channels import AlertConfigError, Channel, EmailChannel, Filters, HttpChannel, Retry, parse_channels
from alerts.dispatch import (
    ChannelResult,
    DispatchReport,
    consecutive_failures,
    dispatch,
    failed_run_hook,
    notify_portal_down,
    notify_run_failed,
    send_test,
)
from alerts.redact import redact
from alerts.store import Delivery, list_deliveries
from alerts.transport import dingtalk_sign

__all__ = [
    "AlertConfigError", "Channel", "ChannelResult", "Delivery", "DispatchReport", "EmailChannel", "Filters",
    "HttpChannel", "Retry", "consecutive_failures", "dingtalk_sign", "dispatch", "failed_run_hook", "list_deliveries",
    "notify_portal_down", "notify_run_failed", "parse_channels", "redact", "send_test",
]
