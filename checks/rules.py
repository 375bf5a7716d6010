"""Every inconsistency rule of SPEC §4: one ``Rule`` declaration each, read by the engine,
the warehouse, the report and the alerts.

A rule holds one or more comparisons (``Sum``, ``Rate``, ``Exceed``, ``Restates``, ``Custom``).
Their terms name facts of the comparison's form (and, for project_eval, of one project):

- ``item``          the fact in the column being checked
- ``item@column``   that column; ``item@`` is the column-less fact (staffing, structure rows)
- ``item*``         every fact of that item whatever its subject (free ``…line`` rows, and
                    ``indicator.score*`` / ``indicator.max_score*``: the 绩效指标 rows)
- ``a|b``           ``a`` when it holds a number, else ``b`` (special row, else its lines)
- ``=100``          a constant

Message templates are ``str.format`` strings; the fields each comparison fills are listed on
its class. Numbers are printed as the report prints them.

What a flag's numbers mean is the same for every rule (``core.records.Flag``): ``printed`` is
the figure checked, ``computed`` what the other figures make of it, ``limit`` its bound.
``labels`` name those two for a reader, in the report and the alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.records import Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

COST_COLUMNS = ("prior_final", "budget", "final")
FUND_COLUMNS = ("initial_budget", "full_year_budget", "executed")
EVAL_FORMS = ("overall_eval", "project_eval")

# Rounding on the forms: each printed addend may be off by half a cent of 万元, so a sum of
# n addends may be off by n cents.
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sum:
    """``total`` must equal the sum of ``parts`` within the rule's tolerance per addend.

    With ``exceed_only`` only parts above the total are flagged (the 其中 lines need not
    cover the total). Message fields: where, total_label, total, parts, sum, diff, unit, and
    t0, t1, … the subtotal of each term of ``parts``.
    """

    forms: tuple[str, ...]
    total: str
    parts: tuple[str, ...]
    message: str
    columns: tuple[str | None, ...] = (None,)
    exceed_only: bool = False
    # Parts the form's template always fills: blank or not found, the sum rests on a misreading
    # and its flag goes to review. Any other part left out of the form counts as 0.
    required: tuple[str, ...] = ()
    # ``*`` parts with no printed value at all: their rows were not read (an OCR'd table, a
    # layout not understood), so the sum would compare the total with a fraction of it.
    # Nothing is compared then.
    rows_read: tuple[str, ...] = ()
    # Parts every edition of the form prints as a row of their own (0 or blank when nothing was
    # spent): when no cell of one was read, its row was read as another item, and the sum, which
    # would count it as 0, goes to review. A row printed blank still counts as 0.
    printed_rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rate:
    """``reported`` (percent) must equal numerator / denominator × 100, rounded half-up to the
    decimals printed. Message fields: where, reported, computed, numerator, denominator,
    numerator_label, denominator_label."""

    forms: tuple[str, ...]
    numerator: str
    denominator: str
    reported: str
    message: str


@dataclass(frozen=True)
class Exceed:
    """Flag when ``left`` > ``right``. Each ``sources`` entry is (form, left, right). With
    ``first_only`` only the first source whose two figures are both printed is used, so the
    narrative stands in for a form that lacks them. With ``rows`` both terms are ``*`` terms
    paired row by row (indicator rows). ``reported_rate`` names the printed rate shown beside
    the computed one. Message fields: where, left, right, left_label, right_label, note."""

    sources: tuple[tuple[str, str, str], ...]
    message: str
    first_only: bool = False
    reported_rate: str | None = None
    rows: bool = False


@dataclass(frozen=True)
class Restates:
    """A figure of the narrative and the form cell that states the same thing, which must
    agree within the rule's tolerance. Message fields: narrative_label, narrative, unit,
    form_label, cell_label, table, diff."""

    narrative_item: str
    form: str
    term: str
    unit: str = "万元"
    # (form, item) of the other forms' rows that state the same figure. When the sentence's figure
    # equals some other cell of the forms the flag goes to review (the sentence likely names that
    # cell), unless that cell is one of these: then the forms disagree with each other.
    same_as: tuple[tuple[str, str], ...] = ()
    message: str = ("报告正文{narrative_label} {narrative} {unit}，{form_label}{cell_label} {table} {unit}"
                    "（相差 {diff} {unit}）")


@dataclass(frozen=True)
class Custom:
    """A comparison no declaration above expresses: ``engine.CUSTOM[name]`` evaluates it."""

    name: str
    message: str = ""


@dataclass(frozen=True)
class Across:
    """A comparison between two filings of one budget unit (its other years, or an earlier
    version of the same filing): ``checks.across.ENGINES[name]`` evaluates it over the records
    the warehouse hands over. Messages name both filings ({year}, {filing}, {other_year},
    {other_filing}) and both values. ``share``/``at_least`` bound a change (staffing_jump)."""

    name: str
    message: str
    share: Decimal | None = None
    at_least: int | None = None


Comparison = Sum | Rate | Exceed | Restates | Custom | Across


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # what it means, in Chinese
    compares: tuple[Comparison, ...]
    unit: str = "万元"  # of printed/computed/limit; a Restates pair names its own
    tolerance: Decimal = CENT  # per addend for Sum, in all for Restates
    labels: tuple[str, str] = ("填报数", "核对值")  # (what printed is, what computed/limit is)


_SUM = "{where}{total_label} {total} {unit} ≠ {parts} = {sum} {unit}（相差 {diff} {unit}）"
_SUM_LABELS = ("合计数（填报）", "分项相加")
_BASIC, _OVERALL, _PROJECT = ("basic_data",), ("overall_eval",), ("project_eval",)

DECLARATIONS: tuple[Rule, ...] = (
    Rule("staffing_over_quota", WARNING, "实际在职人数超过编制数", (
        Exceed((("basic_data", "staffing.actual@", "staffing.authorized@"),
                ("narrative", "actual_headcount@", "authorized_headcount@")),
               "{left_label} {left} 人超过{right_label} {right} 人（{note}）",
               first_only=True, reported_rate="staffing.control_rate@"),
    ), unit="人", labels=("实际在职人数", "编制数（上限）")),
    Rule("staffing_rate_misreported", ERROR, "人员控制率填报有误", (
        Rate(_BASIC, "staffing.actual@", "staffing.authorized@", "staffing.control_rate@",
             "控制率填报 {reported}%，按{numerator_label} {numerator} 人 ÷ {denominator_label} {denominator} 人"
             "应为 {computed}%"),
    ), unit="%", labels=("填报控制率", "按人数计算应为")),
    Rule("three_public_sum", ERROR, "“三公”经费不等于分项之和", (
        Sum(_BASIC, "three_public.total",
            ("three_public.vehicles", "three_public.overseas", "three_public.reception"), _SUM, COST_COLUMNS,
            printed_rows=("three_public.vehicles", "three_public.overseas", "three_public.reception")),
    ), labels=_SUM_LABELS),
    Rule("vehicles_sum", ERROR, "公务用车经费不等于购置与运行维护之和", (
        Sum(_BASIC, "three_public.vehicles",
            ("three_public.vehicle_purchase", "three_public.vehicle_operation"), _SUM, COST_COLUMNS,
            printed_rows=("three_public.vehicle_purchase", "three_public.vehicle_operation")),
    ), labels=_SUM_LABELS),
    # Two levels: the total holds the special row (or its lines when the form has no special
    # row), and the special row holds its lines.
    Rule("project_sum", ERROR, "项目支出不等于其下各行之和", (
        Sum(_BASIC, "project.total",
            ("project.business", "project.operation", "project.special|project.line*"), _SUM, COST_COLUMNS),
        Sum(_BASIC, "project.special", ("project.line*",),
            "{where}{total_label} {total} {unit} ≠ 其下各专项 {parts} = {sum} {unit}（相差 {diff} {unit}）",
            COST_COLUMNS),
        Sum(("project_list",), "project.total", ("project.amount*",),
            "项目清单合计 {total} {unit} ≠ {parts} = {sum} {unit}（相差 {diff} {unit}）"),
    ), labels=_SUM_LABELS),
    Rule("public_funds_parts_exceed", ERROR, "公用经费其中项之和超过总数", (
        Sum(_BASIC, "public_funds.total",
            ("public_funds.office", "public_funds.utilities_travel", "public_funds.meetings_training",
             "public_funds.line*"),
            "{total_label} {total} {unit}，其中各项 {parts} = {sum} {unit}，超出 {diff} {unit}",
            COST_COLUMNS, exceed_only=True),
    ), labels=("公用经费合计（填报）", "其中各项相加")),
    Rule("expenditure_structure_mismatch", ERROR, "按支出性质分不等于全年预算数", (
        Sum(_OVERALL, "funds.total@full_year_budget", ("expenditure.basic@", "expenditure.project@"),
            "按支出性质分 {parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
    ), labels=("全年预算数", "基本支出+项目支出")),
    Rule("revenue_structure_mismatch", ERROR, "按收入性质分不等于全年预算数", (
        Sum(_OVERALL, "funds.total@full_year_budget",
            ("revenue.general_budget@", "revenue.gov_fund@", "revenue.special_account@", "revenue.other@"),
            "按收入性质分 {parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
    ), labels=("全年预算数", "各收入来源相加")),
    Rule("execution_rate_misreported", ERROR, "执行率填报有误", (
        Rate(EVAL_FORMS, "funds.total@executed", "funds.total@full_year_budget", "funds.total@execution_rate",
             "{where}执行率填报 {reported}%，按全年执行数 {numerator} 万元 ÷ 全年预算数 {denominator} 万元"
             "应为 {computed}%"),
    ), unit="%", labels=("填报执行率", "按金额计算应为")),
    Rule("execution_over_budget", WARNING, "执行数超过全年预算数", (
        Exceed((("overall_eval", "funds.total@executed", "funds.total@full_year_budget"),
                ("project_eval", "funds.total@executed", "funds.total@full_year_budget")),
               "{where}全年执行数 {left} 万元超过全年预算数 {right} 万元"),
    ), labels=("全年执行数", "全年预算数（上限）")),
    Rule("fund_parts_mismatch", ERROR, "项目资金来源之和不等于年度资金总额", (
        Sum(_PROJECT, "funds.total", ("funds.appropriation", "funds.carryover", "funds.other"), _SUM, FUND_COLUMNS),
    ), labels=("年度资金总额（填报）", "资金来源相加")),
    Rule("score_exceeds_max", ERROR, "得分超过分值", (
        Exceed((("overall_eval", "funds.total@score", "funds.total@max_score"),
                ("project_eval", "funds.total@score", "funds.total@max_score")),
               "{where}年度资金总额得分 {left} 分超过分值 {right} 分"),
        Exceed((("overall_eval", "total_score@", "=100"), ("project_eval", "total_score@", "=100")),
               "{where}总分 {left} 分超过满分 {right} 分"),
        Exceed((("overall_eval", "indicator.score*", "indicator.max_score*"),
                ("project_eval", "indicator.score*", "indicator.max_score*")),
               "{where}绩效指标“{left_label}”得分 {left} 分超过分值 {right} 分", rows=True),
    ), unit="分", labels=("得分", "分值/满分（上限）")),
    Rule("total_score_mismatch", ERROR, "总分不等于各项得分之和", (
        Sum(EVAL_FORMS, "total_score@", ("funds.total@score", "indicator.score*"),
            "{where}总分 {total} 分 ≠ 年度资金总额得分 {t0} 分 + 绩效指标得分合计 {t1} 分 = {sum} 分"
            "（相差 {diff} 分）", required=("funds.total@score",), rows_read=("indicator.score*",)),
    ), unit="分", labels=("总分（填报）", "各项得分相加")),
    Rule("three_public_over_budget", WARNING, "“三公”经费决算超预算", (
        Exceed((("basic_data", "three_public.total@final", "three_public.total@budget"),),
               "“三公”经费本年决算数 {left} 万元超过本年预算数 {right} 万元"),
    ), labels=("“三公”经费决算数", "预算数（上限）")),
    Rule("narrative_table_mismatch", WARNING, "报告正文与表格数字不一致", (
        Restates("full_year_budget", "overall_eval", "funds.total@full_year_budget"),
        Restates("initial_budget", "overall_eval", "funds.total@initial_budget"),
        Restates("final", "overall_eval", "funds.total@executed"),
        Restates("basic", "overall_eval", "expenditure.basic@"),
        Restates("project", "overall_eval", "expenditure.project@", same_as=(("basic_data", "project.total"),)),
        Restates("self_score", "overall_eval", "total_score@", "分"),
        Restates("three_public_budget", "basic_data", "three_public.total@budget"),
        Restates("three_public_final", "basic_data", "three_public.total@final"),
        Restates("public_funds", "basic_data", "public_funds.total@final"),
        Restates("authorized_headcount", "basic_data", "staffing.authorized@", "人"),
        Restates("actual_headcount", "basic_data", "staffing.actual@", "人"),
    ), unit="", tolerance=Decimal("0.011"), labels=("报告正文所述", "表格所填")),
    Rule("income_identity_mismatch", ERROR, "本年收入加年初结转结余不等于全年预算数", (
        Sum(("narrative",), "full_year_budget@", ("revenue_current_year@", "carryover_opening@"),
            "报告正文：{parts} = {sum} {unit} ≠ {total_label} {total} {unit}（相差 {diff} {unit}）"),
    ), labels=("全年预算数", "本年收入+年初结转结余")),
    Rule("year_mismatch", WARNING, "表头年度与报告年度不符", (
        Custom("header_years",
               "{form_label}表头“{label}”为 {year} 年，报告年度 {fiscal_year} 年的{role}应为 {expected} 年"),
    ), unit="年", labels=("表头年度", "应为年度")),
    Rule("missing_form", INFO, "缺少基础数据表和整体支出绩效自评表", (
        Custom("missing_form", "未找到部门整体支出绩效评价基础数据表或部门整体支出绩效自评表，只能核对报告正文"),
    ), unit=""),
)

# Rules across filings (SPEC §4): evaluated by ``checks.across`` when the warehouse loads any
# filing of the unit, never on one report alone.
ACROSS_DECLARATIONS: tuple[Rule, ...] = (
    Rule("prior_year_final_mismatch", WARNING, "上年决算数与上年报告的本年决算数不一致", (
        Across("prior_year_final",
               "{year}年度报告{line}上年决算数 {printed} 万元 ≠ {other_year}年度报告（{other_filing}）本年决算数 "
               "{reference} 万元（相差 {diff} 万元）"),
    ), labels=("本年报告所填上年决算数", "上年报告本年决算数")),
    Rule("carryover_mismatch", WARNING, "上年结转资金与上年报告未执行完的资金不一致", (
        Across("carryover",
               "{year}年度报告项目“{project}”上年结转资金 {printed} 万元 ≠ {other_year}年度报告（{other_filing}）"
               "全年预算数 {budget} 万元 − 全年执行数 {executed} 万元 = {reference} 万元（相差 {diff} 万元）"),
    ), labels=("本年报告所填上年结转", "上年报告预算减执行")),
    # 编制数 moving by more than `share` of last year's quota and by at least `at_least` people,
    # with no narrative sentence explaining a change of 编制 (mappings.filing.staffing_note_of).
    Rule("staffing_jump", INFO, "编制数较上年变动较大且报告未说明原因", (
        Across("staffing_jump",
               "编制数由{other_year}年度报告（{other_filing}）的 {reference} 人变为{year}年度报告的 {printed} 人"
               "（变动 {diff} 人，超过 {share}%），报告未说明编制调整原因",
               share=Decimal("0.2"), at_least=3),
    ), unit="人", labels=("本年编制数", "上年编制数")),
    Rule("fiscal_year_gap", INFO, "缺少中间年度的自评报告", (
        Across("fiscal_year_gap", "有{other_year}年度（{other_filing}）和{year}年度报告，缺少{missing}年度的自评报告"),
    ), unit="年", labels=("缺少的年度", "")),
    Rule("republished_with_changes", WARNING, "报告重新发布后数字有变化", (
        Across("republished", "报告第 {old} 版被第 {new} 版替换，{count} 个数字有变化：{changes}"),
    ), unit="", labels=("新版数字", "旧版数字")),
)
ACROSS_RULES: tuple[str, ...] = tuple(r.id for r in ACROSS_DECLARATIONS)
# The comparisons of two amounts that allow the rule's tolerance (per figure compared).
ACROSS_TOLERANT = ("prior_year_final", "carryover")

RULES: dict[str, Rule] = {r.id: r for r in DECLARATIONS + ACROSS_DECLARATIONS}
assert len(RULES) == len(DECLARATIONS) + len(ACROSS_DECLARATIONS), "two declarations share a rule id"

# Precision first: a flag is alerted only when every fact it compares was read for certain.
# A fact is certain when its label matched by one of these methods (never OCR, fuzzy or a
# position), with a score of at least the bar, and its place in the form was not inferred.
# ``template``: a near-miss of the very row the form's template prints next (wording and order agree).
CERTAIN_METHODS = ("exact", "synonym", "pattern", "template")
CONFIDENCE_BAR = 90.0


def is_certain(method: str | None, score: float | None, inferred: bool = False) -> bool:
    return not inferred and method in CERTAIN_METHODS and score is not None and score >= CONFIDENCE_BAR
