"""``jixiao query`` against a warehouse loaded with the bundled samples (exports: test_export.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

import warehouse
from tests.test_report import build_sample_warehouse
from warehouse.report import QueryError, ReadOnlyQueryError, format_rows, query_text, run_query
from warehouse.report.query import _width


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
