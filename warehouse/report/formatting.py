"""How the report prints numbers, times, places and regions for a finance officer."""

from __future__ import annotations

import math
import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from core.records import Location, Severity
from core.clock import DEFAULT_TIMEZONE, to_local

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

SEVERITY_COLOR = {Severity.ERROR: "#c0392b", Severity.WARNING: "#d68910", Severity.INFO: "#7f8c8d"}
STATUS_LABEL = {"ok": "正常读取", "partial": "部分读取", "failed": "读取失败"}

# Only for flags written before they carried a place (schema 2): their location is text.
_LOCATION_WORDS = (
    (re.compile(r"\btable (\d+)"), r"表\1"),
    (re.compile(r"\bpage (\d+)"), r"第\1页"),
    (re.compile(r"\brow (\d+)"), r"第\1行"),
    (re.compile(r"\bcol (\d+)"), r"第\1列"),
    (re.compile(r"\bcell (\d+)"), r"第\1格"),
    (re.compile(r"\bpara (\d+)"), r"正文第\1段"),
)


def fmt_num(value: float | None, unit: str = "") -> str:
    """``164.03``, ``35``, ``98.49%``: at most two decimals, no trailing zeros."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if unit == "%":
        return text + "%"
    return f"{text} {unit}" if unit else text


def local_text(stamp: datetime | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """A naive-UTC warehouse time as the reader's clock shows it (``[schedule] timezone``)."""
    return "" if stamp is None else to_local(stamp, tz).strftime("%Y-%m-%d %H:%M")


def humanize_location(location: str | None, document: str | None = None) -> str:
    """``表1 第13行 第3列`` from ``<file>.docx table 1 row 13 col 3``; parts joined by ``；``."""
    if not location:
        return ""
    parts = []
    for part in location.split("; "):
        if document and part.startswith(document):
            part = part[len(document):].strip()
        for pattern, replacement in _LOCATION_WORDS:
            part = pattern.sub(replacement, part)
        parts.append(part.strip())
    return "；".join(dict.fromkeys(p for p in parts if p))


def source_href(source_url: str | None) -> str | None:
    """A link that opens the source: web URLs as they are, local paths as file:// URIs."""
    if not source_url:
        return None
    if re.match(r"^https?://", source_url, re.IGNORECASE):
        return source_url
    path = Path(source_url)
    if path.is_absolute():
        return path.as_uri()
    return None  # anything else (javascript:, relative names) is shown, never linked


def describe_place(place: Location, document: str | None = None) -> str:
    """``表1 第13行 第3列`` (``附件2.docx 表1 …`` when the place is in another file than ``document``)."""
    parts = [place.file] if place.file and place.file != document else []
    parts += [f"工作表“{place.sheet}”"] if place.sheet else []
    parts += [f"第{place.page}页"] if place.page else []
    parts += [f"表{place.table}"] if place.table is not None else []
    parts += [f"第{place.row}行"] if place.row is not None else []
    parts += [f"第{place.cell}列"] if place.cell is not None else []
    parts += [f"正文第{place.paragraph}段"] if place.paragraph is not None else []
    return " ".join(parts)


def relative_href(target: str | None, base_dir: Path | None) -> str | None:
    """A link to ``target`` from a page in ``base_dir``: web URLs as they are, a stored file
    as a relative path (the report and the state folder move together), else ``source_href``."""
    if not target:
        return None
    if re.match(r"^https?://", target, re.IGNORECASE) or base_dir is None or not Path(target).is_absolute():
        return source_href(target)
    return quote(Path(os.path.relpath(target, base_dir.resolve())).as_posix())
