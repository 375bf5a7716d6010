"""Keep secrets (webhook tokens, SMTP passwords, signing keys) out of text we log or store."""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlsplit

MASK = "***"

# Query parameters that carry credentials in robot/webhook URLs (DingTalk access_token, WeCom
# key, our own DingTalk sign) even when we were not told the value is secret.
_SECRET_PARAM = re.compile(
    r"(?i)\b(access_token|token|key|secret|sign|password|passwd|pwd|api_key|apikey)=([^&\s'\"<>]+)"
)
# Slack and similar "the path is the credential" webhooks.
_SLACK_PATH = re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[^\s'\"<>]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")

_lock = threading.Lock()
_known: set[str] = set()


def register(*secrets: str | None) -> None:
    """Remember values to mask everywhere (a whole URL also registers its path and query)."""
    with _lock:
        for secret in secrets:
            for part in _parts(secret):
                _known.add(part)


def _parts(secret: str | None) -> list[str]:
    if not secret or len(secret) < 6:  # masking "ok" or "test" would garble every message
        return []
    parts = [secret]
    if "://" in secret:
        # The credential of a webhook URL is a query value (DingTalk, WeCom) or a long path
        # segment (Slack, Feishu); ordinary path words like "robot/send" must stay readable.
        split = urlsplit(secret)
        parts += [v for _, v in parse_qsl(split.query) if len(v) >= 6]
        parts += [seg for seg in split.path.split("/") if _TOKENISH.match(seg)]
    return parts


_TOKENISH = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{16,}$")


def redact(text: object, extra: tuple[str | None, ...] | list[str | None] = ()) -> str:
    """``text`` with every known secret, credential query parameter and URL password masked."""
    out = str(text)
    with _lock:
        known = sorted(_known | {p for s in extra for p in _parts(s)}, key=len, reverse=True)
    for secret in known:
        out = out.replace(secret, MASK)
    out = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={MASK}", out)
    out = _SLACK_PATH.sub(lambda m: m.group(1) + MASK, out)
    return _USERINFO.sub(lambda m: m.group(1) + MASK + "@", out)


def safe_url(url: str) -> str:
    """Where a URL points, for display: scheme, host and port only."""
    split = urlsplit(url)
    host = split.hostname or ""
    port = f":{split.port}" if split.port else ""
    return f"{split.scheme}://{host}{port}/…" if split.scheme else "…"


class RedactingFilter(logging.Filter):
    """Masks secrets in records of libraries that log request URLs (httpx logs them at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_filter = RedactingFilter()


def install_log_filter() -> None:
    # A logger's filters do not see records from its children, so name each one.
    for name in ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2",
                 "httpcore.proxy", "jixiao.alerts"):
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
