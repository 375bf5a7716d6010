"""How a finance officer calls the canonical items and columns, and prints and rounds their figures."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

_PRINTED_NUMBER = re.compile(r"\d+(?:\.(\d+))?")

ITEMS = {
    "staffing.authorized": "编制数",
    "staffing.actual": "实际在职人数",
    "staffing.control_rate": "控制率",
    "three_public.total": "“三公”经费",
    "three_public.vehicles": "公务用车购置和维护经费",
    "three_public.vehicle_purchase": "公车购置",
    "three_public.vehicle_operation": "公车运行维护",
    "three_public.overseas": "出国经费",
    "three_public.reception": "公务接待",
    "project.total": "项目支出",
    "project.business": "业务工作经费",
    "project.operation": "运行维护经费",
    "project.special": "专项资金",
    "project.amount": "项目",
    "public_funds.total": "公用经费",
    "public_funds.office": "办公经费",
    "public_funds.utilities_travel": "水费、电费、差旅费",
    "public_funds.meetings_training": "会议费、培训费",
    "funds.total": "年度资金总额",
    "funds.appropriation": "当年财政拨款",
    "funds.carryover": "上年结转资金",
    "funds.other": "其他资金",
    "revenue.general_budget": "一般公共预算",
    "revenue.gov_fund": "政府性基金拨款",
    "revenue.special_account": "纳入专户管理的非税收入拨款",
    "revenue.other": "其他资金",
    "expenditure.basic": "基本支出",
    "expenditure.project": "项目支出",
    "total_score": "总分",
}

# Narrative items have no dot, so they never collide with the form items above.
NARRATIVE_ITEMS = {
    "initial_budget": "年初预算数",
    "full_year_budget": "全年预算数",
    "final": "决算数",
    "basic": "基本支出",
    "project": "项目支出",
    "personnel": "人员经费",
    "public_funds": "公用经费",
    "wages": "工资福利支出",
    "goods_services": "商品和服务支出",
    "household_subsidies": "对个人和家庭的补助",
    "capital": "资本性支出",
    "revenue_current_year": "本年收入",
    "carryover_opening": "年初结转结余",
    "three_public_budget": "“三公”经费预算数",
    "three_public_final": "“三公”经费决算数",
    "authorized_headcount": "编制数",
    "actual_headcount": "实有人数",
    "self_score": "自评得分",
}

COLUMNS = {
    "prior_final": "上年决算数",
    "budget": "本年预算数",
    "final": "本年决算数",
    "initial_budget": "年初预算数",
    "full_year_budget": "全年预算数",
    "executed": "全年执行数",
    "max_score": "分值",
    "execution_rate": "执行率",
    "score": "得分",
}

FORMS = {
    "basic_data": "基础数据表",
    "overall_eval": "部门整体支出绩效自评表",
    "project_eval": "项目支出绩效自评表",
    "project_list": "项目清单",
    "narrative": "报告正文",
}


def item_name(item: str, subject: str | None = None) -> str:
    # Free lines (project.line, public_funds.line, project.amount) are known only by their printed label.
    if item.endswith(".line") or item == "project.amount":
        return subject or item
    return ITEMS.get(item) or NARRATIVE_ITEMS.get(item) or item


def column_name(column: str | None) -> str:
    return COLUMNS.get(column, column) if column else ""


def num(value: Decimal | float | int | None) -> str:
    """A number as printed on a form: no trailing zeros, blank shown as 0."""
    if value is None:
        return "0"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _printed(raw: str | None) -> re.Match | None:
    """The first number of a cell's or sentence's text, thousands separators and full-width digits aside."""
    return _PRINTED_NUMBER.search(unicodedata.normalize("NFKC", raw or "").replace(",", ""))


def printed_decimals(fact) -> int:
    """Decimals of a figure as printed ('100%' → 0, '99.96%' → 2)."""
    match = _printed(fact.raw_value)
    if match:
        return len(match.group(1) or "")
    exponent = Decimal(str(fact.value)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def half_printed_step(fact) -> Decimal:
    """Half the last printed digit of ``fact``, in its unit: how far the exact figure may lie from
    a rounded one ('1917万元' → 0.5, '1.2亿元' → 500 万元); 0 when the text holds no number."""
    match = _printed(fact.raw_value)
    if match is None or fact.value is None:
        return Decimal(0)
    printed = Decimal(match.group(0))
    if not printed:
        return Decimal(0)
    scale = Decimal(str(fact.value)) / printed  # 万元 per printed unit (10000 for 亿元, 0.0001 for 元)
    return abs(Decimal("0.5").scaleb(-len(match.group(1) or "")) * scale)


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
