"""``jixiao export``: every public view as files a finance office opens.

xlsx: Chinese headers (English names on a legend sheet), 万元 with two decimals, rates as %,
column widths, a frozen and filtered header, department and year on every sheet. CSV: UTF-8
with a BOM so Excel on a Chinese Windows reads it. Times are shown in the configured timezone
(the warehouse stores naive UTC); Parquet keeps the instant as TIMESTAMPTZ.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from core.clock import DEFAULT_TIMEZONE, to_local, zone_label
from warehouse import export_columns as columns_of
from warehouse.publish import open_readonly
from warehouse.schema import PUBLIC_VIEWS, literal, quote

EXPORT_FORMATS = ("parquet", "csv", "xlsx")
XLSX_MAX_ROWS = 1_048_576
WORKBOOK_NAME = "jixiao.xlsx"
LEGEND_SHEET = "字段说明"
_WIDTH_SAMPLE = 500


class ExportExists(FileExistsError):
    """The export would overwrite a file and ``force`` was not given."""


def targets(out: Path, fmt: str) -> list[Path]:
    """The files an export writes: one per view, or one workbook (``out`` may name it)."""
    if fmt == "xlsx":
        return [out if out.suffix.lower() == ".xlsx" else out / WORKBOOK_NAME]
    if out.exists() and not out.is_dir():
        raise ExportExists(f"{out} is a file; --out needs a folder for {fmt}")
    return [out / f"{view}.{fmt}" for view in PUBLIC_VIEWS]


def export(path: Path | str, out_dir: Path | str, fmt: str, tz: str = DEFAULT_TIMEZONE,
           force: bool = False) -> list[Path]:
    """Write every public view under ``out_dir``; refuses to overwrite unless ``force``."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    ZoneInfo(tz)  # an unknown zone fails before any file is written
    files = targets(Path(out_dir), fmt)
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise ExportExists(f"{existing[0]} exists; pass --force to overwrite")
    con = open_readonly(path)
    try:
        files[0].parent.mkdir(parents=True, exist_ok=True)
        if fmt == "xlsx":
            return [_write_xlsx(con, files[0], tz)]
        for view, target in zip(PUBLIC_VIEWS, files):
            if fmt == "csv":
                _write_csv(con, view, target, tz)
            else:
                _write_parquet(con, view, target)
        return files
    finally:
        con.close()


def _select(con: duckdb.DuckDBPyConnection, view: str, with_filing: bool = False) -> duckdb.DuckDBPyConnection:
    """The view's rows; ``with_filing`` puts department and year beside filing_id where it lacks them."""
    names = [d[0] for d in con.execute(f"SELECT * FROM {quote(view)} LIMIT 0").description]
    if not with_filing or "filing_id" not in names or "department" in names:
        return con.execute(f"SELECT * FROM {quote(view)}")
    rest = ", ".join(f"v.{quote(n)}" for n in names if n != "filing_id")
    context = "".join(f"f.{c}, " for c in ("department", "fiscal_year") if c not in names)
    return con.execute(
        f"SELECT v.filing_id, {context}{rest} "
        f"FROM {quote(view)} v LEFT JOIN filings f ON f.filing_id = v.filing_id"
    )


def _write_csv(con: duckdb.DuckDBPyConnection, view: str, target: Path, tz: str) -> None:
    cursor = _select(con, view)
    names = [d[0] for d in cursor.description]
    stamps = [i for i, d in enumerate(cursor.description) if "TIMESTAMP" in str(d[1])]
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            while batch := cursor.fetchmany(10_000):
                for row in batch:
                    row = list(row)
                    for i in stamps:
                        if row[i] is not None:
                            row[i] = to_local(row[i], tz).isoformat(sep=" ")
                    writer.writerow(["" if v is None else plain(v) if isinstance(v, (list, dict)) else v
                                     for v in row])
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_parquet(con: duckdb.DuckDBPyConnection, view: str, target: Path) -> None:
    described = con.execute(f"SELECT * FROM {quote(view)} LIMIT 0").description
    select = ", ".join(
        f"timezone('UTC', {quote(d[0])}) AS {quote(d[0])}" if str(d[1]) == "TIMESTAMP" else quote(d[0])
        for d in described
    )
    con.execute(f"COPY (SELECT {select} FROM {quote(view)}) TO {literal(str(target))} (FORMAT parquet)")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_xlsx(con: duckdb.DuckDBPyConnection, target: Path, tz: str) -> Path:
    import xlsxwriter

    options = {
        "constant_memory": True,
        # Labels and URLs are data: never let "=..." become a formula or a URL a hyperlink.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
    }
    tmp = target.with_name(f".{target.name}.tmp")
    workbook = xlsxwriter.Workbook(str(tmp), options)
    try:
        formats = {
            "amount": workbook.add_format({"num_format": "#,##0.00"}),
            "rate": workbook.add_format({"num_format": "0.00%"}),
            "time": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        }
        legend: list[tuple[str, str, str, str]] = []
        for view in PUBLIC_VIEWS:
            count = con.execute(f"SELECT count(*) FROM {quote(view)}").fetchall()[0][0]
            if count + 1 > XLSX_MAX_ROWS:
                raise ValueError(f"view {view} has {count} rows, more than a worksheet holds; export parquet or csv")
            sheet_name = columns_of.SHEETS.get(view, view)
            legend += _write_sheet(con, workbook.add_worksheet(sheet_name), view, formats, tz)
        _write_legend(workbook.add_worksheet(LEGEND_SHEET), legend, formats["header"])
        workbook.close()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _comments(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'", [view]
    ).fetchall()
    return {name: comment or "" for name, comment in rows}


def _write_sheet(con, sheet, view: str, formats: dict, tz: str) -> list[tuple[str, str, str, str]]:
    sample = _select(con, view, with_filing=True).fetchmany(_WIDTH_SAMPLE)
    cursor = _select(con, view, with_filing=True)
    names = [d[0] for d in cursor.description]
    kinds = [columns_of.kind(view, n, str(d[1]), names) for n, d in zip(names, cursor.description)]
    unit_at = names.index("unit") if "unit" in names else None
    headers = [columns_of.header(view, n) + (f"（{zone_label(tz)}）" if k == "time" else "")
               for n, k in zip(names, kinds)]
    for col, title in enumerate(headers):
        shown = [display_width(_shown(row[col])) for row in sample]
        sheet.set_column(col, col, min(60, max(8, display_width(title) + 2, *(w + 2 for w in shown))))
    sheet.set_row(0, 32)
    sheet.write_row(0, 0, headers, formats["header"])
    sheet.freeze_panes(1, 0)
    row_number = 1
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            unit = row[unit_at] if unit_at is not None else None
            for col, value in enumerate(row):
                if value is not None:
                    _write_cell(sheet, row_number, col, value, kinds[col], unit, formats, tz)
            row_number += 1
    sheet.autofilter(0, 0, max(row_number - 1, 1), len(names) - 1)
    comments = {**_comments(con, "filings"), **_comments(con, view)}
    sheet_name = columns_of.SHEETS.get(view, view)
    return [(sheet_name, h, n, comments.get(n, "")) for h, n in zip(headers, names)]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)[:80]


def plain(value) -> str:
    """A list or record cell as text a spreadsheet shows: ``a; b``, or a record's filled fields ``table=2 row=3``."""
    if isinstance(value, dict):
        return " ".join(f"{k}={plain(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return "; ".join(plain(v) for v in value)
    return str(value)


def _write_cell(sheet, row: int, col: int, value, kind: str | None, unit: str | None, formats: dict, tz: str) -> None:
    if kind == "by_unit":
        kind = {"万元": "amount", "%": "rate"}.get(unit or "")
    if kind == "time":
        sheet.write_datetime(row, col, to_local(value, tz).replace(tzinfo=None), formats["time"])
    elif kind == "date":
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats["date"])
    elif kind == "rate" and isinstance(value, (int, float)):
        sheet.write_number(row, col, value / 100, formats["rate"])
    elif kind == "amount" and isinstance(value, (int, float)):
        sheet.write_number(row, col, value, formats["amount"])
    elif isinstance(value, (list, tuple, dict)):
        sheet.write_string(row, col, plain(value))
    else:
        sheet.write(row, col, value)


def _write_legend(sheet, legend: list[tuple[str, str, str, str]], header_format) -> None:
    """Sheet, Chinese header, English column name (the SQL name) and its meaning."""
    sheet.write_row(0, 0, ["工作表", "列名", "英文列名（SQL）", "含义"], header_format)
    for number, entry in enumerate(legend, start=1):
        sheet.write_row(number, 0, entry)
    for col, width in enumerate((14, 24, 26, 90)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(legend), 1), 3)
