"""Finding a page's tables: ruled (pdfplumber lines), then text alignment; each cell's box and text."""

from __future__ import annotations

from extractors.pdf.layout import Cell, TablePart, chars_to_lines, lines_to_cell_text


def find_tables(page, number: int) -> list[TablePart]:
    explicit, synthetic_tops = _missing_outer_rules(page)
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "explicit_horizontal_lines": explicit}
    found = page.find_tables(settings)
    method = "pdf-lines"
    if not found:
        found = _text_tables(page)
        method = "pdf-text"
    cell_lists = [list(table.cells) for table in found]
    if method == "pdf-lines":
        # pdfplumber drops one-cell tables; forms use them for signature and opinion boxes
        cell_lists += [[box] for box in _single_boxes(page, [t.bbox for t in found])]
    parts = []
    for boxes in cell_lists:
        cells = [_cell(page, bbox) for bbox in boxes]
        if not cells:
            continue
        part = TablePart(number, cells, method, page_height=float(page.height))
        part.synthetic_top = any(abs(part.top - y) < 2 for y in synthetic_tops)
        parts.append(part)
    return parts


def _single_boxes(page, taken: list[tuple]) -> list[tuple[float, float, float, float]]:
    """Rectangles closed by two vertical and two horizontal rules, outside found tables."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 4]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    spans: dict[tuple[int, int], list[dict]] = {}
    for edge in verticals:
        spans.setdefault((round(edge["top"]), round(edge["bottom"])), []).append(edge)
    boxes = []
    for (top, bottom), edges in spans.items():
        if len(edges) < 2:
            continue
        x0, x1 = min(e["x0"] for e in edges), max(e["x1"] for e in edges)
        if x1 - x0 < 20:
            continue
        closed = all(
            any(abs(h["top"] - y) < 2.5 and h["x0"] <= x0 + 2 and h["x1"] >= x1 - 2 for h in horizontals)
            for y in (top, bottom)
        )
        inside = any(t[0] - 2 <= x0 and x1 <= t[2] + 2 and t[1] - 2 <= top and bottom <= t[3] + 2 for t in taken)
        if closed and not inside:
            boxes.append((x0, float(top), x1, float(bottom)))
    return boxes


def _missing_outer_rules(page) -> tuple[list[dict], list[float]]:
    """Horizontal rules where a group of vertical rules starts or ends without one.

    LibreOffice and Word omit the top border of a row continued from the previous page; the
    vertical rules still run to the top, so the missing rule can be put back."""
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    horizontals = [e for e in page.edges if e["orientation"] == "h"]
    if not verticals:
        return [], []
    groups: list[list[dict]] = []
    for edge in sorted(verticals, key=lambda e: e["top"]):
        for group in groups:
            if edge["top"] <= max(e["bottom"] for e in group) + 3:
                group.append(edge)
                break
        else:
            groups.append([edge])
    lines, tops = [], []
    for group in groups:
        if len(group) < 2:
            continue
        x0, x1 = min(e["x0"] for e in group), max(e["x1"] for e in group)
        for y, is_top in ((min(e["top"] for e in group), True), (max(e["bottom"] for e in group), False)):
            covered = any(abs(h["top"] - y) < 3 and h["x0"] <= x0 + 3 and h["x1"] >= x1 - 3 for h in horizontals)
            if not covered:
                lines.append(
                    {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0}
                )
                if is_top:
                    tops.append(y)
    return lines, tops


def _text_tables(page) -> list:
    """Borderless tables by text alignment. Only lines made of several separated words
    take part: a title or a note spanning the columns would hide the column gaps."""
    words = page.extract_words()
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    boxes = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        if len(line) >= 2 and any(b["x0"] - a["x1"] > 12 for a, b in zip(line, line[1:])):
            boxes.extend((w["x0"] - 0.5, w["top"] - 0.5, w["x1"] + 0.5, w["bottom"] + 0.5) for w in line)
    if not boxes:
        return []

    def in_table_line(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    rows_only = page.filter(in_table_line)
    settings = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 3}
    kept = []
    for table in rows_only.find_tables(settings):
        rows = table.extract()
        filled = [sum(1 for c in row if c and c.strip()) for row in rows]
        if sum(1 for f in filled if f >= 2) < 2:
            continue
        kept.append(_TrimmedTable(table, rows, filled))
    return kept


class _TrimmedTable:
    """A text-strategy table without empty rows and without single-cell rows above the header."""

    def __init__(self, table, rows, filled):
        first = next(i for i, f in enumerate(filled) if f >= 2)
        keep = [i for i, f in enumerate(filled) if i >= first and f > 0]
        cells = []
        for i in keep:
            row = table.rows[i]
            cells.extend(bbox for bbox in row.cells if bbox is not None)
        self.cells = cells


def _cell(page, bbox) -> Cell:
    x0, top, x1, bottom = bbox
    chars = [
        c
        for c in page.chars
        if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
    ]
    lines = chars_to_lines(chars)
    text, full = lines_to_cell_text(lines, x0, x1)
    return Cell(
        x0,
        top,
        x1,
        bottom,
        text,
        text_bottom=max((l.bottom for l in lines), default=None),
        line_height=max((l.size for l in lines), default=10.0) * 1.2,
        last_line_full=full,
    )
