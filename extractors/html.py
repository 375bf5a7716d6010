"""Reports published inline in an article page: <table>s (rowspan/colspan) and paragraphs.

The page is decoded by ``core.text.decode_html``, the crawler's decoder too.
A table whose cells hold other tables is page layout, not a form: its cells are read as
blocks in turn, so a report that is the whole body loses nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from core.records import Extraction, ExtractionError, Paragraph, RawTable
from core.text import decode_html, replaced_warning

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "blockquote",
    "pre", "center", "dd", "dt", "dl", "header", "footer", "main", "form", "address", "figure", "caption",
    "tr", "body", "html", "hr",
}
_SKIPPED = {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "select", "button"}
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_MAX_SPAN = 1000  # a hostile colspan="99999999" must not allocate a huge row


def extract(path: Path, name: str) -> Extraction:
    decoded = decode_html(Path(path).read_bytes())
    if decoded.damaged:
        raise ExtractionError("undecodable_html", "no text encoding fits these bytes")
    extraction = html_to_extraction(decoded.text, name)
    if decoded.replaced:
        extraction.warnings.append(replaced_warning(decoded))
    return extraction


def html_to_extraction(text: str, name: str) -> Extraction:
    extraction = Extraction(source=name, doc_format="html")
    # lxml refuses str input that carries an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise ExtractionError("empty_html", f"{name}: no content")
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError("parse_error", f"{name}: {error}") from error
    walker = _Walker(extraction)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return extraction


class _Walker:
    def __init__(self, extraction: Extraction):
        self.extraction = extraction
        self.buffer: list[str] = []
        self.order = 0

    def flush(self) -> None:
        line = _SPACES.sub(" ", "".join(self.buffer)).strip(" ")
        self.buffer = []
        if line:
            self.extraction.paragraphs.append(Paragraph(text=line, source=self.extraction.source, order=self.order))
            self.order += 1

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIPPED or not isinstance(element.tag, str):
            self._tail(element)
            return
        if tag == "table":
            self.flush()
            if _is_layout_table(element):
                for cell in _cells_in_order(element):
                    self.walk_children(cell)
                    self.flush()
            else:
                self._table(element)
            self._tail(element)
            return
        if tag == "br":
            self.flush()
            self._tail(element)
            return
        block = tag in _BLOCKS
        if block:
            self.flush()
        self.walk_children(element)
        if block:
            self.flush()
        self._tail(element)

    def walk_children(self, element) -> None:
        if element.text:
            self.buffer.append(element.text)
        for child in element:
            self.walk(child)

    def _tail(self, element) -> None:
        if element.tail:
            self.buffer.append(element.tail)

    def _table(self, table) -> None:
        rows = table_to_grid(table)
        if not rows:
            return
        self.extraction.tables.append(
            RawTable(
                source=self.extraction.source,
                index=len(self.extraction.tables),
                rows=rows,
                order=self.order,
                method="html",
            )
        )
        self.order += 1


def _own_rows(table) -> list:
    """The table's rows, not those of tables nested in its cells."""
    rows = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")
    return rows


def _own_cells(row) -> list:
    return [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]


def _is_layout_table(table) -> bool:
    return any(cell.find(".//table") is not None for row in _own_rows(table) for cell in _own_cells(row))


def _cells_in_order(table) -> list:
    return [cell for row in _own_rows(table) for cell in _own_cells(row)]


def _span(cell, name: str) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or 1)
    except ValueError:
        return 1
    return max(1, min(value, _MAX_SPAN))


def cell_text(cell) -> str:
    """Text of a cell with <br> and block children as line breaks, HTML whitespace collapsed."""
    lines: list[str] = []
    buffer: list[str] = []

    def end_line() -> None:
        line = _SPACES.sub(" ", "".join(buffer)).strip(" ")
        buffer.clear()
        lines.append(line)

    def visit(element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _SKIPPED or not tag:
            if element.tail:
                buffer.append(element.tail)
            return
        if tag == "br":
            end_line()
        else:
            block = tag in _BLOCKS
            if block and buffer:
                end_line()
            if element.text:
                buffer.append(element.text)
            for child in element:
                visit(child)
            if block:
                end_line()
        if element.tail:
            buffer.append(element.tail)

    if cell.text:
        buffer.append(cell.text)
    for child in cell:
        visit(child)
    end_line()
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def table_to_grid(table) -> list[list[str | None]]:
    """The layout grid: a spanned cell's text at its top-left, None where it reaches."""
    grid: dict[tuple[int, int], str | None] = {}
    width = 0
    rows = _own_rows(table)
    for r, row in enumerate(rows):
        c = 0
        for cell in _own_cells(row):
            while (r, c) in grid:
                c += 1
            rowspan = min(_span(cell, "rowspan"), len(rows) - r)
            colspan = _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = None
            grid[(r, c)] = cell_text(cell)
            c += colspan
            width = max(width, c)
    if not grid:
        return []
    height = len(rows)
    # Positions no cell reaches (ragged rows) are printed as nothing: '' not None.
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]
