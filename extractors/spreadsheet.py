"""Workbooks (.xlsx via openpyxl, .xls via xlrd): one RawTable per table block per sheet.

Cells are read as printed: a number is formatted with its display format (1 shown as
``100.00%``), merged ranges keep their text at the top-left with ``None`` over the rest,
hidden rows and columns are skipped. A sheet holds titles, forms and notes: bordered rows
are the form (or, on a sheet without any borders, rows with two or more filled cells), the
other text rows are paragraphs.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from core.records import Extraction, ExtractionError, Paragraph, RawTable
from extractors.sniff import ZIP_ERRORS


@dataclass
class SheetGrid:
    """A sheet reduced to what the layout needs; rows/cols are visible ones only."""

    name: str
    text: list[list[str]]
    bordered: list[list[bool]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    uncomputed: set[tuple[int, int]] = field(default_factory=set)  # formulas without a cached value


def extract(path: Path, name: str) -> Extraction:
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(8)
    kind = "xlsx" if head.startswith(b"PK") else "xls"
    grids, warnings = _read_xlsx(path) if kind == "xlsx" else _read_xls(path)
    extraction = Extraction(source=name, doc_format=kind, warnings=warnings)
    order = 0
    for grid in grids:
        order = _layout(grid, extraction, order, method=kind)
    return extraction


# --- number formats ---------------------------------------------------------------


_QUOTED = re.compile(r'"([^"]*)"')
_BRACKETS = re.compile(r"\[[^\]]*\]")


def number_to_text(value: float | int, fmt: str | None) -> str:
    """``value`` as Excel prints it with format ``fmt`` (the common report formats)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (fmt or "General").split(";")[0]
    if fmt in ("General", "@", ""):
        return _general(value)
    literals = _QUOTED.findall(fmt)
    core = _BRACKETS.sub("", _QUOTED.sub("", fmt)).replace("\\", "").replace("_", "").replace("*", "")
    if not any(ch in core for ch in "0#?"):
        return _general(value)
    percent = "%" in core
    number = value * 100 if percent else value
    integer_part, _, fraction = core.partition(".")
    decimals = sum(1 for ch in fraction if ch in "0#?")
    optional = sum(1 for ch in fraction if ch == "#")
    text = f"{number:,.{decimals}f}" if "," in integer_part else f"{number:.{decimals}f}"
    if optional and "." in text:
        keep = decimals - optional
        while text.endswith("0") and len(text.split(".")[1]) > keep:
            text = text[:-1]
        text = text.rstrip(".")
    prefix = "".join(literals[:1]) if fmt.lstrip().startswith('"') else ""
    suffix = "".join(literals[1:] if prefix else literals)
    return prefix + text + ("%" if percent else "") + suffix


def _general(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.11g}" if abs(value) >= 1e-4 else f"{value:.15g}"
    return str(value)


def _date_to_text(value: dt.datetime | dt.date | dt.time, fmt: str | None) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if fmt and "年" in fmt:
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.datetime) and (value.hour or value.minute):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


# --- .xlsx --------------------------------------------------------------------------


def _formula_sheets(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as member:
                        chunk = member.read(8 << 20)
                    if b"<f>" in chunk or b"<f " in chunk:
                        return True
    except ZIP_ERRORS as error:
        raise ExtractionError("corrupt_xlsx", f"{path.name}: {error}") from error
    return False


_SIDES = ("left", "right", "top", "bottom")


def _read_xlsx(path: Path) -> tuple[list[SheetGrid], list[str]]:
    """Each visible sheet as openpyxl's full load would show it, at a third of its cost.

    ``load_workbook`` spends 60% of a report workbook's load in ``bind_merged_cells`` (it gives
    every merged range's cells the range's border objects, hashed and compared one by one), and
    read-only mode gives no merged ranges or hidden rows. So the workbook is opened read-only
    (shared strings, styles) and each sheet is parsed once with openpyxl's own sheet parser,
    which collects the cells, merged ranges and row/column dimensions; what the full load does
    with them (merged-away cells empty, the range's borders on its edge cells) is done here.
    """
    import openpyxl

    from extractors.ooxml_guard import check_zip

    check_zip(path, "xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False) if _formula_sheets(path) else None
        try:
            return _read_books(book, formulas)
        finally:
            book.close()
            if formulas is not None:
                formulas.close()
    except ExtractionError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise ExtractionError("corrupt_xlsx", f"{path.name}: {type(error).__name__}: {error}") from error


@dataclass
class _Sheet:
    """One parsed sheet: cells by (row, column) as (value, style id), merges, hidden rows/columns."""

    cells: dict[tuple[int, int], tuple[object, int]]
    merges: list[tuple[int, int, int, int]]  # r0, c0, r1, c1 inclusive, in the file's order
    hidden_rows: set[int]
    hidden_cols: set[int]


def _parse_sheet(sheet) -> _Sheet:
    from openpyxl.utils import column_index_from_string
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser  # the parser both load modes use
    from openpyxl.worksheet.dimensions import ColumnDimension, RowDimension

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        cells = {(c["row"], c["column"]): (c["value"], c["style_id"]) for _, row in parser.parse() for c in row}
    merges = []
    if parser.merged_cells:
        for merged in parser.merged_cells.mergeCell:
            c0, r0, c1, r1 = range_boundaries(merged.ref)
            merges.append((r0, c0, r1, c1))
    # the dimension classes convert hidden="0"/"false"/"1" as the full load does
    hidden_rows = {int(r) for r, attrs in parser.row_dimensions.items()
                   if RowDimension(sheet, **{k: v for k, v in attrs.items() if k != "s"}).hidden}
    hidden_cols: set[int] = set()
    for key, attrs in parser.column_dimensions.items():
        dim = ColumnDimension(sheet, **{k: v for k, v in attrs.items() if k != "style"})
        if dim.hidden:
            start = column_index_from_string(key)
            hidden_cols.update(range(min(dim.min or start, start), max(dim.max or start, start) + 1))
    return _Sheet(cells, merges, hidden_rows, hidden_cols)


def _read_books(book, formulas) -> tuple[list[SheetGrid], list[str]]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.utils import get_column_letter

    styles = book._cell_styles

    def sides(style_id: int) -> set[str]:
        border = book._borders[styles[style_id].borderId]
        # an empty <border/> reads as sides of None (the full load's reader raised on them)
        return {name for name in _SIDES if getattr(getattr(border, name), "style", None)}

    def number_format(style_id: int) -> str:
        number = styles[style_id].numFmtId
        if number < BUILTIN_FORMATS_MAX_SIZE:
            return BUILTIN_FORMATS.get(number, "General")
        return book._number_formats[number - BUILTIN_FORMATS_MAX_SIZE]

    grids, warnings = [], []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        parsed = _parse_sheet(sheet)
        cells = parsed.cells
        border_of = {coord: sides(style) for coord, (_, style) in cells.items()}
        merged_away: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in parsed.merges:
            # As openpyxl's MergedCellRange: the top-left cell takes the bottom-right cell's right
            # and bottom borders; the other cells become empty, and those on an edge get the
            # top-left's border of that edge.
            start = border_of.setdefault((r0, c0), set())
            start |= border_of.get((r1, c1), set()) & {"right", "bottom"}
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) == (r0, c0):
                        continue
                    merged_away.add((r, c))
                    edges = {name for name, on in (("top", r == r0), ("bottom", r == r1), ("left", c == c0),
                                                    ("right", c == c1)) if on}
                    border_of[(r, c)] = start & edges
        formula_cells = _parse_sheet(formulas[sheet.title]).cells if formulas is not None else {}
        max_row = max((r for r, _ in border_of), default=1)
        max_col = max((c for _, c in border_of), default=1)
        rows = [r for r in range(1, max_row + 1) if r not in parsed.hidden_rows]
        cols = [c for c in range(1, max_col + 1) if c not in parsed.hidden_cols]
        row_at = {r: i for i, r in enumerate(rows)}
        col_at = {c: i for i, c in enumerate(cols)}
        text = [["" for _ in cols] for _ in rows]
        bordered = [[False for _ in cols] for _ in rows]
        uncomputed: set[tuple[int, int]] = set()
        for (r, c), edges in border_of.items():
            if r in row_at and c in col_at:
                bordered[row_at[r]][col_at[c]] = bool(edges)
        for (r, c), (value, style) in cells.items():
            if r not in row_at or c not in col_at or (r, c) in merged_away:
                continue
            if value is None:
                formula = formula_cells.get((r, c), (None, 0))[0]
                if isinstance(formula, str) and formula.startswith("="):
                    uncomputed.add((row_at[r], col_at[c]))
                continue
            text[row_at[r]][col_at[c]] = _cell_text(value, number_format(style))
        # warnings in the full load's order: row by row, column by column
        for r, c in sorted(uncomputed):
            row, col = rows[r], cols[c]
            warnings.append(
                f"sheet {sheet.title} {get_column_letter(col)}{row}: formula {formula_cells[(row, col)][0]} has no"
                " cached value (saved without calculation); cell left empty"
            )
        merges = []
        for r0, c0, r1, c1 in parsed.merges:
            vis_r = [row_at[r] for r in range(r0, r1 + 1) if r in row_at]
            vis_c = [col_at[c] for c in range(c0, c1 + 1) if c in col_at]
            if vis_r and vis_c:
                merges.append((vis_r[0], vis_c[0], vis_r[-1], vis_c[-1]))
                # the border of a merged range is drawn on its edge cells only
                for rr in vis_r:
                    for cc in vis_c:
                        bordered[rr][cc] = bordered[rr][cc] or bordered[vis_r[0]][vis_c[0]]
        grids.append(SheetGrid(sheet.title, text, bordered, merges, uncomputed))
    return grids, warnings


def _cell_text(value: object, fmt: str | None) -> str:
    if isinstance(value, str):
        return value.strip("\r")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date_to_text(value, fmt)
    if isinstance(value, (int, float)):
        return number_to_text(value, fmt)
    return str(value)


# --- .xls -----------------------------------------------------------------------------


def _read_xls(path: Path) -> tuple[list[SheetGrid], list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct.error ...
        raise ExtractionError("corrupt_xls", f"{path.name}: {type(error).__name__}: {error}") from error
    grids: list[SheetGrid] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if getattr(sheet, "visibility", 0):
                continue
            rows = [r for r in range(sheet.nrows) if not getattr(sheet.rowinfo_map.get(r), "hidden", 0)]
            cols = [c for c in range(sheet.ncols) if not getattr(sheet.colinfo_map.get(c), "hidden", 0)]
            row_at = {r: i for i, r in enumerate(rows)}
            col_at = {c: i for i, c in enumerate(cols)}
            text = [["" for _ in cols] for _ in rows]
            bordered = [[False for _ in cols] for _ in rows]
            for r in rows:
                for c in cols:
                    cell = sheet.cell(r, c)
                    xf = book.xf_list[cell.xf_index]
                    b = xf.border
                    bordered[row_at[r]][col_at[c]] = bool(
                        b.left_line_style or b.right_line_style or b.top_line_style or b.bottom_line_style
                    )
                    fmt = book.format_map.get(xf.format_key)
                    fmt_str = fmt.format_str if fmt else None
                    if cell.ctype == xlrd.XL_CELL_TEXT:
                        text[row_at[r]][col_at[c]] = cell.value
                    elif cell.ctype == xlrd.XL_CELL_NUMBER:
                        text[row_at[r]][col_at[c]] = number_to_text(cell.value, fmt_str)
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                        text[row_at[r]][col_at[c]] = _date_to_text(value, fmt_str)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        text[row_at[r]][col_at[c]] = "TRUE" if cell.value else "FALSE"
            merges = []
            for r0, r1, c0, c1 in sheet.merged_cells:  # xlrd: half-open ranges
                vis_r = [row_at[r] for r in range(r0, r1) if r in row_at]
                vis_c = [col_at[c] for c in range(c0, c1) if c in col_at]
                if vis_r and vis_c:
                    merges.append((vis_r[0], vis_c[0], vis_r[-1], vis_c[-1]))
                    for rr in vis_r:
                        for cc in vis_c:
                            bordered[rr][cc] = bordered[rr][cc] or bordered[vis_r[0]][vis_c[0]]
            grids.append(SheetGrid(sheet.name, text, bordered, merges))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids, []


# --- layout: tables and paragraphs ------------------------------------------------------


def _layout(grid: SheetGrid, extraction: Extraction, order: int, method: str) -> int:
    covered: dict[tuple[int, int], None] = {}
    for r0, c0, r1, c1 in grid.merges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = None
    any_border = any(any(row) for row in grid.bordered)

    def filled(r: int) -> int:
        return sum(
            1
            for c, t in enumerate(grid.text[r])
            if (t.strip() or (r, c) in grid.uncomputed) and (r, c) not in covered
        )

    def is_table_row(r: int) -> bool:
        return any(grid.bordered[r]) if any_border else filled(r) >= 2

    n = len(grid.text)
    r = 0
    while r < n:
        if not is_table_row(r):
            if filled(r):
                line = " ".join(t.strip() for t in grid.text[r] if t.strip())
                extraction.paragraphs.append(Paragraph(text=line, source=extraction.source, order=order))
                order += 1
            r += 1
            continue
        start = r
        while r < n and (
            is_table_row(r)
            # a borderless sheet: a one-cell row between two table rows still belongs to the form
            or (not any_border and filled(r) == 1 and r + 1 < n and is_table_row(r + 1))
        ):
            r += 1
        order = _emit_table(grid, covered, start, r, extraction, order, method)
    return order


def _emit_table(grid, covered, start, stop, extraction, order, method) -> int:
    used = [
        c
        for c in range(len(grid.text[0]) if grid.text else 0)
        if any(grid.text[r][c].strip() or grid.bordered[r][c] or (r, c) in grid.uncomputed for r in range(start, stop))
    ]
    if not used:
        return order
    c_lo, c_hi = used[0], used[-1]
    rows: list[list[str | None]] = []
    for r in range(start, stop):
        rows.append([None if (r, c) in covered else grid.text[r][c] for c in range(c_lo, c_hi + 1)])
    extraction.tables.append(
        RawTable(
            source=extraction.source,
            index=len(extraction.tables),
            rows=rows,
            order=order,
            sheet=grid.name,
            method=method,
        )
    )
    return order + 1
