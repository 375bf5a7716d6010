"""Decide a document's real type from its bytes, never from its extension."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import olefile

# Everything zipfile raises on a damaged package: zlib.error is no OSError, and a mangled central
# directory can claim a zip version zipfile refuses with NotImplementedError.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta", b"<div", b"<p>", b"<p ")


def sniff(path: Path) -> str:
    """One of: pdf, docx, xlsx, doc, xls, ole2, ooxml, zip, damaged_zip, html, text, empty, unknown."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "empty"
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(path)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in lowered[:1024] for marker in _HTML_MARKERS):
        return "html"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _ole2_kind(path: Path) -> str:
    """Word (.doc/.wps) and Excel (.xls) binaries share the OLE2 container; stream names tell.

    The directory is read properly (olefile): in a long document it sits anywhere in the file.
    """
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {entry[0] for entry in ole.listdir() if entry}
    except (OSError, ValueError, IndexError):  # a damaged container
        return "ole2"
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    return "ole2"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except ZIP_ERRORS:
        return "damaged_zip"  # a zip by its signature whose directory cannot be read
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names:
        return "ooxml"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM: Excel's "Unicode Text"
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        # the 4 KiB head may end mid-character; a few stray bytes elsewhere are tolerated too
        text = head.decode(encoding, errors="replace")
        if text[:-1].count("\ufffd") <= max(1, len(text) // 200):
            return True
    return False
