"""Checks the config models share (portals' start pages and alert webhooks alike)."""

from __future__ import annotations

from urllib.parse import urlsplit


def as_list(value):
    """A lone string where a list is wanted (``to = "a@b.cn"``) read as a one-item list."""
    return [value] if isinstance(value, str) else value


def http_url(url):
    """An absolute http(s) URL with a host, for portals' start pages and alert webhooks alike."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("is not an http(s) URL")
    return url
