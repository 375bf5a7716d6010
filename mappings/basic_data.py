"""basic_data (部门整体支出绩效评价基础数据表): three layouts in one table.

- staffing and 楼堂馆所: a row of header labels over a row of values;
- cost lines: a label in column 0, values under 上年决算数 / 本年预算数 / 本年决算数;
- sections: after 项目支出 every row that is not a named line is a ``project.line``
  (subject = its label) until 公用经费, whose unnamed rows are ``public_funds.line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.records import RawTable
from mappings.collect import Collector, column_header, header_year, header_years_of, is_blank, nonblank_cells, printed
from mappings.match import LabelMatch, match_item
from mappings.normalize import is_filler, normalize_label, subject_label
from mappings.numbers import amount_unit_in
from mappings.vocabulary import Column, Item, load_vocabulary

FORM = "basic_data"
LINE = LabelMatch("line", 100.0, "pattern")


@dataclass
class BasicDataState:
    columns: dict[int, Column] = field(default_factory=dict)
    over: list[tuple[int, Item, LabelMatch, str]] = field(default_factory=list)  # header waiting for values
    section: str | None = None
    amount_unit: str = "万元"


def over_header(row: list[str | None]) -> list[tuple[int, Item, LabelMatch, str]]:
    """Cells after the side label that name staffing/building items (a header over values)."""
    found = []
    for col, cell in nonblank_cells(row):
        if col == 0:
            continue
        matched = match_item(cell, FORM, ("over",))
        if matched is not None:
            found.append((col, matched[0], matched[1], cell))
    return found


def _emit_over(table: RawTable, r: int, row: list[str | None], state: BasicDataState, out: Collector) -> None:
    for col, item, match, label in state.over:
        text = row[col] if col < len(row) else None
        out.add_fact(table, FORM, None, item, None, (r, col, text), label, match, state.amount_unit)


def _line_item(section: str) -> Item:
    return load_vocabulary().item(FORM, f"{section}.line")


def _map_cost_line(table: RawTable, r: int, row: list[str | None], state: BasicDataState, out: Collector) -> None:
    label = row[0] or ""
    if is_filler(label) or load_vocabulary().structure_role(normalize_label(label)):
        return
    matched = match_item(label, FORM, ("cols",))
    if matched is not None and state.section and matched[0].section != state.section and matched[1].method == "fuzzy":
        matched = None  # inside a section a near-miss of an outside item is a project of its own
    subject = None
    if matched is not None:
        item, match = matched
        if item.opens_section or item.section is None:
            state.section = item.section
    elif state.section is not None:
        item, match, subject = _line_item(state.section), LINE, subject_label(label)
    else:
        out.add_unmapped(FORM, label, table, r, 0)
        return
    for col, column in state.columns.items():
        text = row[col] if col < len(row) else None
        out.add_fact(table, FORM, subject, item, column, (r, col, text), label, match, state.amount_unit)


def _set_columns(table: RawTable, r: int, row: list[str | None], state: BasicDataState, out: Collector) -> bool:
    header = column_header(row, FORM)
    if len(header) < 2:
        return False
    state.columns = {col: column for col, (column, _, _) in header.items()}
    state.amount_unit = amount_unit_in(row[0]) or state.amount_unit
    roles = {
        col: (label, year, "prior" if column.key == "prior_final" else "current")
        for col, (column, label, year) in header.items()
    }
    out.header_years.extend(header_years_of(FORM, table, r, roles))
    return True


def map_basic_data(table: RawTable, state: BasicDataState, out: Collector) -> None:
    out.forms.add(FORM)
    for r, row in enumerate(table.rows):
        if not nonblank_cells(row) and not state.over:
            continue
        if state.over and is_blank(row[0]):
            _emit_over(table, r, row, state, out)
            state.over = []
            continue
        state.over = []
        if len(over := over_header(row)) >= 2:
            state.over = over
            years = {col: (printed(label), header_year(label), "current") for col, _, _, label in over}
            out.header_years.extend(header_years_of(FORM, table, r, years))
            continue
        if _set_columns(table, r, row, state, out):
            continue
        if not is_blank(row[0]):
            _map_cost_line(table, r, row, state, out)
