"""The naive baseline: what reading these files costs with the libraries alone.

pdfplumber ``extract_tables()`` + ``extract_text()`` on every page of every PDF, python-docx
reading every cell of every table of a .docx (a .doc or .wps: the same on its converted .docx,
as the pipeline reads it), openpyxl every cell of every sheet, xlrd every cell of an .xls,
BeautifulSoup every table cell, and for a scanned PDF a plain OCR of every page (pypdfium2
renders it at the pipeline's resolution, RapidOCR reads it). Nothing else: no triage, no
mapping, no checks, no loading.
"""

from __future__ import annotations

import time
from pathlib import Path


def read_file(path: Path | str, fmt: str | None = None) -> dict:
    """Read one file the naive way; returns what was read and how long it took.

    ``fmt`` defaults to the suffix; a scanned PDF is ``scanned``."""
    path = Path(path)
    started = time.perf_counter()
    fmt = fmt or path.suffix.lower().lstrip(".")
    reader = {"pdf": _pdf, "docx": _docx, "doc": _doc, "wps": _doc, "xlsx": _xlsx, "xls": _xls, "html": _html,
              "htm": _html, "scanned": _ocr}[fmt]
    pages, tables, chars = reader(path)
    return {"format": fmt, "pages": pages, "tables": tables, "chars": chars, "seconds": time.perf_counter() - started}


def _pdf(path: Path) -> tuple[int, int, int]:
    import pdfplumber

    pages = tables = chars = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            tables += len(page.extract_tables())
            chars += len(page.extract_text() or "")
            page.close()
            pages += 1
    return pages, tables, chars


def _docx(path: Path) -> tuple[int, int, int]:
    from docx import Document

    document = Document(str(path))
    tables = chars = 0
    for table in document.tables:
        tables += 1
        for row in table.rows:
            for cell in row.cells:
                chars += len(cell.text)
    return 0, tables, chars


def _doc(path: Path) -> tuple[int, int, int]:
    # The converted .docx the pipeline reads (extractors.office caches it by content hash);
    # converting is the same soffice call on both sides, so neither side pays it here.
    from extractors.office import cache_dir
    from core.records import sha256_file

    return _docx(cache_dir() / f"{sha256_file(path)}.docx")


def _xlsx(path: Path) -> tuple[int, int, int]:
    from openpyxl import load_workbook

    book = load_workbook(str(path), data_only=True)
    tables = chars = 0
    for sheet in book.worksheets:
        tables += 1
        for row in sheet.iter_rows(values_only=True):
            chars += sum(len(str(v)) for v in row if v is not None)
    book.close()
    return 0, tables, chars


def _xls(path: Path) -> tuple[int, int, int]:
    import xlrd

    book = xlrd.open_workbook(str(path))
    tables = chars = 0
    for sheet in book.sheets():
        tables += 1
        for r in range(sheet.nrows):
            chars += sum(len(str(v)) for v in sheet.row_values(r) if v != "")
    return 0, tables, chars


def _ocr(path: Path) -> tuple[int, int, int]:
    import numpy as np
    import pypdfium2 as pdfium

    from extractors.pdf.ocr import DPI, engine

    pages = chars = 0
    document = pdfium.PdfDocument(str(path))
    try:
        for page in document:
            image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            found, _ = engine()(np.array(image))
            chars += sum(len(text) for _, text, _ in found or [])
            page.close()
            pages += 1
    finally:
        document.close()
    return pages, 0, chars


def _html(path: Path) -> tuple[int, int, int]:
    from bs4 import BeautifulSoup

    from core.text import decode_html

    # Decoded first: lxml given the bytes of a GBK page that declares gb2312 reads no cell at all.
    soup = BeautifulSoup(decode_html(path.read_bytes()).text, "lxml")
    tables = chars = 0
    for table in soup.find_all("table"):
        tables += 1
        for cell in table.find_all(["td", "th"]):
            chars += len(cell.get_text())
    return 0, tables, chars
