"""Assembling pages into a document: paragraphs without running lines, tables stitched across pages."""

from __future__ import annotations

import re
from collections import Counter

from core.records import Extraction, Paragraph, RawTable
from extractors.pdf.layout import Block, Cell, Line, ReadState, TablePart, cells_to_grid, cluster

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|[-—–]\s*\d+\s*[-—–]|page\s*\d+)[-—–\s]*$", re.I)
_DIGITS = re.compile(r"\d+")

# how an item of a form starts: 1、 (一) 其中 ...; a new row, not the rest of a cut one
_ITEM_START = re.compile(r"^\s*([(（]?[一二三四五六七八九十\d]+[)）、.．]|其中|合计|小计|总计)")


def assemble(state: ReadState, extraction: Extraction) -> None:
    blocks = _drop_running_lines(state.blocks)
    blocks.sort(key=lambda b: (b.page, b.top, 0 if b.kind == "table" else 1))
    items: list[list] = []  # ["table", [TablePart, ...]] | ["para", [line Block, ...]]
    for block in blocks:
        if block.kind == "table":
            if not _stitch_onto(items, block.table):
                items.append(["table", [block.table]])
            continue
        if items and items[-1][0] == "para" and _same_paragraph(items[-1][1][-1], block):
            items[-1][1].append(block)
        else:
            items.append(["para", [block]])

    order = 0
    for kind, item in items:
        if kind == "para":
            extraction.paragraphs.append(
                Paragraph(text=_join_lines(item), source=extraction.source, order=order, page=item[0].page,
                          low_confidence=any(b.low_confidence for b in item))
            )
        else:
            rows = stitch(item)
            if not rows:
                continue
            first = item[0]
            extraction.tables.append(
                RawTable(
                    source=extraction.source,
                    index=len(extraction.tables),
                    rows=rows,
                    order=order,
                    page=first.page,
                    method=first.method,
                    low_confidence=any(p.low_confidence for p in item),
                )
            )
        order += 1


def _join_lines(lines: list[Block]) -> str:
    text = lines[0].line.text
    for prev, block in zip(lines, lines[1:]):
        a, b = prev.line.text, block.line.text
        latin = a[-1:].isascii() and a[-1:].isalpha() and b[:1].isascii() and b[:1].isalpha()
        text += (" " if latin else "") + b
    return text


def _stitch_onto(items: list[list], part: TablePart) -> bool:
    """Append ``part`` to the table it continues, if it does; lines between the two pieces
    that are the cut-off rest of a row (no borders drawn) are put back into that row."""
    k = len(items)
    while k > 0 and items[k - 1][0] == "para" and all(b.page == part.page for b in items[k - 1][1]):
        k -= 1
    if k == 0 or items[k - 1][0] != "table":
        return False
    parts = items[k - 1][1]
    last = parts[-1]
    orphans = [b for item in items[k:] for b in item[1]]
    if part.page != last.page + 1 or abs(part.x0 - last.x0) > 4 or abs(part.x1 - last.x1) > 4:
        return False
    if not all(_is_orphan_of(b, last) for b in orphans):
        return False
    for block in orphans:
        _append_to_last_row(last, block.line)
    del items[k:]
    parts.append(part)
    return True


def _drop_running_lines(blocks: list[Block]) -> list[Block]:
    """Lines in the top/bottom zone that are page numbers or repeat on other pages go."""
    zone = [b for b in blocks if b.kind == "zone"]
    pages = len({b.page for b in blocks}) or 1
    seen = Counter(_DIGITS.sub("#", b.line.text) for b in zone)
    pages_with = {key: len({b.page for b in zone if _DIGITS.sub("#", b.line.text) == key}) for key in seen}
    kept = []
    for block in blocks:
        if block.kind != "zone":
            kept.append(block)
            continue
        text = block.line.text
        if _PAGE_NUMBER.match(text):
            continue
        if pages > 1 and pages_with[_DIGITS.sub("#", text)] >= max(2, pages // 2):
            continue
        block.kind = "line"
        kept.append(block)
    return kept


_LEAD_TOKEN = re.compile(r"^([0-9A-Za-z.,%+\-]+|.)[”’」』）)》〉】，。、；：！？,.;:!?%]*")


def _line_was_full(previous: Block, following: Line) -> bool:
    """The line ends where the next line's first unbreakable piece would not have fitted."""
    token = _LEAD_TOKEN.match(following.text)
    piece = token.group(0) if token else following.text[:1]
    width = sum(following.size * (0.55 if ch.isascii() else 1.0) for ch in piece)
    return previous.line.x1 + width >= previous.right_limit - 2


def _same_paragraph(previous: Block, block: Block) -> bool:
    a, b = previous.line, block.line
    if block.page != previous.page:
        # a paragraph running over the page break: the last line of the page was full
        return _line_was_full(previous, b) and abs(b.x0 - block.left_margin) < b.size * 0.8
    gap = b.top - a.bottom
    if gap > max(a.size, b.size) * 1.2:
        return False
    indented = b.x0 - previous.left_margin > b.size * 0.8
    return _line_was_full(previous, b) and not indented


def _is_orphan_of(block: Block, table: TablePart) -> bool:
    """A line inside one column of ``table``: the rest of a row the page break cut."""
    line = block.line
    columns = cluster([v for c in table.cells for v in (c.x0, c.x1)])
    return any(a - 1 <= line.x0 and line.x1 <= b + 1 for a, b in zip(columns, columns[1:]))


def _append_to_last_row(part: TablePart, line: Line) -> None:
    bottom = part.bottom
    ending = [c for c in part.cells if abs(c.bottom - bottom) < 2 and c.x0 - 1 <= line.x0 and line.x1 <= c.x1 + 1]
    if not ending:
        return
    cell = ending[0]
    cell.text = cell.text + ("" if cell.last_line_full or not cell.text else "\n") + line.text
    cell.last_line_full = False


def _is_split_row(last: TablePart, part: TablePart, raw_bottom: float) -> bool:
    """The first row of ``part`` is the rest of the last row of ``last``, cut by the page.

    A cut row reaches the bottom margin (taken as the next page's top margin), and its cut
    text runs to the bottom of its cell. A one-line remainder looks like any short row, so
    then the new piece must continue fewer cells than the row had and not start an item."""
    first = [c for c in part.first_row() if c.text]
    if not first:
        return False
    if part.page_height and raw_bottom < part.page_height - part.top - 24:
        return False
    bottom = last.bottom
    ending = [c for c in last.cells if abs(c.bottom - bottom) < 2]
    last_row_top = max(c.top for c in ending)
    # A number that filled its cell and goes on over the page proves the row was cut; then a
    # label ending short on the same row was broken by an Enter (`公务用车\n运行维护费`), not ended.
    owners, short, numbers = [], [], []
    for cell in first:
        candidates = [o for o in ending if min(o.x1, cell.x1) - max(o.x0, cell.x0) > 2]
        if not candidates:
            return False
        owner = max(candidates, key=lambda o: min(o.x1, cell.x1) - max(o.x0, cell.x0))
        if abs(owner.x0 - cell.x0) > 3 or abs(owner.x1 - cell.x1) > 3:
            return False  # the rest of a cut cell keeps the cell's width
        if not owner.text:
            if owner.top < last_row_top - 2:
                return False  # an empty merged cell running on: the new text starts a row
            continue  # leading spaces pushed all of its text past the break
        if owner.top < last_row_top - 2:
            continue  # merged down from rows above (a vertical 绩效指标): running on proves nothing
        if owner.text_bottom is None or owner.bottom - owner.text_bottom > owner.line_height * 0.6 + 1:
            return False
        if not owner.last_line_full and cell.text[:1] not in "，。、；：,.;:)）”":
            short.append(owner)  # its last line stops short: the text ended there (or at an Enter)
            continue
        (numbers if _number_cut(owner.text, cell.text) else owners).append(owner)
    if short and not numbers:
        return False
    if owners + numbers and all(o.bottom - o.top >= o.line_height * 1.8 for o in owners + numbers + short):
        return True
    filled_before = sum(1 for o in ending if o.text)
    if len(first) >= filled_before and len(numbers) < 2:
        return False  # (two numbers completed by the next page's digits: a cut, however many cells)
    if any(_ITEM_START.match(c.text) for c in first if not (numbers and _DIGIT_RUN.match(c.text.strip()))):
        return False  # (`47.13` completing a cut number is not an item numbered 47.)
    # a cell whose text ended a sentence was not cut (a number's 8393800. was); a colon ends a
    # label, unless numbers cut with it show the row goes on (`其中:` over `当年财政拨款`)
    ends = "。.;；" if numbers else "。.;；:："
    return not any(o.text.rstrip()[-1:] in ends for o in owners)


_DIGIT_RUN = re.compile(r"^[\d０-９,，]*[.．]?[\d０-９]*$")  # thousands separators before the point
_POINT = re.compile(r"[.．]")


def _number_cut(before: str, rest: str) -> bool:
    """``before`` is a number cut short and ``rest`` its remaining digits: together one amount
    of at most two decimals, and the decimals not complete before the cut (`91000.0` + `0`,
    `2029` + `47.13`, `8393800.` + `00`, `197,500.` + `00`; never `96600.00` + `8393800`)."""
    before, rest = before.strip(), rest.strip()
    if not (before and rest and _DIGIT_RUN.match(before) and _DIGIT_RUN.match(rest)):
        return False
    joined = before + rest
    if len(_POINT.findall(joined)) > 1 or joined[-1] in ".．":
        return False
    if _POINT.search(joined) and len(_POINT.split(joined)[1]) > 2:
        return False
    decimals_before = _POINT.split(before)[1] if _POINT.search(before) else None
    if decimals_before is None:
        return bool(_POINT.search(rest))  # an integer followed by a bare integer: a new row as well
    return len(decimals_before) < 2


def _row_texts(cells: list[Cell]) -> list[str]:
    return ["".join(c.text.split()) for c in sorted(cells, key=lambda c: c.x0)]


def stitch(parts: list[TablePart]) -> list[list[str | None]]:
    """One grid from a table's pieces on consecutive pages."""
    cells: list[Cell] = []
    offset = 0.0
    previous: TablePart | None = None
    header_rows: list[list[str]] = []
    for part in parts:
        bounds = part.row_boundaries()
        part_cells = list(part.cells)
        if previous is None:
            first_bounds = bounds
            header_rows = [
                _row_texts([c for c in part_cells if abs(c.top - first_bounds[k]) < 2 and abs(c.bottom - first_bounds[k + 1]) < 2])
                for k in range(min(3, len(first_bounds) - 1))
            ]
            cells.extend(part_cells)
            offset = part.bottom
            previous = part
            raw_bottom = part.bottom
            continue
        # a repeated header: drop the rows that equal the first rows of the table
        dropped = 0
        for k in range(min(len(header_rows), len(bounds) - 1)):
            row = _row_texts([c for c in part_cells if abs(c.top - bounds[k]) < 2 and abs(c.bottom - bounds[k + 1]) < 2])
            if row and row == header_rows[k] and any(row):
                dropped = k + 1
            else:
                break
        if dropped:
            cut = bounds[dropped]
            part_cells = [c for c in part_cells if c.top >= cut - 1]
            bounds = bounds[dropped:]
            trimmed = TablePart(part.page, part_cells, part.method, page_height=part.page_height)
        else:
            trimmed = part
        if not part_cells:
            continue
        split = not dropped and _is_split_row(previous, trimmed, raw_bottom)
        start = bounds[0]
        if split:
            # the first row of this piece lands on the last row of the previous piece
            last_bounds = cluster([v for c in cells for v in (c.top, c.bottom)])
            last_top, last_bottom = last_bounds[-2], last_bounds[-1]
            first_bottom = bounds[1] if len(bounds) > 1 else bounds[0] + 1

            def shift(y, start=start, first_bottom=first_bottom, last_top=last_top, last_bottom=last_bottom):
                if y <= first_bottom + 1:
                    return last_top if y <= start + 1 else last_bottom
                return last_bottom + (y - first_bottom)

        else:

            def shift(y, start=start, offset=offset):
                return offset + (y - start)

        for c in part_cells:
            cells.append(
                Cell(
                    c.x0,
                    shift(c.top),
                    c.x1,
                    shift(c.bottom),
                    c.text,
                    text_bottom=shift(c.text_bottom) if c.text_bottom is not None else None,
                    line_height=c.line_height,
                    last_line_full=c.last_line_full,
                )
            )
        offset = max(c.bottom for c in cells)
        previous = TablePart(part.page, cells, part.method)
        raw_bottom = part.bottom
    return cells_to_grid(cells)
