"""``jixiao query`` and ``jixiao export`` against a warehouse loaded with the bundled samples."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

import warehouse
from tests.test_report import build_sample_warehouse
from warehouse.report import (
    QueryError, ReadOnlyQueryError, _width, format_rows, query_text, run_query,
)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("warehouse"))


def view_rows(db: Path, view: str, cast: str = "") -> tuple[list[str], list[tuple]]:
    select = "COLUMNS(*)::VARCHAR" if cast == "varchar" else "*"
    return warehouse.query(db, f"SELECT {select} FROM {view}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- query ---------------------------------------------------------------------------------

SUMMARY_SQL = """
SELECT s.department, s.fiscal_year, s.total_score, s.error_flags, st.over_quota,
       f.published_at, i.detected_at, [i.rule, i.severity] AS pair
FROM filing_summary s
JOIN staffing st USING (filing_id)
JOIN filings f USING (filing_id)
LEFT JOIN (SELECT filing_id, min(detected_at) AS detected_at, min(rule) AS rule, min(severity) AS severity
           FROM inconsistencies GROUP BY filing_id) i USING (filing_id)
ORDER BY s.fiscal_year, s.filing_id
"""


def test_json_round_trips(sample_db):
    columns, rows = run_query(sample_db, SUMMARY_SQL)
    records = json.loads(format_rows(columns, rows, "json"))
    assert len(records) == len(rows) == 5
    for record, row in zip(records, rows):
        assert list(record) == columns
        for value, original in zip(record.values(), row):
            if isinstance(original, (datetime, date)):
                assert type(original).fromisoformat(value) == original
            elif isinstance(original, list):
                assert value == original
            else:
                assert value == original
    assert any("株洲市芦淞区" in (r["department"] or "") and r["over_quota"] is True for r in records)


def test_csv_parses_back(sample_db):
    columns, rows = run_query(sample_db, SUMMARY_SQL)
    parsed = list(csv.reader(io.StringIO(format_rows(columns, rows, "csv"))))
    assert parsed[0] == columns
    assert len(parsed) == len(rows) + 1
    for line, row in zip(parsed[1:], rows):
        for text, original in zip(line, row):
            if original is None:
                assert text == ""
            elif isinstance(original, float):
                assert float(text) == original
            elif isinstance(original, bool):
                assert text == str(original)
            elif isinstance(original, int):
                assert int(text) == original
            elif isinstance(original, datetime):
                assert datetime.fromisoformat(text) == original
            elif isinstance(original, list):
                assert json.loads(text) == original
            else:
                assert text == str(original)


def test_table_lines_up_chinese_text(sample_db):
    columns, rows = run_query(sample_db, "SELECT department, fiscal_year, total_score FROM filing_summary "
                                         "ORDER BY fiscal_year, filing_id")
    text = format_rows(columns, rows, "table")
    lines = text.splitlines()
    assert lines[0].split(" | ")[0].strip() == "department"
    assert lines[-1] == "(5 rows)"
    # Every separator sits in the same terminal column, CJK characters counting two.
    body = [line for line in lines[:-1] if " | " in line]
    positions = {tuple(_width(line[:i]) for i in range(len(line)) if line.startswith(" | ", i)) for line in body}
    assert len(positions) == 1
    assert "NULL" in text or all(r[2] is not None for r in rows)
    assert any("株洲市芦淞区" in line for line in lines)


def test_empty_result_and_unknown_format(sample_db):
    columns, rows = run_query(sample_db, "SELECT * FROM filings WHERE false")
    assert json.loads(format_rows(columns, rows, "json")) == []
    assert next(csv.reader(io.StringIO(format_rows(columns, rows, "csv")))) == columns
    assert format_rows(columns, rows, "table").endswith("(0 rows)\n")
    with pytest.raises(ValueError, match="table, csv, json"):
        format_rows(columns, rows, "xml")
    with pytest.raises(ValueError, match="table, csv, json"):
        query_text(sample_db, "SELECT 1", "yaml")


def test_non_finite_numbers_are_json_null():
    text = format_rows(["x", "y"], [(float("nan"), float("inf"))], "json")
    assert json.loads(text) == [{"x": None, "y": None}]


def test_query_text_runs_documented_example(sample_db):
    out = query_text(sample_db, "SELECT department, fiscal_year, authorized, actual, computed_control_rate\n"
                                "FROM staffing WHERE over_quota ORDER BY computed_control_rate DESC;", "json")
    rows = json.loads(out)
    assert [(r["authorized"], r["actual"], r["computed_control_rate"]) for r in rows] == [
        (21.0, 35.0, 166.67), (24.0, 38.0, 158.33)]


@pytest.mark.parametrize("sql", [
    "DELETE FROM facts_t",
    "INSERT INTO filings_t (filing_id) VALUES ('x')",
    "UPDATE inconsistencies_t SET severity = 'info'",
    "DROP VIEW filings",
    "CREATE TABLE mine AS SELECT * FROM filings",
    "ALTER TABLE runs ADD COLUMN x INTEGER",
    "COPY (SELECT * FROM filings) TO '/tmp/jixiao-query-copy.csv'",
    "ATTACH '/tmp/jixiao-query-other.duckdb' AS other",
    "SET threads = 1",
])
def test_write_statements_are_refused(sample_db, sql):
    before = digest(sample_db)
    with pytest.raises(ReadOnlyQueryError, match="read-only"):
        run_query(sample_db, sql)
    assert digest(sample_db) == before
    assert not Path("/tmp/jixiao-query-copy.csv").exists()


def test_one_statement_at_a_time(sample_db):
    with pytest.raises(QueryError, match="exactly one"):
        run_query(sample_db, "SELECT 1; DELETE FROM facts_t")
    with pytest.raises(QueryError, match="does not parse"):
        run_query(sample_db, "SELEC * FROM filings")


def test_statements_that_pass_the_check_cannot_write(sample_db):
    # CALL and PRAGMA pass the statement check; on the read-only connection they change nothing.
    before = digest(sample_db)
    for sql in ("CHECKPOINT", "CALL checkpoint()", "PRAGMA force_checkpoint"):
        run_query(sample_db, sql)
    assert run_query(sample_db, "PRAGMA table_info('filings')")[1][0][1] == "filing_id"
    assert digest(sample_db) == before
    assert not Path(f"{sample_db}.wal").exists()


def test_query_errors_and_missing_warehouse(sample_db, tmp_path):
    with pytest.raises(duckdb.CatalogException):
        run_query(sample_db, "SELECT * FROM no_such_view")
    with pytest.raises(warehouse.WarehouseMissing):
        run_query(tmp_path / "none.duckdb", "SELECT 1")


# --- export --------------------------------------------------------------------------------


def test_parquet_export_holds_the_views(sample_db, tmp_path):
    written = warehouse.export(sample_db, tmp_path / "pq", "parquet")
    assert sorted(p.stem for p in written) == sorted(warehouse.PUBLIC_VIEWS)
    con = duckdb.connect()
    try:
        for path in written:
            columns, rows = view_rows(sample_db, path.stem)
            cursor = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
            assert [d[0] for d in cursor.description] == columns
            assert sorted(cursor.fetchall(), key=repr) == sorted(rows, key=repr), path.stem
    finally:
        con.close()


def test_csv_export_holds_the_views(sample_db, tmp_path):
    written = warehouse.export(sample_db, tmp_path / "csv", "csv")
    assert sorted(p.stem for p in written) == sorted(warehouse.PUBLIC_VIEWS)
    for path in written:
        columns, rows = view_rows(sample_db, path.stem, cast="varchar")
        with path.open(newline="", encoding="utf-8") as handle:
            parsed = list(csv.reader(handle))
        assert parsed[0] == columns
        expected = [["" if v is None else v for v in row] for row in rows]
        assert sorted(parsed[1:]) == sorted(expected), path.stem
    flags = (tmp_path / "csv" / "inconsistencies.csv").read_text(encoding="utf-8")
    assert "145.83" in flags and "164.03" in flags


def _cell(value):
    # Excel keeps timestamps to the millisecond and has no integer type.
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _close(a, b) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs((a - b).total_seconds()) < 0.002
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def test_xlsx_export_holds_the_views(sample_db, tmp_path):
    (workbook_path,) = warehouse.export(sample_db, tmp_path / "xlsx", "xlsx")
    workbook = openpyxl.load_workbook(workbook_path, read_only=True)
    try:
        assert workbook.sheetnames == list(warehouse.PUBLIC_VIEWS)
        for view in warehouse.PUBLIC_VIEWS:
            columns, rows = view_rows(sample_db, view)
            sheet = list(workbook[view].iter_rows(values_only=True))
            assert list(sheet[0]) == columns
            got = [tuple(_cell(v) for v in row) for row in sheet[1:]]
            want = [tuple(_cell(v) for v in row) for row in rows]
            assert len(got) == len(want), view
            got.sort(key=repr)
            want.sort(key=repr)
            for g, w in zip(got, want):
                assert all(_close(a, b) for a, b in zip(g, w)), (view, g, w)
    finally:
        workbook.close()


def test_export_leaves_the_warehouse_untouched(sample_db, tmp_path):
    before = digest(sample_db)
    for fmt in ("parquet", "csv", "xlsx"):
        warehouse.export(sample_db, tmp_path / fmt, fmt)
    assert digest(sample_db) == before
    with pytest.raises(ValueError, match="parquet, csv, xlsx"):
        warehouse.export(sample_db, tmp_path / "x", "json")
