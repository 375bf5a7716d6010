"""Every inconsistency rule of SPEC §4, as data. The engines in ``checks.engine`` read these.

Terms name facts of the declaration's form (and, for project_eval, of one project):

- ``item``          the fact in the column being checked
- ``item@column``   that column; ``item@`` is the column-less fact (staffing, structure rows)
- ``item*``         every fact of that item whatever its subject (free ``…line`` rows)
- ``a|b``           ``a`` when it holds a number, else ``b`` (special row, else its lines)
- ``=100``          a constant

Message templates are ``str.format`` strings; the fields each engine fills are listed on
its declaration class. Numbers are printed without trailing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str


RULES = {
    r.id: r
    for r in (
        Rule("staffing_over_quota", WARNING, "实际在职人数超过编制数"),
        Rule("staffing_rate_misreported", ERROR, "人员控制率填报有误"),
        Rule("three_public_sum", ERROR, "“三公”经费不等于分项之和"),
        Rule("vehicles_sum", ERROR, "公务用车经费不等于购置与运行维护之和"),
        Rule("project_sum", ERROR, "项目支出不等于其下各行之和"),
        Rule("public_funds_parts_exceed", ERROR, "公用经费其中项之和超过总数"),
        Rule("expenditure_structure_mismatch", ERROR, "按支出性质分不等于全年预算数"),
        Rule("revenue_structure_mismatch", ERROR, "按收入性质分不等于全年预算数"),
        Rule("execution_rate_misreported", ERROR, "执行率填报有误"),
        Rule("execution_over_budget", WARNING, "执行数超过全年预算数"),
        Rule("fund_parts_mismatch", ERROR, "项目资金来源之和不等于年度资金总额"),
        Rule("score_exceeds_max", ERROR, "得分超过分值"),
        Rule("total_score_mismatch", ERROR, "总分不等于各项得分之和"),
        Rule("three_public_over_budget", WARNING, "“三公”经费决算超预算"),
        Rule("narrative_table_mismatch", WARNING, "报告正文与表格数字不一致"),
        Rule("income_identity_mismatch", ERROR, "本年收入加年初结转结余不等于全年预算数"),
        Rule("year_mismatch", WARNING, "表头年度与报告年度不符"),
        Rule("missing_form", INFO, "缺少基础数据表和整体支出绩效自评表"),
    )
}

COST_COLUMNS = ("prior_final", "budget", "final")
FUND_COLUMNS = ("initial_budget", "full_year_budget", "executed")
EVAL_FORMS = ("overall_eval", "project_eval")


@dataclass(frozen=True)
class SumRule:
    """``total`` must equal the sum of ``parts`` within 0.01 万元 per addend.

    With ``exceed_only`` only parts above the total are flagged (the 其中 lines need not
    cover the total). Message fields: where, total_label, total, parts, sum, diff, unit.
    """

    rule: str
    form: str
    total: str
    parts: tuple[str, ...]
    message: str
    columns: tuple[str | None, ...] = (None,)
    exceed_only: bool = False
    unit: str = "万元"


_SUM = "{where}{total_label} {total} {unit} ≠ {parts} = {sum} {unit}（相差 {diff} {unit}）"

SUM_RULES = (
    SumRule("three_public_sum", "basic_data", "three_public.total",
            ("three_public.vehicles", "three_public.overseas", "three_public.reception"), _SUM, COST_COLUMNS),
    SumRule("vehicles_sum", "basic_data", "three_public.vehicles",
            ("three_public.vehicle_purchase", "three_public.vehicle_operation"), _SUM, COST_COLUMNS),
    # Two levels: the total holds the special row (or its lines when the form has no special
    # row), and the special row holds its lines.
    SumRule("project_sum", "basic_data", "project.total",
            ("project.business", "project.operation", "project.special|project.line*"), _SUM, COST_COLUMNS),
    SumRule("project_sum", "basic_data", "project.special", ("project.line*",),
            "{where}{total_label} {total} {unit} ≠ 其下各专项 {parts} = {sum} {unit}（相差 {diff} {unit}）",
            COST_COLUMNS),
    SumRule("project_sum", "project_list", "project.total", ("project.amount*",),
            "项目清单合计 {total} {unit} ≠ {parts} = {sum} {unit}（相差 {diff} {unit}）"),
    SumRule("public_funds_parts_exceed", "basic_data", "public_funds.total",
            ("public_funds.office", "public_funds.utilities_travel", "public_funds.meetings_training",
             "public_funds.line*"),
            "{total_label} {total} {unit}，其中各项 {parts} = {sum} {unit}，超出 {diff} {unit}",
            COST_COLUMNS, exceed_only=True),
    SumRule("expenditure_structure_mismatch", "overall_eval", "funds.total@full_year_budget",
            ("expenditure.basic@", "expenditure.project@"),
            "按支出性质分 {parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
    SumRule("revenue_structure_mismatch", "overall_eval", "funds.total@full_year_budget",
            ("revenue.general_budget@", "revenue.gov_fund@", "revenue.special_account@", "revenue.other@"),
            "按收入性质分 {parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
    SumRule("fund_parts_mismatch", "project_eval", "funds.total",
            ("funds.appropriation", "funds.carryover", "funds.other"), _SUM, FUND_COLUMNS),
    SumRule("income_identity_mismatch", "narrative", "full_year_budget@",
            ("revenue_current_year@", "carryover_opening@"),
            "报告正文：{parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
)


@dataclass(frozen=True)
class RateRule:
    """``reported`` (percent) must equal numerator / denominator × 100, rounded half-up to the
    decimals printed. Message fields: where, reported, computed, numerator, denominator,
    numerator_label, denominator_label."""

    rule: str
    forms: tuple[str, ...]
    numerator: str
    denominator: str
    reported: str
    message: str


RATE_RULES = (
    RateRule("staffing_rate_misreported", ("basic_data",), "staffing.actual@", "staffing.authorized@",
             "staffing.control_rate@",
             "控制率填报 {reported}%，按{numerator_label} {numerator} 人 ÷ {denominator_label} {denominator} 人"
             "应为 {computed}%"),
    RateRule("execution_rate_misreported", EVAL_FORMS, "funds.total@executed", "funds.total@full_year_budget",
             "funds.total@execution_rate",
             "{where}执行率填报 {reported}%，按全年执行数 {numerator} 万元 ÷ 全年预算数 {denominator} 万元"
             "应为 {computed}%"),
)


@dataclass(frozen=True)
class ExceedRule:
    """Flag when ``left`` > ``right``. Each ``sources`` entry is (form, left, right). With
    ``first_only`` only the first source whose two figures are both printed is used, so the
    narrative stands in for a form that lacks them. ``reported_rate`` names the printed rate
    shown beside the computed one. Message fields: where, left, right, left_label,
    right_label, note."""

    rule: str
    sources: tuple[tuple[str, str, str], ...]
    message: str
    first_only: bool = False
    reported_rate: str | None = None


EXCEED_RULES = (
    ExceedRule("staffing_over_quota",
               (("basic_data", "staffing.actual@", "staffing.authorized@"),
                ("narrative", "actual_headcount@", "authorized_headcount@")),
               "{left_label} {left} 人超过{right_label} {right} 人（{note}）",
               first_only=True, reported_rate="staffing.control_rate@"),
    ExceedRule("execution_over_budget",
               (("overall_eval", "funds.total@executed", "funds.total@full_year_budget"),
                ("project_eval", "funds.total@executed", "funds.total@full_year_budget")),
               "{where}全年执行数 {left} 万元超过全年预算数 {right} 万元"),
    ExceedRule("three_public_over_budget",
               (("basic_data", "three_public.total@final", "three_public.total@budget"),),
               "“三公”经费本年决算数 {left} 万元超过本年预算数 {right} 万元"),
    ExceedRule("score_exceeds_max",
               (("overall_eval", "funds.total@score", "funds.total@max_score"),
                ("project_eval", "funds.total@score", "funds.total@max_score")),
               "{where}年度资金总额得分 {left} 分超过分值 {right} 分"),
    ExceedRule("score_exceeds_max",
               (("overall_eval", "total_score@", "=100"), ("project_eval", "total_score@", "=100")),
               "{where}总分 {left} 分超过满分 {right} 分"),
)

# Indicator rows are not facts; their rule is evaluated in ``checks.scores``.
INDICATOR_SCORE_MESSAGE = "{where}绩效指标“{indicator}”得分 {score} 分超过分值 {max_score} 分"
TOTAL_SCORE_MESSAGE = (
    "{where}总分 {total} 分 ≠ 年度资金总额得分 {funds} 分 + 绩效指标得分合计 {indicators} 分 = {sum} 分"
    "（相差 {diff} 分）"
)


@dataclass(frozen=True)
class NarrativePair:
    """A figure of the narrative and the form cell that states the same thing."""

    narrative_item: str
    form: str
    term: str
    unit: str = "万元"


NARRATIVE_TOLERANCE = "0.011"
NARRATIVE_MESSAGE = "报告正文{narrative_label} {narrative} {unit}，{form_label}{cell_label} {table} {unit}（相差 {diff} {unit}）"

NARRATIVE_PAIRS = (
    NarrativePair("full_year_budget", "overall_eval", "funds.total@full_year_budget"),
    NarrativePair("initial_budget", "overall_eval", "funds.total@initial_budget"),
    NarrativePair("final", "overall_eval", "funds.total@executed"),
    NarrativePair("basic", "overall_eval", "expenditure.basic@"),
    NarrativePair("project", "overall_eval", "expenditure.project@"),
    NarrativePair("self_score", "overall_eval", "total_score@", "分"),
    NarrativePair("three_public_budget", "basic_data", "three_public.total@budget"),
    NarrativePair("three_public_final", "basic_data", "three_public.total@final"),
    NarrativePair("public_funds", "basic_data", "public_funds.total@final"),
    NarrativePair("authorized_headcount", "basic_data", "staffing.authorized@", "人"),
    NarrativePair("actual_headcount", "basic_data", "staffing.actual@", "人"),
)

YEAR_MESSAGE = "{form_label}表头“{label}”为 {year} 年，报告年度 {fiscal_year} 年的{role}应为 {expected} 年"
MISSING_FORM_MESSAGE = "未找到部门整体支出绩效评价基础数据表或部门整体支出绩效自评表，只能核对报告正文"
