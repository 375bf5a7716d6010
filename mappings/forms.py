"""Which form a raw table is: from its own header cells, else the title printed above it.

A form is often split over several tables (a page break, or the dump of a Word table with
a vertical '绩效指标' label). A table with neither a recognisable header nor a title of
its own continues the form before it; a title that names no known form (考核评分表) ends it.
"""

from __future__ import annotations

import re

from core.records import Paragraph, RawTable
from mappings.normalize import normalize_label, squash
from mappings.vocabulary import load_vocabulary

OTHER = "other"  # a titled table that is none of ours

_TITLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("basic_data", re.compile(r"基础数据表")),
    ("project_eval", re.compile(r"项目(?:支出)?绩效(?:目标)?(?:自评|评价)表")),
    ("overall_eval", re.compile(r"整体支出绩效(?:目标)?(?:自评|评价)表")),
]
_TABLE_TITLE = re.compile(r"表[:：]?$")


def _cell_labels(table: RawTable, rows: int = 4) -> set[str]:
    return {normalize_label(cell) for row in table.rows[:rows] for cell in row if cell}


def header_form(table: RawTable) -> str | None:
    """The form a table's own first rows announce, if they announce one."""
    labels = _cell_labels(table)
    if labels & {"财政供养人员情况", "经费控制情况"} or {"编制数", "三公经费"} <= _cell_labels(table, 8):
        return "basic_data"
    names_a_project = any(load_vocabulary().structure_role(label) == "project_name" for label in labels)
    if names_a_project and labels & {"项目资金", "年度资金总额", "主管部门", "实施单位"}:
        return "project_eval"
    if labels & {"年度预算申请", "年度资金总额", "按收入性质分"}:
        return "overall_eval"
    if project_list_columns(table) is not None:
        return "project_list"
    return None


def project_list_columns(table: RawTable) -> tuple[int, int] | None:
    """(name column, amount column) of a free project table's header row, if it is one."""
    if not table.rows:
        return None
    header = [squash(cell) for cell in table.rows[0]]
    name = next((i for i, h in enumerate(header) if "项目名称" in h), None)
    amount = next(
        (i for i, h in enumerate(header) if i != name and re.search(r"金额|万元|项目支出|资金|预算数|支出数", h)),
        None,
    )
    if name is None or amount is None:
        return None
    return name, amount


def title_form(paragraphs: list[Paragraph]) -> str | None:
    """The form the last table title among ``paragraphs`` names; OTHER for a foreign title."""
    for paragraph in reversed(paragraphs):
        flat = squash(paragraph.text)
        for form, pattern in _TITLE_PATTERNS:
            if pattern.search(flat) and not flat.endswith("报告"):
                return form
        if _TABLE_TITLE.search(flat) and len(flat) <= 40:
            return OTHER
    return None


def paragraphs_between(paragraphs: list[Paragraph], after: int, before: int) -> list[Paragraph]:
    return [p for p in paragraphs if after < p.order < before]
