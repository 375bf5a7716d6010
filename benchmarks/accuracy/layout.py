"""Lay a filing's figures out as a clerk would print them: paragraphs and grids of cells.

The result is the ``Extraction`` records the sample renderers already write (a ``None`` cell
is covered by the cell to its left, an empty side-label cell below a label is merged into
it), plus the truth facts: every number printed in a form cell or a sentence is recorded,
in the canonical unit, the moment it is written, so the truth is what the documents say.
"""

from __future__ import annotations

import random
import re

from benchmarks.accuracy import variants
from benchmarks.accuracy.model import Cols, Indicator, Model, ProjectEval
from benchmarks.accuracy.truth import TruthFact, TruthIndicator
from core.records import Extraction, Paragraph, RawTable

CN = "零一二三四五六七八九十"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
REMARK = "备注"


class Choices:
    """The variants one filing draws, from its split only; remembers what it drew."""

    def __init__(self, rng: random.Random, split: str):
        self.rng, self.split, self.used = rng, split, {}

    def pick(self, dimension: str, **fmt) -> str:
        value = self.rng.choice(variants.split_of(dimension)[self.split]).value
        self.used.setdefault(dimension, str(value))
        return value.format(**fmt) if fmt and isinstance(value, str) else value

    def fixed(self, dimension: str) -> str:
        """One draw per filing for layout dimensions (the same clerk, the same habit)."""
        if dimension not in self.used:
            self.pick(dimension)
        return self.used[dimension]


def numbered(style: str, n: int) -> str:
    return {
        "1、": f"{n}、", "（一）": f"（{CN[n]}）", "(1)": f"({n})", "1.": f"{n}.", "一、": f"{CN[n]}、",
        "①": chr(0x2460 + n - 1), "": "", "1．": f"{n}．", "（1）": f"（{n}）",
    }[style]


class Printer:
    """Numbers and labels in one clerk's typography."""

    def __init__(self, choices: Choices, yuan: bool):
        self.choices = choices
        self.yuan = yuan
        self.style = choices.fixed("number")
        self.blank_style = choices.fixed("blank")
        self.noise = choices.fixed("label_noise")

    def amount(self, cents: int | None, yuan: bool | None = None) -> str:
        if cents is None:
            return self.blank_style
        value = cents * 100 if (self.yuan if yuan is None else yuan) else cents / 100  # 元, or 万元
        text = f"{value:,.2f}" if self.style == "thousands" else f"{value:.2f}"
        if self.style == "trimmed":
            text = text.rstrip("0").rstrip(".")
        elif self.style == "fullwidth":
            text = text.translate(FULLWIDTH)
        elif self.style == "trailing_space":
            text += "\u3000"
        return text

    def label(self, text: str) -> str:
        if self.noise == "none" or len(text) < 4 or self.choices.rng.random() < 0.5:
            return text
        middle = len(text) // 2
        insert = {"space": " ", "ideographic_space": "\u3000", "line_break": "\n", "leading_spaces": ""}[self.noise]
        if self.noise == "leading_spaces":
            return "    " + text
        return text[:middle] + insert + text[middle:]


def score_text(tenths: int) -> str:
    return f"{tenths / 10:.1f}".rstrip("0").rstrip(".")


class Builder:
    def __init__(self, model: Model, choices: Choices, source: str):
        self.model, self.choices, self.source = model, choices, source
        self.facts: list[TruthFact] = []
        self.indicators: list[TruthIndicator] = []
        self.blocks: list[Paragraph | RawTable] = []

    # --- blocks ---------------------------------------------------------------------
    def paragraph(self, text: str) -> None:
        self.blocks.append(Paragraph(text=text, source=self.source, order=len(self.blocks)))

    def table(self, rows: list[list[str | None]]) -> None:
        width = max(len(r) for r in rows)
        grid = [list(r) + [None] * (width - len(r)) for r in rows]
        tables = [b for b in self.blocks if isinstance(b, RawTable)]
        self.blocks.append(RawTable(source=self.source, index=len(tables), rows=grid, order=len(self.blocks)))

    def fact(self, form: str, item: str, column: str | None, value: float | None, subject: str | None = None) -> None:
        if value is not None:
            self.facts.append(TruthFact(form, subject, item, column, round(value, 4)))

    def extraction(self, doc_format: str = "docx") -> Extraction:
        return Extraction(
            source=self.source, doc_format=doc_format,
            tables=[b for b in self.blocks if isinstance(b, RawTable)],
            paragraphs=[b for b in self.blocks if isinstance(b, Paragraph)],
        )


# --- 基础数据表 -------------------------------------------------------------------------
def basic_data(b: Builder) -> None:
    m, ch = b.model, b.choices
    yuan = ch.fixed("unit") == "元"
    pr = Printer(ch, yuan)
    years = ch.fixed("years") == "years"
    y, p = m.year, m.year - 1
    columns = ch.fixed("basic_columns").split(",")
    money = [c for c in columns if c != "remark"]
    column_key = {"prior": "prior_final", "budget": "budget", "final": "final"}
    dept_where = ch.fixed("department")

    b.paragraph("附件2")
    b.paragraph(ch.pick("basic_data.title", y=y))
    if "filled_by" in dept_where:
        b.paragraph(f"{ch.pick('dept.filled_by')}{m.department}")
    if yuan:
        b.paragraph("单位：元")

    def header(key: str) -> str:
        label = ch.pick(f"col.{column_key[key]}", y=y, p=p)
        if not years:
            label = label.replace(f"{y}年", "本年").replace(f"{p}年", "上年")
        return label

    staff_year = y + m.header_year_shift
    actual_label = ch.pick("staffing.actual", y=staff_year)
    if m.header_year_shift and str(staff_year) not in actual_label:
        actual_label = f"{staff_year}年{actual_label}"  # the stale template's header
    elif not years and m.header_year_shift == 0:
        actual_label = actual_label.replace(f"{y}年末", "年末").replace(f"{y}年", "")
    rows: list[list[str | None]] = [
        [ch.pick("staffing.head"), ch.pick("staffing.authorized"), actual_label, ch.pick("staffing.control_rate")],
        ["", str(m.authorized), str(m.actual), m.control_rate],
    ]
    b.fact("basic_data", "staffing.authorized", None, m.authorized)
    b.fact("basic_data", "staffing.actual", None, m.actual)
    b.fact("basic_data", "staffing.control_rate", None, float(m.control_rate.rstrip("%")))
    unit_name = "元" if yuan else "万元"
    cost_head = ch.pick("cost.head", unit=unit_name)
    head = [cost_head.replace("万元", "元") if yuan else cost_head] + [header(c) for c in money] + ([REMARK] if "remark" in columns else [])
    rows.append(head)
    numbering = ch.fixed("numbering")
    qizhong = ch.fixed("qizhong")

    roles: list[str] = ["head", "head", "head"]  # per row: head/total rows span a second label column

    def line(item: str, values: Cols, label: str, subject: str | None = None, role: str = "total") -> None:
        roles.append(role)
        cells = [pr.label(label)]
        for key in money:
            cents = values[column_key[key]]
            cells.append(pr.amount(cents))
            b.fact("basic_data", item, column_key[key], None if cents is None else cents / 100, subject)
        if "remark" in columns:
            cells.append("")
        rows.append(cells)

    tp = m.three_public
    line("three_public.total", tp["total"], ch.pick("three_public.total"))
    two = ch.fixed("label_columns") != "one"
    qizhong = "" if two else qizhong  # the 其中 has a column of its own
    line("three_public.vehicles", tp["vehicles"], numbered(numbering, 1) + ch.pick("three_public.vehicles"), role="sub")
    line("three_public.vehicle_purchase", tp["vehicle_purchase"], qizhong + ch.pick("three_public.vehicle_purchase"),
         role="sub")
    line("three_public.vehicle_operation", tp["vehicle_operation"], ch.pick("three_public.vehicle_operation"), role="sub")
    line("three_public.overseas", tp["overseas"], numbered(numbering, 2) + ch.pick("three_public.overseas"), role="sub")
    line("three_public.reception", tp["reception"], numbered(numbering, 3) + ch.pick("three_public.reception"),
         role="sub")
    split_at = len(rows)
    pj = m.project
    line("project.total", pj["total"], ch.pick("project.total"))
    line("project.business", pj["business"], numbered(numbering, 1) + ch.pick("project.business"), role="sub")
    line("project.operation", pj["operation"], numbered(numbering, 2) + ch.pick("project.operation"), role="sub")
    line("project.special", pj["special"], numbered(numbering, 3) + ch.pick("project.special"), role="sub")
    for name, values in m.special_lines:
        line("project.line", values, name, subject=name, role="sub")
    pf = m.public_funds
    line("public_funds.total", pf["total"], ch.pick("public_funds.total"))
    line("public_funds.office", pf["office"], qizhong + ch.pick("public_funds.office"), role="sub")
    line("public_funds.utilities_travel", pf["utilities_travel"], ch.pick("public_funds.utilities_travel"), role="sub")
    line("public_funds.meetings_training", pf["meetings_training"], ch.pick("public_funds.meetings_training"),
         role="sub")
    for name, values in m.public_lines:
        line("public_funds.line", values, name, subject=name, role="sub")
    line("procurement", m.procurement, ch.pick("procurement"))
    line("basic_budget_adjustment", m.budget_adjustment, ch.pick("basic_budget_adjustment"))
    rows.append([ch.pick("buildings.head", y=y), "批复规模\n（㎡）", "实际规模\n（㎡）", "规模控制率", "预算投资\n（万元）",
                 "实际投资\n（万元）", "投资概算控制率"])
    rows.append([""] * 7)
    rows.append(["厉行节约保障措施", ""])
    roles += ["head", "blank", "head"]
    if two:
        rows = two_label_columns(rows, roles, "其\n中" if ch.fixed("label_columns") == "two_vertical" else "其中")
        head = rows[2]
    split = ch.fixed("split_table")
    if split == "none":
        b.table(rows)
    else:
        b.table(rows[:split_at])
        b.paragraph("")  # the page break
        b.table(([head] if split == "split_header" else []) + rows[split_at:])
    b.paragraph("说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。")
    b.paragraph("填表人：        填报日期：        联系电话：       单位负责人签字：")


def two_label_columns(rows: list[list], roles: list[str], qizhong: str) -> list[list]:
    """The layout with a second label column: a heading or total spans both, the sub-lines of a
    group sit in the second under one 其中 cell merged down the first (vMerge)."""
    out = []
    for r, (row, role) in enumerate(zip(rows, roles)):
        if role == "sub":
            out.append([qizhong if roles[r - 1] != "sub" else "", *row])
        elif role == "blank":
            out.append(["", *row])
        else:
            out.append([row[0], None, *row[1:]])
    return out


# --- 整体支出绩效自评表 / 项目支出绩效自评表 ----------------------------------------------
FUND_KEYS = {"initial": "initial_budget", "full": "full_year_budget", "executed": "executed",
             "max": "max_score", "rate": "execution_rate", "score": "score"}


def _fund_header(ch: Choices, keys: list[str]) -> list[str]:
    return [REMARK if k == "remark" else ch.pick(f"col.{FUND_KEYS[k]}") for k in keys]


def _fund_cells(b: Builder, pr: Printer, form: str, item: str, keys: list[str], funds: Cols, rate: str | None,
                max_score: int | None, score: int | None, subject: str | None) -> list[str]:
    cells = []
    for key in keys:
        if key == "remark":
            cells.append("")
        elif key in ("initial", "full", "executed"):
            cents = funds.get(FUND_KEYS[key])
            cells.append(pr.amount(cents, yuan=False))
            b.fact(form, item, FUND_KEYS[key], None if cents is None else cents / 100, subject)
        elif key == "max":
            cells.append("" if max_score is None else score_text(max_score))
            b.fact(form, item, "max_score", None if max_score is None else max_score / 10, subject)
        elif key == "rate":
            cells.append(rate or "")
            b.fact(form, item, "execution_rate", None if not rate else float(rate.rstrip("%")), subject)
        else:
            cells.append("" if score is None else score_text(score))
            b.fact(form, item, "score", None if score is None else score / 10, subject)
    return cells


def _indicator_rows(b: Builder, form: str, subject: str | None, rows_in: list[Indicator], width: int) -> list[list]:
    ch = b.choices
    vertical = ch.fixed("vertical")
    head = ch.pick("indicators.head")
    if vertical != "horizontal":
        head = ("\n" if vertical == "vertical" else "\n\n").join(head.replace("\n", ""))
    columns = ch.fixed("indicator_columns").split("|")
    rows = [[head, "一级指标", "二级指标", "三级指标", *columns]]
    last1 = last2 = None
    for ind in rows_in:
        level1 = ind.level1 if ind.level1 != last1 else ""
        level2 = ind.level2 if (ind.level1, ind.level2) != last2 else ""
        last1, last2 = ind.level1, (ind.level1, ind.level2)
        rows.append(["", level1, level2, ind.level3, *_indicator_cells(columns, ind)])
        b.indicators.append(TruthIndicator(form, subject, ind.level3, ind.max_score / 10, ind.score / 10))
    return rows


TARGET_PARTS = re.compile(r"^([≥≤=<>]?)(\d+(?:\.\d+)?)(\D*)$")  # ≥95% -> ≥, 95, %


def _indicator_cells(columns: list[str], ind: Indicator) -> list[str]:
    """One indicator's cells under ``columns``; with a 指标性质 column the target is printed
    apart: its sign, its number (指标值) and its unit (度量单位)."""
    apart = "指标性质" in columns
    sign, number, unit = "", ind.target, ""
    found = TARGET_PARTS.match(ind.target) if apart else None
    if found:
        sign, number, unit = found.group(1) or "=", found.group(2), found.group(3)
    cells = {"指标性质": sign, "度量单位": unit, "年度指标值": ind.target, "指标值": number,
             "实际完成值": ind.actual, "完成值": ind.actual, "全年实际值": ind.actual,
             "分值": score_text(ind.max_score), "权重": score_text(ind.max_score), "得分": score_text(ind.score)}
    return [cells.get(column, "") for column in columns]


def _total_row(b: Builder, form: str, subject: str | None, total: int) -> list[str]:
    ch = b.choices
    style = ch.fixed("total_row")
    label = ch.pick("total_score")
    b.fact(form, "total_score", None, total / 10, subject)
    if style == "max_score":
        return [label, "100", score_text(total)]
    if style == "with_unit":
        return [label, score_text(total) + "分"]
    return [label, score_text(total)]


def _structure_rows(b: Builder, pr: Printer, width: int) -> list[list]:
    m, ch = b.model, b.choices
    style = ch.fixed("structure")
    half = 1 + (width - 1) // 2  # first column of the right half
    rev = [("revenue.general_budget", m.revenue["general_budget"]), ("revenue.gov_fund", m.revenue["gov_fund"]),
           ("revenue.special_account", m.revenue["special_account"]), ("revenue.other", m.revenue["other"])]
    exp_at = ch.rng.choice(((0, 1), (0, 2)))
    exp = {exp_at[0]: ("expenditure.basic", m.expenditure["basic"]),
           exp_at[1]: ("expenditure.project", m.expenditure["project"])}
    zero_blank = ch.rng.random() < 0.3

    def value(item: str, cents: int) -> str:
        if cents == 0 and zero_blank and item in ("revenue.gov_fund", "revenue.special_account"):
            return pr.blank_style
        b.fact("overall_eval", item, None, cents / 100)
        return pr.amount(cents, yuan=False)

    def half_cells(label: str, text: str, start: int, end: int) -> list:
        span = end - start
        if style == "inline":
            return [label + text] + [None] * (span - 1)
        if style == "merged" and span >= 3:
            return [label] + [None] * (span - 2) + [text]
        if style == "merged_wide" and span >= 4:
            return [label, None, text] + [None] * (span - 3)
        return [label, text] + [""] * (span - 2)

    rows = [["", ch.pick("revenue.head")] + [None] * (half - 2) + [ch.pick("expenditure.head")]]
    if style == "rows":
        for item, cents in rev + [exp[k] for k in sorted(exp)]:
            rows.append(["", ch.pick(item), value(item, cents)])
        return rows
    for i, (item, cents) in enumerate(rev):
        row = ["", *half_cells(ch.pick(item), value(item, cents), 1, half)]
        if i in exp:
            other_item, other_cents = exp[i]
            row += half_cells(ch.pick(other_item), value(other_item, other_cents), half, width)
        else:
            row += [""] * (width - half)
        rows.append(row)
    return rows


def overall_eval(b: Builder) -> None:
    m, ch = b.model, b.choices
    pr = Printer(ch, False)
    keys = ch.fixed("fund_columns").split(",")
    width = max(9, 2 + len(keys))
    b.paragraph("附件3")
    b.paragraph(ch.pick("overall_eval.title", y=m.year))
    rows: list[list] = []
    if "cell" in ch.fixed("department"):
        rows.append([ch.pick("dept.cell"), m.department])
    rows.append([ch.pick("funds.head"), ""] + _fund_header(ch, keys))
    rows.append(["", ch.pick("funds.total")] + _fund_cells(
        b, pr, "overall_eval", "funds.total", keys, m.funds, m.funds_rate, m.funds_max, m.funds_score, None))
    rows += _structure_rows(b, pr, width)
    rows.append([ch.pick("goals.head"), "预期目标", None, None, None, "实际完成情况"])
    rows.append(["", "\n".join(m.goals), None, None, None, "已完成"])
    rows += _indicator_rows(b, "overall_eval", None, m.indicators, width)
    rows.append(_total_row(b, "overall_eval", None, m.printed_total))
    rows.append(["评价等次", m.grade])
    b.table(rows)


def project_eval(b: Builder, project: ProjectEval) -> None:
    m, ch = b.model, b.choices
    pr = Printer(ch, False)
    keys = ch.fixed("fund_columns").split(",")
    width = max(9, 2 + len(keys))
    b.paragraph(ch.pick("project_eval.title", y=m.year))
    money = [k if k in ("initial", "full", "executed", "remark") else "blank" for k in keys]
    rows: list[list] = [
        [ch.pick("project.name"), project.name, None, "主管部门", m.department, None, "实施单位", m.department],
        [ch.pick("project.funds.head"), ""] + _fund_header(ch, keys),
        ["", ch.pick("funds.total")] + _fund_cells(
            b, pr, "project_eval", "funds.total", keys, project.funds, project.rate, project.max_score,
            project.score, project.name),
    ]
    for item, values in (("funds.appropriation", project.appropriation), ("funds.carryover", project.carryover),
                         ("funds.other", project.other)):
        cells = []
        for key in money:
            if key in ("initial", "full", "executed"):
                cents = values.get(FUND_KEYS[key])
                cells.append(pr.amount(cents, yuan=False))
                b.fact("project_eval", item, FUND_KEYS[key], None if cents is None else cents / 100, project.name)
            else:
                cells.append("")
        rows.append(["", ch.pick(item)] + cells)
    rows.append([ch.pick("goals.head"), "预期目标", None, None, None, "实际完成情况"])
    rows.append(["", project.goal, None, None, None, "已完成"])
    rows += _indicator_rows(b, "project_eval", project.name, project.indicators, width)
    total = project.total if project.total_printed is None else project.total_printed
    rows.append(_total_row(b, "project_eval", project.name, total))
    b.table(rows)
