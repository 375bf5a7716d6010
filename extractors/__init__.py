"""Turn a document's bytes into raw tables and narrative paragraphs.

``extract(path)`` sniffs the real type and hands the file to the extractor for that type.
Each extractor module exposes ``extract(path: Path, name: str) -> Extraction`` and raises
``ExtractionError`` with a short reason for a document it cannot read.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from extractors.sniff import sniff
from core.records import Extraction, ExtractionError

# sniffed type -> module in this package that reads it
EXTRACTOR_MODULES: dict[str, str] = {
    "docx": "extractors.docx",
    "text": "extractors.textfile",
    "pdf": "extractors.pdf",
    "doc": "extractors.office",
    "xls": "extractors.spreadsheet",
    "xlsx": "extractors.spreadsheet",
    "html": "extractors.html",
}

# A damaged zip's bytes cannot say which package it was: the extension is all that is left, so a
# broken .docx fails as corrupt_docx (what to tell the unit) rather than as an unknown type.
DAMAGED_PACKAGES = {".docx": "docx", ".xlsx": "xlsx"}

UNREADABLE = {
    "damaged_zip": "a damaged zip archive",
    "empty": "empty file (0 bytes)",
    "zip": "a zip archive, not a report document",
    "ooxml": "an Office file that is neither a Word document nor a workbook",
    "ole2": "an OLE2 file that is neither a Word document nor a workbook",
    "unknown": "unrecognised file type",
}


def extract(path: Path | str, name: str | None = None) -> Extraction:
    path = Path(path)
    name = name or path.name
    kind = sniff(path)
    if kind == "damaged_zip":
        kind = DAMAGED_PACKAGES.get(path.suffix.lower()) or DAMAGED_PACKAGES.get(Path(name).suffix.lower()) or kind
    if kind in UNREADABLE:
        raise ExtractionError("unsupported_format", f"{name}: {UNREADABLE[kind]}")
    try:
        module = importlib.import_module(EXTRACTOR_MODULES[kind])
    except ModuleNotFoundError as error:
        raise ExtractionError("unsupported_format", f"{name}: no extractor for {kind} ({error})") from error
    return module.extract(path, name)
