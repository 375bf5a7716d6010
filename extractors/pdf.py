"""PDF reports: ruled tables and narrative with pdfplumber, scanned or garbled pages by OCR.

Per page: a cheap pypdfium2 pass decides what the page is (no text + a big image: scanned;
no ruling and no column-like text: no table finding); pdfplumber (NFKC) then finds ruled
tables, falling back to text alignment. Our own grid builder turns cell boxes into the
RawTable layout (spans as None), joins wrapped lines in a cell, and stitches a table that
runs onto the next page (a repeated header is dropped; a row split by the page break is
one row). Text outside tables becomes paragraphs, without running headers and page numbers.
Pages whose text layer is garbled ((cid:N), private-use or radical code points) go to OCR
with a warning instead of producing wrong facts.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.records import Extraction, ExtractionError, Paragraph, RawTable
from core.text import clean_text

GARBLED_SHARE = 0.10  # bad characters above this share of a page's text: the text layer lies
SCANNED_IMAGE_SHARE = 0.5  # an image covering half the page and no text: a scan
MAX_EDGES = 20_000  # pages drawn with tens of thousands of tiny rects stall table finding
# Beyond this many drawn objects (pdfium's cheap count) pdfminer's layout pass alone takes
# seconds to minutes per page: the page is skipped, reported incomplete, never parsed.
MAX_PAGE_PATHS = 25_000
ZONE = 0.07  # top/bottom share of the page where running headers and page numbers live

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|[-—–]\s*\d+\s*[-—–]|page\s*\d+)[-—–\s]*$", re.I)
_DIGITS = re.compile(r"\d+")
_CID = re.compile(r"\(cid:\d+\)")
# how an item of a form starts: 1、 (一) 其中 ...; a new row, not the rest of a cut one
_ITEM_START = re.compile(r"^\s*([(（]?[一二三四五六七八九十\d]+[)）、.．]|其中|合计|小计|总计)")


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
        return _cluster([v for c in self.cells for v in (c.top, c.bottom)])


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
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
    xs = _cluster([v for c in cells for v in (c.x0, c.x1)])
    ys = _cluster([v for c in cells for v in (c.top, c.bottom)])
    owner: dict[tuple[int, int], int] = {}
    texts: list[str] = []
    anchors: list[tuple[int, int]] = []
    full: list[bool] = []
    for cell in sorted(cells, key=lambda c: (c.top, c.x0)):
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
class _Block:
    page: int
    top: float
    kind: str  # table, line, zone
    table: TablePart | None = None
    line: Line | None = None
    page_height: float = 0.0
    right_limit: float = 0.0
    left_margin: float = 0.0


@dataclass
class _State:
    warnings: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    scanned_pages: int = 0
    text_pages: int = 0
    ocr_pages: int = 0


def extract(path: Path, name: str) -> Extraction:
    path = Path(path)
    _check_header(path, name)
    normalised = _unrotated_copy(path)
    try:
        state = _read(normalised or path, name)
    finally:
        if normalised is not None:
            normalised.unlink(missing_ok=True)
    if normalised is not None:
        state.warnings.append("rotated pages normalised to upright before extraction")
    scanned = state.scanned_pages + state.ocr_pages > 0 and state.text_pages == 0
    extraction = Extraction(source=name, doc_format="pdf-scanned" if scanned else "pdf", warnings=state.warnings)
    _assemble(state, extraction)
    return extraction


def _check_header(path: Path, name: str) -> None:
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise ExtractionError("not_a_pdf", f"{name}: no %PDF- header")


def _has_eof(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 2048))
        return b"%%EOF" in handle.read()


def _classify(error: BaseException, path: Path, name: str) -> ExtractionError:
    inner = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    kind = type(inner).__name__
    message = str(inner)
    if "Password" in kind or "Encrypt" in kind or "password" in message.lower():
        return ExtractionError("encrypted", f"{name}: needs a password ({kind})")
    if not _has_eof(path) or kind in ("PSEOF",) or "EOF" in message:
        return ExtractionError("truncated", f"{name}: file ends early ({kind}: {message})")
    if "No /Root" in message or "really a PDF" in message:
        return ExtractionError("not_a_pdf", f"{name}: {message}")
    return ExtractionError("parse_error", f"{name}: {kind}: {message}")


def _unrotated_copy(path: Path) -> Path | None:
    """A copy with every /Rotate reset: pdfplumber reads rotated pages transposed."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None  # pdfplumber will classify the damage
    try:
        rotated = [page for page in document if page.get_rotation()]
        if not rotated:
            return None
        for page in rotated:
            page.set_rotation(0)
        handle = tempfile.NamedTemporaryFile(prefix="jixiao-unrot-", suffix=".pdf", delete=False)
        with handle:
            document.save(handle)
        return Path(handle.name)
    finally:
        document.close()


def _read(path: Path, name: str) -> _State:
    import pdfplumber
    import pypdfium2 as pdfium

    state = _State()
    try:
        pdf = pdfplumber.open(path, unicode_norm="NFKC")
        page_count = len(pdf.pages)
    except Exception as error:  # pdfminer raises many kinds; classify them
        raise _classify(error, path, name) from error
    try:
        cheap = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        cheap = None
    try:
        for index in range(page_count):
            try:
                page = pdf.pages[index]
                _read_page(page, index, cheap, path, state)
            except ExtractionError:
                raise
            except Exception as error:
                if index == 0:
                    raise _classify(error, path, name) from error
                state.warnings.append(f"p.{index + 1}: unreadable page ({type(error).__name__}: {error})")
                if not _has_eof(path):
                    state.warnings.append(f"file is truncated after page {index}")
                    break
            finally:
                try:
                    pdf.pages[index].close()
                except Exception:
                    pass
    finally:
        pdf.close()
        if cheap is not None:
            cheap.close()
    return state


def _cheap_view(cheap, index: int) -> tuple[int, float, int, bool]:
    """(chars, largest image share of the page, path objects, column-like text) via pdfium."""
    if cheap is None:
        return -1, 0.0, -1, True
    import pypdfium2.raw as pdfium_c

    page = cheap[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        chars = textpage.count_chars()
        paths = 0
        image_share = 0.0
        for obj in page.get_objects(max_depth=2):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths += 1
            elif obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                left, bottom, right, top = obj.get_bounds()
                image_share = max(image_share, (right - left) * (top - bottom) / (width * height))
        columns = _text_has_columns(textpage) if paths < 4 and chars else False
        textpage.close()
        return chars, image_share, paths, columns
    finally:
        page.close()


def _text_has_columns(textpage) -> bool:
    """Several lines made of runs half an inch apart or more: a borderless table.

    Prose lines are runs too (pdfium splits at font and punctuation changes) but their
    gaps are narrow."""
    rects = sorted((textpage.get_rect(i) for i in range(textpage.count_rects())), key=lambda r: (r[1] + r[3]) / 2)
    lines: list[list[tuple[float, float]]] = []
    centre = None
    for left, bottom, right, top in rects:
        middle = (bottom + top) / 2
        if centre is None or abs(middle - centre) > 2:
            lines.append([])
            centre = middle
        lines[-1].append((left, right))
    wide = 0
    for runs in lines:
        runs.sort()
        reach = runs[0][1]
        for left, right in runs[1:]:
            if left - reach > 36:
                wide += 1
                break
            reach = max(reach, right)
    return wide >= 3


def _read_page(page, index: int, cheap, path: Path, state: _State) -> None:
    number = index + 1
    chars_cheap, image_share, paths, columns = _cheap_view(cheap, index)
    if paths > MAX_PAGE_PATHS:
        state.warnings.append(
            f"incomplete: p.{number}: {paths} drawn objects (over {MAX_PAGE_PATHS}); page skipped unparsed"
        )
        return
    if chars_cheap == 0:
        if image_share >= SCANNED_IMAGE_SHARE or paths > 0:
            state.scanned_pages += 1
            _ocr_page(path, index, page, state, reason="scanned page (no text layer)")
        return
    if not (paths >= 4 or columns or chars_cheap < 0):
        # A page that cannot hold a table: its lines come from pdfium's text layer, ~50x
        # cheaper than pdfminer's layout analysis (the bulk of a long report is prose).
        chars = _cheap_chars(cheap, index, float(page.height))
        if text_quality("".join(c["text"] for c in chars)) >= 1 - GARBLED_SHARE:
            state.text_pages += 1
            _add_lines(state, number, chars_to_lines(chars), float(page.width), float(page.height))
            return
    page = page.dedupe_chars(tolerance=1)
    raw_text = "".join(c["text"] for c in page.chars)
    quality = text_quality(raw_text)
    if quality < 1 - GARBLED_SHARE:
        state.warnings.append(
            f"p.{number}: garbled CJK text (text quality {quality:.2f}: (cid:N)/private-use/radical characters), routed to OCR"
        )
        state.ocr_pages += 1
        _ocr_page(path, index, page, state, reason="garbled text layer")
        return
    state.text_pages += 1
    parts: list[TablePart] = []
    may_hold_table = paths >= 4 or columns or chars_cheap < 0
    if may_hold_table and len(page.edges) <= MAX_EDGES:
        parts = _find_tables(page, number)
    elif len(page.edges) > MAX_EDGES:
        state.warnings.append(f"p.{number}: {len(page.edges)} drawn edges; table finding skipped")
    boxes = [(p.x0 - 1, p.top - 1, p.x1 + 1, p.bottom + 1) for p in parts]
    outside = [
        c
        for c in page.chars
        if not any(b[0] <= (c["x0"] + c["x1"]) / 2 <= b[2] and b[1] <= (c["top"] + c["bottom"]) / 2 <= b[3] for b in boxes)
    ]
    for part in parts:
        state.blocks.append(_Block(number, part.top, "table", table=part, page_height=float(page.height)))
    _add_lines(state, number, chars_to_lines(outside), float(page.width), float(page.height))


def _add_lines(state: _State, number: int, lines: list[Line], width: float, height: float) -> None:
    left_margin = min((l.x0 for l in lines), default=72.0)
    right_limit = width - left_margin
    for line in lines:
        zone = line.top < height * ZONE or line.bottom > height * (1 - ZONE)
        state.blocks.append(
            _Block(
                number,
                line.top,
                "zone" if zone else "line",
                line=line,
                page_height=height,
                right_limit=right_limit,
                left_margin=left_margin,
            )
        )


def _cheap_chars(cheap, index: int, height: float) -> list[dict]:
    """The page's characters from pdfium, shaped like pdfplumber's (top-left origin).

    Normalised like pdfplumber's NFKC open, radicals mapped, and fake-bold doubles dropped
    (the same glyph drawn twice at one position), as ``dedupe_chars`` does.
    """
    import pypdfium2.raw as pdfium_c

    page = cheap[index]
    textpage = page.get_textpage()
    try:
        chars, seen = [], set()
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            if code in (0, 0x0A, 0x0D, 0xFFFE, 0xFFFF) or pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
                continue
            text = clean_text(chr(code))
            left, bottom, right, top = textpage.get_charbox(i)
            key = (text, round(left), round(height - top))
            if not text or key in seen:
                continue
            seen.add(key)
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) or (top - bottom)
            chars.append({"text": text, "x0": left, "x1": right, "top": height - top, "bottom": height - bottom,
                          "size": size, "upright": True})
        return chars
    finally:
        textpage.close()
        page.close()


def _find_tables(page, number: int) -> list[TablePart]:
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


def _ocr_page(path: Path, index: int, page, state: _State, reason: str) -> None:
    from extractors import ocr

    number = index + 1
    try:
        result = ocr.ocr_pdf_page(path, index)
    except ocr.OcrUnavailable as error:
        state.warnings.append(f"p.{number}: {reason}; OCR unavailable ({error}), page text not read")
        return
    height = result.height
    for part in result.tables:
        part.page = number
        state.blocks.append(_Block(number, part.top, "table", table=part, page_height=height))
    left_margin = min((l.x0 for l in result.lines), default=72.0)
    for line in result.lines:
        state.blocks.append(
            _Block(number, line.top, "line", line=line, page_height=height, right_limit=result.width - left_margin, left_margin=left_margin)
        )
    state.warnings.append(f"p.{number}: {reason}; read by OCR ({len(result.tables)} tables, low confidence)")


# --- assembling pages into a document ------------------------------------------------------


def _assemble(state: _State, extraction: Extraction) -> None:
    blocks = _drop_running_lines(state.blocks)
    blocks.sort(key=lambda b: (b.page, b.top, 0 if b.kind == "table" else 1))
    items: list[list] = []  # ["table", [TablePart, ...]] | ["para", [line _Block, ...]]
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
                Paragraph(text=_join_lines(item), source=extraction.source, order=order, page=item[0].page)
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


def _join_lines(lines: list[_Block]) -> str:
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


def _drop_running_lines(blocks: list[_Block]) -> list[_Block]:
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


def _line_was_full(previous: _Block, following: Line) -> bool:
    """The line ends where the next line's first unbreakable piece would not have fitted."""
    token = _LEAD_TOKEN.match(following.text)
    piece = token.group(0) if token else following.text[:1]
    width = sum(following.size * (0.55 if ch.isascii() else 1.0) for ch in piece)
    return previous.line.x1 + width >= previous.right_limit - 2


def _same_paragraph(previous: _Block, block: _Block) -> bool:
    a, b = previous.line, block.line
    if block.page != previous.page:
        # a paragraph running over the page break: the last line of the page was full
        return _line_was_full(previous, b) and abs(b.x0 - block.left_margin) < b.size * 0.8
    gap = b.top - a.bottom
    if gap > max(a.size, b.size) * 1.2:
        return False
    indented = b.x0 - previous.left_margin > b.size * 0.8
    return _line_was_full(previous, b) and not indented


def _is_orphan_of(block: _Block, table: TablePart) -> bool:
    """A line inside one column of ``table``: the rest of a row the page break cut."""
    line = block.line
    columns = _cluster([v for c in table.cells for v in (c.x0, c.x1)])
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
    owners = []
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
        if owner.text_bottom is None or owner.bottom - owner.text_bottom > owner.line_height * 0.6 + 1:
            return False
        if not owner.last_line_full and cell.text[:1] not in "，。、；：,.;:)）”":
            return False  # its last line stops short: the text ended there, it was not cut
        owners.append(owner)
    if owners and all(o.bottom - o.top >= o.line_height * 1.8 for o in owners):
        return True
    filled_before = sum(1 for o in ending if o.text)
    if len(first) >= filled_before:
        return False
    if any(_ITEM_START.match(c.text) for c in first):
        return False
    return not any(o.text.rstrip()[-1:] in tuple("。.;；:：") for o in owners)


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
            last_bounds = _cluster([v for c in cells for v in (c.top, c.bottom)])
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
