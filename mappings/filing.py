"""``map_filing``: every extraction of one filing → one CanonicalReport."""

from __future__ import annotations

import re
from collections import Counter

from core.records import CanonicalReport, Extraction, Paragraph, RawTable
from mappings.basic_data import BasicDataState, map_basic_data
from mappings.collect import Collector
from mappings.evaluation import EvalState, map_evaluation
from mappings.forms import OTHER, header_form, paragraphs_between, title_form
from mappings.narrative import extract_narrative
from mappings.normalize import clean_text, squash
from mappings.numbers import amount_unit_in
from mappings.project_list import map_project_list

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
_TITLE_WORDS = re.compile(r"绩效|整体支出|自评|评价")
_NAMED_UNIT = re.compile(r"^(?:填报单位|部门[(（]单位[)）]名称|单位名称|部门名称)[:：](.+)$")
_REPORT_TITLE = re.compile(r"^(?:(?:19|20)\d{2}年度?)?(.*?)(?:(?:19|20)\d{2}年度?)?(?:部门)?整体支出绩效(?:自评|评价)(?:自评)?报告$")
_ORGANISATION = re.compile(r"(?:委员会|办公室|局|院|中心|政府|厅|部|会|所|站|队|馆|校|委|办|处|室)$")
_SEAL = re.compile(r"[(（]盖章[)）]")
_GRADE = re.compile(r"(?:评价等次|评价等级|评价结论|自评结果|自评等次)(?:为|是|:|：)*[“\"]?(优秀|优|良好|良|中等|中|合格|不合格|差)")


def map_tables(extraction: Extraction, out: Collector) -> None:
    """Each table to its form, carrying one form's state over the tables it is split into."""
    state: BasicDataState | EvalState | None = None
    form: str | None = None
    previous = -1
    for table in sorted(extraction.tables, key=lambda t: t.order):
        captions = paragraphs_between(extraction.paragraphs, previous, table.order)
        previous = table.order
        announced = header_form(table)
        titled = title_form(captions)
        if announced or titled:
            form = announced or (None if titled == OTHER else titled)
            state = new_state(form, captions)
        if form is None or (state is None and form != "project_list"):
            continue
        map_table(form, table, state, out, captions)


def new_state(form: str | None, captions: list[Paragraph]) -> BasicDataState | EvalState | None:
    unit = next((u for u in (amount_unit_in(p.text) for p in captions) if u), "万元")
    if form == "basic_data":
        return BasicDataState(amount_unit=unit)
    if form in ("overall_eval", "project_eval"):
        return EvalState(form=form, amount_unit=unit)
    return None


def map_table(
    form: str, table: RawTable, state: BasicDataState | EvalState | None, out: Collector, captions: list[Paragraph]
) -> None:
    if isinstance(state, BasicDataState):
        map_basic_data(table, state, out)
    elif isinstance(state, EvalState):
        map_evaluation(table, state, out)
    elif form == "project_list":
        map_project_list(table, out, next((u for u in (amount_unit_in(p.text) for p in captions) if u), None))


def fiscal_year_of(paragraphs: list[Paragraph]) -> int | None:
    """The year most titles name (``2023年度…自评报告``, ``2022年度…自评表``)."""
    years = Counter()
    for paragraph in paragraphs:
        flat = squash(paragraph.text)
        if len(flat) <= 60 and _TITLE_WORDS.search(flat) and (found := _TITLE_YEAR.search(flat)):
            years[int(found[1])] += 1
    return years.most_common(1)[0][0] if years else None


def _named_unit(paragraphs: list[Paragraph], i: int) -> str | None:
    found = _NAMED_UNIT.match(squash(paragraphs[i].text))
    if not found:
        return None
    name = _SEAL.sub("", found[1])
    after = squash(paragraphs[i + 1].text) if i + 1 < len(paragraphs) else ""
    if _SEAL.search(after) and len(after) <= 20:  # a name wrapped onto the seal line
        name += _SEAL.sub("", after)
    return name or None


def _titled_unit(paragraphs: list[Paragraph], i: int) -> str | None:
    found = _REPORT_TITLE.match(squash(paragraphs[i].text))
    if not found:
        return None
    if found[1]:
        return found[1]
    before = squash(paragraphs[i - 1].text) if i > 0 else ""
    return before if 4 <= len(before) <= 40 and _ORGANISATION.search(before) else None


def department_of(paragraphs: list[Paragraph], from_tables: list[str]) -> str | None:
    """A form's 预算部门名称 cell, else 填报单位/名称 lines, else the report title."""
    if named := next((squash(d) for d in from_tables if squash(d)), None):
        return named
    ordered = sorted(paragraphs, key=lambda p: p.order)
    for finder in (_named_unit, _titled_unit):
        for i in range(len(ordered)):
            if name := finder(ordered, i):
                return name
    return None


def grade_of(paragraphs: list[Paragraph], from_tables: list[str]) -> str | None:
    if printed := next((clean_text(g).strip() for g in from_tables if clean_text(g).strip()), None):
        return printed
    for paragraph in paragraphs:
        if found := _GRADE.search(squash(paragraph.text)):
            return found[1]
    return None


def map_filing(extractions: list[Extraction], titles: tuple[str, ...] = ()) -> CanonicalReport:
    """Raw tables and paragraphs of one filing's documents → canonical facts.

    ``titles`` (the article title, the file names) are read for the department and the
    fiscal year only when the documents themselves do not name them.
    """
    out = Collector()
    paragraphs: list[Paragraph] = []
    for extraction in extractions:
        map_tables(extraction, out)
        paragraphs.extend(sorted(extraction.paragraphs, key=lambda p: p.order))
    title_paragraphs = [Paragraph(text=title, source="title", order=i) for i, title in enumerate(titles) if title]
    header_years = [h.year for h in out.header_years if h.role == "current"]
    fiscal_year = (fiscal_year_of(paragraphs) or (Counter(header_years).most_common(1)[0][0] if header_years else None)
                   or fiscal_year_of(title_paragraphs))
    narrative = extract_narrative(paragraphs, fiscal_year)
    if narrative:
        out.forms.add("narrative")
    return CanonicalReport(
        facts=out.facts + narrative,
        indicators=out.indicators,
        unmapped=out.unmapped,
        header_years=out.header_years,
        forms=out.forms,
        fiscal_year=fiscal_year,
        department=department_of(paragraphs, out.departments) or department_of(title_paragraphs, []),
        grade=grade_of(paragraphs, out.grades),
    )
