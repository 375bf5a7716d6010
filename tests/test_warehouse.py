"""Warehouse loading and the SPEC §5 views, on real DuckDB files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from core.regions import region_of
from core.records import (
    CanonicalReport,
    Document,
    Extraction,
    Fact,
    Filing,
    FilingResult,
    Flag,
    Indicator,
    Location,
    UnmappedLabel,
)
from warehouse import PUBLIC_VIEWS, Warehouse, query, schema

SPEC_COLUMNS = {
    "filings": [
        "filing_id", "source_url", "portal", "department", "region", "fiscal_year", "doc_format", "sha256",
        "published_at", "fetched_at", "status", "error", "grade", "unit_id",
    ],
    "facts": [
        "filing_id", "form", "subject", "item", "column", "value", "unit", "source_label", "match_score",
        "location",
    ],
    "indicators": [
        "filing_id", "form", "subject", "level1", "level2", "level3", "target", "actual", "max_score", "score",
        "note",
    ],
    "inconsistencies": [
        "filing_id", "rule", "severity", "message", "expected", "actual", "detected_at",
        # added later: SPEC §5 only ever adds columns
        "needs_review", "weakest_match", "location", "subject", "unit", "fingerprint", "printed", "computed",
        "limit_value", "item", "columns", "place", "evidence", "weakest_method", "inferred",
        "decision", "decided_by", "decided_at", "review_note",
    ],
    "units": ["unit_id", "name", "region", "budget_code", "names_seen", "filing_count", "first_year", "last_year"],
    "filing_versions": ["filing_id", "version", "sha256", "fetched_at", "superseded_at", "is_current"],
}

PARSER = "p1"


def make_doc(tmp_path: Path, name: str, content: str) -> Document:
    path = tmp_path / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return Document.from_path(path, source_url=f"http://example.gov.cn/files/{name}")


def fact(item, column, value, form="basic_data", subject=None, unit="万元", label=None) -> Fact:
    return Fact(
        form=form, subject=subject, item=item, column=column, value=value, unit=unit,
        source_label=label or item, match_score=100.0, match_method="exact",
        location="附件2.docx table 1 row 3", raw_value="" if value is None else str(value),
    )


def make_result(tmp_path: Path, filing_id: str = "f1", final: float = 12.5, **overrides) -> FilingResult:
    """A filing shaped like seed 004: staffing over quota, a funds row, two flags."""
    doc = make_doc(tmp_path, f"{filing_id}-附件2.docx", f"{filing_id} three_public final {final}")
    html = make_doc(tmp_path, f"{filing_id}-page.html", f"{filing_id} article")
    filing = Filing(
        filing_id=filing_id,
        source_url=f"http://example.gov.cn/art/{filing_id}.html",
        documents=[doc],
        inline_html=html,
        portal="hunan-demo",
        region="湖南省某县",
        department=None,
        title="2023年度部门整体支出绩效自评报告",
        published_at="2024-04-30",
        fetched_at="2024-05-02T02:10:00+08:00",
    )
    facts = [
        fact("staffing.authorized", None, 21, unit="人", label="编制数"),
        fact("staffing.actual", None, 35, unit="人", label="实际在职人数"),
        fact("staffing.control_rate", None, 60.0, unit="%", label="控制率"),
        fact("three_public.total", "prior_final", 10.0, label="三公经费"),
        fact("three_public.total", "budget", 11.0, label="三公经费"),
        fact("three_public.total", "final", final, label="三公经费"),
        fact("project.line", "final", None, subject="人大代表活动经费", label="人大代表活动经费"),
        fact("funds.total", "initial_budget", 400.03, form="overall_eval"),
        fact("funds.total", "full_year_budget", 400.03, form="overall_eval"),
        fact("funds.total", "executed", 394.0, form="overall_eval"),
        fact("funds.total", "execution_rate", 100.0, form="overall_eval", unit="%"),
        fact("funds.total", "max_score", 10.0, form="overall_eval", unit="分"),
        fact("funds.total", "score", 98.0, form="overall_eval", unit="分"),
        fact("total_score", None, 95.5, form="overall_eval", unit="分"),
        fact("funds.total", "executed", 120.0, form="project_eval", subject="人大监督"),
    ]
    report = CanonicalReport(
        facts=facts,
        indicators=[
            Indicator("overall_eval", None, "产出指标", "数量指标", "召开常委会次数", "≥6次", "7次", 10.0, 10.0,
                      None, "附件3.docx table 1 row 9"),
        ],
        unmapped=[UnmappedLabel("basic_data", "其他费用", "附件2.docx table 1 row 20")],
        forms={"basic_data", "overall_eval"},
        fiscal_year=2023,
        department="某县人大常委会办公室",
        grade="优",
    )
    flags = [
        Flag("staffing_over_quota", "error", "实际在职人数35人超过编制数21人", printed=35.0, limit=21.0,
             location=Location(file="附件2.docx", table=1, row=3)),
        Flag("score_exceeds_max", "error", "资金得分98超过分值10", printed=98.0, limit=10.0),
    ]
    extractions = [
        Extraction(source=doc.name, doc_format="docx", warnings=["p.1: merged header"]),
        Extraction(source=html.name, doc_format="html"),
    ]
    result = FilingResult(filing=filing, status="ok", report=report, flags=flags, extractions=extractions)
    return dataclasses.replace(result, **overrides)


def table_rows(wh: Warehouse, table: str, filing_id: str | None = None) -> list[tuple]:
    where = f"WHERE filing_id = '{filing_id}'" if filing_id else ""
    return wh.con.execute(f"SELECT * FROM {table} {where} ORDER BY ALL").fetchall()


def counts(wh: Warehouse) -> dict[str, int]:
    return {t.name: wh.con.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0] for t in schema.FILING_TABLES}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "writer.duckdb"


def test_views_have_spec_columns_and_rows(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        assert wh.load_filing(make_result(tmp_path), run, PARSER) == "loaded"
        for view, columns in SPEC_COLUMNS.items():
            cursor = wh.con.execute(f"SELECT * FROM {view}")
            assert [d[0] for d in cursor.description] == columns
            assert cursor.fetchall(), view
        for view in schema.VIEWS:
            described = [r[0] for r in wh.con.execute(f'DESCRIBE "{view.name}"').fetchall()]
            assert described == view.column_names(), view.name

        filing = wh.con.execute("SELECT * FROM filings").fetchone()
        row = dict(zip(SPEC_COLUMNS["filings"], filing))
        assert row["department"] == "某县人大常委会办公室"  # from the report: the listing had none
        assert row["fiscal_year"] == 2023
        assert row["doc_format"] == "docx,html"
        assert row["grade"] == "优"
        assert str(row["published_at"]) == "2024-04-30"
        assert str(row["fetched_at"]) == "2024-05-01 18:10:00"  # +08:00 stored as UTC
        assert row["status"] == "ok" and row["error"] is None

        blank = wh.con.execute(
            "SELECT value FROM facts WHERE item = 'project.line' AND subject = '人大代表活动经费'"
        ).fetchone()
        assert blank == (None,)

        staffing = wh.con.execute(
            "SELECT authorized, actual, reported_control_rate, computed_control_rate, over_quota FROM staffing"
        ).fetchall()
        assert staffing == [(21.0, 35.0, 60.0, 166.67, True)]
        cost = wh.con.execute(
            "SELECT prior_final, budget, final, final_minus_budget FROM cost_control WHERE item = 'three_public.total'"
        ).fetchall()
        assert cost == [(10.0, 11.0, 12.5, 1.5)]
        funds = wh.con.execute(
            "SELECT form, subject, full_year_budget, executed, reported_execution_rate, computed_execution_rate "
            "FROM fund_execution ORDER BY form"
        ).fetchall()
        assert funds == [
            ("overall_eval", None, 400.03, 394.0, 100.0, 98.49),
            ("project_eval", "人大监督", None, 120.0, None, None),
        ]
        summary = wh.con.execute(
            "SELECT status, total_score, fact_count, indicator_count, unmapped_label_count, error_flags, "
            "warning_flags, info_flags FROM filing_summary"
        ).fetchall()
        assert summary == [("ok", 95.5, 15, 1, 1, 2, 0, 0)]
        docs = wh.con.execute("SELECT name, doc_format, status, warnings FROM documents_t ORDER BY name").fetchall()
        assert docs == [
            ("f1-page.html", "html", "extracted", []),
            ("f1-附件2.docx", "docx", "extracted", ["p.1: merged header"]),
        ]


def test_filing_summary_counts_only_alertable_flags(tmp_path, db):
    """A flag awaiting review, or decided a false alarm, is not an error the unit made."""
    doubtful = Flag("staffing_rate_misreported", "info", "控制率填报60%，按人数计算应为166.67%", printed=60.0,
                    computed=166.67, weakest_match=72.0, weakest_method="fuzzy", needs_review=True)
    result = make_result(tmp_path)
    result = dataclasses.replace(result, flags=[*result.flags, doubtful])
    with Warehouse.open(db) as wh:
        wh.load_filing(result, wh.start_run("test"), PARSER)
        [(fingerprint,)] = wh.con.execute(
            "SELECT fingerprint FROM inconsistencies_t WHERE rule = 'score_exceeds_max'").fetchall()
        wh.con.execute("INSERT INTO reviews (fingerprint, decision, decided_by) VALUES (?, 'false_alarm', '张三')",
                       [fingerprint])
        assert wh.con.execute("SELECT error_flags, warning_flags, info_flags, review_flags FROM filing_summary"
                              ).fetchall() == [(1, 0, 0, 1)]


def test_same_result_twice_is_unchanged(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        result = make_result(tmp_path)
        assert wh.load_filing(result, run, PARSER) == "loaded"
        before = {t.name: table_rows(wh, t.name) for t in schema.FILING_TABLES}
        run2 = wh.start_run("test")
        assert wh.filing_state("f1") == (result.filing.sha256, PARSER)
        assert wh.load_filing(result, run2, PARSER) == "unchanged"
        assert {t.name: table_rows(wh, t.name) for t in schema.FILING_TABLES} == before
        assert {k: v for k, v in wh.summary(run2).items() if k.startswith("filings_")} == {
            "filings_ok": 0, "filings_partial": 0, "filings_failed": 0, "filings_unchanged": 1,
        }
        # A new parser version reloads even identical documents.
        assert wh.load_filing(result, run2, "p2") == "loaded"
        assert wh.filing_state("f1") == (result.filing.sha256, "p2")
    with Warehouse.open(db) as wh:
        assert wh.filing_state("nope") is None


def test_changed_filing_replaces_only_its_rows(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        wh.load_filing(make_result(tmp_path, "f1"), run, PARSER)
        wh.load_filing(make_result(tmp_path, "f2"), run, PARSER)
        other_before = {t.name: table_rows(wh, t.name, "f2") for t in schema.FILING_TABLES}
        counts_before = counts(wh)
        first_detected = wh.con.execute(
            "SELECT rule, detected_at FROM inconsistencies WHERE filing_id = 'f1' ORDER BY rule"
        ).fetchall()

        changed = make_result(tmp_path, "f1", final=13.75)
        assert changed.filing.sha256 != make_result(tmp_path, "f1").filing.sha256
        run2 = wh.start_run("test")
        assert wh.load_filing(changed, run2, PARSER) == "loaded"

        assert {t.name: table_rows(wh, t.name, "f2") for t in schema.FILING_TABLES} == other_before
        # one flag more: the re-publication changed a printed number (the old one stays in fact_versions)
        assert counts(wh) == counts_before | {"inconsistencies_t": counts_before["inconsistencies_t"] + 1}
        assert wh.con.execute(
            "SELECT rule, message LIKE '%1 个数字有变化%' FROM inconsistencies "
            "WHERE filing_id = 'f1' AND rule = 'republished_with_changes'"
        ).fetchall() == [("republished_with_changes", True)]
        finals = wh.con.execute(
            "SELECT filing_id, value FROM facts WHERE item = 'three_public.total' AND \"column\" = 'final' "
            "ORDER BY filing_id"
        ).fetchall()
        assert finals == [("f1", 13.75), ("f2", 12.5)]
        # Flags raised again keep the time they were first seen: alerts must not fire twice.
        assert wh.con.execute(
            "SELECT rule, detected_at FROM inconsistencies WHERE filing_id = 'f1' "
            "AND rule <> 'republished_with_changes' ORDER BY rule"
        ).fetchall() == first_detected
        assert wh.con.execute("SELECT run_id FROM filings_t WHERE filing_id = 'f1'").fetchone() == (run2,)
        assert wh.summary(run2)["filings_ok"] == 1
        assert wh.summary(run)["filings_ok"] == 1


def test_failed_filing_is_recorded_with_its_error(tmp_path, db):
    failed = make_result(tmp_path, "bad", status="failed", error="encrypted: PDF needs a password",
                         report=CanonicalReport(), flags=[], extractions=[])
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        assert wh.load_filing(failed, run, PARSER) == "loaded"
        row = wh.con.execute("SELECT status, error, doc_format FROM filings WHERE filing_id = 'bad'").fetchone()
        assert row == ("failed", "encrypted: PDF needs a password", "docx,html")
        assert wh.con.execute("SELECT count(*) FROM facts").fetchone() == (0,)
        assert wh.con.execute(
            "SELECT status, fact_count FROM filing_summary WHERE filing_id = 'bad'"
        ).fetchone() == ("failed", 0)
        docs = wh.con.execute("SELECT DISTINCT status, error FROM documents_t").fetchall()
        assert docs == [("not_extracted", "encrypted: PDF needs a password")]
        assert wh.summary(run)["filings_failed"] == 1
        # Same documents, now read: no longer "unchanged", because the outcome differs.
        fixed = make_result(tmp_path, "bad")
        assert fixed.filing.sha256 == failed.filing.sha256
        assert wh.load_filing(fixed, run, PARSER) == "loaded"


def test_failure_mid_replace_keeps_the_old_rows(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        good = make_result(tmp_path, "f1")
        wh.load_filing(good, run, PARSER)
        before = {t.name: table_rows(wh, t.name) for t in schema.FILING_TABLES}
        # Facts are inserted before flags; the bad severity fails the last insert of the batch.
        bad = make_result(tmp_path, "f1", final=99.0,
                          flags=[Flag("three_public_sum", "fatal", "bad severity")])
        with pytest.raises(duckdb.ConstraintException):
            wh.load_filing(bad, run, PARSER)
        assert {t.name: table_rows(wh, t.name) for t in schema.FILING_TABLES} == before
        assert wh.filing_state("f1") == (good.filing.sha256, PARSER)
        # The connection is still usable after the rollback.
        assert wh.load_filing(make_result(tmp_path, "f1", final=99.0), run, PARSER) == "loaded"


def test_runs_summary_and_unmapped_labels(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("nightly")
        wh.load_filing(make_result(tmp_path, "f1"), run, PARSER)
        wh.load_filing(make_result(tmp_path, "f2"), run, PARSER)
        wh.load_filing(make_result(tmp_path, "f3", status="partial", error="附件3 unreadable"), run, PARSER)
        summary = wh.summary(run)
        assert summary == {
            "filings_ok": 2,
            "filings_partial": 1,
            "filings_failed": 0,
            "filings_unchanged": 0,
            "non_reports": 0,
            "non_reports_by_reason": {},
            "facts": 45,
            "indicators": 3,
            "unmapped_labels": 3,
            "flags": 6,
            "flags_by_rule": {"score_exceeds_max": 3, "staffing_over_quota": 3},
            "flags_by_severity": {"error": 6},
        }
        assert wh.unmapped_labels(10) == [("其他费用", "basic_data", 3)]
        wh.finish_run(run, "ok", {"portals": 1})
        status, stored, finished = wh.con.execute(
            "SELECT status, summary, finished_at FROM runs WHERE run_id = ?", [run]
        ).fetchone()
        assert status == "ok" and finished is not None
        import json

        assert json.loads(stored)["portals"] == 1
        assert json.loads(stored)["filings_ok"] == 2


def test_every_view_and_column_is_commented(db):
    with Warehouse.open(db) as wh:
        views = dict(wh.con.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
        ).fetchall())
        assert set(views) == set(PUBLIC_VIEWS)
        assert all(views.values()), views
        tables = dict(wh.con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall())
        assert set(tables) == {t.name for t in schema.TABLES}
        assert all(tables.values()), tables
        missing = wh.con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal AND (comment IS NULL OR comment = '')"
        ).fetchall()
        assert missing == []


def test_query_is_read_only(tmp_path, db):
    with Warehouse.open(db) as wh:
        wh.load_filing(make_result(tmp_path), wh.start_run("test"), PARSER)
    columns, rows = query(db, "SELECT filing_id, status FROM filings")
    assert (columns, rows) == (["filing_id", "status"], [("f1", "ok")])
    with pytest.raises(duckdb.Error, match="read-only"):
        query(db, "DELETE FROM facts_t")


def test_docs_are_current():
    from warehouse.docs import DOCS_PATH, render

    assert DOCS_PATH.read_text(encoding="utf-8") == render(), "docs/warehouse.md is stale: python -m warehouse.docs"


def test_staffing_falls_back_to_the_narrative(tmp_path, db):
    # Seed 003 states its headcount only in the text: 核定编制数 24, 在岗在编 38.
    report = CanonicalReport(facts=[
        fact("authorized_headcount", None, 24, form="narrative", unit="人", label="核定编制数"),
        fact("actual_headcount", None, 38, form="narrative", unit="人", label="在岗在编"),
    ], fiscal_year=2022)
    with Warehouse.open(db) as wh:
        wh.load_filing(make_result(tmp_path, "n1", report=report, flags=[]), wh.start_run("test"), PARSER)
        assert wh.con.execute(
            "SELECT authorized, actual, reported_control_rate, computed_control_rate, over_quota FROM staffing"
        ).fetchall() == [(24.0, 38.0, None, 158.33, True)]


def test_documented_example_queries_run(tmp_path, db):
    with Warehouse.open(db) as wh:
        run = wh.start_run("test")
        wh.load_filing(make_result(tmp_path, "f1"), run, PARSER)
        examples = [(v.name, sql) for v in schema.VIEWS for _, sql in v.examples]
        assert examples
        for view, sql in examples:
            wh.con.execute(sql).fetchall()
        assert wh.con.execute(dict(examples)["staffing"]).fetchall()


def test_an_unchanged_filing_renamed_on_its_portal_takes_the_region_its_new_title_names(tmp_path, db):
    """The region read from a title follows the title when an unchanged filing's listing moves
    (a configured region, or one in the unit's name, would win as at load)."""
    result = make_result(tmp_path)
    filing = dataclasses.replace(result.filing, region=None, title="岳阳县2023年度部门整体支出绩效自评报告")
    with Warehouse.open(db) as wh:
        wh.load_filing(dataclasses.replace(result, filing=filing), wh.start_run("test"), PARSER)
        assert wh.con.execute("SELECT region FROM filings_t").fetchall() == [(region_of(None, "岳阳县"),)]
        renamed = dataclasses.replace(filing, title="湘阴县2023年度部门整体支出绩效自评报告",
                                      source_url="http://example.gov.cn/art/moved.html")
        assert wh.load_filing(dataclasses.replace(result, filing=renamed), wh.start_run("test"), PARSER) == "unchanged"
        assert wh.con.execute("SELECT region, title, source_url FROM filings_t").fetchall() == [
            (region_of(None, "湘阴县"), renamed.title, renamed.source_url)]
