"""project_list: free tables of 项目名称 → 金额 (seed 002); a printed 合计 row is the total."""

from __future__ import annotations

from core.records import RawTable
from mappings.collect import Collector, is_blank, last_number, nonblank_cells
from mappings.forms import project_list_columns
from mappings.match import LabelMatch, match_item
from mappings.normalize import normalize_label, subject_label
from mappings.numbers import amount_unit_in
from mappings.vocabulary import load_vocabulary

FORM = "project_list"
LISTED = LabelMatch("project.amount", 100.0, "pattern")


def map_project_list(table: RawTable, out: Collector, caption_unit: str | None = None) -> None:
    columns = project_list_columns(table)
    if columns is None:
        return
    out.forms.add(FORM)
    name_col, amount_col = columns
    unit = amount_unit_in(table.rows[0][amount_col]) or caption_unit or "万元"
    amount_item = load_vocabulary().item(FORM, "project.amount")
    for r, row in enumerate(table.rows[1:], start=1):
        filled = nonblank_cells(row)
        if not filled:
            continue
        total = match_item(filled[0][1], FORM, ("total",))
        if total is not None and total[1].method == "synonym":
            found = last_number(row, filled[0][0] + 1)
            if found is not None:
                out.add_fact(table, FORM, None, total[0], None, (r, found[0], found[1]), filled[0][1], total[1], unit)
            continue
        name = row[name_col] if name_col < len(row) else None
        if is_blank(name) or not normalize_label(name):
            continue
        amount = row[amount_col] if amount_col < len(row) else None
        out.add_fact(table, FORM, subject_label(name), amount_item, None, (r, amount_col, amount), name or "", LISTED, unit)
