"""The department a filing is about: its form's 预算部门名称 cell, a 填报单位 line, or the report title.

Whichever gives it, the name is read without what is printed around it on the same line:
``单位：万元``, ``填报日期：``, ``金额单位``, ``（盖章）`` and the like.
"""

from __future__ import annotations

import re

from core.records import Paragraph
from mappings.normalize import squash

_NAMED_UNIT = re.compile(
    r"^(?:填报单位|填报部门|部门[(（]单位[)）]名称|单位[(（]部门[)）]名称|预算单位|单位名称|部门名称"
    r"|(?:省级|市级|州级|县级|区级)?预算部门(?:[(（]单位[)）])?名称)"
    r"(?:[(（](?:盖章|公章|章)[)）])?[:：](.+)$"
)
_REPORT_TITLE = re.compile(
    r"^(?:(?:19|20)\d{2}年度?)?(.*?)(?:(?:19|20)\d{2}年度?)?(?:部门)?整体支出绩效(?:自评|评价)(?:自评)?报告$"
)
_ORGANISATION = re.compile(r"(?:委员会|办公室|局|院|中心|政府|厅|部|会|所|站|队|馆|校|委|办|处|室)$")
_SEAL = re.compile(r"[(（](?:盖章|公章|章|签章|印章)[)）]|盖章$")
# What a clerk prints after the name on the same line: the form's unit, the date, a code.
_TRAILER = re.compile(
    r"(?:金额单位|计量单位|单位[:：]|\(?单位[:：]?(?:万元|元)|[(（](?:万元|元)[)）]|填报日期|填表日期|填报时间|日期[:：]"
    r"|报送日期|预算编码|预算代码|联系电话|填表人|负责人).*$"
)
_EDGE = re.compile(r"^[:：\s、,，.。]+|[:：\s、,，.。]+$")


def clean_name(text: str | None) -> str | None:
    """A printed unit name without the trailer and seal marks printed beside it."""
    name = _TRAILER.sub("", _SEAL.sub("", squash(text)))
    name = _EDGE.sub("", _SEAL.sub("", name))
    return name or None


def named_unit(text: str | None) -> str | None:
    """The name on a ``填报单位：…`` / ``部门（单位）名称：…`` line, if the line is one."""
    found = _NAMED_UNIT.match(squash(text))
    return clean_name(found[1]) if found else None


def _named_line(paragraphs: list[Paragraph], i: int) -> str | None:
    name = named_unit(paragraphs[i].text)
    if not name and _NAMED_UNIT.match(squash(paragraphs[i].text)) is None:
        return None
    after = squash(paragraphs[i + 1].text) if i + 1 < len(paragraphs) else ""
    if _SEAL.search(after) and len(after) <= 20:  # a name wrapped onto the seal line
        name = (name or "") + (clean_name(after) or "")
    return name or None


def _titled_unit(paragraphs: list[Paragraph], i: int) -> str | None:
    found = _REPORT_TITLE.match(squash(paragraphs[i].text))
    if not found:
        return None
    if found[1]:
        return clean_name(found[1])
    before = squash(paragraphs[i - 1].text) if i > 0 else ""
    return clean_name(before) if 4 <= len(before) <= 40 and _ORGANISATION.search(before) else None


def department_of(paragraphs: list[Paragraph], from_tables: list[str]) -> str | None:
    """A form's 预算部门名称 cell, else 填报单位/名称 lines, else the report title."""
    if named := next((name for name in map(clean_name, from_tables) if name), None):
        return named
    ordered = sorted(paragraphs, key=lambda p: p.order)
    for finder in (_named_line, _titled_unit):
        for i in range(len(ordered)):
            if name := finder(ordered, i):
                return name
    return None
