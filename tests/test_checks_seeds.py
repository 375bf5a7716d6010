"""SPEC §4 "What the seeds already show", on reports built by hand from the seeds' printed numbers.

The narrative facts come from the seeds' own paragraphs. Each seed's complete flag list is
pinned: besides the flags SPEC names, the seeds contradict themselves in a few more places,
each noted where it is asserted.
"""

from __future__ import annotations

from collections import Counter

from checks import run_checks
from extractors.textdump import parse_dump
from core.records import CanonicalReport, Fact, HeaderYear, Indicator
from mappings.narrative import extract_narrative
from tests.conftest import seed_path

COST = ("prior_final", "budget", "final")
FUNDS = ("initial_budget", "full_year_budget", "executed", "max_score", "execution_rate", "score")


def _fact(form, item, column, value, subject=None):
    # a string value is the cell as printed ("0.00", "60%")
    raw = "" if value is None else str(value)
    number = None if value is None else float(str(value).rstrip("%"))
    return Fact(form=form, subject=subject, item=item, column=column, value=number, unit="%" if raw.endswith("%") else "万元",
                source_label=item, match_score=100, match_method="exact", location=f"{form} {item}", raw_value=raw)


def cost_row(item, *values, subject=None):
    return [_fact("basic_data", item, c, v, subject) for c, v in zip(COST, values)]


def funds_row(form, *values, subject=None, item="funds.total"):
    return [_fact(form, item, c, v, subject) for c, v in zip(FUNDS, values)]


def plain(form, **items):
    return [_fact(form, item.replace("__", "."), None, v) for item, v in items.items()]


def staffing(authorized, actual, rate):
    return plain("basic_data", staffing__authorized=authorized, staffing__actual=actual, staffing__control_rate=rate)


def indicators(form, scores, subject=None, maxima=None):
    maxima = maxima or scores
    return [Indicator(form, subject, "一级", "二级", f"指标{i + 1}", None, None, m, s, None, f"{form} row {i + 1}")
            for i, (s, m) in enumerate(zip(scores, maxima))]


def headers(fiscal_year):
    return [HeaderYear("basic_data", f"{fiscal_year}年实际在职人数", fiscal_year, "current", "basic_data"),
            HeaderYear("basic_data", f"{fiscal_year - 1}年决算数", fiscal_year - 1, "prior", "basic_data"),
            HeaderYear("basic_data", f"{fiscal_year}年预算数", fiscal_year, "current", "basic_data")]


def seed_narrative(seed):
    return extract_narrative(parse_dump(seed_path(seed).read_text(), f"{seed:03d}.txt").paragraphs)


def build(seed, facts, inds=(), fiscal_year=None):
    facts = facts + seed_narrative(seed)
    return CanonicalReport(facts=facts, indicators=list(inds), forms={f.form for f in facts},
                           fiscal_year=fiscal_year, header_years=headers(fiscal_year) if fiscal_year else [])


def rules(flags):
    return Counter(f.rule for f in flags)


# --- seed 000 --------------------------------------------------------------------------------


def seed_000():
    facts = staffing(31, 31, "100.00%")
    facts += cost_row("three_public.total", 1.38, 5, 0.13) + cost_row("three_public.reception", 1.38, 5, 0.13)
    facts += cost_row("three_public.vehicles", None, None, None) + cost_row("three_public.overseas", None, None, None)
    facts += cost_row("project.total", 0, 164.03, 164.03) + cost_row("project.special", 0, 164.03, 164.03)
    facts += cost_row("project.business", None, None, None) + cost_row("project.operation", None, None, None)
    for name, amount in (("区六届人大三次会议经费", 51.30), ("区人大预算审查监督平台", 39.80), ("代表履职", 19.89),
                         ("人大代表专业工作站建设", 21.24), ("推进城乡社区治理工作经费", 6.80), ("老干支部", 6.80)):
        facts += cost_row("project.line", None, amount, amount, subject=name)
    facts += cost_row("public_funds.total", 80.86, 143.55, 108.46) + cost_row("public_funds.office", 0.87, 15.00, 11.07)
    facts += cost_row("public_funds.utilities_travel", 8.13, 19.20, 11.73)
    facts += cost_row("public_funds.meetings_training", 24.29, 24.53, 18.04)
    facts += funds_row("overall_eval", 791.36, 877.49, 877.49, 10, "100.00%", 10.00)
    facts += plain("overall_eval", revenue__general_budget=1917.27, revenue__gov_fund="0.00",
                   revenue__special_account="0.00", revenue__other=85.88, expenditure__basic=1284.93,
                   expenditure__project=718.22, total_score=100)
    scores = (2, 3, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10, 10)
    return build(0, facts, indicators("overall_eval", scores), 2023)


def test_seed_000():
    flags = run_checks(seed_000())
    # SPEC: the special-fund lines add to 145.83, not 164.03 (budget and final columns)
    project = [f for f in flags if f.rule == "project_sum"]
    # one root cause: the budget and final columns break it with the same numbers
    assert [(f.columns, f.printed, f.computed) for f in project] == [(("budget", "final"), 164.03, 145.83)]
    narrative = {f.subject: (f.expected, f.actual) for f in flags if f.rule == "narrative_table_mismatch"}
    # SPEC names 基本支出; the narrative's 项目支出 164.03 contradicts the form's 718.22 the same way
    assert narrative == {"basic": (1284.93, 713.46), "project": (718.22, 164.03)}
    assert rules(flags) == {"project_sum": 1, "revenue_structure_mismatch": 1, "expenditure_structure_mismatch": 1,
                            "narrative_table_mismatch": 2}
    by_rule = {f.rule: f for f in flags}
    assert by_rule["revenue_structure_mismatch"].message == (
        "按收入性质分 一般公共预算 1917.27 + 政府性基金拨款 0.00 + 纳入专户管理的非税收入拨款 0.00 + 其他资金 85.88 = "
        "2003.15 万元 ≠ 年度资金总额全年预算数 877.49 万元（相差 1125.66 万元）")


# --- seed 001 --------------------------------------------------------------------------------

SEED_001_PROJECTS = {  # name: initial, full-year, executed, rate as printed
    "业务工作经费": (161.1, 228.97, 228.97, "100%"),
    "运行维护经费": (238.49, 400.03, 394, "100%"),
    "人大监督": (124, 124, 122.18, "100%"),
    "人大立法": (46.2, 46.2, 46.2, "100%"),
    "人大会议": (162.9, 404.08, 404.08, "100%"),
    "人大代表": (258.2, 258.2, 256.97, "100%"),
    "市人大系统干部履职培训班": (None, 20.3, 20.3, "100%"),
    "人大环保世纪行": (None, 24, 24, "100%"),
}


def seed_001():
    facts = staffing(111, 85, "76.58%")
    facts += cost_row("three_public.total", 67.03, 202, 70.3) + cost_row("three_public.vehicles", 60.42, 130, 66.81)
    facts += cost_row("three_public.vehicle_purchase", 17.98, 30, 17.98)
    facts += cost_row("three_public.vehicle_operation", 42.44, 100, 48.83)
    facts += cost_row("three_public.overseas", 0, 30, 0) + cost_row("three_public.reception", 6.61, 42, 3.49)
    facts += cost_row("project.total", 1425.37, 990.89, 1496.7)
    facts += cost_row("project.business", 57.02, 161.1, 228.97) + cost_row("project.operation", 544.59, 238.49, 394)
    for name, values in (("人大监督", (194.5, 124, 122.18)), ("人大立法", (81, 46.2, 46.2)),
                         ("人大会议", (247.9, 162.9, 404.08)), ("人大代表", (300.36, 258.2, 256.97)),
                         ("市人大系统干部履职培训班", (None, None, 20.3)), ("人大环保世纪行", (None, None, 24))):
        facts += cost_row("project.line", *values, subject=name)
    facts += cost_row("public_funds.total", 297.49, 271.19, 450.81) + cost_row("public_funds.office", 62.18, 20, 5.82)
    facts += cost_row("public_funds.utilities_travel", 0.2, 40, 60.19)
    facts += cost_row("public_funds.meetings_training", 0.2, 10, 1.79)
    facts += cost_row("public_funds.line", 234.91, 201.19, 383.01, subject="印刷费、邮电费、劳务费等")
    facts += funds_row("overall_eval", 2811.69, 4280.31, 4280.31, 10, "100%", 10)
    facts += plain("overall_eval", revenue__general_budget=4030.75, revenue__gov_fund=0, revenue__special_account=0,
                   revenue__other=168.69, expenditure__basic=2731.71, expenditure__project=1496.7, total_score=100)
    inds = indicators("overall_eval", (8, 8, 8, 6, 6, 6, 3, 5, 12, 9, 5, 4, 10))
    for name, (initial, full_year, executed, rate) in SEED_001_PROJECTS.items():
        facts += funds_row("project_eval", initial, full_year, executed, 10, rate, 10, subject=name)
        facts.append(_fact("project_eval", "total_score", None, 100, name))
        inds += indicators("project_eval", (50, 30, 10), name)
    facts += funds_row("project_eval", 238.49, 370.03, 364, subject="运行维护经费", item="funds.appropriation")[:3]
    facts += funds_row("project_eval", None, 30, 30, subject="运行维护经费", item="funds.other")[:3]
    return build(1, facts, inds, 2022)


def test_seed_001():
    flags = run_checks(seed_001())
    rates = {f.subject: (f.expected, f.actual) for f in flags if f.rule == "execution_rate_misreported"}
    # SPEC: 394/400.03 = 98.49% and 122.18/124 = 98.53% are not "100%"; 256.97/258.2 = 99.52% is
    assert rates == {"运行维护经费": (98.49, 100), "人大监督": (98.53, 100)}
    # SPEC: its 三公经费, 项目支出 and 公用经费 add up
    quiet = {"three_public_sum", "vehicles_sum", "project_sum", "public_funds_parts_exceed", "fund_parts_mismatch"}
    assert not [f for f in flags if f.rule in quiet]
    # Beyond SPEC's list, seed 001 contradicts itself: 4030.75 + 168.69 and 2731.71 + 1496.7 are
    # not 4280.31, and the narrative's 基本支出 2559.6 / 项目支出 1466.7 are not the form's.
    assert rules(flags) == {"execution_rate_misreported": 2, "revenue_structure_mismatch": 1,
                            "expenditure_structure_mismatch": 1, "narrative_table_mismatch": 2}


# --- seed 002 and 003: no forms ---------------------------------------------------------------


def test_seed_002_income_identity():
    items = (("“五行一月”专项经费", 217.5), ("预算联网监督经费", 22.98),
             ("国、省、州、县人大代表视察、调研、培训、代表小组活动经费", 44),
             ("民生实事项目人大代表票决制经费", 40), ("高寒山区特色农业扶持项目", 29.11))
    facts = [_fact("project_list", "project.amount", None, v, s) for s, v in items]
    facts.append(_fact("project_list", "project.total", None, 353.59))
    flags = run_checks(build(2, facts, fiscal_year=2022))
    assert rules(flags) == {"income_identity_mismatch": 1, "missing_form": 1}
    [identity] = [f for f in flags if f.rule == "income_identity_mismatch"]
    assert (identity.printed, identity.computed) == (1061.69, 1071.69)
    assert identity.message.startswith("报告正文：本年收入 889.68 + 年初结转结余 182.01 = 1071.69 万元 ≠ 全年预算数 1061.69")


def test_seed_003_narrative_staffing():
    flags = run_checks(build(3, [], fiscal_year=2021))
    assert rules(flags) == {"staffing_over_quota": 1, "missing_form": 1}
    [over] = [f for f in flags if f.rule == "staffing_over_quota"]
    assert over.message == "实有人数 38 人超过编制数 24 人（控制率 158.33%）"
    assert over.location_text == "003.txt para 19"
    assert (over.location.file, over.location.paragraph) == ("003.txt", 19)


# --- seed 004 --------------------------------------------------------------------------------


def seed_004():
    facts = staffing(21, 35, "60%")
    for item in ("total", "vehicles", "vehicle_purchase", "vehicle_operation", "overseas", "reception"):
        facts += cost_row(f"three_public.{item}", 0, 0, 0)
    facts += cost_row("project.total", 137.46, 150.13, 70.27) + cost_row("project.business", 137.46, 150.13, 70.27)
    facts += cost_row("project.operation", 0, 0, 0) + cost_row("project.special", None, None, None)
    facts += cost_row("public_funds.total", 99.41, 116.80, 74.46) + cost_row("public_funds.office", 8.93, 23.50, 9.43)
    facts += cost_row("public_funds.utilities_travel", 0.06, 1.00, 4.52)
    facts += cost_row("public_funds.meetings_training", 0.82, 5.00, 0.07)
    facts += funds_row("overall_eval", 962.51, 982.60, 982.21, 10, "99.96%", 98)
    facts += plain("overall_eval", revenue__general_budget=982.60, revenue__gov_fund=None,
                   revenue__special_account=None, revenue__other=None, expenditure__basic=911.94,
                   expenditure__project=70.66, total_score=98)
    scores = (6, 8, 8, 4, 4, 6, 4, 2, 15, 0, 2, 10, 19, 0, 0)
    maxima = (6, 8, 8, 4, 4, 6, 4, 2, 15, 0, 3, 10, 20, 0, 0)
    return build(4, facts, indicators("overall_eval", scores, maxima=maxima), 2023)


def test_seed_004():
    flags = run_checks(seed_004())
    by_rule = {f.rule: f for f in flags}
    assert by_rule["staffing_over_quota"].message == "实际在职人数 35 人超过编制数 21 人（控制率应为 166.67%，填报 60%）"
    assert by_rule["staffing_rate_misreported"].message == "控制率填报 60%，按实际在职人数 35 人 ÷ 编制数 21 人应为 166.67%"
    assert by_rule["score_exceeds_max"].message == "年度资金总额得分 98 分超过分值 10 分"
    # Also real: with the funds row at 98 the total is not 98 + 88, and the narrative's
    # 项目支出 70.27 (executed) differs from the form's 70.66 by 0.39.
    assert rules(flags) == {"staffing_over_quota": 1, "staffing_rate_misreported": 1, "score_exceeds_max": 1,
                            "total_score_mismatch": 1, "narrative_table_mismatch": 1}
    assert by_rule["narrative_table_mismatch"].subject == "project"
