"""basic_data (部门整体支出绩效评价基础数据表): three layouts in one table, read through the grid.

- staffing and 楼堂馆所: a row of header labels over a row of values;
- cost lines: a side label, values under 上年决算数 / 本年预算数 / 本年决算数 (found by their
  headers, wherever those columns stand, spans included);
- sections: after 项目支出 every row that is not a named line is a ``project.line``
  (subject = its label) until 公用经费, whose unnamed rows are ``public_funds.line``.

Rows follow the template order (mappings/template.py). A row is placed by its label first;
the order decides what a label alone cannot: 运行维护费 inside the 公务用车 block is the
vehicle line, a near-miss of a heading still to come closes the section, and a row of
unknown wording just before a block's first named line is that block's heading (``position``).
Facts placed by such an inference carry ``inferred = True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.records import RawTable
from mappings.collect import (
    Collector,
    column_header,
    column_spans,
    header_year,
    header_years_of,
    nonblank_cells,
    printed,
)
from mappings.grid import Span, cell_under, is_value_cell, span_of, value_after
from mappings.department import named_unit
from mappings.match import TEMPLATE_SCORE, LabelMatch, keyword_match, match_among, match_column, match_item
from mappings.normalize import is_filler, normalize_label, subject_label
from mappings.numbers import amount_unit_in, parse_number
from mappings.template import Template, block_of, template_of
from mappings.vocabulary import Column, Item, load_vocabulary

FORM = "basic_data"
LINE = LabelMatch("line", 100.0, "pattern")
# A heading still to come is accepted from a nearer miss than a label in general (88): the
# alternative is a heading read as a project line, which breaks every sum after it.
HEADING_CUTOFF = 75.0
# Inside a block the candidates are few and close in meaning (运行维护费 → 公车运行维护费).
BLOCK_CUTOFF = 80.0
POSITION_SCORE = 60.0


@dataclass
class BasicDataState:
    columns: list[tuple[Span, Column]] = field(default_factory=list)
    over: list[tuple[Span, Item, LabelMatch, str]] = field(default_factory=list)  # header waiting for values
    section: str | None = None
    section_inferred: bool = False  # the section was opened by an inference, not a heading read as printed
    placed: int = -1  # template index of the last cost line placed
    amount_unit: str = "万元"


@dataclass(frozen=True)
class Placement:
    item: Item
    match: LabelMatch
    subject: str | None = None
    inferred: bool = False


def over_header(row: list[str | None]) -> list[tuple[Span, Item, LabelMatch, str]]:
    """Cells after the side label that name staffing/building items (a header over values)."""
    found = []
    for col, cell in nonblank_cells(row):
        if col == 0:
            continue
        matched = match_item(cell, FORM, ("over",)) or _over_by_keyword(cell)
        if matched is not None:
            found.append((span_of(row, col), matched[0], matched[1], cell))
    return _staffing_by_keywords(found)


def _staffing_by_keywords(found: list[tuple[Span, Item, LabelMatch, str]]) -> list[tuple[Span, Item, LabelMatch, str]]:
    """A header naming the three staffing items (编制, 实有/在职/在编, 控制率) each once, each by
    its own keyword: the staffing header for certain, though a wording be new (人员编制,
    实有在编人数, 在职人员控制率). Wording and place agree, as a near-miss of the template's next row."""
    staffing = [entry for entry in found if entry[1].key.startswith("staffing.")]
    keys = {item.key for _, item, _, _ in staffing}
    if len(staffing) != 3 or len(keys) != 3:
        return found
    keywords = {i.key: i.keywords for i in load_vocabulary().items_for(FORM, ("over",)) if i.key in keys}
    named = [keyword_match(normalize_label(label), keywords) for _, _, _, label in staffing]
    if any(by is None or by.key != item.key for by, (_, item, _, _) in zip(named, staffing)):
        return found
    return [(span, item, LabelMatch(item.key, TEMPLATE_SCORE, "template"), label)
            if item.key in keys and match.method not in ("exact", "synonym") else (span, item, match, label)
            for span, item, match, label in found]


def _over_by_keyword(cell: str) -> tuple[Item, LabelMatch] | None:
    """A staffing/楼堂馆所 header of unknown wording named by its keyword (never a column header)."""
    if match_column(cell, FORM) is not None:
        return None
    items = load_vocabulary().items_for(FORM, ("over",))
    found = keyword_match(normalize_label(cell), {i.key: i.keywords for i in items if i.keywords})
    return (load_vocabulary().item(FORM, found.key), found) if found else None


def _emit_over(table: RawTable, r: int, row: list[str | None], state: BasicDataState, out: Collector) -> None:
    for span, item, match, label in state.over:
        col, text = cell_under(row, span)
        out.add_fact(table, FORM, None, item, None, (r, col, text), label, match, state.amount_unit)


def _holds_values_under(row: list[str | None], over: list[tuple[Span, Item, LabelMatch, str]]) -> bool:
    """A row of values under an over-header: a number (or blank) under each of its labels.

    Its first cell may hold a label of its own (人数, 2023年) or nothing.
    """
    under = [cell_under(row, span)[1] for span, _, _, _ in over]
    return all(is_value_cell(cell) for cell in under) and (
        any(cell is not None and parse_number(cell).ok for cell in under) or not nonblank_cells(row[1:])
    )


def _emit_pairs(
    table: RawTable, r: int, row: list[str | None], over: list[tuple[Span, Item, LabelMatch, str]],
    state: BasicDataState, out: Collector,
) -> bool:
    starts = [span.start for span, _, _, _ in over] + [len(row)]
    values = [value_after(row, start, stop) for start, stop in zip(starts, starts[1:])]
    if not all(v is not None and parse_number(v[1]).ok for v in values):
        return False
    for (_, item, match, label), (col, text) in zip(over, values):
        out.add_fact(table, FORM, None, item, None, (r, col, text), label, match, state.amount_unit)
    return True


def _side_labels(row: list[str | None], state: BasicDataState) -> list[tuple[int, str]]:
    """The label cells left of the value columns, the innermost (right-most) first."""
    first_value = min((span.start for span, _ in state.columns), default=1)
    cells = [(col, cell) for col, cell in nonblank_cells(row[:first_value]) if not is_value_cell(cell)]
    return list(reversed(cells))


def _matched(label: str) -> tuple[Item, LabelMatch] | None:
    if is_filler(label) or load_vocabulary().structure_role(normalize_label(label)):
        return None
    return match_item(label, FORM, ("cols",))


def _read_as_printed(labels: list[tuple[int, str]]) -> tuple[str, tuple[Item, LabelMatch] | None]:
    """The row's label and what it names on its own (a group label left of it may name it)."""
    for _, label in labels:
        if (found := _matched(label)) is not None:
            return label, found
    return labels[0][1], None


def _place(
    label: str, found: tuple[Item, LabelMatch] | None, following: tuple[Item, LabelMatch] | None,
    state: BasicDataState, template: Template,
) -> Placement | None:
    current = template.block_at(state.placed)
    if current and found is not None and block_of(found[0].key) != current and not template.is_opener(found[0].key):
        if (local := match_among(label, template.block_items_after(state.placed), BLOCK_CUTOFF)) is not None:
            return Placement(*local, inferred=local[1].method != "synonym")
    if found is not None and state.section is not None and block_of(found[0].key) != current:
        index = template.index(found[0].key)
        if index is not None and index < state.placed:  # a block left behind: a line of this section
            found = None
    if found is not None:
        item, match = found
        index = template.index(item.key)
        if match.method == "fuzzy" and index == state.placed + 1 and not _lines_open(state, template):
            # a near-miss of the very row the template prints next: wording and order agree (after
            # a section's lines, more lines may come: there the next row is not known)
            return Placement(item, LabelMatch(item.key, TEMPLATE_SCORE, "template"))
        if match.method != "fuzzy" or state.section is None or index is None or block_of(item.key) == current:
            return Placement(item, match)
        if index > state.placed and template.is_opener(item.key):
            return Placement(item, match, inferred=True)  # a near-miss of a heading to come closes the section
    if state.section is not None and (near := match_among(label, template.openers_after(state.placed), HEADING_CUTOFF)):
        return Placement(*near, inferred=True)
    if found is None and (named := _by_keyword(label, state, template)) is not None:
        return named
    if (by_position := _by_position(following, state, template)) is not None:
        return by_position
    if state.section is not None:
        line = load_vocabulary().item(FORM, f"{state.section}.line")
        return Placement(line, LINE, subject_label(label), inferred=state.section_inferred)
    return None


def _lines_open(state: BasicDataState, template: Template) -> bool:
    """The last row placed is a free line of a section (more lines may follow)."""
    return state.placed >= 0 and template.keys[state.placed].endswith(".line")


def _by_keyword(label: str, state: BasicDataState, template: Template) -> Placement | None:
    """An item the template expects here whose keyword the label holds (车辆燃修 → vehicle_operation)."""
    if state.placed < 0:
        expected = template.items([k for k in template.keys if block_of(k) == block_of(template.keys[0])])
    else:
        expected = template.block_items_after(state.placed) + template.openers_after(state.placed)[:1]
    found = keyword_match(normalize_label(label), {i.key: i.keywords for i in expected if i.keywords})
    if found is None:
        return None
    item = load_vocabulary().item(FORM, found.key)
    if template.index(found.key) == state.placed + 1 and not _lines_open(state, template):
        # the keyword names the very row the template prints next (车辆购置 under 公务用车购置及运行费):
        # wording and order agree, as for a near-miss of that row
        return Placement(item, LabelMatch(found.key, TEMPLATE_SCORE, "template"))
    return Placement(item, found, inferred=True)


def _by_position(
    following: tuple[Item, LabelMatch] | None, state: BasicDataState, template: Template
) -> Placement | None:
    """The item the template expects where an unknown label stands, from the next named row."""
    if following is None or (after := template.index(following[0].key)) is None or after <= state.placed:
        return None
    block = block_of(following[0].key)
    opener = template.opener(block)
    if opener != following[0].key and (template.index(opener) or 0) > state.placed:
        key = opener  # the heading of a block whose first named line comes next
    else:
        slots = [k for k in template.between(state.placed, after) if not k.endswith(".line")]
        if len(slots) != 1 or len(slots) != len(template.between(state.placed, after)):
            return None
        key = slots[0]
    item = load_vocabulary().item(FORM, key)
    return Placement(item, LabelMatch(key, POSITION_SCORE, "position"), inferred=True)


def _advance(placement: Placement, state: BasicDataState, template: Template) -> None:
    item = placement.item
    index = template.index(item.key)
    if index is not None:
        state.placed = index
    if item.section is None:
        state.section, state.section_inferred = None, False
    elif item.section != state.section:
        # a section entered on a named line, its heading missing, is an inference too
        state.section = item.section
        state.section_inferred = placement.inferred or not item.opens_section


def _map_cost_line(
    table: RawTable, r: int, row: list[str | None], following: tuple[Item, LabelMatch] | None,
    state: BasicDataState, out: Collector,
) -> None:
    labels = _side_labels(row, state)
    if not labels or is_filler(labels[0][1]) or load_vocabulary().structure_role(normalize_label(labels[0][1])):
        return
    template = template_of(FORM)
    label, found = _read_as_printed(labels)
    placement = _place(label, found, following, state, template)
    if placement is not None and placement.item.layout == "line" and normalize_label(label) in load_vocabulary().subtotals:
        return  # a 小计 of the lines above, not a line of its own
    if placement is None:
        out.add_unmapped(FORM, label, table, r, labels[0][0])
        return
    _advance(placement, state, template)
    for span, column in state.columns:
        col, text = cell_under(row, span)
        out.add_fact(
            table, FORM, placement.subject, placement.item, column, (r, col, text), label, placement.match,
            state.amount_unit, inferred=placement.inferred,
        )


def _set_columns(table: RawTable, r: int, state: BasicDataState, out: Collector) -> bool:
    row = table.rows[r]
    header = column_header(table.rows, r, FORM)
    if len(header) < 2:
        return False
    state.columns = column_spans(row, header)
    state.amount_unit = next((u for u in map(amount_unit_in, row[: min(header)]) if u), state.amount_unit)
    roles = {
        col: (label, year, "prior" if column.key == "prior_final" else "current")
        for col, (column, label, year) in header.items()
    }
    out.header_years.extend(header_years_of(FORM, table, r, roles))
    return True


def _following_match(table: RawTable, r: int, state: BasicDataState, named: dict) -> tuple[Item, LabelMatch] | None:
    """What the next labelled row of the table names on its own (fillers skipped)."""
    for k in range(r + 1, len(table.rows)):
        labels = _side_labels(table.rows[k], state)
        if labels and not is_filler(labels[0][1]):
            if k not in named:
                named[k] = _read_as_printed(labels)[1]
            return named[k]
    return None


def map_basic_data(table: RawTable, state: BasicDataState, out: Collector) -> None:
    out.forms.add(FORM)
    named: dict[int, tuple[Item, LabelMatch] | None] = {}  # row -> what its label names, for look-ahead
    for r, row in enumerate(table.rows):
        if not nonblank_cells(row) and not state.over:
            continue
        if state.over and _holds_values_under(row, state.over):
            _emit_over(table, r, row, state, out)
            state.over = []
            continue
        state.over = []
        if (filled := nonblank_cells(row)) and (name := named_unit(filled[0][1])):
            out.departments.append(name)  # a 填报单位 line printed inside the table, often with the unit
            state.amount_unit = next((u for u in (amount_unit_in(c) for _, c in filled[1:]) if u), state.amount_unit)
            continue
        if len(over := over_header(row)) >= 2:
            if _emit_pairs(table, r, row, over, state, out):
                continue  # 编制数 | 21 | 实际在职人数 | 35 | …: each label with its value beside it
            state.over = over
            years = {span.start: (printed(label), header_year(label), "current") for span, _, _, label in over}
            out.header_years.extend(header_years_of(FORM, table, r, years))
            continue
        if _set_columns(table, r, state, out):
            named.clear()  # the value columns moved: the side labels may be others
            continue
        if state.columns and _side_labels(row, state):
            _map_cost_line(table, r, row, _following_match(table, r, state, named), state, out)
