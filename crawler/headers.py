"""What a URL and a response's headers say: which hosts a portal allows, how long Retry-After
asks to wait, the file name a server suggests and the extension a download has."""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import httpx

from crawler import html as common

_CONTENT_TYPES = {
    "application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html", "application/zip": "zip", "application/x-rar-compressed": "rar",
}


def host_allowed(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> bool:
    """``host`` entries allow default ports only; ``host:port`` that port; ``*.host`` subdomains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return False
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    for entry in allowed_hosts:
        entry = entry.lower()
        if entry == netloc:
            return True
        if entry.startswith("*.") and ":" not in entry and netloc == host and host.endswith(entry[1:]):
            return True
    return False


def key_host(origin: str) -> str:
    """The politeness key of a URL or origin: its host and port, lower-case."""
    return urlsplit(origin).netloc.lower()


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a Retry-After header (delay or HTTP date) asks to wait; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def disposition_name(value: str | None) -> str | None:
    """The file name a server suggests, repairing raw GBK bytes that arrive latin-1-decoded."""
    if not value:
        return None
    star = re.search(r"filename\*\s*=\s*([\w\-]+)'[^']*'([^;]+)", value, re.IGNORECASE)
    if star:
        try:
            return unquote(star.group(2).strip().strip('"'), encoding=star.group(1))
        except LookupError:
            pass
    plain = re.search(r'filename\s*=\s*"?([^";]+)"?', value, re.IGNORECASE)
    if not plain:
        return None
    name = unquote(plain.group(1).strip())
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def ext_from_headers(headers: httpx.Headers) -> str | None:
    name = disposition_name(headers.get("content-disposition"))
    if name:
        ext = common.url_extension("http://x/" + name)
        if ext:
            return ext
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(content_type)
