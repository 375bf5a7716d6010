"""Plain-text reports: the tab-indented dump format (see textdump), in UTF-8 or GB18030."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from extractors.textdump import parse_dump
from jixiao.records import Extraction, ExtractionError


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise ExtractionError("undecodable_text", "no text encoding fits these bytes")
    return str(best)


def extract(path: Path, name: str) -> Extraction:
    extraction = parse_dump(decode_text(path.read_bytes()), name)
    extraction.doc_format = "txt"
    return extraction
