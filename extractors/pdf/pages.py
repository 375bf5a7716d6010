"""Reading a PDF page by page: what each page is (cheap pypdfium2 pass), its lines and tables."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.records import Extraction, ExtractionError
from core.text import clean_text
from extractors.pdf.layout import Block, Line, ReadState, TablePart, chars_to_lines, text_quality
from extractors.pdf.stitching import assemble
from extractors.pdf.tables import find_tables

GARBLED_SHARE = 0.10  # bad characters above this share of a page's text: the text layer lies
SCANNED_IMAGE_SHARE = 0.5  # an image covering half the page and no text: a scan
MAX_EDGES = 20_000  # pages drawn with tens of thousands of tiny rects stall table finding
# Beyond this many drawn objects (pdfium's cheap count) pdfminer's layout pass alone takes
# seconds to minutes per page: the page is skipped, reported incomplete, never parsed.
MAX_PAGE_PATHS = 25_000
ZONE = 0.07  # top/bottom share of the page where running headers and page numbers live


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
    assemble(state, extraction)
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


def _read(path: Path, name: str) -> ReadState:
    import pdfplumber
    import pypdfium2 as pdfium

    state = ReadState()
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


def _read_page(page, index: int, cheap, path: Path, state: ReadState) -> None:
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
        parts = find_tables(page, number)
    elif len(page.edges) > MAX_EDGES:
        state.warnings.append(f"p.{number}: {len(page.edges)} drawn edges; table finding skipped")
    boxes = [(p.x0 - 1, p.top - 1, p.x1 + 1, p.bottom + 1) for p in parts]
    outside = [
        c
        for c in page.chars
        if not any(b[0] <= (c["x0"] + c["x1"]) / 2 <= b[2] and b[1] <= (c["top"] + c["bottom"]) / 2 <= b[3] for b in boxes)
    ]
    for part in parts:
        state.blocks.append(Block(number, part.top, "table", table=part, page_height=float(page.height)))
    _add_lines(state, number, chars_to_lines(outside), float(page.width), float(page.height))


def _add_lines(state: ReadState, number: int, lines: list[Line], width: float, height: float) -> None:
    left_margin = min((l.x0 for l in lines), default=72.0)
    right_limit = width - left_margin
    for line in lines:
        zone = line.top < height * ZONE or line.bottom > height * (1 - ZONE)
        state.blocks.append(
            Block(
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


def _ocr_page(path: Path, index: int, page, state: ReadState, reason: str) -> None:
    from extractors.pdf import ocr

    number = index + 1
    try:
        result = ocr.ocr_pdf_page(path, index)
    except ocr.OcrUnavailable as error:
        state.warnings.append(f"p.{number}: {reason}; OCR unavailable ({error}), page text not read")
        return
    height = result.height
    for part in result.tables:
        part.page = number
        state.blocks.append(Block(number, part.top, "table", table=part, page_height=height))
    left_margin = min((l.x0 for l in result.lines), default=72.0)
    for line in result.lines:
        state.blocks.append(
            Block(number, line.top, "line", line=line, page_height=height, right_limit=result.width - left_margin,
                  left_margin=left_margin, low_confidence=True)
        )
    state.warnings.append(f"p.{number}: {reason}; read by OCR ({len(result.tables)} tables, low confidence)")
