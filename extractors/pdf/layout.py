"""The geometry the PDF and OCR paths share: cells, table parts, text lines, and the grid builder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import clean_text

_CID = re.compile(r"\(cid:\d+\)")


# --- geometry shared with the OCR path ----------------------------------------------------


@dataclass
class Cell:
    """A table cell's box on the page, and its text as printed."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    text_bottom: float | None = None  # bottom of the last text line
    line_height: float = 10.0
    last_line_full: bool = False  # the last line reaches the right edge: text was cut there


@dataclass
class TablePart:
    """The piece of a table printed on one page."""

    page: int
    cells: list[Cell]
    method: str
    synthetic_top: bool = False  # no rule above the first row: a row split by the page break
    low_confidence: bool = False
    page_height: float = 0.0

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.cells)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.cells)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.cells)

    def first_row(self) -> list[Cell]:
        top = self.top
        return [c for c in self.cells if abs(c.top - top) < 2]

    def row_boundaries(self) -> list[float]:
        return cluster([v for c in self.cells for v in (c.top, c.bottom)])


def cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tolerance:
            continue
        out.append(v)
    return out


def _index(bounds: list[float], value: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))


def cells_to_grid(cells: list[Cell]) -> list[list[str | None]]:
    """Cell boxes -> layout grid. Two boxes starting at one grid position (a row split
    across pages) are one cell: the later text is appended to the earlier."""
    if not cells:
        return []
    xs = cluster([v for c in cells for v in (c.x0, c.x1)])
    ys = cluster([v for c in cells for v in (c.top, c.bottom)])
    owner: dict[tuple[int, int], int] = {}
    texts: list[str] = []
    anchors: list[tuple[int, int]] = []
    full: list[bool] = []
    # by grid position, then as given: the rest of a row cut by a page comes after its start
    # even where its top, moved onto that row, lands a little above the start's own top
    for cell in sorted(cells, key=lambda c: (_index(ys, c.top), _index(xs, c.x0))):
        r0, r1 = _index(ys, cell.top), _index(ys, cell.bottom)
        c0, c1 = _index(xs, cell.x0), _index(xs, cell.x1)
        r1, c1 = max(r1, r0 + 1), max(c1, c0 + 1)
        if (r0, c0) in owner:
            k = owner[(r0, c0)]
            if cell.text:
                joiner = "" if full[k] or not texts[k] else "\n"
                texts[k] = texts[k] + joiner + cell.text
                full[k] = cell.last_line_full
        else:
            k = len(texts)
            texts.append(cell.text)
            anchors.append((r0, c0))
            full.append(cell.last_line_full)
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), k)
    height, width = len(ys) - 1, len(xs) - 1
    grid: list[list[str | None]] = [["" for _ in range(width)] for _ in range(height)]
    for (r, c), k in owner.items():
        if r < height and c < width:
            grid[r][c] = texts[k] if anchors[k] == (r, c) else None
    reached = {r for r, _ in owner}
    return [row for r, row in enumerate(grid) if r in reached]


def text_quality(text: str) -> float:
    """Share of characters that are real text: 1.0 clean, 0.0 all (cid:N)/private-use."""
    cids = len(_CID.findall(text))
    rest = _CID.sub("", text)
    visible = [ch for ch in rest if not ch.isspace()]
    bad = cids + sum(
        1
        for ch in visible
        if "\ue000" <= ch <= "\uf8ff" or "\u2e80" <= ch <= "\u2fdf" or ch == "\ufffd" or "\U000f0000" <= ch
    )
    total = cids + len(visible)
    return 1.0 if total == 0 else 1.0 - bad / total


@dataclass
class Line:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float
    first_char_width: float


def chars_to_lines(chars: list[dict]) -> list[Line]:
    """Group characters into printed lines (top to bottom, left to right)."""
    upright = [c for c in chars if c.get("upright", True)]
    rotated = [c for c in chars if not c.get("upright", True)]
    lines: list[list[dict]] = []
    for char in sorted(upright, key=lambda c: (round(c["top"]), c["x0"])):
        size = char.get("size") or (char["bottom"] - char["top"]) or 10
        for line in lines:
            ref = line[0]
            if abs((ref["top"] + ref["bottom"]) / 2 - (char["top"] + char["bottom"]) / 2) < size * 0.5:
                line.append(char)
                break
        else:
            lines.append([char])
    out = [_make_line(sorted(line, key=lambda c: c["x0"])) for line in lines]
    if rotated:
        # Text set sideways (a vertical side label): read each column top to bottom.
        columns: list[list[dict]] = []
        for char in sorted(rotated, key=lambda c: (round(c["x0"]), c["top"])):
            for column in columns:
                if abs(column[0]["x0"] - char["x0"]) < (char.get("size") or 10) * 0.5:
                    column.append(char)
                    break
            else:
                columns.append([char])
        for column in columns:
            column.sort(key=lambda c: c["top"])
            text = "".join(c["text"] for c in column)
            out.append(
                Line(
                    min(c["x0"] for c in column),
                    min(c["top"] for c in column),
                    max(c["x1"] for c in column),
                    max(c["bottom"] for c in column),
                    text,
                    column[0].get("size") or 10,
                    0.0,
                )
            )
    out = [line for line in out if line.text.strip()]
    out.sort(key=lambda l: (round(l.top), l.x0))
    return out


def _make_line(chars: list[dict]) -> Line:
    parts = []
    previous = None
    for char in chars:
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            size = char.get("size") or 10
            if gap > size * 0.5 and previous["text"] != " " and char["text"] != " ":
                parts.append(" ")  # a visible gap without a space glyph (justified or tabbed)
        parts.append(char["text"])
        previous = char
    first = chars[0]
    return Line(
        x0=min(c["x0"] for c in chars),
        top=min(c["top"] for c in chars),
        x1=max(c["x1"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        text=clean_text("".join(parts)).strip(),
        size=max((c.get("size") or 10) for c in chars),
        first_char_width=first["x1"] - first["x0"],
    )


def lines_to_cell_text(lines: list[Line], x0: float, x1: float) -> tuple[str, bool]:
    """Join a cell's lines: a line that filled the cell wrapped (joined without a break);
    a short line ended where the writer pressed Enter (kept as a line break)."""
    if not lines:
        return "", False
    pad = max(0.5, min(line.x0 - x0 for line in lines))
    limit = x1 - pad
    text = lines[0].text
    for previous, line in zip(lines, lines[1:]):
        next_width = line.first_char_width or line.size
        wrapped = previous.x1 + next_width > limit - 1.0
        if wrapped:
            glue = " " if previous.text[-1:].isascii() and previous.text[-1:].isalpha() and line.text[:1].isalpha() and line.text[:1].isascii() else ""
        else:
            glue = "\n"
        text += glue + line.text
    last = lines[-1]
    # kinsoku (no line may start with 、，。) can end a full line up to two characters early
    return text, last.x1 + last.size * 2.2 > limit - 1.0


# --- the document ----------------------------------------------------------------------


@dataclass
class Block:
    page: int
    top: float
    kind: str  # table, line, zone
    table: TablePart | None = None
    line: Line | None = None
    page_height: float = 0.0
    right_limit: float = 0.0
    left_margin: float = 0.0
    low_confidence: bool = False  # an OCR'd line


@dataclass
class ReadState:
    warnings: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    scanned_pages: int = 0
    text_pages: int = 0
    ocr_pages: int = 0
