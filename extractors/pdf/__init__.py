"""PDF reports: ruled tables and narrative with pdfplumber, scanned or garbled pages by OCR.

Per page: a cheap pypdfium2 pass decides what the page is (no text + a big image: scanned;
no ruling and no column-like text: no table finding); pdfplumber (NFKC) then finds ruled
tables, falling back to text alignment. Our own grid builder turns cell boxes into the
RawTable layout (spans as None), joins wrapped lines in a cell, and stitches a table that
runs onto the next page (a repeated header is dropped; a row split by the page break is
one row). Text outside tables becomes paragraphs, without running headers and page numbers.
Pages whose text layer is garbled ((cid:N), private-use or radical code points) go to OCR
with a warning instead of producing wrong facts.

Modules, in reading order: ``pages`` (what each page is, its lines), ``tables`` (finding a
page's tables and cells), ``ocr`` (scanned or garbled pages), ``stitching`` (pages into one
document), all on the shared geometry of ``layout``. None imports ``pages``: no cycle.
"""

from extractors.pdf.layout import Cell, Line, TablePart, cells_to_grid, chars_to_lines, lines_to_cell_text, text_quality
from extractors.pdf.pages import extract
from extractors.pdf.stitching import stitch

__all__ = [
    "Cell", "Line", "TablePart", "cells_to_grid", "chars_to_lines", "extract", "lines_to_cell_text", "stitch",
    "text_quality",
]
