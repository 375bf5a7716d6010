"""``jixiao export`` on a warehouse loaded with the bundled samples: files a finance office opens."""

from __future__ import annotations

import csv
import hashlib
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import pytest

import warehouse
from tests.test_report import build_sample_warehouse
from warehouse import export_columns
from warehouse.export import LEGEND_SHEET, ExportExists, plain

ROOT = Path(__file__).resolve().parents[1]
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
BEIJING = timedelta(hours=8)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("warehouse"))


@pytest.fixture(scope="module")
def workbook(sample_db, tmp_path_factory):
    (path,) = warehouse.export(sample_db, tmp_path_factory.mktemp("xlsx"), "xlsx")
    book = openpyxl.load_workbook(path)
    yield book
    book.close()


def view(db: Path, name: str, order: str = "ALL") -> tuple[list[str], list[tuple]]:
    return warehouse.query(db, f'SELECT * FROM "{name}" ORDER BY {order}')


def sheet_rows(book, name: str) -> tuple[list[str], list[tuple]]:
    rows = list(book[export_columns.SHEETS[name]].iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- xlsx ----------------------------------------------------------------------------------


def test_every_view_is_a_sheet_with_chinese_headers_and_a_legend(workbook):
    assert workbook.sheetnames == [export_columns.SHEETS[v] for v in warehouse.PUBLIC_VIEWS] + [LEGEND_SHEET]
    legend = {(r[0], r[1]): r[2] for r in list(workbook[LEGEND_SHEET].iter_rows(values_only=True))[1:]}
    for name in warehouse.PUBLIC_VIEWS:
        headers, _ = sheet_rows(workbook, name)
        sheet = export_columns.SHEETS[name]
        # Every column has a Chinese header, and the legend gives back its SQL name.
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers), (name, headers)
        english = [legend[(sheet, h)] for h in headers]
        assert len(set(english)) == len(english), name
        if "filing_id" in english:
            assert {"department", "fiscal_year"} <= set(english), f"{name} lacks department or year"


def test_header_is_frozen_and_filtered_and_columns_have_widths(workbook):
    for name in warehouse.PUBLIC_VIEWS:
        sheet = workbook[export_columns.SHEETS[name]]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        width = sheet.column_dimensions["A"].width
        assert width and width >= 8, name
    message = workbook[export_columns.SHEETS["inconsistencies"]]
    headers = [c.value for c in message[1]]
    column = openpyxl.utils.get_column_letter(headers.index("说明") + 1)
    assert message.column_dimensions[column].width > 30  # long Chinese messages get room


def test_amounts_have_two_decimals_and_rates_are_percent(sample_db, workbook):
    sheet = workbook[export_columns.SHEETS["facts"]]
    headers = [c.value for c in sheet[1]]
    at = {h: i for i, h in enumerate(headers)}
    seen = set()
    for row in sheet.iter_rows(min_row=2):
        value, unit = row[at["数值"]], row[at["单位"]].value
        if value.value is None:
            continue
        if unit == "万元":
            assert value.number_format == "#,##0.00"
            seen.add(unit)
        elif unit == "%":
            assert value.number_format == "0.00%"
            seen.add(unit)
    assert seen == {"万元", "%"}
    # A rate keeps its value: 60% printed is 0.6 formatted as a percent.
    _, rows = view(sample_db, "staffing", "filing_id")
    _, got = sheet_rows(workbook, "staffing")
    printed = sorted(r[6] for r in rows if r[6] is not None)
    assert 60.0 in printed
    headers, _ = sheet_rows(workbook, "staffing")
    assert sorted(g[headers.index("填报控制率")] for g in got if g[headers.index("填报控制率")] is not None) == [
        pytest.approx(p / 100) for p in printed]


def test_cells_hold_the_views_values_and_times_are_beijing(sample_db, workbook):
    for name in warehouse.PUBLIC_VIEWS:
        columns, rows = view(sample_db, name)
        headers, got = sheet_rows(workbook, name)
        assert len(got) == len(rows), name
        legend = {r[1]: r[2] for r in workbook[LEGEND_SHEET].iter_rows(values_only=True)
                  if r[0] == export_columns.SHEETS[name]}
        picked = [headers.index(next(h for h in headers if legend[h] == c)) for c in columns]
        key = lambda r: tuple(str(v) for v in r)  # noqa: E731 - a sort key
        for w, g in zip(sorted(rows, key=key), sorted((tuple(r[i] for i in picked) for r in got), key=key)):
            for column, want, cell in zip(columns, w, g):
                assert _same(name, column, want, cell, dict(zip(columns, w))), (name, column, want, cell)
    headers, _ = sheet_rows(workbook, "inconsistencies")
    assert "发现时间（北京时间）" in headers


def _same(name, column, want, cell, row) -> bool:
    if want is None:
        return cell is None
    if isinstance(want, datetime):
        return abs(((want + BEIJING) - cell).total_seconds()) < 0.002
    if isinstance(want, float):
        kind = export_columns.kind(name, column, "DOUBLE", list(row))
        if kind == "by_unit":
            kind = {"万元": "amount", "%": "rate"}.get(row.get("unit") or "")
        return cell == pytest.approx(want / 100 if kind == "rate" else want)
    if isinstance(want, (list, dict)):
        return cell == plain(want)
    if hasattr(want, "year") and not isinstance(want, datetime):
        return cell.date() == want
    return cell == want


# --- csv and parquet -----------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_holds_the_views_in_beijing_time(sample_db, tmp_path):
    written = warehouse.export(sample_db, tmp_path / "csv", "csv")
    assert sorted(p.stem for p in written) == sorted(warehouse.PUBLIC_VIEWS)
    for path in written:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
        columns, rows = warehouse.query(sample_db, f'SELECT * FROM "{path.stem}"')
        with path.open(newline="", encoding="utf-8-sig") as handle:
            parsed = list(csv.reader(handle))
        assert parsed[0] == columns
        assert len(parsed) == len(rows) + 1, path.stem
    flags = list(csv.DictReader((tmp_path / "csv" / "inconsistencies.csv").open(encoding="utf-8-sig")))
    stamps = [r["detected_at"] for r in flags]
    assert stamps and all(s.endswith("+08:00") for s in stamps)
    _, rows = warehouse.query(sample_db, "SELECT min(detected_at) FROM inconsistencies")
    assert min(datetime.fromisoformat(s) for s in stamps).replace(tzinfo=None) - BEIJING == rows[0][0]
    assert any(r["printed"] == "164.03" and r["computed"] == "145.83" for r in flags)


def test_parquet_keeps_the_instants(sample_db, tmp_path):
    written = warehouse.export(sample_db, tmp_path / "pq", "parquet")
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        for path in written:
            view_sql = f'SELECT * FROM "{path.stem}"'
            file_sql = f"SELECT * FROM read_parquet('{path}')"
            for a, b in ((view_sql, file_sql), (file_sql, view_sql)):
                assert con.execute(f"{a} EXCEPT ALL {b}").fetchall() == [], path.stem
        kinds = dict(con.execute(f"DESCRIBE SELECT * FROM read_parquet('{tmp_path / 'pq' / 'filings.parquet'}')")
                     .fetchall()[i][:2] for i in range(13))
        assert kinds["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    finally:
        con.close()


# --- overwriting ---------------------------------------------------------------------------


def test_an_existing_file_is_kept_unless_forced(sample_db, tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the office's own file")
    with pytest.raises(ExportExists, match="book.xlsx exists; pass --force"):
        warehouse.export(sample_db, target, "xlsx")
    assert target.read_bytes() == b"the office's own file"
    warehouse.export(sample_db, target, "xlsx", force=True)
    assert openpyxl.load_workbook(target, read_only=True).sheetnames[0] == export_columns.SHEETS["filings"]
    before = digest(sample_db)
    warehouse.export(sample_db, tmp_path / "again", "csv")
    with pytest.raises(ExportExists):
        warehouse.export(sample_db, tmp_path / "again", "csv")
    assert digest(sample_db) == before, "an export never writes the warehouse"
    with pytest.raises(ValueError, match="parquet, csv, xlsx"):
        warehouse.export(sample_db, tmp_path / "x", "json")


def test_cli_refuses_an_existing_file_in_one_line(sample_db, tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_text("keep me")
    done = subprocess.run([str(JIXIAO), "export", "--format", "xlsx", "--out", str(target), "--db", str(sample_db)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2  # a user mistake (README: exit codes)
    assert "Traceback" not in done.stderr + done.stdout
    assert "exists; pass --force to overwrite" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert target.read_text() == "keep me"
    forced = subprocess.run([str(JIXIAO), "export", "--format", "csv", "--out", str(target), "--db", str(sample_db),
                             "--force"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert forced.returncode == 2 and "is a file; --out needs a folder for csv" in forced.stderr
