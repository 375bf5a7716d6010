"""Decoding Chinese HTML: BOM -> HTTP charset -> meta charset -> detection -> gb18030.

httpx (like requests) would decode a ``text/html`` page without charset as latin-1 or UTF-8
and never looks at ``<meta charset>``; portals still serve gb2312 pages that contain
characters only GB18030 has (镕, 堃), so every declared GB charset is read as GB18030.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb2312-80", "csgb2312", "cp936", "ms936", "euc-cn", "hz-gb-2312"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w\-:.]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w\-:.]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def normalise(name: str | None) -> str | None:
    """A Python codec name for a declared charset; GB family -> gb18030; unknown -> None."""
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if codec in ("gb2312", "gbk") else codec


def charset_from_header(content_type: str | None) -> str | None:
    match = _HEADER.search(content_type or "")
    return normalise(match.group(1)) if match else None


def decode_html(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Text and the encoding that decoded it without errors."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace"), codec
    candidates = [charset_from_header(content_type)]
    match = _META.search(content[:4096])
    candidates.append(normalise(match.group(1).decode("ascii", "ignore")) if match else None)
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    candidates.append(normalise(best.encoding) if best else None)
    for codec in candidates:
        if codec:
            try:
                return content.decode(codec), codec
            except (UnicodeDecodeError, LookupError):
                continue  # a wrong declaration: try the next witness
    return content.decode("gb18030", errors="replace"), "gb18030"
