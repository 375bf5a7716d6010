"""What the table mappers produce while they walk a filing, and the helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.records import Fact, HeaderYear, Indicator, RawTable, UnmappedLabel
from mappings.grid import Span, group_above, span_of
from mappings.match import LabelMatch, match_column
from mappings.normalize import clean_text, is_filler, normalize_label, squash
from mappings.numbers import ParsedNumber, parse_number, to_wan
from mappings.vocabulary import Column, Item, load_vocabulary

_HEADER_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年(?:度)?")


@dataclass
class Collector:
    facts: list[Fact] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    unmapped: list[UnmappedLabel] = field(default_factory=list)
    header_years: list[HeaderYear] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)

    def add_fact(
        self,
        table: RawTable,
        form: str,
        subject: str | None,
        item: Item,
        column: Column | None,
        cell: tuple[int, int, str | None],
        label: str,
        match: LabelMatch,
        amount_unit: str = "万元",
        inferred: bool = False,
    ) -> None:
        """One fact from one value cell; a cell holding text instead of a number yields none."""
        row, col, text = cell
        parsed = parse_number(text)
        if parsed.null_reason == "parse_error":
            return
        unit = (column.unit if column else None) or item.unit
        self.facts.append(
            Fact(
                form=form,
                subject=subject,
                item=item.key,
                column=column.key if column else None,
                value=cell_value(parsed, unit, amount_unit),
                unit=unit,
                source_label=printed(label),
                # OCR can misread a label or a digit: its facts rank below any printed text.
                match_score=match.score * OCR_SCORE_FACTOR if table.low_confidence else match.score,
                match_method=f"ocr+{match.method}" if table.low_confidence else match.method,
                location=table.location(row, col),
                raw_value=text or "",
                inferred=inferred,
                place=table.place(row, col),
            )
        )
        self.forms.add(form)

    def add_unmapped(self, form: str | None, label: str, table: RawTable, row: int, col: int | None = None) -> None:
        if is_filler(label) or not squash(label):
            return
        self.unmapped.append(UnmappedLabel(form=form, label=printed(label), location=table.location(row, col)))


OCR_SCORE_FACTOR = 0.8


def cell_value(parsed: ParsedNumber, unit: str | None, amount_unit: str) -> float | None:
    if unit == "万元":
        return to_wan(parsed, amount_unit)
    return parsed.value


def printed(label: str | None) -> str:
    """A label as printed, minus the layout whitespace around it (no normalisation)."""
    return (label or "").strip()


def is_blank(cell: str | None) -> bool:
    return cell is None or not clean_text(cell).strip()


def nonblank_cells(row: list[str | None]) -> list[tuple[int, str]]:
    return [(i, cell) for i, cell in enumerate(row) if not is_blank(cell)]


def header_year(label: str | None) -> int | None:
    found = _HEADER_YEAR.match(squash(label))
    return int(found[1]) if found else None


_YEAR_GROUP = re.compile(r"^(?:(?:19|20)\d{2}年度?|上年度?|本年度?)(?:\([^()]*\))?$")


def _header_label(rows: list[list[str | None]], r: int, col: int) -> str | None:
    """A header cell's text, with the year group printed over it (``2023年`` over ``预算数``).

    A position covered from the row above (a header merged down over two rows) reads the
    cell above it.
    """
    cell = rows[r][col]
    if cell is None:
        above = rows[r - 1] if r > 0 else []
        return above[col] if col < len(above) and above[col] is not None and not is_blank(above[col]) else None
    group = group_above(rows, r, col)
    # a group starting at column 0 is the table's own title row, not a header over columns
    if group and group[0] > 0 and header_year(cell) is None and _YEAR_GROUP.match(squash(group[1])):
        return squash(group[1]) + cell
    return cell


def column_header(rows: list[list[str | None]], r: int, form: str) -> dict[int, tuple[Column, str, int | None]]:
    """Columns header row ``r`` names: col -> (column, label as printed, year printed in it).

    A year in the header decides prior vs current: ``2022年决算数`` beside ``2023年预算数`` is
    the prior year's final, ``2023年决算数`` the current one. Headers of two rows (a year
    over 预算数 | 决算数, or a header merged down beside them) are read as one.
    """
    cells = {col: label for col in range(len(rows[r])) if not is_blank(label := _header_label(rows, r, col))}
    years = [y for y in map(header_year, cells.values()) if y is not None]
    latest = max(years, default=None)
    found: dict[int, tuple[Column, str, int | None]] = {}
    # yeared headers after the others: a lone year that would repeat a current column is the prior one
    for col, cell in sorted(cells.items(), key=lambda kv: header_year(kv[1]) is not None):
        year = header_year(cell)
        label = normalize_label(cell)
        if year is not None and latest is not None:
            label = ("上年" if year < latest else "本年") + label
        matched = match_column(label, form)
        taken = [column for column, _, _ in found.values()]
        if matched is not None and matched[0] in taken and year is not None and len(set(years)) == 1:
            matched = match_column("上年" + normalize_label(cell), form)
        if matched is not None and matched[0] not in taken:
            found[col] = (matched[0], printed(cell), year)
    found = dict(sorted(found.items()))
    if not any(rows[r][col] is not None for col in found):
        return {}  # every match came from the row above: that row was the header
    if len(found) >= 2:
        _fill_by_order(cells, found, form)
    return found


def _fill_by_order(cells: dict[int, str], found: dict[int, tuple[Column, str, int | None]], form: str) -> None:
    """A header cell of unknown wording between two known ones takes the one column the
    vocabulary's order leaves between them (全年预算批复数 between 年初预算数 and 执行数)."""
    order = [column.key for column in load_vocabulary().columns_for(form)]
    taken = {column.key for column, _, _ in found.values()}
    known = sorted(found)
    vocabulary = load_vocabulary()
    for col, cell in cells.items():
        if col in found or col < known[0] or vocabulary.structure_role(normalize_label(cell)):
            continue  # 备注 / 说明 columns are no figures
        left = max(k for k in known if k < col)
        right = min((k for k in known if k > col), default=None)
        low = order.index(found[left][0].key)
        high = order.index(found[right][0].key) if right is not None else len(order)
        free = [key for key in order[low + 1 : high] if key not in taken]
        if len(free) == 1:
            column = vocabulary.column(free[0])
            found[col] = (column, printed(cell), header_year(cell))
            taken.add(column.key)


def column_spans(row: list[str | None], header: dict[int, tuple[Column, str, int | None]]) -> list[tuple[Span, Column]]:
    """Each header column with the grid columns it covers."""
    return [(span_of(row, col) if row[col] is not None else Span(col, col + 1), column) for col, (column, _, _) in header.items()]


def header_years_of(
    form: str, table: RawTable, row: int, headers: dict[int, tuple[str, int | None, str]]
) -> list[HeaderYear]:
    """``headers``: col -> (label as printed, year, role)."""
    return [
        HeaderYear(form=form, label=label, year=year, role=role, location=table.location(row, col))
        for col, (label, year, role) in headers.items()
        if year is not None
    ]


def last_number(row: list[str | None], start: int) -> tuple[int, str] | None:
    """The right-most cell from ``start`` on that holds a number (总分 | 100 | 98 → 98)."""
    for col in range(len(row) - 1, start - 1, -1):
        if row[col] is not None and parse_number(row[col]).value is not None:
            return col, row[col] or ""
    return None
