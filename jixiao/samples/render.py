"""Render a seed text dump into a .docx the way a clerk's Word file looks.

A cell spans the covered (``None``) cells after it in its row, so short rows span their last
cell to the table's width and a label may span two or three columns before its value
(gridSpan); an empty cell under a
side label in the first two columns is merged into it (vMerge), as in the printed forms;
one-character-per-line labels (``绩\\n效\\n指\\n标``) get vertical text direction.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from extractors.textdump import parse_dump
from core.records import Extraction, RawTable

_NUMERIC = re.compile(r"^[\s\d.,%％‰—\-/／≥≤<>万元]*$")


def _is_side_label(text: str | None) -> bool:
    if not text or not text.strip():
        return False
    flat = text.replace("\n", "").strip()
    return len(flat) <= 24 and not _NUMERIC.match(flat)


def _is_vertical(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 3 and all(len(line.strip()) <= 1 for line in lines)


def vertical_merges(table: RawTable) -> dict[tuple[int, int], int]:
    """(row, col) of a label -> number of rows it covers, for columns 0 and 1."""
    spans: dict[tuple[int, int], int] = {}
    for col in (0, 1):
        for r, row in enumerate(table.rows):
            if col >= len(row) or not _is_side_label(row[col]):
                continue
            if any(cell is None for cell in row[col : col + 2]) and col + 1 < len(row) and row[col + 1] is None:
                continue  # part of a horizontal span
            end = r + 1
            while (
                end < len(table.rows)
                and table.rows[end][col] == ""
                and all(c is not None for c in table.rows[end][: col + 2])
                and (col == 0 or table.rows[end][0] == "")
            ):
                end += 1
            if end - r > 1:
                spans[(r, col)] = end - r
    return spans


def row_spans(row: list[str | None], width: int) -> list[tuple[int, int, str]]:
    """(column, columns spanned, text) of each cell of a layout row: a cell covers the
    ``None`` cells after it, up to the table's width (a short row spans its last cell)."""
    spans = []
    for c, text in enumerate(row):
        if text is None:
            continue
        end = c + 1
        while end < width and (end >= len(row) or row[end] is None):
            end += 1
        spans.append((c, end - c, text))
    return spans


def _set_vertical(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "tbRlV")
    tc_pr.append(direction)


def _write_text(cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    parts = text.split("\n")
    run = paragraph.add_run(parts[0])
    for part in parts[1:]:
        run.add_break(WD_BREAK.LINE)  # a line break inside the label, as clerks type them
        run = paragraph.add_run(part)


def _render_table(document, table: RawTable) -> None:
    width = table.width
    out = document.add_table(rows=len(table.rows), cols=width)
    out.style = "Table Grid"
    covered: set[tuple[int, int]] = set()
    for (r, c), rows in vertical_merges(table).items():
        out.cell(r, c).merge(out.cell(r + rows - 1, c))
        covered.update((r + k, c) for k in range(1, rows))
    for r, row in enumerate(table.rows):
        for c, cols, _ in row_spans(row, width):
            if cols > 1:
                out.cell(r, c).merge(out.cell(r, c + cols - 1))
    for r, row in enumerate(table.rows):
        for c, text in enumerate(row):
            if text is None or (r, c) in covered or not text:
                continue
            cell = out.cell(r, c)
            _write_text(cell, text)
            if _is_vertical(text):
                _set_vertical(cell)


def render_docx(extraction: Extraction, path: Path) -> Path:
    document = new_docx()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    blocks = sorted(
        [(p.order, "p", p) for p in extraction.paragraphs] + [(t.order, "t", t) for t in extraction.tables],
        key=lambda block: (block[0], block[1]),
    )
    for _, kind, block in blocks:
        if kind == "p":
            document.add_paragraph(block.text)
        else:
            _render_table(document, block)
    if blocks and blocks[-1][1] == "t":
        # Word and WPS end every document with a paragraph mark. Without it LibreOffice
        # writes a .doc whose text ends inside a table row, and reads that table back as one
        # paragraph (docs/faults.md): no clerk's .doc looks like that.
        document.add_paragraph("")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def render_seed(seed: Path, path: Path) -> Path:
    return render_docx(parse_dump(seed.read_text(encoding="utf-8"), seed.name), path)
