"""Non-reports are decided from the content: skipped with a reason, never loaded, never flagged."""

from __future__ import annotations

import copy
import dataclasses

import duckdb
import pytest

from core.records import Extraction, Paragraph, RawTable
from extractors.textdump import parse_dump
from pipeline.local import filings_from_paths
from pipeline.process import process_filing
from mappings import map_filing, non_report_reason
from tests.conftest import seed_path
from tests.fixtures_docx import cell, docx_with_body, para, row, table


def _seed(n: int) -> Extraction:
    path = seed_path(n)
    return parse_dump(path.read_text(encoding="utf-8"), path.name)


def _reason(extraction: Extraction) -> str | None:
    return non_report_reason([extraction], map_filing([extraction]))


def _prose(*texts: str, tables: list[RawTable] = ()) -> Extraction:
    paragraphs = [Paragraph(text=t, source="a.html", order=i * 2) for i, t in enumerate(texts)]
    return Extraction(source="a.html", doc_format="html", paragraphs=paragraphs, tables=list(tables))


@pytest.mark.parametrize("seed", range(5))
def test_every_seed_is_a_report(seed):
    assert _reason(_seed(seed)) is None


def test_a_notice_with_a_blank_template_is_not_a_report():
    blank = copy.deepcopy(_seed(4))
    blank.paragraphs = [p for p in blank.paragraphs if p.text.strip().endswith("表")]  # the forms' titles only
    blank.paragraphs.insert(0, Paragraph(text="关于报送2023年度部门整体支出绩效自评报告的通知", source=blank.source, order=-1))
    for blank_table in blank.tables:
        for cells in blank_table.rows:
            cells[:] = ["" if c and any(ch.isdigit() for ch in c) else c for c in cells]
    report = map_filing([blank])
    assert {"basic_data", "overall_eval"} <= report.forms  # the forms are recognised ...
    assert non_report_reason([blank], report).startswith("blank_template:")  # ... but hold nothing


def test_a_budget_disclosure_with_figures_is_not_a_report():
    disclosure = _prose(
        "某县财政局2023年部门预算公开说明",
        "一、部门基本情况",
        "2023年部门预算收入总计1,000.00万元，其中基本支出800.00万元，项目支出200.00万元。",
        "“三公”经费预算数为12.5万元。",
    )
    assert map_filing([disclosure]).facts  # the narrative reader finds figures in it
    assert _reason(disclosure).startswith("budget_disclosure:")


def test_a_final_accounts_disclosure_is_not_a_report():
    disclosure = _prose("某县财政局2022年度部门决算公开", "2022年度支出总计950万元，其中基本支出700万元。")
    assert _reason(disclosure).startswith("final_accounts_disclosure:")


def test_a_tender_notice_for_an_evaluation_agency_is_not_a_report():
    notice = _prose(
        "某区财政局2023年度部门整体支出绩效评价第三方服务项目采购公告",
        "项目概况：采购第三方机构对区直部门开展整体支出绩效评价，出具部门整体支出绩效评价报告。",
        "预算金额：25万元。",
    )
    assert _reason(notice).startswith("tender_notice:")


def test_a_report_without_forms_is_read_by_its_own_title():
    narrative_only = _prose("某县人大常委会2023年度部门整体支出绩效自评报告", "2023年度全年预算数为500万元，决算数为480万元。")
    assert _reason(narrative_only) is None


def _tender_docx(tmp_path):
    body = table(2, row(cell("采购项目名称"), cell("部门整体支出绩效评价服务")), row(cell("预算金额（万元）"), cell("25")))
    return docx_with_body(
        tmp_path / "采购公告.docx",
        para("某区财政局部门整体支出绩效评价第三方机构遴选公告"),
        para("现就2023年度部门整体支出绩效评价项目公开遴选第三方机构，预算25万元。"),
        body,
    )


def test_process_filing_skips_a_rendered_tender_notice_with_its_reason(tmp_path):
    result = process_filing(filings_from_paths([_tender_docx(tmp_path)])[0])
    assert result.status == "non_report"
    assert result.error.startswith("tender_notice:")
    assert result.flags == [] and result.report.facts == []


def test_the_warehouse_never_loads_a_non_report_and_counts_it(tmp_path):
    from warehouse import Warehouse

    tender = process_filing(filings_from_paths([_tender_docx(tmp_path)])[0])
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        run_id = store.start_run("ingest")
        assert store.load_filing(tender, run_id, "p1") == "non_report"
        summary = store.summary(run_id)
        store.finish_run(run_id, "completed", summary)
    assert (summary["non_reports"], summary["non_reports_by_reason"]) == (1, {"tender_notice": 1})
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from filings_t").fetchone() == (0,)
        assert con.execute("select count(*) from inconsistencies_t").fetchone() == (0,)


def test_a_filing_read_as_a_report_before_and_a_non_report_now_leaves_the_warehouse(tmp_path):
    from tests.test_warehouse import make_result
    from warehouse import Warehouse

    earlier = make_result(tmp_path)
    now = dataclasses.replace(earlier, status="non_report", error="notice: a notice (…)", flags=[])
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        assert store.load_filing(earlier, store.start_run("ingest"), "p1") == "loaded"
        assert store.load_filing(now, store.start_run("reprocess"), "p2") == "non_report"
        counts = [store.con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("filings_t", "facts_t")]
    assert counts == [0, 0]
