"""Offline OCR of a PDF page (scanned, or with a garbled text layer) into tables and lines.

The page is rendered with pypdfium2; ruling lines are found with OpenCV morphology (long
thin runs of dark pixels), the table cells are the blank regions they enclose, and the
rules are erased before OCR so that a detected text box never runs across a cell border.
rapidocr-onnxruntime carries its ONNX models in the wheel: nothing is downloaded.
Coordinates are returned in PDF points, like pdfplumber's, so the PDF assembler treats
OCR'd pages like the others (with low_confidence set on their tables).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from core.text import clean_text
from extractors.pdf.layout import Cell, Line, TablePart, lines_to_cell_text

DPI = 200
# A page may declare any size up to 14400 pt square: at 200 dpi that is a 1.6 GB bitmap.
# Renders are scaled down to at most this many pixels (A3 at 200 dpi is 7.8 million).
MAX_PIXELS = 16_000_000
_SPACED_NUMBER = re.compile(r"(?<=[\d.,，])\s+(?=[\d.,，%])")
# "1、公务用车" is read as "1公务用车": the enumeration comma is too light for the model.
# A count or date ("2023年", "3次") keeps its unit character.
_LOST_ENUM_COMMA = re.compile(r"^(\d{1,2})(?=[\u4e00-\u9fff])(?![年月日万元个人次项名件分期天倍])")
_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    pass


@dataclass
class OcrPage:
    width: float  # points
    height: float
    tables: list[TablePart] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Box:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    score: float


def engine():
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except Exception as error:  # ImportError, or onnxruntime failing to load
                raise OcrUnavailable(f"rapidocr-onnxruntime not importable: {error}") from error
            _engine = RapidOCR()
        return _engine


def render_page(path: Path, index: int, dpi: int = DPI):
    """(grayscale PIL image, page width pt, page height pt) of page ``index``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        page = document[index]
        width, height = page.get_size()
        scale = min(dpi / 72, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
        page.close()
        return image, width, height
    finally:
        document.close()


def ocr_pdf_page(path: Path, index: int, dpi: int = DPI) -> OcrPage:
    import time

    started = time.perf_counter()
    image, width, height = render_page(path, index, dpi)
    # points per pixel from the image actually rendered (a huge page is rendered smaller)
    result = ocr_image(image, scale=width / max(1, image.width), width=width, height=height, page=index + 1)
    result.seconds = time.perf_counter() - started
    return result


def ruling_cells(gray) -> tuple[list[tuple[int, int, int, int]], list[list[tuple[int, int, int, int]]], object]:
    """(table boxes, cell boxes per table, line mask) from the ruling lines of a page image."""
    import cv2
    import numpy as np

    height, width = gray.shape
    ink = (gray < 160).astype(np.uint8) * 255
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, width // 40), 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, height // 60))))
    mask = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    tables, cells = [], []
    for k in range(1, count):
        x, y, w, h, _area = stats[k]
        if w < width * 0.2 or h < 20:
            continue
        region = mask[y : y + h, x : x + w]
        blank = (region == 0).astype(np.uint8)
        n, _, cstats, _ = cv2.connectedComponentsWithStats(blank, connectivity=4)
        boxes = []
        for j in range(1, n):
            cx, cy, cw, ch, carea = cstats[j]
            touches = cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h
            if touches or cw < 6 or ch < 6 or carea < 0.5 * cw * ch:
                continue
            boxes.append((x + cx - 1, y + cy - 1, x + cx + cw + 1, y + cy + ch + 1))
        if boxes:
            tables.append((x, y, x + w, y + h))
            cells.append(boxes)
    return tables, cells, mask


def ocr_image(image, scale: float, width: float, height: float, page: int = 1) -> OcrPage:
    """OCR a page image; ``scale`` converts pixels to points."""
    import numpy as np

    gray = np.array(image.convert("L"))
    tables, cells, mask = ruling_cells(gray)
    clean = gray.copy()
    clean[mask > 0] = 255  # rules erased: text boxes stop at cell borders
    try:
        found, _ = engine()(clean)
    except OcrUnavailable:
        raise
    except Exception as error:  # onnxruntime failures at inference time
        raise OcrUnavailable(f"OCR failed: {type(error).__name__}: {error}") from error
    boxes = []
    for points, text, score in found or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(_Box(min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale, text, float(score)))
    boxes = _split_at_cell_borders(boxes, [tuple(v * scale for v in c) for t in cells for c in t])
    result = OcrPage(width=width, height=height)
    used: set[int] = set()
    for table_cells in cells:
        part_cells = []
        for x0, y0, x1, y1 in table_cells:
            box = (x0 * scale, y0 * scale, x1 * scale, y1 * scale)
            inside = [
                i
                for i, b in enumerate(boxes)
                if i not in used and box[0] <= (b.x0 + b.x1) / 2 <= box[2] and box[1] <= (b.top + b.bottom) / 2 <= box[3]
            ]
            used.update(inside)
            lines = boxes_to_lines([boxes[i] for i in inside])
            text, full = lines_to_cell_text(lines, box[0], box[2])
            part_cells.append(
                Cell(
                    *box,
                    text=_fix_numbers(text),
                    text_bottom=max((l.bottom for l in lines), default=None),
                    line_height=max((l.size for l in lines), default=10.0) * 1.2,
                    last_line_full=full,
                )
            )
        result.tables.append(TablePart(page, part_cells, "ocr", low_confidence=True))
    result.lines = boxes_to_lines([b for i, b in enumerate(boxes) if i not in used])
    return result


def boxes_to_lines(boxes: list[_Box]) -> list[Line]:
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        for row in rows:
            ref = row[0]
            if abs((ref.top + ref.bottom) / 2 - middle) < (ref.bottom - ref.top) * 0.5:
                row.append(box)
                break
        else:
            rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        text = ""
        for prev, box in zip([None] + row[:-1], row):
            piece = clean_text(box.text).strip()
            if prev is not None:
                piece = piece[_overlap_repeat(prev, box, text, piece):]
            if prev is not None and text[-1:].isascii() and text[-1:].isalpha() and piece[:1].isascii() and piece[:1].isalpha():
                text += " "
            text += piece
        size = max(b.bottom - b.top for b in row)
        first = row[0]
        first_width = (first.x1 - first.x0) / max(1, len(first.text))
        lines.append(
            Line(
                min(b.x0 for b in row),
                min(b.top for b in row),
                max(b.x1 for b in row),
                max(b.bottom for b in row),
                text,
                size,
                first_width,
            )
        )
    lines = [line for line in lines if line.text]
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines


def _split_at_cell_borders(boxes: list[_Box], cells: list[tuple[float, float, float, float]]) -> list[_Box]:
    """A box the detector ran across a ruling line (the lines are erased before OCR) is split
    there: `分值评分` over the 分值 and 评分 columns is two cells' text, not one cell's. The
    characters are taken as evenly spaced, each going to the cell under its centre."""
    out = []
    for box in boxes:
        n = len(box.text)
        middle = (box.top + box.bottom) / 2
        step = (box.x1 - box.x0) / max(1, n)
        row = sorted((c for c in cells if c[1] <= middle <= c[3] and min(c[2], box.x1) - max(c[0], box.x0) > step * 1.5),
                     key=lambda c: c[0])
        if n < 2 or len(row) < 2:
            out.append(box)
            continue
        pieces: dict[int, list[int]] = {}
        for i in range(n):
            centre = box.x0 + (i + 0.5) * step
            k = min(range(len(row)), key=lambda j: 0 if row[j][0] <= centre <= row[j][2] else
                    min(abs(centre - row[j][0]), abs(centre - row[j][2])))
            pieces.setdefault(k, []).append(i)
        if any(len(indices) < 2 for indices in pieces.values()):
            out.append(box)  # a character or so over a line is the box's slack, not another cell's text
            continue
        for k in sorted(pieces):
            first, last = pieces[k][0], pieces[k][-1]
            text = box.text[first:last + 1].strip()
            if text:
                out.append(_Box(box.x0 + first * step, box.top, box.x0 + (last + 1) * step, box.bottom, text, box.score))
    return out


def _overlap_repeat(prev: _Box, box: _Box, text: str, piece: str) -> int:
    """How many leading characters of ``piece`` the box before it already read.

    The detector can cut one printed run into two boxes that overlap by a character or
    two; each box reads the shared characters (`1084` + `4800` printed as 1084800)."""
    overlap = prev.x1 - box.x0
    if overlap <= 0 or not piece or not prev.text:
        return 0
    width = ((prev.x1 - prev.x0) + (box.x1 - box.x0)) / max(1, len(prev.text) + len(box.text))
    if overlap < width * 0.3:  # boxes of two runs side by side touch at most by their padding
        return 0
    shared = max(1, round(overlap / width))
    for count in (shared, shared - 1):
        if 1 <= count < len(piece) and text.endswith(piece[:count]):
            return count
    return 0


def _fix_numbers(text: str) -> str:
    """OCR puts spaces into digit runs (``1, 2 3 4.5``); a number has none."""
    return _LOST_ENUM_COMMA.sub(r"\1、", _SPACED_NUMBER.sub("", text))
