"""Each SPEC §4 rule on hand-built reports: a case that fails and a case that holds."""

from __future__ import annotations

import pytest

from checks import RULES, run_checks
from checks.rules import DECLARATIONS
from core.records import CanonicalReport, Fact, HeaderYear, Indicator

UNITS = {"staffing": "人", "total_score": "分"}


def fact(form, item, column=None, value=None, *, subject=None, raw=None, unit=None):
    if raw is None:
        raw = "" if value is None else f"{value:g}"
    unit = unit or ("%" if raw.endswith("%") else UNITS.get(item.split(".")[0], "万元"))
    return Fact(form=form, subject=subject, item=item, column=column, value=value, unit=unit,
                source_label=item, match_score=100, match_method="exact",
                location=f"{form} {subject or ''} {item} {column or ''}".replace("  ", " "), raw_value=raw)


def basic(item, column=None, value=None, **kw):
    return fact("basic_data", item, column, value, **kw)


def overall(item, column=None, value=None, **kw):
    return fact("overall_eval", item, column, value, **kw)


def project(subject, item, column=None, value=None, **kw):
    return fact("project_eval", item, column, value, subject=subject, **kw)


def narrative(item, value, unit="万元"):
    return fact("narrative", item, None, value, unit=unit)


def report(*facts, indicators=(), header_years=(), fiscal_year=None, forms=None):
    return CanonicalReport(facts=list(facts), indicators=list(indicators), header_years=list(header_years),
                           forms=forms if forms is not None else {f.form for f in facts}, fiscal_year=fiscal_year)


def flagged(rep, rule):
    assert rule in RULES
    return [f for f in run_checks(rep) if f.rule == rule]


def indicator(score, max_score, name="工作任务完成率", form="overall_eval", subject=None):
    return Indicator(form=form, subject=subject, level1="产出指标", level2="数量指标", level3=name, target="100%",
                     actual="100%", max_score=max_score, score=score, note=None, location=f"{form} indicator {name}")


# --- sums ----------------------------------------------------------------------------------


def test_three_public_sum_fails_with_finance_officer_message():
    rep = report(basic("three_public.total", "final", 0.13), basic("three_public.overseas", "final", 0.05),
                 basic("three_public.reception", "final", 0.12), basic("three_public.vehicles", "final"))
    [flag] = flagged(rep, "three_public_sum")
    assert flag.message == ("“三公”经费本年决算数 0.13 万元 ≠ 公务用车购置和维护经费 0 + 出国经费 0.05 + 公务接待 0.12"
                            " = 0.17 万元（相差 0.04 万元）")
    assert (flag.severity, flag.printed, flag.computed, flag.subject, flag.columns) == ("error", 0.13, 0.17, None,
                                                                                       ("final",))
    assert (flag.expected, flag.actual, flag.unit) == (0.17, 0.13, "万元")
    assert flag.location_text == "basic_data three_public.total final"


def test_three_public_sum_holds_with_blank_parts_as_zero():
    # seed 000: only 公务接待 is filled in
    rep = report(*[basic("three_public.total", c, v) for c, v in (("prior_final", 1.38), ("budget", 5), ("final", 0.13))],
                 *[basic("three_public.reception", c, v) for c, v in (("prior_final", 1.38), ("budget", 5), ("final", 0.13))],
                 basic("three_public.vehicles", "final"), basic("three_public.overseas", "final"))
    assert flagged(rep, "three_public_sum") == []


def test_sum_with_every_part_blank_is_not_checked():
    rep = report(basic("three_public.total", "final", 5), basic("three_public.vehicles", "final"),
                 basic("three_public.overseas", "final"), basic("three_public.reception", "final"))
    assert flagged(rep, "three_public_sum") == []


def test_sum_tolerance_is_one_cent_per_addend():
    parts = lambda reception: report(  # noqa: E731
        basic("three_public.total", "final", 70.3), basic("three_public.vehicles", "final", 66.81),
        basic("three_public.overseas", "final", 0), basic("three_public.reception", "final", reception))
    assert flagged(parts(3.52), "three_public_sum") == []  # 0.03 off over three addends
    assert len(flagged(parts(3.53), "three_public_sum")) == 1


def test_vehicles_sum():
    good = report(basic("three_public.vehicles", "final", 66.81), basic("three_public.vehicle_purchase", "final", 17.98),
                  basic("three_public.vehicle_operation", "final", 48.83))
    bad = report(basic("three_public.vehicles", "prior_final", 60.42),
                 basic("three_public.vehicle_purchase", "prior_final", 17.98),
                 basic("three_public.vehicle_operation", "prior_final", 48.83))
    assert flagged(good, "vehicles_sum") == []
    [flag] = flagged(bad, "vehicles_sum")
    assert flag.message.startswith("公务用车购置和维护经费上年决算数 60.42 万元 ≠ 公车购置 17.98 + 公车运行维护 48.83")
    assert flag.columns == ("prior_final",)


SEED_000_LINES = (("区六届人大三次会议经费", 51.30), ("区人大预算审查监督平台", 39.80), ("代表履职", 19.89),
                  ("人大代表专业工作站建设", 21.24), ("推进城乡社区治理工作经费", 6.80), ("老干支部", 6.80))


def test_project_sum_special_row_against_its_lines():
    rep = report(basic("project.total", "final", 164.03), basic("project.business", "final"),
                 basic("project.operation", "final"), basic("project.special", "final", 164.03),
                 *[basic("project.line", "final", v, subject=s) for s, v in SEED_000_LINES])
    [flag] = flagged(rep, "project_sum")  # the total holds the special row; the lines do not
    assert flag.message.startswith("专项资金本年决算数 164.03 万元 ≠ 其下各专项 区六届人大三次会议经费 51.3 + ")
    assert (flag.printed, flag.computed) == (164.03, 145.83)


def test_project_sum_without_special_row_adds_the_lines():
    # seed 001: lines 3–8 stand directly under 项目支出
    values = {"project.business": 228.97, "project.operation": 394}
    lines = {"人大监督": 122.18, "人大立法": 46.2, "人大会议": 404.08, "人大代表": 256.97,
             "市人大系统干部履职培训班": 20.3, "人大环保世纪行": 24}
    facts = [basic(i, "final", v) for i, v in values.items()] + [basic("project.line", "final", v, subject=s)
                                                                  for s, v in lines.items()]
    assert flagged(report(basic("project.total", "final", 1496.7), *facts), "project_sum") == []
    [flag] = flagged(report(basic("project.total", "final", 1466.7), *facts), "project_sum")
    assert (flag.printed, flag.computed) == (1466.7, 1496.7)


def test_project_sum_blank_special_row_falls_back_to_lines():
    facts = [basic("project.business", "budget", 10), basic("project.special", "budget"),
             basic("project.line", "budget", 5, subject="专项甲")]
    assert flagged(report(basic("project.total", "budget", 15), *facts), "project_sum") == []
    assert len(flagged(report(basic("project.total", "budget", 10), *facts), "project_sum")) == 1


def test_project_list_total():
    items = [("“五行一月”专项经费", 217.5), ("预算联网监督经费", 22.98), ("人大代表活动经费", 44),
             ("民生实事项目人大代表票决制经费", 40), ("高寒山区特色农业扶持项目", 29.11)]
    facts = [fact("project_list", "project.amount", None, v, subject=s) for s, v in items]
    assert flagged(report(fact("project_list", "project.total", None, 353.59), *facts), "project_sum") == []
    [flag] = flagged(report(fact("project_list", "project.total", None, 350), *facts), "project_sum")
    assert flag.message.startswith("项目清单合计 350 万元 ≠ “五行一月”专项经费 217.5 + ")


def test_public_funds_parts_exceed_counts_every_line():
    def rep(line):
        return report(basic("public_funds.total", "final", 450.81), basic("public_funds.office", "final", 5.82),
                      basic("public_funds.utilities_travel", "final", 60.19),
                      basic("public_funds.meetings_training", "final", 1.79),
                      basic("public_funds.line", "final", line, subject="印刷费、邮电费、劳务费等"))
    assert flagged(rep(383.01), "public_funds_parts_exceed") == []  # seed 001: exactly the total
    assert flagged(rep(100), "public_funds_parts_exceed") == []  # 其中 lines need not cover the total
    [flag] = flagged(rep(393.01), "public_funds_parts_exceed")
    assert flag.message == ("公用经费本年决算数 450.81 万元，其中各项 办公经费 5.82 + 水费、电费、差旅费 60.19 + "
                            "会议费、培训费 1.79 + 印刷费、邮电费、劳务费等 393.01 = 460.81 万元，超出 10 万元")


def test_expenditure_structure():
    good = report(overall("funds.total", "full_year_budget", 982.60), overall("expenditure.basic", None, 911.94),
                  overall("expenditure.project", None, 70.66))
    bad = report(overall("funds.total", "full_year_budget", 877.49), overall("expenditure.basic", None, 1284.93),
                 overall("expenditure.project", None, 718.22))
    assert flagged(good, "expenditure_structure_mismatch") == []
    [flag] = flagged(bad, "expenditure_structure_mismatch")
    assert flag.message == ("按支出性质分 基本支出 1284.93 + 项目支出 718.22 = 2003.15 万元 ≠ "
                            "年度资金总额全年预算数 877.49 万元（相差 1125.66 万元）")


def test_revenue_structure():
    good = report(overall("funds.total", "full_year_budget", 982.60), overall("revenue.general_budget", None, 982.60),
                  overall("revenue.gov_fund", None), overall("revenue.other", None))
    bad = report(overall("funds.total", "full_year_budget", 877.49), overall("revenue.general_budget", None, 1917.27),
                 overall("revenue.gov_fund", None, 0), overall("revenue.special_account", None, 0),
                 overall("revenue.other", None, 85.88))
    assert flagged(good, "revenue_structure_mismatch") == []
    [flag] = flagged(bad, "revenue_structure_mismatch")
    assert (flag.printed, flag.computed) == (877.49, 2003.15)


def test_fund_parts_per_project_and_column():
    def rep(appropriation):
        name = "运行维护经费"
        return report(project(name, "funds.total", "full_year_budget", 400.03),
                      project(name, "funds.appropriation", "full_year_budget", appropriation),
                      project(name, "funds.carryover", "full_year_budget"),
                      project(name, "funds.other", "full_year_budget", 30))
    assert flagged(rep(370.03), "fund_parts_mismatch") == []
    [flag] = flagged(rep(360.03), "fund_parts_mismatch")
    assert flag.subject == "运行维护经费"
    assert flag.message.startswith("项目“运行维护经费”：年度资金总额全年预算数 400.03 万元 ≠ 当年财政拨款 360.03 + ")


def test_income_identity():
    def rep(full_year):
        return report(narrative("full_year_budget", full_year), narrative("revenue_current_year", 889.68),
                      narrative("carryover_opening", 182.01))
    assert flagged(rep(1071.69), "income_identity_mismatch") == []
    [flag] = flagged(rep(1061.69), "income_identity_mismatch")
    assert flag.message == ("报告正文：本年收入 889.68 + 年初结转结余 182.01 = 1071.69 万元 ≠ 全年预算数 1061.69 万元"
                            "（相差 10 万元）")
    assert flagged(report(narrative("full_year_budget", 1061.69)), "income_identity_mismatch") == []


# --- rates ---------------------------------------------------------------------------------


def execution(executed, full_year, raw, subject="人大代表"):
    rate = float(raw.rstrip("%"))
    return report(project(subject, "funds.total", "executed", executed),
                  project(subject, "funds.total", "full_year_budget", full_year),
                  project(subject, "funds.total", "execution_rate", rate, raw=raw))


@pytest.mark.parametrize("executed, full_year, raw, holds", [
    (256.97, 258.2, "100%", True),      # 99.52% rounds to 100
    (394, 400.03, "100%", False),       # 98.49% does not
    (982.21, 982.60, "99.96%", True),   # 99.9603%
    (982.21, 982.60, "99.95%", False),
    (982.21, 982.60, "100.0%", True),   # 99.96 → 100.0 at one decimal
    (99.995, 100, "99.99%", False),     # 99.995 rounds half-up to 100.00
    (99.995, 100, "100.00%", True),
])
def test_execution_rate_rounds_half_up_to_printed_decimals(executed, full_year, raw, holds):
    flags = flagged(execution(executed, full_year, raw), "execution_rate_misreported")
    assert (flags == []) == holds


def test_execution_rate_message():
    [flag] = flagged(execution(394, 400.03, "100%", "运行维护经费"), "execution_rate_misreported")
    assert flag.message == "项目“运行维护经费”：执行率填报 100%，按全年执行数 394 万元 ÷ 全年预算数 400.03 万元应为 98.49%"
    assert (flag.expected, flag.actual, flag.subject) == (98.49, 100.0, "运行维护经费")


def test_execution_rate_with_blank_budget_is_not_checked():
    rep = report(overall("funds.total", "executed", 10), overall("funds.total", "full_year_budget"),
                 overall("funds.total", "execution_rate", 100.0, raw="100%"))
    assert flagged(rep, "execution_rate_misreported") == []


def staffing(authorized, actual, raw):
    rate = float(raw.rstrip("%")) if raw else None
    return [basic("staffing.authorized", None, authorized), basic("staffing.actual", None, actual),
            basic("staffing.control_rate", None, rate, raw=raw)]


def test_staffing_rate():
    [flag] = flagged(report(*staffing(21, 35, "60%")), "staffing_rate_misreported")
    assert flag.message == "控制率填报 60%，按实际在职人数 35 人 ÷ 编制数 21 人应为 166.67%"
    assert flagged(report(*staffing(111, 85, "76.58%")), "staffing_rate_misreported") == []
    assert flagged(report(*staffing(31, 31, "100.00%")), "staffing_rate_misreported") == []


# --- comparisons ---------------------------------------------------------------------------


def test_staffing_over_quota_from_basic_data():
    [flag] = flagged(report(*staffing(21, 35, "60%")), "staffing_over_quota")
    assert flag.message == "实际在职人数 35 人超过编制数 21 人（控制率应为 166.67%，填报 60%）"
    assert (flag.severity, flag.expected, flag.actual) == ("warning", 21, 35)
    assert flagged(report(*staffing(31, 31, "100.00%")), "staffing_over_quota") == []


def test_staffing_over_quota_from_narrative_when_forms_lack_staffing():
    rep = report(narrative("authorized_headcount", 24, "人"), narrative("actual_headcount", 38, "人"))
    [flag] = flagged(rep, "staffing_over_quota")
    assert flag.message == "实有人数 38 人超过编制数 24 人（控制率 158.33%）"
    # the form wins when it has both figures
    rep = report(*staffing(111, 85, "76.58%"), narrative("authorized_headcount", 24, "人"),
                 narrative("actual_headcount", 38, "人"))
    assert flagged(rep, "staffing_over_quota") == []


def test_execution_over_budget():
    assert flagged(execution(394, 400.03, "98.49%"), "execution_over_budget") == []
    [flag] = flagged(execution(410, 400.03, "102.49%", "人大会议"), "execution_over_budget")
    assert flag.message == "项目“人大会议”：全年执行数 410 万元超过全年预算数 400.03 万元"


def test_three_public_over_budget():
    ok = report(basic("three_public.total", "budget", 5), basic("three_public.total", "final", 0.13))
    over = report(basic("three_public.total", "budget", 5), basic("three_public.total", "final", 6))
    assert flagged(ok, "three_public_over_budget") == []
    [flag] = flagged(over, "three_public_over_budget")
    assert flag.message == "“三公”经费本年决算数 6 万元超过本年预算数 5 万元"


# --- scores --------------------------------------------------------------------------------


SEED_004_SCORES = (6, 8, 8, 4, 4, 6, 4, 2, 15, 0, 2, 10, 19, 0, 0)  # adds to 88


def scored(funds_score, total, scores=SEED_004_SCORES):
    return report(overall("funds.total", "max_score", 10, unit="分"),
                  overall("funds.total", "score", funds_score, unit="分"),
                  overall("total_score", None, total),
                  indicators=[indicator(s, s, f"指标{i}") for i, s in enumerate(scores)])


def test_score_exceeds_max_funds_row():
    [flag] = flagged(scored(98, 98), "score_exceeds_max")
    assert flag.message == "年度资金总额得分 98 分超过分值 10 分"
    assert flagged(scored(10, 98), "score_exceeds_max") == []


def test_score_exceeds_max_indicator_and_total():
    rep = report(overall("total_score", None, 101), indicators=[indicator(7, 6, "工作保障时效"), indicator(6, 6)])
    messages = sorted(f.message for f in flagged(rep, "score_exceeds_max"))
    assert messages == ["总分 101 分超过满分 100 分", "绩效指标“工作保障时效”得分 7 分超过分值 6 分"]


def test_total_score_mismatch():
    assert flagged(scored(10, 98), "total_score_mismatch") == []
    [flag] = flagged(scored(98, 98), "total_score_mismatch")
    assert flag.message == "总分 98 分 ≠ 年度资金总额得分 98 分 + 绩效指标得分合计 88 分 = 186 分（相差 88 分）"


def test_total_score_per_project():
    name = "人大立法"
    rep = report(project(name, "funds.total", "score", 10, unit="分"), project(name, "total_score", None, 100),
                 indicators=[indicator(12.5, 12.5, f"指标{i}", "project_eval", name) for i in range(4)]
                 + [indicator(10, 10, f"效益{i}", "project_eval", name) for i in range(3)]
                 + [indicator(10, 10, "满意度", "project_eval", name)])
    assert flagged(rep, "total_score_mismatch") == []
    rep.facts[-1] = project(name, "total_score", None, 95)
    [flag] = flagged(rep, "total_score_mismatch")
    assert flag.subject == name


def test_total_score_not_compared_when_no_indicator_score_was_read():
    # tune-048-scanned: the OCR'd project table gave the totals but none of the indicator rows' 得分
    name = "综合执法装备购置"
    unread = [indicator(None, 10, f"指标{i}", "project_eval", name) for i in range(3)]
    rep = report(project(name, "funds.total", "score", 10, unit="分"), project(name, "total_score", None, 97.5),
                 indicators=unread)
    assert flagged(rep, "total_score_mismatch") == []
    rep.indicators = []
    assert flagged(rep, "total_score_mismatch") == []
    rep.indicators = unread[:2] + [indicator(80, 90, "满意度", "project_eval", name)]
    [flag] = flagged(rep, "total_score_mismatch")  # one row read: a real sum, 10 + 80 ≠ 97.5
    assert flag.printed == 97.5 and flag.computed == 90


# --- narrative, years, forms ---------------------------------------------------------------


def test_narrative_table_mismatch():
    rep = report(narrative("basic", 713.46), overall("expenditure.basic", None, 1284.93),
                 narrative("final", 877.49), overall("funds.total", "executed", 877.49),
                 narrative("self_score", 100, "分"), overall("total_score", None, 100))
    [flag] = flagged(rep, "narrative_table_mismatch")
    assert flag.message == "报告正文基本支出 713.46 万元，部门整体支出绩效自评表基本支出 1284.93 万元（相差 571.47 万元）"
    assert (flag.expected, flag.actual, flag.subject) == (1284.93, 713.46, "basic")


def test_narrative_figure_that_is_another_cell_goes_to_review():
    # The sentence's 1284.93 is not the 基本支出 of the form but its 全年预算数: a misreading of which
    # figure the sentence names is likelier than a clerk's slip.
    rep = report(narrative("basic", 1061.69), overall("expenditure.basic", None, 1284.93),
                 overall("funds.total", "full_year_budget", 1061.69))
    [flag] = flagged(rep, "narrative_table_mismatch")
    assert flag.needs_review and flag.severity == "info"
    assert [c.label for c in flag.cells if c.role == "alternative"] == ["部门整体支出绩效自评表年度资金总额全年预算数"]
    # the same figure in another form's row of the same meaning: the forms disagree, no doubt
    rep = report(narrative("project", 164.03), overall("expenditure.project", None, 718.22),
                 basic("project.total", "final", 164.03))
    [flag] = flagged(rep, "narrative_table_mismatch")
    assert not flag.needs_review and flag.severity == "warning"
    # a zero is in half the cells of any form: no explanation
    rep = report(narrative("project", 0), overall("expenditure.project", None, 7), basic("three_public.overseas", "final", 0))
    assert not flagged(rep, "narrative_table_mismatch")[0].needs_review


def test_a_sentence_that_rounds_the_cell_restates_it():
    """Prose rounds: '全年预算数1917万元' for a cell of 1917.27 agrees at the precision it printed;
    '1.2亿元' for 11,980.5 万元 too. A figure off by more than its last printed digit is flagged."""
    def stated(item, value, raw):
        return fact("narrative", item, None, value, raw=raw, unit="万元")

    rep = report(stated("full_year_budget", 1917.0, "1917万元"), overall("funds.total", "full_year_budget", 1917.27),
                 stated("final", 12000.0, "1.2亿元"), overall("funds.total", "executed", 11980.5),
                 stated("basic", 1284.9, "1,284.9万元"), overall("expenditure.basic", None, 1284.93))
    assert flagged(rep, "narrative_table_mismatch") == []
    rep = report(stated("full_year_budget", 1917.0, "1917万元"), overall("funds.total", "full_year_budget", 1917.57),
                 stated("basic", 1284.9, "１，２８４．９万元"), overall("expenditure.basic", None, 1284.96))
    assert {f.subject for f in flagged(rep, "narrative_table_mismatch")} == {"full_year_budget", "basic"}


def test_narrative_table_mismatch_tolerates_a_cent():
    rep = report(narrative("public_funds", 74.47), basic("public_funds.total", "final", 74.46),
                 narrative("authorized_headcount", 21, "人"), basic("staffing.authorized", None, 21))
    assert flagged(rep, "narrative_table_mismatch") == []
    rep.facts[0] = narrative("public_funds", 74.48)
    assert len(flagged(rep, "narrative_table_mismatch")) == 1


def years(*headers):
    return [HeaderYear(form="basic_data", label=label, year=year, role=role, location="basic_data table 1")
            for label, year, role in headers]


def test_year_mismatch():
    ok = years(("2023年实际在职人数", 2023, "current"), ("2022年决算数", 2022, "prior"), ("2023年预算数", 2023, "current"))
    assert flagged(report(header_years=ok, fiscal_year=2023), "year_mismatch") == []
    bad = years(("2021年决算数", 2021, "prior"), ("2022年预算数", 2022, "current"))
    flags = flagged(report(header_years=bad, fiscal_year=2023), "year_mismatch")
    assert [f.message for f in flags] == ["基础数据表表头“2021年决算数”为 2021 年，报告年度 2023 年的上年应为 2022 年",
                                          "基础数据表表头“2022年预算数”为 2022 年，报告年度 2023 年的本年应为 2023 年"]
    assert flagged(report(header_years=bad), "year_mismatch") == []  # no fiscal year, nothing to compare


def test_missing_form():
    [flag] = flagged(report(narrative("final", 1), forms={"narrative", "project_list"}), "missing_form")
    assert flag.severity == "info"
    assert flagged(report(forms={"overall_eval", "narrative"}), "missing_form") == []
    assert flagged(report(forms={"basic_data"}), "missing_form") == []


def test_blank_and_missing_facts_never_crash():
    from checks.rules import DECLARATIONS, Exceed, Rate, Restates, Sum

    decls = [d for rule in DECLARATIONS for d in rule.compares]
    terms = {(f, t) for d in decls if isinstance(d, Sum) for f in d.forms for t in (d.total, *d.parts)}
    terms |= {(f, t) for d in decls if isinstance(d, Rate) for f in d.forms
              for t in (d.numerator, d.denominator, d.reported)}
    terms |= {(f, t) for d in decls if isinstance(d, Exceed) for f, *ts in d.sources for t in ts}
    restates = [d for d in decls if isinstance(d, Restates)]
    terms |= {(p.form, p.term) for p in restates} | {("narrative", p.narrative_item) for p in restates}
    terms = {(f, t) for f, t in terms if not t.startswith("indicator.")}  # rows, not facts
    blanks = []
    for form, term in sorted(terms):
        for alternative in term.split("|"):
            item, _, column = alternative.rstrip("*").partition("@")
            if item.startswith("="):
                continue
            subject = "项目" if form == "project_eval" or alternative.endswith("*") else None
            for col in ([column or None] if "@" in alternative else ["final", "executed", None]):
                blanks.append(fact(form, item.rstrip("*"), col, None, subject=subject))
    assert len(blanks) > 60
    assert [f.rule for f in run_checks(report(*blanks))] == []
    for one in blanks:  # each fact alone, printed
        run_checks(report(Fact(**{**one.__dict__, "value": 1.0, "raw_value": "1"})))


# --- every declared rule fires and holds ---------------------------------------------------

# For each rule: a report that breaks it and its clean twin. A rule added to checks.rules
# without an entry here fails test_every_rule_fires_and_holds.
def _sum_pair(total, parts, make=basic, column="final"):
    def build(value):
        return report(make(total, column, value), *[make(p, column, v) for p, v in parts])
    return build


_THREE = _sum_pair("three_public.total", [("three_public.vehicles", 66.81), ("three_public.overseas", 0),
                                          ("three_public.reception", 3.49)])
_VEHICLES = _sum_pair("three_public.vehicles", [("three_public.vehicle_purchase", 17.98),
                                                ("three_public.vehicle_operation", 48.83)])
_PROJECT = _sum_pair("project.total", [("project.business", 228.97), ("project.operation", 394),
                                       ("project.special", None)])
_PUBLIC = _sum_pair("public_funds.total", [("public_funds.office", 5.82), ("public_funds.utilities_travel", 60.19),
                                           ("public_funds.meetings_training", None)])
_FUND_PARTS = _sum_pair("funds.total", [("funds.appropriation", 370.03), ("funds.carryover", None),
                                        ("funds.other", 30)],
                        make=lambda i, c, v: project("运行维护经费", i, c, v), column="full_year_budget")


def _structure(items):
    def build(total):
        return report(overall("funds.total", "full_year_budget", total), *[overall(i, None, v) for i, v in items])
    return build


_REVENUE = [("revenue.general_budget", 982.6), ("revenue.gov_fund", None), ("revenue.special_account", None),
            ("revenue.other", None)]


def _narrative_pair(stated):
    return report(narrative("basic", stated), overall("expenditure.basic", None, 1284.93))


def _headers(year):
    return report(basic("staffing.actual", None, 1), fiscal_year=2023,
                  header_years=[HeaderYear("basic_data", f"{year}年实际在职人数", year, "current", "basic_data t1")])


FIRES_AND_HOLDS = {  # rule: (breaks it, holds it)
    "staffing_over_quota": (report(*staffing(21, 35, "166.67%")), report(*staffing(21, 20, "95.24%"))),
    "staffing_rate_misreported": (report(*staffing(21, 35, "60%")), report(*staffing(21, 35, "166.67%"))),
    "three_public_sum": (_THREE(70.5), _THREE(70.3)),
    "vehicles_sum": (_VEHICLES(60.42), _VEHICLES(66.81)),
    "project_sum": (_PROJECT(600), _PROJECT(622.97)),
    "public_funds_parts_exceed": (_PUBLIC(60), _PUBLIC(450.81)),
    "expenditure_structure_mismatch": (_structure([("expenditure.basic", 911.94), ("expenditure.project", 70.66)])(
        877.49), _structure([("expenditure.basic", 911.94), ("expenditure.project", 70.66)])(982.6)),
    "revenue_structure_mismatch": (_structure(_REVENUE)(877.49), _structure(_REVENUE)(982.6)),
    "execution_rate_misreported": (execution(394, 400.03, "100%"), execution(394, 400.03, "98.49%")),
    "execution_over_budget": (execution(410, 400.03, "102.49%"), execution(394, 400.03, "98.49%")),
    "fund_parts_mismatch": (_FUND_PARTS(410), _FUND_PARTS(400.03)),
    "score_exceeds_max": (scored(98, 98), scored(10, 98)),
    "total_score_mismatch": (scored(10, 97), scored(10, 98)),
    "three_public_over_budget": (report(basic("three_public.total", "budget", 5), basic("three_public.total", "final", 6)),
                                 report(basic("three_public.total", "budget", 5), basic("three_public.total", "final", 5))),
    "narrative_table_mismatch": (_narrative_pair(713.46), _narrative_pair(1284.93)),
    "income_identity_mismatch": (report(narrative("full_year_budget", 1061.69), narrative("revenue_current_year", 889.68),
                                        narrative("carryover_opening", 182.01)),
                                 report(narrative("full_year_budget", 1071.69), narrative("revenue_current_year", 889.68),
                                        narrative("carryover_opening", 182.01))),
    "year_mismatch": (_headers(2022), _headers(2023)),
    "missing_form": (report(narrative("final", 1), forms={"narrative"}), report(forms={"basic_data", "narrative"})),
}


# Rules across filings have their own pairs in tests/test_across.py.
@pytest.mark.parametrize("rule", sorted(r.id for r in DECLARATIONS))
def test_every_rule_fires_and_holds(rule):
    breaks, holds = FIRES_AND_HOLDS[rule]
    fired = flagged(breaks, rule)
    assert fired, f"{rule} did not fire on the report that breaks it"
    assert flagged(holds, rule) == [], f"{rule} fired on its clean twin"
    declared = RULES[rule]
    for flag in fired:
        assert flag.severity == declared.severity and not flag.needs_review
        assert flag.message
        assert flag.unit == (declared.unit or None) or rule == "narrative_table_mismatch"  # a pair names its unit
        if rule != "missing_form":
            assert flag.printed is not None and flag.expected is not None and flag.cells


# --- precision first -----------------------------------------------------------------------


def _with(one: Fact, **changes) -> Fact:
    return Fact(**{**one.__dict__, **changes})


def _vehicles_breaking(**reading):
    total = basic("three_public.vehicles", "final", 60.42)
    return report(total, _with(basic("three_public.vehicle_purchase", "final", 17.98), **reading),
                  basic("three_public.vehicle_operation", "final", 48.83))


@pytest.mark.parametrize("reading, weakest", [
    ({"match_method": "fuzzy", "match_score": 93.5}, (93.5, "fuzzy")),  # fuzzy never counts as certain
    ({"match_method": "ocr+synonym", "match_score": 80.0}, (80.0, "ocr+synonym")),
    ({"match_method": "pattern", "match_score": 70.0}, (70.0, "pattern")),  # below the bar
    ({"inferred": True}, (100, "exact")),  # placed by template order
])
def test_a_flag_on_an_uncertain_reading_is_info_for_review(reading, weakest):
    [flag] = flagged(_vehicles_breaking(**reading), "vehicles_sum")
    assert (flag.severity, flag.needs_review) == ("info", True)
    assert (flag.weakest_match, flag.weakest_method) == weakest
    assert flag.inferred == reading.get("inferred", False)
    assert flag.message.startswith("公务用车购置和维护经费本年决算数 60.42 万元")  # still says what it found


def test_a_flag_on_certain_readings_keeps_its_severity():
    [flag] = flagged(_vehicles_breaking(match_method="synonym", match_score=100.0), "vehicles_sum")
    assert (flag.severity, flag.needs_review, flag.inferred, flag.weakest_match) == ("error", False, False, 100)
    roles = [(c.role, c.label, c.text) for c in flag.cells]
    assert roles == [("printed", "公务用车购置和维护经费本年决算数", "60.42"), ("part", "公车购置", "17.98"),
                     ("part", "公车运行维护", "48.83")]
    assert flag.fingerprint("f1") == flagged(_vehicles_breaking(), "vehicles_sum")[0].fingerprint("f1")
    assert flag.fingerprint("f1") != flag.fingerprint("f2")


def test_an_amount_printed_in_yuan_is_quoted_as_printed():
    rep = report(basic("public_funds.total", "final", 74.795317, raw="747,953.17"),
                 basic("public_funds.office", "final", 80.0, raw="800,000.00"),
                 basic("public_funds.utilities_travel", "final"), basic("public_funds.meetings_training", "final"))
    [flag] = flagged(rep, "public_funds_parts_exceed")
    assert flag.message == ("公用经费本年决算数 74.8 万元，其中各项 办公经费 80 + 水费、电费、差旅费 0 + 会议费、培训费 0 = 80 万元，"
                            "超出 5.2 万元（原表以元填报：公用经费本年决算数 747,953.17、办公经费 800,000.00 元）")
    assert [c.text for c in flag.cells] == ["747,953.17", "800,000.00", "", ""]


def test_rules_doc_is_current():
    from checks.docs import DOCS_PATH, render

    assert DOCS_PATH.read_text(encoding="utf-8") == render(), "docs/rules.md is stale: python -m checks.docs"


def test_a_sum_missing_a_declared_cell_goes_to_review():
    # 公车运行维护 printed blank counts as 0
    blank = report(basic("three_public.vehicles", "final", 60.42), basic("three_public.vehicle_purchase", "final", 17.98),
                   basic("three_public.vehicle_operation", "final"))
    [flag] = flagged(blank, "vehicles_sum")
    assert (flag.severity, flag.needs_review) == ("error", False)
    # a row every edition of the form prints, not read at all: read as another item, never alerted as 0
    omitted = report(basic("three_public.vehicles", "final", 60.42), basic("three_public.vehicle_purchase", "final", 17.98))
    [flag] = flagged(omitted, "vehicles_sum")
    assert (flag.severity, flag.needs_review, flag.weakest_method) == ("info", True, "unread")
    # its row read in another column, this cell not: a reading that failed
    absent = report(basic("three_public.vehicles", "final", 60.42), basic("three_public.vehicle_purchase", "final", 17.98),
                    basic("three_public.vehicle_operation", "budget", 30))
    [flag] = flagged(absent, "vehicles_sum")
    assert (flag.severity, flag.needs_review, flag.weakest_method, flag.weakest_match) == ("info", True, "unread", 0)
    assert [(c.label, c.match_method) for c in flag.cells if c.match_method == "unread"] == [("公车运行维护本年决算数", "unread")]


def test_total_score_resting_on_a_blank_funds_score_goes_to_review():
    # the template always prints the funds row's 得分: blank, the total cannot be judged
    [flag] = flagged(scored(None, 98), "total_score_mismatch")
    assert (flag.severity, flag.needs_review, flag.weakest_method) == ("info", True, "unread")
    [flag] = flagged(scored(10, 97), "total_score_mismatch")
    assert (flag.severity, flag.needs_review) == ("error", False)
