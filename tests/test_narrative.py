"""Figures stated in the seeds' sentences, and project paragraphs that must not leak."""

from __future__ import annotations

import pytest

from extractors.textdump import parse_dump
from core.records import Paragraph
from mappings.narrative import extract_narrative
from tests.conftest import seed_path

EXPECTED = {
    0: {"actual_headcount": 31, "final": 877.49, "basic": 713.46, "project": 164.03, "wages": 531.23,
        "goods_services": 99.91, "household_subsidies": 58.04, "capital": 0, "three_public_budget": 5,
        "three_public_final": 0.13, "self_score": 100},
    1: {"basic": 2559.6, "project": 1466.7},
    2: {"initial_budget": 557.93, "full_year_budget": 1061.69, "revenue_current_year": 889.68,
        "carryover_opening": 182.01, "final": 1061.69, "wages": 617.15, "goods_services": 388.75,
        "household_subsidies": 51.1, "capital": 4.69, "basic": 708.1, "self_score": 94.5},
    3: {"authorized_headcount": 24, "actual_headcount": 38, "full_year_budget": 997.36, "basic": 921.86,
        "wages": 589.05, "household_subsidies": 23.22, "goods_services": 309.6, "project": 75.5},
    4: {"authorized_headcount": 21, "actual_headcount": 35, "initial_budget": 962.51, "project": 70.27,
        "basic": 911.94, "personnel": 837.48, "public_funds": 74.46},
}


def narrative_of(seed: int) -> dict:
    extraction = parse_dump(seed_path(seed).read_text(), f"{seed:03d}.txt")
    return {f.item: f for f in extract_narrative(extraction.paragraphs)}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_figures(seed):
    facts = narrative_of(seed)
    assert {item: f.value for item, f in facts.items()} == pytest.approx(EXPECTED[seed])
    for f in facts.values():
        assert (f.form, f.subject, f.column, f.match_method) == ("narrative", None, None, "pattern")
        assert f.unit == {"actual_headcount": "人", "authorized_headcount": "人", "self_score": "分"}.get(f.item, "万元")
        assert f.location.startswith(f"{seed:03d}.txt para ")
        assert f.raw_value in f.source_label


def test_seed_002_labels_as_printed():
    facts = narrative_of(2)
    assert facts["initial_budget"].source_label == "年初预算批复数557.93 万元"
    assert facts["revenue_current_year"].source_label == "本年收入合计数为889.68万元"


def test_project_paragraphs_do_not_leak():
    # seed 002: each project's 年初预算数 29.6/20/44…, 自评得分 93.5/94.5/95, 上年结转资金 187.9
    facts = narrative_of(2)
    assert facts["initial_budget"].value == 557.93
    assert facts["carryover_opening"].value == 182.01
    # projects 2 and 3 also score 94.5: only the closing department sentence may be the source
    assert facts["self_score"].location == "002.txt para 64"
    assert facts["self_score"].source_label == "自评得分为94.5 分"
    # seed 004: `年初预算资金55.80万元，项目年中执行调减…` belongs to 代表履职经费
    assert narrative_of(4)["initial_budget"].value == 962.51


def paragraphs(*texts: str) -> list[Paragraph]:
    return [Paragraph(text=t, source="x.docx", order=i) for i, t in enumerate(texts)]


def test_longer_label_owns_the_number():
    facts = extract_narrative(paragraphs("全年“三公”经费决算数为0.13万元，部门决算数877.49万元。"))
    assert [(f.item, f.value) for f in facts] == [("three_public_final", 0.13), ("final", 877.49)]


def test_units_and_number_formats():
    facts = extract_narrative(paragraphs("全年预算数 1,061.69 万，基本支出7081000元，项目支出0.01亿元。",
                                         "核定编制数21名，实际在职人员19名。"))
    values = {f.item: (f.value, f.unit) for f in facts}
    assert values == {"full_year_budget": (1061.69, "万元"), "basic": (708.1, "万元"), "project": (100, "万元"),
                      "authorized_headcount": (21, "人"), "actual_headcount": (19, "人")}


def test_first_department_statement_wins_and_better_wording_beats_looser():
    facts = extract_narrative(paragraphs(
        "2023年预算资金962.51万元。",
        "1、预算联网监督经费项目绩效自评综述：年初预算数20万元，执行数22.98万元，自评得分94.5分。",
        "单位年初预算数960万元，基本支出900万元。",
        "全年基本支出901万元。",
    ))
    values = {f.item: f.value for f in facts}
    assert values == {"initial_budget": 960, "basic": 900}
    assert {f.item: f.match_score for f in facts} == {"initial_budget": 100, "basic": 100}


def test_figures_without_unit_are_ignored():
    assert extract_narrative(paragraphs("基本支出占比92.4%，项目支出情况见附表2。")) == []
