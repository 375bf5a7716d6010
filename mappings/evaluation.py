"""overall_eval and project_eval (绩效自评表): funds, structure, goals, indicators, total.

The form is read top to bottom as a small state machine, and the state outlives one table:
seed 001 splits every form over three or four tables, and its indicator rows lose their
leading columns at each split. Indicator rows are therefore read from the right: the columns
the header names after 三级指标 (年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因…, or 指标性质 |
指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析), then level3, level2[, level1].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.records import Indicator, RawTable
from mappings.collect import (
    Collector,
    column_header,
    column_spans,
    header_years_of,
    is_blank,
    last_number,
    nonblank_cells,
    printed,
)
from mappings.department import clean_name, named_unit
from mappings.grid import Span, cell_under, is_value_cell, value_after
from mappings.match import QUALIFIED_SCORE, TEMPLATE_SCORE, LabelMatch, match_among, match_column, match_item
from mappings.normalize import clean_text, normalize_label, subject_label
from mappings.numbers import amount_unit_in, parse_number
from mappings.template import template_of
from mappings.vocabulary import Column, Item, load_vocabulary

INDICATOR_FORM = "indicators"  # the vocabulary's columns of the 绩效指标 block
# The columns after 三级指标 when a header names too few of them (the Hunan template's order).
DEFAULT_INDICATOR_COLUMNS = ("target", "actual", "max_score", "score", "note")
_SIGN = re.compile(r"^[≥≤=<>＞＜＝]+$")
_GLUED_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff])\s*([-+]?\d[\d,]*(?:\.\d+)?)$")
_TOTAL_WORDS = re.compile(r"得分|总分|合计|总计")
# A total row's label made of nothing but words for a sum of scores (合计, 合计得分, 得分合计,
# 自评总分, 评价总分, 总计): the total score for certain, in the place a total row stands.
_TOTAL_LABEL = re.compile(r"(?:绩效|自评|评价|综合|最终)*(?:(?:合计|总计|总)(?:得分|评分|分数|分)?|(?:得分|评分|分数)(?:合计|总计))")
# A fund row whose wording is unknown is read as the template's next row; a near-miss of a row
# still to come is accepted from this score (the candidates are the few rows left).
ORDER_CUTOFF = 80.0
POSITION_SCORE = 60.0
_CUT_LEVELS = {"产出", "效益", "满意度", "成本"}


@dataclass
class EvalState:
    form: str
    subject: str | None = None
    columns: list[tuple[Span, Column]] = field(default_factory=list)
    section: str = "head"  # head, funds, goals, indicators, tail, signatures
    level1: str | None = None
    level2: str | None = None
    amount_unit: str = "万元"
    placed: int = -1  # template index of the last fund row read (mappings/template.py)
    pairs_placed: dict[int, int] = field(default_factory=dict)  # grid column -> template index of its last part
    header_spans: tuple[int, frozenset[int]] = (-1, frozenset())  # (table index, covered positions) of the indicator header
    indicator_columns: tuple[str | None, ...] = DEFAULT_INDICATOR_COLUMNS  # after 三级指标; None: a column not read


@dataclass(frozen=True)
class Token:
    """A label found in a row, with the value printed in the same cell when there is one."""

    col: int
    label: str
    inline: str | None  # the number after the colon, None when the cell holds only a label


def row_tokens(row: list[str | None]) -> list[Token]:
    tokens = []
    for col, cell in nonblank_cells(row):
        if is_value_cell(cell):
            continue
        text = cell.strip()
        cut = max(text.rfind(":"), text.rfind("："), text.rfind("︰"))
        head, tail = (text[:cut], text[cut + 1 :]) if cut >= 0 else ("", "")
        if cut >= 0 and head.strip() and is_value_cell(tail):
            tokens.append(Token(col, head, tail if tail.strip() else None))
        elif glued := _GLUED_NUMBER.match(clean_text(text)):  # 其他资金127.25: no colon between
            tokens.append(Token(col, glued[1], glued[2]))
        else:
            tokens.append(Token(col, text, None))
    return tokens


def _map_funds_row(table: RawTable, r: int, row: list[str | None], state: EvalState, out: Collector) -> None:
    vocabulary = load_vocabulary()
    tokens = row_tokens(row)
    for i, token in enumerate(tokens):
        norm = normalize_label(token.label)
        if not norm or vocabulary.structure_role(norm):
            continue
        matched = match_item(token.label, state.form, ("cols", "pair"))
        inferred = False
        if matched is None or matched[1].method == "fuzzy":  # the template's order is asked only then
            funds_ahead = _fund_rows_ahead(state) if i == 0 and _has_values_under(row, token.col, state) else []
            parts_ahead = (template_of(state.form).block_items_after(state.pairs_placed[token.col])
                           if token.col in state.pairs_placed else [])
            if matched is not None:
                matched = _agreeing(matched, funds_ahead if matched[0].layout == "cols" else parts_ahead)
            if matched is None and funds_ahead:
                matched, inferred = _by_order(token.label, funds_ahead)
            if matched is None and token.col in state.pairs_placed:
                matched, inferred = _by_order(token.label, parts_ahead)
        if matched is None:
            out.add_unmapped(state.form, token.label, table, r, token.col)
            continue
        item, match = matched
        if item.layout == "cols":
            if (index := template_of(state.form).index(item.key)) is not None:
                state.placed = index
            for span, column in state.columns:
                if span.start > token.col:
                    col, text = cell_under(row, span)
                    cell = (r, col, text if col > token.col else None)
                    out.add_fact(
                        table, state.form, state.subject, item, column, cell, token.label, match, state.amount_unit,
                        inferred=inferred,
                    )
            return  # text further right sits in value columns: a note on the figures, not a label
        if (index := template_of(state.form).index(item.key)) is not None:
            state.pairs_placed[token.col] = index
        # key-value: the value in the label's own cell, else the next value cell before the next label
        stop = tokens[i + 1].col if i + 1 < len(tokens) else len(row)
        found = (token.col, token.inline) if token.inline is not None else value_after(row, token.col, stop)
        col, text = found or (token.col, "")
        out.add_fact(
            table, state.form, state.subject, item, None, (r, col, text), token.label, match, state.amount_unit,
            inferred=inferred,
        )


def _has_values_under(row: list[str | None], col: int, state: EvalState) -> bool:
    return any(span.start > col and parse_number(cell_under(row, span)[1]).ok for span, _ in state.columns)


def _fund_rows_ahead(state: EvalState) -> list[Item]:
    """The fund rows the template prints after the last one placed."""
    template = template_of(state.form)
    return [i for i in template.items(template.keys[state.placed + 1 :]) if i.layout == "cols"]


def _agreeing(matched: tuple[Item, LabelMatch], ahead: list[Item]) -> tuple[Item, LabelMatch]:
    """A fuzzy match that is the very row the template prints next (总额 first among the funds):
    wording and order agree, a template match; any other fuzzy match stays what it is."""
    item, _ = matched
    if ahead and ahead[0].key == item.key:
        return item, LabelMatch(item.key, TEMPLATE_SCORE, "template")
    return matched


def _by_order(label: str, ahead: list[Item]) -> tuple[tuple[Item, LabelMatch] | None, bool]:
    """A fund row or structure part of unknown wording, placed by the template among the rows
    still to come (``ahead``), and whether that place is inferred. The near-miss of the very row
    the template prints next (年度资金总量 → 年度资金总额, 其他来源资金 → 其他资金) is that row
    for certain: wording and order agree. The near-miss of a later row, or failing one the next
    row, is an inferred place."""
    if not ahead:
        return None, True
    if (near := match_among(label, ahead, ORDER_CUTOFF)) is not None:
        agreed = _agreeing(near, ahead)
        return agreed, agreed is near
    return (ahead[0], LabelMatch(ahead[0].key, POSITION_SCORE, "position")), True


def _level(text: str | None) -> str | None:
    """A level name without its (40分) weight; a heading cut to 满意度 gets its 指标 back."""
    label = normalize_label(text)
    if label in _CUT_LEVELS:
        label += "指标"
    return label or None


def _text(cell: str | None) -> str | None:
    text = (cell or "").strip()
    return text or None


def _one_line(cell: str | None) -> str | None:
    """Free text whose line breaks are only the cell's width (三级指标)."""
    text = re.sub(r"\s*\n\s*", "", (cell or "").strip())
    return text or None


def _covered(header: list[str | None]) -> frozenset[int]:
    """Positions a header cell spans over (horizontally merged), after the first header cell."""
    first = next((c for c, cell in enumerate(header) if cell is not None), len(header))
    return frozenset(c for c in range(first + 1, len(header)) if header[c] is None)


def _map_indicator_row(table: RawTable, r: int, row: list[str | None], state: EvalState, out: Collector) -> None:
    table_index, covered = state.header_spans
    # a cell merged across two grid columns under a merged header is one cell: read it once
    cells = [c for k, c in enumerate(row) if not (table_index == table.index and k in covered and c is None)]
    while cells and cells[-1] is None:
        cells.pop()
    filled = nonblank_cells(cells)
    if len(filled) == 1 and filled[0][0] >= len(cells) - 2:
        state.level1, state.level2 = _level(filled[0][1]), None  # a heading row: 效益指标
        return
    named = state.indicator_columns
    if len(cells) < len(named) + 2:  # level2, level3 and the named columns
        for col, cell in filled:
            out.add_unmapped(state.form, cell, table, r, col)
        return
    value = {key: cells[len(cells) - len(named) + k] for k, key in enumerate(named) if key}
    level3, level2 = cells[-len(named) - 1], cells[-len(named) - 2]
    level1 = cells[-len(named) - 3] if len(cells) > len(named) + 2 else None
    if not is_blank(level1) and normalize_label(level1) not in load_vocabulary().structure["indicators"]:
        state.level1, state.level2 = _level(level1), None
    if not is_blank(level2):
        state.level2 = _level(level2)
    target, actual = _target(value), value.get("actual")
    max_score, score = value.get("max_score"), value.get("score")
    if all(is_blank(c) for c in (level3, target, actual, max_score, score)):
        return
    out.indicators.append(
        Indicator(
            form=state.form,
            subject=state.subject,
            level1=state.level1,
            level2=state.level2,
            level3=_one_line(level3),
            target=_text(target),
            actual=_text(actual),
            max_score=parse_number(max_score).value,
            score=parse_number(score).value,
            note=_text(value.get("note")),
            location=table.location(r),
        )
    )


def _target(value: dict[str, str | None]) -> str | None:
    """The target as one text: a form printing it apart (指标性质 ≥ | 指标值 95 | 度量单位 %)
    gives ≥95%, = 100 | % gives 100% (as the same target printed whole); a 指标性质 that is a
    word (定性, 正向) is no part of it."""
    number, unit, nature = (_text(value.get(k)) for k in ("target", "unit", "nature"))
    if number is None or (unit is None and nature is None):
        return number
    sign = nature if nature and _SIGN.match(nature) and not number.startswith(nature) else ""
    sign = "" if sign in ("=", "＝") else sign
    return sign + number + (unit if unit and not number.endswith(unit) else "")


def _indicator_columns(row: list[str | None]) -> tuple[str | None, ...]:
    """What the header names after 三级指标, left to right (``indicator.`` column keys without
    the prefix; None for a column jixiao does not read); the template's order when it names
    fewer than two of them."""
    cells = [normalize_label(c) for c in row if c is not None and not is_blank(c)]
    if "三级指标" not in cells:
        return DEFAULT_INDICATOR_COLUMNS
    named: list[str | None] = []
    for label in cells[cells.index("三级指标") + 1 :]:
        found = match_column(label, INDICATOR_FORM)
        key = found[0].key.removeprefix("indicator.") if found else None
        named.append(None if key in named else key)
    return tuple(named) if sum(k is not None for k in named) >= 2 else DEFAULT_INDICATOR_COLUMNS


def _is_indicator_header(row: list[str | None]) -> bool:
    labels = {normalize_label(c) for c in row if c}
    return "一级指标" in labels and bool(labels & {"二级指标", "三级指标"})


def _set_columns(table: RawTable, r: int, row: list[str | None], state: EvalState, out: Collector) -> bool:
    header = column_header(table.rows, r, state.form)
    if len(header) < 2:
        return False
    state.columns = column_spans(row, header)
    state.placed, state.pairs_placed = -1, {}
    state.section = "funds"
    state.amount_unit = next((u for u in map(amount_unit_in, row) if u), state.amount_unit)
    years = {col: (label, year, "current") for col, (_, label, year) in header.items()}
    out.header_years.extend(header_years_of(state.form, table, r, years))
    return True


def _is_total_row(row: list[str | None], col: int) -> bool:
    """After the indicators: one label that speaks of a score or a sum, then one or two numbers."""
    rest = [cell for _, cell in nonblank_cells(row[col + 1 :])]
    label = normalize_label(row[col])
    return bool(_TOTAL_WORDS.search(label)) and 1 <= len(rest) <= 2 and all(parse_number(c).ok for c in rest)


def _map_total(table: RawTable, r: int, row: list[str | None], col: int, state: EvalState, out: Collector) -> bool:
    matched = match_item(row[col] or "", state.form, ("total",))
    inferred = False
    if matched is None or matched[1].method != "synonym":
        if state.section != "indicators" or not _is_total_row(row, col):
            return False
        item = load_vocabulary().item(state.form, "total_score")
        if _TOTAL_LABEL.fullmatch(normalize_label(row[col])):
            matched = item, LabelMatch(item.key, QUALIFIED_SCORE, "synonym")
        else:
            matched, inferred = (item, matched[1] if matched else LabelMatch(item.key, POSITION_SCORE, "position")), True
    item, match = matched
    found = last_number(row, col + 1)
    if found is not None:
        cell = (r, found[0], found[1])
        out.add_fact(
            table, state.form, state.subject, item, None, cell, row[col] or "", match, state.amount_unit,
            inferred=inferred,
        )
    state.section = "tail"
    return True


def _map_structure_row(role: str, filled: list[tuple[int, str]], state: EvalState, out: Collector) -> None:
    following = printed(filled[1][1]) if len(filled) > 1 else ""
    if role == "department" and (name := clean_name(following)):
        out.departments.append(name)
    elif role == "project_name" and following:
        state.subject = subject_label(following)
    elif role == "grade" and following:
        out.grades.append(following)
    elif role == "goals":
        state.section = "goals"
    elif role == "signatures":
        state.section = "signatures"
    elif role == "indicators" and len(filled) == 1 and state.section in ("goals", "indicators"):
        state.section = "indicators"


def map_evaluation(table: RawTable, state: EvalState, out: Collector) -> None:
    out.forms.add(state.form)
    vocabulary = load_vocabulary()
    for r, row in enumerate(table.rows):
        filled = nonblank_cells(row)
        if not filled or state.section == "signatures":
            continue
        first_col, first = filled[0]
        if _is_indicator_header(row):  # with or without a 绩效指标 column before 一级指标
            state.section = "indicators"
            state.header_spans = (table.index, _covered(row))
            state.indicator_columns = _indicator_columns(row)
            continue
        if name := named_unit(first):  # 预算部门名称：… in one cell
            out.departments.append(name)
            continue
        role = vocabulary.structure_role(normalize_label(first))
        if role and role != "headings" and not (role == "indicators" and len(filled) > 1):
            _map_structure_row(role, filled, state, out)
            continue
        if _set_columns(table, r, row, state, out):
            continue
        if _map_total(table, r, row, first_col, state, out):
            continue
        if state.section == "indicators":
            _map_indicator_row(table, r, row, state, out)
        elif state.section in ("head", "funds"):
            _map_funds_row(table, r, row, state, out)
