"""Forms read through the grid: spans, key-value blocks, moved columns, the template order."""

from __future__ import annotations

import pytest

from core.records import Extraction, Paragraph, RawTable
from mappings import map_filing
from mappings.grid import Span, cell_under, value_after
from tests.fixtures_docx import cell, docx_with_body, para, row, table

_ = None  # a position covered by a merged cell

BASIC_HEAD = [
    ["财政供养人员情况", "编制数", "实际在职人数", "控制率", ""],
    ["", "20", "18", "90%", ""],
    ["经费控制情况", "2022年决算数", "2023年预算数", "2023年决算数", "备注"],
]


def mapped(*tables: list[list[str | None]], title: str = "部门整体支出绩效评价基础数据表"):
    extraction = Extraction(source="t.docx", doc_format="docx")
    extraction.paragraphs.append(Paragraph(text=title, source="t.docx", order=0))
    for k, rows in enumerate(tables):
        extraction.tables.append(RawTable(source="t.docx", index=k, rows=rows, order=k + 1))
    return map_filing([extraction])


def by_item(report, form="basic_data", column="final"):
    return {(f.item, f.subject): f for f in report.facts if f.form == form and f.column == column}


def test_spans_and_cells_under_a_header():
    grid_row = ["一般公共预算：", _, _, "1917.27", "其中：基本支出：", _, _, "1284.93"]
    assert value_after(grid_row, 0, 4) == (3, "1917.27")
    assert value_after(grid_row, 4, len(grid_row)) == (7, "1284.93")
    assert value_after(["其他资金", "", "", "基本支出", "5"], 0, 3) == (1, "")  # printed blank
    assert cell_under(["a", "", "7", _], Span(2, 4)) == (2, "7")
    assert cell_under(["a", "7", _, _], Span(2, 3)) == (1, "7")  # a value merged across two columns
    assert cell_under(["a", _, _], Span(1, 2)) == (1, None)  # the label's own span: no value


def test_the_structure_block_is_read_label_to_value_through_spans():
    rows = [
        ["年度预算申请", _, _, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", _, _, "900", "1000", "990", "10", "99%", "9.9"],
        ["按收入性质分：", _, _, _, "按支出性质分：", _, _, _, _],
        ["一般公共预算：", _, _, "950.5", "其中：基本支出：", _, _, "700", _],
        ["政府性基金拨款：", _, _, "——", "项目支出：", _, _, "300", _],
        ["其他资金：", _, _, "49.5", "", _, _, "", _],
    ]
    report = mapped(rows, title="部门整体支出绩效自评表")
    values = {f.item: f.value for f in report.facts if f.column is None}
    assert values == {
        "revenue.general_budget": 950.5, "revenue.gov_fund": None, "revenue.other": 49.5,
        "expenditure.basic": 700, "expenditure.project": 300,
    }
    funds = by_item(report, "overall_eval", "full_year_budget")
    assert funds[("funds.total", None)].value == 1000
    assert by_item(report, "overall_eval", "score")[("funds.total", None)].value == 9.9


def test_columns_reordered_extra_and_merged_are_found_by_their_headers():
    rows = [
        ["经费控制情况", _, "备注", "2023年决算数", _, "2022年决算数", "2023年预算数"],
        ["三公经费", _, "见说明", "3", _, "1", "2"],
        ["1、公务接待", _, "", _, "3", "1", "2"],  # the value sits in the second column of its header
    ]
    report = mapped(rows)
    for column, expected in (("prior_final", 1), ("budget", 2), ("final", 3)):
        facts = by_item(report, column=column)
        assert facts[("three_public.total", None)].value == expected, column
        assert facts[("three_public.reception", None)].value == expected, column


def test_a_year_printed_over_two_sub_headers():
    rows = [
        ["项目", "2022年", "2023年", _],
        [_, "决算数", "预算数", "决算数"],
        ["三公经费", "1", "2", "3"],
    ]
    report = mapped(rows)
    assert [by_item(report, column=c)[("three_public.total", None)].value for c in ("prior_final", "budget", "final")] == [1, 2, 3]
    years = {(h.label, h.year, h.role) for h in report.header_years}
    assert ("2022年决算数", 2022, "prior") in years


def _basic(*lines: list[str]) -> list[list[str | None]]:
    return BASIC_HEAD + [list(line) + [""] for line in lines]


def test_a_heading_in_an_unknown_wording_closes_the_project_section_by_position():
    report = mapped(_basic(
        ["项目支出", "", "30", "30"],
        ["1、业务工作经费", "", "10", "10"],
        ["2、运行维护经费", "", "20", "20"],
        ["日常运转支出", "", "8", "8"],  # the 公用经费 heading in a wording the vocabulary lacks
        ["其中：办公经费", "", "5", "5"],
        ["水费、电费、差旅费", "", "3", "3"],
        ["邮电费", "", "0", "0"],
        ["政府采购金额", "", "4", "4"],
    ))
    facts = by_item(report)
    heading = facts[("public_funds.total", None)]
    assert (heading.value, heading.match_method, heading.inferred) == (8, "position", True)
    assert not [f for f in report.facts if f.item == "project.line"]
    assert facts[("public_funds.line", "邮电费")].inferred  # its section rests on the inference
    assert not facts[("public_funds.office", None)].inferred
    assert facts[("procurement", None)].value == 4


def test_a_near_miss_of_a_later_heading_closes_the_section():
    report = mapped(_basic(
        ["项目支出", "", "30", "30"],
        ["专项资金", "", "30", "30"],
        ["人大会议", "", "30", "30"],
        ["单位公用经费", "", "8", "8"],
        ["邮电费", "", "8", "8"],
    ))
    facts = by_item(report)
    heading = facts[("public_funds.total", None)]
    assert (heading.value, heading.match_method, heading.inferred) == (8, "fuzzy", True)
    assert {f.subject for f in report.facts if f.item == "project.line"} == {"人大会议"}
    assert facts[("public_funds.line", "邮电费")].value == 8


def test_a_vehicle_line_in_the_three_public_block_is_not_a_project_line():
    report = mapped(_basic(
        ["三公经费", "", "9", "9"],
        ["1、公务用车购置及运行费", "", "6", "6"],
        ["其中：购置费", "", "2", "2"],
        ["运行维护费", "", "4", "4"],
        ["2、因公出国（境）费", "", "0", "0"],
        ["3、公务接待费", "", "3", "3"],
        ["项目支出", "", "5", "5"],
        ["运行维护经费", "", "5", "5"],
    ))
    facts = by_item(report)
    assert facts[("three_public.vehicle_operation", None)].value == 4
    assert facts[("three_public.vehicle_purchase", None)].value == 2
    assert facts[("project.operation", None)].value == 5
    assert len([f for f in report.facts if f.item == "project.operation"]) == 3


def test_an_unknown_row_between_two_known_ones_takes_the_slot_between_them():
    report = mapped(_basic(
        ["三公经费", "", "9", "9"],
        ["公务用车", "", "6", "6"],
        ["其中：公车购置", "", "2", "2"],
        ["车辆日常开支", "", "4", "4"],  # unknown wording, but the template expects 公车运行维护 here
        ["出国经费", "", "0", "0"],
    ))
    fact = by_item(report)[("three_public.vehicle_operation", None)]
    assert (fact.value, fact.match_method, fact.inferred, fact.source_label) == (4, "position", True, "车辆日常开支")


def test_a_side_label_under_a_group_label_is_read_from_the_grid():
    rows = [
        ["经费控制情况", _, "上年决算数", "本年预算数", "本年决算数"],
        ["三公经费", "合计", "1", "2", "3"],
        [_, "公务接待", "1", "2", "3"],
    ]
    facts = by_item(mapped(rows))
    assert facts[("three_public.total", None)].value == 3
    assert facts[("three_public.reception", None)].value == 3


@pytest.fixture
def merged_docx(tmp_path):
    """The Word layout of issue 11: labels merged over three grid columns beside their values."""
    body = table(
        8,
        row(cell("年度预算申请", span=2), cell("年初预算数"), cell("全年预算数"), cell("全年执行数"),
            cell("分值"), cell("执行率"), cell("得分")),
        row(cell("年度资金总额", span=2), cell("877.49"), cell("877.49"), cell("877.49"), cell("10"),
            cell("100%"), cell("10")),
        row(cell("按收入性质分：", span=4), cell("按支出性质分：", span=4)),
        row(cell("一般公共预算：", span=3), cell("800"), cell("其中：基本支出：", span=3), cell("600")),
        row(cell("其他资金：", span=3), cell("77.49"), cell("项目支出：", span=3), cell("277.49")),
    )
    return docx_with_body(tmp_path / "merged.docx", para("部门整体支出绩效自评表"), body)


def test_a_real_docx_with_merged_label_cells(merged_docx):
    from extractors import extract

    extraction = extract(merged_docx, merged_docx.name)
    assert [None, None] == extraction.tables[0].rows[3][1:3]  # the grid really holds the spans
    report = map_filing([extraction])
    values = {f.item: f.value for f in report.facts if f.form == "overall_eval" and f.column is None}
    assert values == {"revenue.general_budget": 800, "revenue.other": 77.49, "expenditure.basic": 600,
                      "expenditure.project": 277.49}


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("填报单位：岳阳市云溪区人民代表大会常务委员会          单位：万元", "岳阳市云溪区人民代表大会常务委员会"),
        ("填报单位（盖章）：某县财政局   填报日期：2024年3月1日", "某县财政局"),
        ("部门（单位）名称：某县人民政府办公室（盖章）", "某县人民政府办公室"),
        ("填报单位: 某县教育局 金额单位：万元", "某县教育局"),
    ],
)
def test_the_department_is_read_without_what_is_printed_beside_it(printed, name):
    report = mapped(BASIC_HEAD, title=printed)
    assert report.department == name
    in_table = mapped([[printed, _, _, _]] + BASIC_HEAD)
    assert in_table.department == name
    assert not [u for u in in_table.unmapped if "单位" in u.label]


def test_the_forms_cell_wins_and_is_cleaned_too():
    rows = [["预算部门名称", "某县审计局（公章）", _, "单位：万元"],
            ["年度预算申请", "年初预算数", "全年预算数", "全年执行数"],
            ["年度资金总额", "1", "2", "3"]]
    assert mapped(rows, title="部门整体支出绩效自评表").department == "某县审计局"


def test_a_unit_printed_on_the_in_table_department_line_converts_the_amounts():
    rows = [["填报单位：某县审计局", _, _, "单位：元"]] + BASIC_HEAD + [["三公经费", "10000", "20000", "30000", ""]]
    report = mapped(rows)
    assert report.department == "某县审计局"
    assert by_item(report)[("three_public.total", None)].value == 3


def test_indicator_rows_under_merged_header_cells_are_read_once_per_cell():
    rows = [
        ["年度预算申请", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", _, _, _],
        ["年度资金总额", "1", "2", "2", "10", "100%", "10", _, _, _],
        ["一级指标", "二级指标", "三级指标", _, "年度指标值", "实际完成值", "分值", "得分", "偏差原因", _],
        ["产出指标", "数量指标", "召开常委会会议", _, "6次", "7次", "10", "9", "无", _],
        [_, "质量指标", "议案办结率", _, "100%", "100%", "10", "10", "", _],
    ]
    report = mapped(rows, title="部门整体支出绩效自评表")
    got = [(i.level1, i.level2, i.level3, i.target, i.actual, i.max_score, i.score) for i in report.indicators]
    assert got == [("产出指标", "数量指标", "召开常委会会议", "6次", "7次", 10, 9),
                   ("产出指标", "质量指标", "议案办结率", "100%", "100%", 10, 10)]


def test_staffing_as_label_value_pairs_and_under_a_labelled_value_row():
    pairs = mapped([["财政供养人员情况", "编制数", "21", "实际在职人数", "35", "控制率", "166.67%"]] + BASIC_HEAD[2:])
    labelled = mapped([BASIC_HEAD[0], ["人数", "21", "35", "166.67%", ""]] + BASIC_HEAD[2:])
    for report in (pairs, labelled):
        values = {f.item: f.value for f in report.facts if f.item.startswith("staffing.")}
        assert values == {"staffing.authorized": 21, "staffing.actual": 35, "staffing.control_rate": 166.67}


@pytest.fixture
def grouped_docx(tmp_path):
    """A 基础数据表 whose cost lines hang under merged group labels, 备注 column last."""
    def line(group: str | None, label: str, *values: str, restart: bool = False):
        first = cell(group or "", vmerge="restart" if restart else "continue")
        return row(first, cell(label), *(cell(v) for v in values), cell(""))

    body = table(
        6,
        row(cell("经费控制情况", span=2), cell("2022年决算数"), cell("2023年预算数"), cell("2023年决算数"), cell("备注")),
        line("三公经费", "合计", "1", "2", "3", restart=True),
        line(None, "公务用车购置及运行维护费", "1", "1", "2"),
        line(None, "公务接待费", "0", "1", "1"),
        line("项目支出", "小计", "5", "6", "7", restart=True),
        line(None, "业务工作经费", "5", "6", "7"),
        line("基本支出中的商品服务", "小计", "3", "4", "4", restart=True),
        line(None, "办公经费", "3", "4", "4"),
    )
    return docx_with_body(tmp_path / "grouped.docx", para("部门整体支出绩效评价基础数据表"), body)


def test_a_real_docx_with_merged_group_labels(grouped_docx):
    from extractors import extract

    extraction = extract(grouped_docx, grouped_docx.name)
    assert extraction.tables[0].rows[2][0] is None  # the group label is merged down
    facts = by_item(map_filing([extraction]))
    assert facts[("three_public.total", None)].value == 3
    assert facts[("three_public.vehicles", None)].value == 2
    assert facts[("project.total", None)].value == 7
    heading = facts[("public_funds.total", None)]  # a wording no vocabulary has, placed by the template
    assert (heading.value, heading.match_method, heading.inferred) == (4, "position", True)
    assert facts[("public_funds.office", None)].value == 4
    assert not [key for key in facts if key[0] == "project.line"]


def test_a_department_named_inside_one_eval_cell():
    rows = [["预算部门名称：某县民政局（盖章）", _, _, "金额单位：万元"],
            ["年度预算申请", "年初预算数", "全年预算数", "全年执行数"],
            ["年度资金总额", "1", "2", "3"]]
    report = mapped(rows, title="部门整体支出绩效自评表")
    assert report.department == "某县民政局"
    assert report.unmapped == []


def test_a_subtotal_among_the_special_funds_is_not_a_project_line():
    report = mapped(_basic(
        ["项目支出", "", "30", "30"],
        ["本级专项资金", "", "30", "30"],
        ["人大会议", "", "10", "10"],
        ["代表活动", "", "20", "20"],
        ["小计", "", "30", "30"],
        ["公用经费", "", "8", "8"],
    ))
    assert {f.subject for f in report.facts if f.item == "project.line"} == {"人大会议", "代表活动"}
    assert not [u for u in report.unmapped if u.label == "小计"]


def test_a_project_form_in_unknown_wordings_is_read_by_its_template_order():
    rows = [
        ["预算项目名称", "档案数字化", _, "主管部门", "某局", _],
        ["项目资金", "", "年初预算数", "全年预算批复数", "执行数", "分值", "预算执行率", "评分"],
        [_, "年度资金总量", "30", "27.75", "27.75", "10", "100%", "10"],
        [_, "其中：当年财政拨款", "30", "25", "25", "", "", ""],
        [_, "往年结余结转", "——", "2.75", "2.75", "", "", ""],
        [_, "其它资金", "——", "——", "——", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"],
        ["产出指标", "数量指标", "数字化卷数", "≥1000卷", "1200卷", "50", "50", ""],
        ["合计得分", "100", "96.5", _, _, _, _, _],
    ]
    report = mapped(rows, title="项目支出绩效自评表")
    got = {(f.item, f.column): f for f in report.facts if f.form == "project_eval"}
    assert {f.subject for f in got.values()} == {"档案数字化"}
    assert got[("funds.total", "full_year_budget")].value == 27.75  # 全年预算批复数: the column between
    assert got[("funds.total", "score")].value == 10  # 评分: the last column left
    total = got[("funds.total", "initial_budget")]
    # a near-miss of the very row the template prints next: wording and order agree, certain
    assert (total.value, total.match_method, total.inferred) == (30, "template", False)
    carryover = got[("funds.carryover", "executed")]
    assert (carryover.value, carryover.match_method, carryover.inferred) == (2.75, "position", True)
    assert got[("funds.other", "executed")].value is None and not got[("funds.other", "executed")].inferred
    # 合计得分 says nothing but "the sum of the scores", in the total row's place: certain
    score = got[("total_score", None)]
    assert (score.value, score.match_method, score.inferred) == (96.5, "synonym", False)


def test_a_number_glued_to_its_label_and_a_project_named_by_a_longer_label():
    rows = [
        ["年度预算申请", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "90", "100", "100", "10", "100%", "10"],
        ["一般公共预算：80", _, _, "基本支出合计：60", _, _, _],
        ["其他资金２０", _, _, "项目支出合计40", _, _, _],
    ]
    values = {f.item: f.value for f in mapped(rows, title="部门整体支出绩效自评表").facts if f.column is None}
    assert values == {"revenue.general_budget": 80, "revenue.other": 20, "expenditure.basic": 60,
                      "expenditure.project": 40}
    project = [["预算项目名称", "信息化建设", _, "主管部门", "某局", _],
               ["项目资金", "", "年初预算数", "全年预算数", "全年执行数", "得分"],
               [_, "年度资金总额", "1", "2", "2", "10"]]
    report = mapped(project, title="")
    assert {(f.form, f.subject) for f in report.facts} == {("project_eval", "信息化建设")}


def test_structure_parts_of_unknown_wording_follow_the_one_above_them():
    rows = [
        ["年度预算申请", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "90", "100", "100", "10", "100%", "10"],
        ["一般公共预算：80", _, _, "基本支出：60", _, _, _],
        ["政府性基金预算：0", _, _, "项目支出：40", _, _, _],
        ["专户核拨资金：5", _, _, "", _, _, _],
        ["其他资金：15", _, _, "", _, _, _],
    ]
    facts = {f.item: f for f in mapped(rows, title="部门整体支出绩效自评表").facts if f.column is None}
    gov_fund = facts["revenue.gov_fund"]
    assert (gov_fund.value, gov_fund.match_method, gov_fund.inferred) == (0, "template", False)
    special = facts["revenue.special_account"]
    assert (special.value, special.match_method, special.inferred) == (5, "position", True)
    assert facts["revenue.other"].value == 15 and not facts["revenue.other"].inferred


def test_a_row_of_unknown_wording_named_by_a_keyword_the_template_expects():
    report = mapped(_basic(
        ["三公经费", "", "9", "9"],
        ["车辆燃修", "", "4", "4"],
        ["对外接待", "", "5", "5"],
        ["项目支出", "", "7", "7"],
        ["会议经费", "", "7", "7"],  # a project: 会议 names a public-funds line, not one expected here
    ))
    facts = by_item(report)
    assert facts[("three_public.vehicle_operation", None)].match_method == "keyword"
    assert facts[("three_public.reception", None)].inferred
    assert facts[("project.line", "会议经费")].value == 7


def test_a_keyword_naming_the_very_next_template_row_is_certain():
    """车辆购置 under 公务用车购置及运行费 and above 公车运行维护: the keyword 购置 names the row the
    template prints next, so wording and order agree (a keyword a row early stays uncertain)."""
    report = mapped(_basic(
        ["三公经费", "", "9", "9"],
        ["公务用车购置及运行费", "", "4", "4"],
        ["其中：车辆购置", "", "/", "/"],
        ["公车运行维护", "", "4", "4"],
        ["公务接待费", "", "5", "5"],
    ))
    purchase = by_item(report)[("three_public.vehicle_purchase", None)]
    assert (purchase.match_method, purchase.inferred) == ("template", False)


def test_staffing_headers_of_unknown_wording_are_named_by_their_keywords():
    report = mapped([["人员情况", "核定行政编制", "年末在职人员", "编制控制率"], ["", "20", "18", "90%"]] + BASIC_HEAD[2:])
    facts = {f.item: f for f in report.facts if f.item.startswith("staffing.")}
    assert {k: f.value for k, f in facts.items()} == {"staffing.authorized": 20, "staffing.actual": 18,
                                                       "staffing.control_rate": 90}
    # the three named each by its own keyword in one header: the staffing header, for certain
    assert facts["staffing.actual"].match_method == "template"
    # without the third, a keyword alone stays an uncertain reading
    two = mapped([["人员情况", "核定行政编制", "年末在职人员"], ["", "20", "18"]] + BASIC_HEAD[2:])
    actual = next(f for f in two.facts if f.item == "staffing.actual")
    assert (actual.value, actual.match_method) == (18, "keyword")


def test_a_staffing_header_whose_keywords_tie_is_not_made_certain():
    report = mapped([["人员情况", "编制内人数", "编制内实有人数", "控制率"], ["", "20", "18", "90%"]] + BASIC_HEAD[2:])
    facts = {f.item: f for f in report.facts if f.item.startswith("staffing.")}
    assert facts["staffing.actual"].value == 18
    assert facts["staffing.actual"].match_method != "template"  # 编制 and 实有: two items' keywords


def test_lines_keep_their_printed_name_and_an_earlier_blocks_wording_inside_a_section_is_a_line():
    report = mapped(_basic(
        ["三公经费", "", "1", "1"],
        ["公务接待费", "", "1", "1"],
        ["项目支出", "", "2", "2"],
        ["（一）维修（护）费", "", "2", "2"],
        ["公用经费", "", "9", "9"],
        ["公务用车运行维护费（其他）", "", "9", "9"],  # a 公车 wording, but the 三公 block is behind
    ))
    lines = {(f.item, f.subject) for f in report.facts if f.item.endswith(".line")}
    assert lines == {("project.line", "维修（护）费"), ("public_funds.line", "公务用车运行维护费（其他）")}
    assert not [f for f in report.facts if f.item == "three_public.vehicle_operation"]


def test_a_lone_year_beside_current_columns_is_the_prior_year():
    rows = [["经费控制情况", "预算数", "本年决算数", "2022年决算"], ["三公经费", "2", "3", "1"]]
    facts = {f.column: f.value for f in mapped(rows).facts if f.item == "three_public.total"}
    assert facts == {"budget": 2, "final": 3, "prior_final": 1}


@pytest.fixture
def target_apart_docx(tmp_path):
    """A 自评表 whose indicator block prints the target apart (四川's 指标性质 | 指标值 | 度量单位,
    then 完成值 | 权重 | 得分 | 未完成原因分析), its 一级指标 merged down and 绩效指标 merged down
    the left edge."""
    def indicator(level1: str | None, level2: str, level3: str, *cells: str, first: bool = False):
        edge = cell("绩效指标" if first else "", vmerge="restart" if first else "continue")
        one = cell(level1 or "", vmerge="restart" if level1 else "continue")
        return row(edge, one, cell(level2), cell(level3), *(cell(v) for v in cells))

    head = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"]
    body = table(
        11,
        row(cell("年度预算申请", span=2), cell("年初预算数"), cell("全年预算数"), cell("全年执行数"), cell("分值"),
            cell("执行率"), cell("得分"), cell("", span=3)),
        row(cell("年度资金总额", span=2), *(cell(v) for v in ("1", "2", "2", "10", "100%", "10")), cell("", span=3)),
        row(cell(""), *(cell(h) for h in head)),
        indicator("产出指标", "数量指标", "印发文件份数", "≥", "35", "次", "39次", "20", "20", "", first=True),
        indicator(None, "质量指标", "信息报送准确率", "=", "100", "%", "98%", "10", "8", "系统故障", ),
        indicator("满意度指标", "服务对象满意度指标", "群众满意度", "定性", "较高", "", "较高", "10", "10", ""),
    )
    return docx_with_body(tmp_path / "target-apart.docx", para("部门整体支出绩效自评表"), body)


def test_indicator_columns_are_read_through_the_header_that_names_them(target_apart_docx):
    from extractors import extract

    report = map_filing([extract(target_apart_docx, target_apart_docx.name)])
    got = [(i.level1, i.level2, i.level3, i.target, i.actual, i.max_score, i.score, i.note) for i in report.indicators]
    assert got == [
        ("产出指标", "数量指标", "印发文件份数", "≥35次", "39次", 20, 20, None),
        ("产出指标", "质量指标", "信息报送准确率", "100%", "98%", 10, 8, "系统故障"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "较高", "较高", 10, 10, None),
    ]


def test_indicator_header_of_unknown_columns_keeps_the_template_order():
    rows = [
        ["年度预算申请", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", _],
        ["年度资金总额", "1", "2", "2", "10", "100%", "10", _],
        ["一级指标", "二级指标", "三级指标", "甲", "乙", "丙", "丁", "戊"],
        ["产出指标", "数量指标", "召开常委会会议", "6次", "7次", "10", "9", "无"],
    ]
    report = mapped(rows, title="部门整体支出绩效自评表")
    got = [(i.level3, i.target, i.actual, i.max_score, i.score, i.note) for i in report.indicators]
    assert got == [("召开常委会会议", "6次", "7次", 10, 9, "无")]


@pytest.mark.parametrize(("label", "certain"), [
    ("合计", True), ("得分合计", True), ("自评总分", True), ("评价总分", True),
    ("指标得分合计", False), ("合计分值得分", False),
])
def test_a_total_row_is_certain_only_when_its_label_says_nothing_but_sum_of_scores(label, certain):
    rows = [
        ["预算项目名称", "档案数字化", _, "主管部门", "某局", _],
        ["项目资金", "", "年初预算数", "全年预算数", "执行数", "分值", "执行率", "得分"],
        [_, "年度资金总额", "30", "27.75", "27.75", "10", "100%", "10"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"],
        ["产出指标", "数量指标", "数字化卷数", "≥1000卷", "1200卷", "50", "50", ""],
        [label, "100", "96.5", _, _, _, _, _],
    ]
    score = next(f for f in mapped(rows, title="项目支出绩效自评表").facts if f.item == "total_score")
    assert score.value == 96.5
    assert (score.match_method == "synonym" and not score.inferred) is certain


def test_a_near_miss_of_a_later_fund_row_is_an_inferred_place():
    rows = [
        ["预算项目名称", "档案数字化", _, "主管部门", "某局", _],
        ["项目资金", "", "年初预算数", "全年预算数", "执行数", "分值", "执行率", "得分"],
        [_, "年度资金总额", "30", "27.75", "27.75", "10", "100%", "10"],
        [_, "结转结余资金", "——", "2.75", "2.75", "", "", ""],  # 当年财政拨款 skipped
    ]
    facts = {(f.item, f.column): f for f in mapped(rows, title="项目支出绩效自评表").facts}
    carryover = facts[("funds.carryover", "executed")]
    assert carryover.value == 2.75
    assert carryover.match_method != "template" and carryover.inferred


def test_a_near_miss_of_the_cost_row_the_template_prints_next_is_certain():
    report = mapped(_basic(
        ["三公经费", "", "3", "3"],
        ["公务接待支出", "", "1", "1"],  # three_public.reception, but four rows of the block skipped
        ["公用经费", "", "9", "9"],
        ["日常办公经费", "", "4", "4"],  # public_funds.office, the row the template prints next
    ))
    facts = by_item(report)
    office = facts[("public_funds.office", None)]
    assert (office.value, office.match_method, office.inferred) == (4, "template", False)
    reception = facts[("three_public.reception", None)]
    assert (reception.value, reception.match_method) == (1, "fuzzy")


def test_a_fuzzy_fund_row_is_certain_only_where_the_template_prints_it_next():
    def appropriation(rows_between):
        rows = [
            ["预算项目名称", "档案数字化", _, "主管部门", "某局", _],
            ["项目资金", "", "年初预算数", "全年预算数", "执行数", "分值", "执行率", "得分"],
            [_, "年度资金总额", "30", "27.75", "27.75", "10", "100%", "10"],
            *rows_between,
            [_, "当年财政拨款数", "30", "25", "25", "", "", ""],
        ]
        facts = {(f.item, f.column): f for f in mapped(rows, title="项目支出绩效自评表").facts}
        return facts[("funds.appropriation", "executed")]

    next_row = appropriation([])
    assert (next_row.value, next_row.match_method, next_row.inferred) == (25, "template", False)
    # after the carryover row the template's appropriation row is behind: the fuzzy match stays fuzzy
    behind = appropriation([[_, "上年结转资金", "——", "2.75", "2.75", "", "", ""]])
    assert (behind.value, behind.match_method) == (25, "fuzzy")
