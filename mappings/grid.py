"""Reading a form through its layout grid (``RawTable.rows``), spans included.

A merged cell's text sits at its top-left position and the positions it covers hold
``None``. So a cell spans from its column to the next position that holds text or ``''``;
a header's span tells which value cells stand under it, and a label's span tells where
its value may start: ``一般公共预算： | · | · | 1917.27 | 其中：基本支出： | · | · | 1284.93``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.numbers import parse_number


@dataclass(frozen=True)
class Span:
    start: int
    end: int  # exclusive

    def __contains__(self, col: int) -> bool:
        return self.start <= col < self.end


def span_of(row: list[str | None], col: int) -> Span:
    """The columns the cell at ``col`` covers in its row (itself and the ``None`` after it)."""
    end = col + 1
    while end < len(row) and row[end] is None:
        end += 1
    return Span(col, end)


def cell_under(row: list[str | None], span: Span) -> tuple[int, str | None]:
    """The cell of ``row`` standing under a header that covers ``span``.

    The first position inside the span that holds a cell; when the span is wholly covered,
    the value cell whose own span reaches into it (a value merged across two header columns).
    ``(span.start, None)`` when the row has no cell there.
    """
    for col in range(span.start, min(span.end, len(row))):
        if row[col] is not None:
            return col, row[col]
    for col in range(min(span.start, len(row)) - 1, -1, -1):
        if row[col] is not None:
            covers = span.start in span_of(row, col) and is_value_cell(row[col])
            return (col, row[col]) if covers else (span.start, None)
    return span.start, None


def is_value_cell(cell: str | None) -> bool:
    """A number, a dash, or blank: anything but a label."""
    return parse_number(cell).null_reason != "parse_error"


def value_after(row: list[str | None], col: int, stop: int) -> tuple[int, str] | None:
    """The value of a label at ``col``: the first number after it and before ``stop``.

    ``stop`` is the column of the next label in the row. A blank or dash cell in that range
    is the value (printed empty) only when no number follows it; ``None`` when the range
    holds no value cell at all.
    """
    blank: tuple[int, str] | None = None
    for position in range(col + 1, min(stop, len(row))):
        cell = row[position]
        if cell is None or not is_value_cell(cell):
            continue
        if parse_number(cell).null_reason is None:
            return position, cell
        blank = blank or (position, cell)
    return blank


def group_above(rows: list[list[str | None]], r: int, col: int) -> tuple[int, str] | None:
    """The cell in the row above ``r`` whose span covers ``col`` (a group header): (its column, text)."""
    if r == 0:
        return None
    above = rows[r - 1]
    for position in range(min(col, len(above) - 1), -1, -1):
        if above[position] is not None:
            return (position, above[position]) if col in span_of(above, position) else None
    return None
