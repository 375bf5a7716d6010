"""Plain-text reports: the tab-indented dump format (see textdump), or a tab-separated
export ("Save as Text (Tab delimited)", often still named .xls), in UTF-8, UTF-16 or GB18030.

A tab-separated export is a sheet as text: one line per row, cells split by tabs, a cell
holding a line break wrapped in quotes, every row padded with tabs to the sheet's width.
A line without any tab (between sheets, or in a text file) ends a block; in a block, the
one-cell rows before the first row with two cells are titles (paragraphs) and the rest,
rows of empty cells included, is the table.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from extractors.textdump import parse_dump
from core.records import Extraction, ExtractionError, Paragraph, RawTable
from core.text import decode, replaced_warning


def decode_text(data: bytes) -> tuple[str, str | None]:
    """(text, a warning when some bytes had to be replaced or the encoding guessed)."""
    decoded = decode(data, fallbacks=("utf-8-sig", "gb18030"))
    if decoded.damaged:
        raise ExtractionError("undecodable_text", "no text encoding fits these bytes")
    if decoded.detected:
        return decoded.text, f"decoded as {decoded.encoding} (detected)"
    return decoded.text, replaced_warning(decoded) if decoded.replaced else None


def is_tab_separated(text: str) -> bool:
    """A dump line is one leading tab and a cell; an export line has tabs between or after cells."""
    exported = 0
    for line in text.splitlines():
        if line.count("\t") >= 2 or ("\t" in line and not line.startswith("\t")):
            exported += 1
            if exported >= 2:
                return True
    return False


def parse_tab_separated(text: str, source: str) -> Extraction:
    extraction = Extraction(source=source, doc_format="tsv")
    block: list[list[str]] = []
    in_table = False  # the block has had a row of two cells
    for raw in [*csv.reader(io.StringIO(text), delimiter="\t", strict=False), []]:
        row = [cell.strip() for cell in raw]
        while row and not row[-1]:
            row.pop()
        if row or (raw and in_table):
            block.append(row)  # a row of empty cells inside a table is a row of that table
            in_table = in_table or len(row) > 1
        elif not raw and block:  # a line without a tab: the sheet (or the text) ends here
            _add_block(extraction, block, source)
            block, in_table = [], False
    return extraction


def _add_block(extraction: Extraction, block: list[list[str]], source: str) -> None:
    order = len(extraction.tables) + len(extraction.paragraphs)
    start = next((i for i, row in enumerate(block) if len(row) > 1), len(block))
    for row in block[:start]:
        if row:
            extraction.paragraphs.append(Paragraph(text=row[0], source=source, order=order))
            order += 1
    table = block[start:]
    after: list[str] = []  # text rows below the table, past an empty row: prose, not the form
    while True:
        while table and not table[-1]:
            table.pop()
        blank = max((i for i, row in enumerate(table) if not row), default=None)
        below = table[blank + 1:] if blank is not None else []
        if not below or any(len(row) > 1 for row in below) or 2 * sum(_is_prose(r[0]) for r in below) <= len(below):
            break  # below the empty row: more of the form (labels, values), not mostly sentences
        after[:0] = [row[0] for row in below]
        table = table[:blank]
    if table:
        width = max(len(row) for row in table)
        grid: list[list[str | None]] = [list(row) + [""] * (width - len(row)) for row in table]
        extraction.tables.append(
            RawTable(source=source, index=len(extraction.tables), rows=grid, order=order, method="tsv")
        )
        order += 1
    for text in after:
        extraction.paragraphs.append(Paragraph(text=text, source=source, order=order))
        order += 1


def _is_prose(text: str) -> bool:
    """A sentence (the report's text), not a row label like 厉行节约保障措施."""
    return "。" in text or len(text) >= 40


def extract(path: Path, name: str) -> Extraction:
    text, warning = decode_text(path.read_bytes())
    if is_tab_separated(text):
        extraction = parse_tab_separated(text, name)
    else:
        extraction = parse_dump(text, name)
        extraction.doc_format = "txt"
    if warning:
        extraction.warnings.append(warning)
    return extraction
