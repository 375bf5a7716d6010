"""Text dumps of reports: a tab-indented line is a table cell, a blank line ends a row.

This is the format of the seed files in ``shared/seeds``. A cell may run over several
lines (a non-tab line right after a cell continues it), and may even contain a blank line
(``产出指标\\n\\n(40分)``): a non-tab line after a blank continues the last cell when the
table goes on right after it without another blank line.
"""

from __future__ import annotations

import re

from core.records import Extraction, Paragraph, RawTable

_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def _clean(line: str) -> str:
    return _BOOKMARK.sub("", line.rstrip("\r\n"))


def _is_blank(line: str) -> bool:
    # Only ASCII blanks end a row: a line holding U+3000 is a (blank-looking) cell line.
    return not line.strip(" \t")


def _continues_table(lines: list[str], start: int) -> bool:
    """True when the non-tab lines from ``start`` run straight into a tab line."""
    for line in lines[start:]:
        if line.startswith("\t"):
            return True
        if _is_blank(line):
            return False
    return False


def parse_dump(text: str, source: str = "dump.txt") -> Extraction:
    lines = [_clean(line) for line in text.splitlines()]
    extraction = Extraction(source=source, doc_format="txt")
    rows: list[list[str]] = []
    row: list[str] = []
    in_table = False
    after_blank = False
    order = 0

    def close_table() -> None:
        nonlocal rows, row, in_table, order
        if row:
            rows.append(row)
        if rows:
            width = max(len(r) for r in rows)
            grid: list[list[str | None]] = [list(r) + [None] * (width - len(r)) for r in rows]
            extraction.tables.append(
                RawTable(source=source, index=len(extraction.tables), rows=grid, order=order, method="dump")
            )
            order += 1
        rows, row, in_table = [], [], False

    for i, line in enumerate(lines):
        if line.startswith("\t"):
            if not in_table:
                in_table = True
            elif after_blank and row:
                rows.append(row)
                row = []
            row.append(line[1:])
            after_blank = False
        elif _is_blank(line):
            after_blank = True
        elif in_table and (not after_blank or _continues_table(lines, i)):
            if after_blank and not row and rows:
                row = rows.pop()  # the blank was inside a cell, not the end of the row
            if row:
                row[-1] += ("\n\n" if after_blank else "\n") + line
            after_blank = False
        else:
            close_table()
            extraction.paragraphs.append(Paragraph(text=line.strip(), source=source, order=order))
            order += 1
            after_blank = False
        if after_blank and row and in_table:
            rows.append(row)
            row = []
    close_table()
    return extraction
