"""``map_filing``: every extraction of one filing → one CanonicalReport."""

from __future__ import annotations

import re
from collections import Counter

from core.records import CanonicalReport, Extraction, Paragraph, RawTable
from mappings.basic_data import BasicDataState, map_basic_data
from mappings.collect import Collector
from mappings.department import department_of
from mappings.evaluation import EvalState, map_evaluation
from mappings.forms import OTHER, header_form, paragraphs_between, title_form
from mappings.narrative import extract_narrative
from mappings.normalize import clean_text, squash
from mappings.numbers import amount_unit_in
from mappings.project_list import map_project_list

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
_TITLE_WORDS = re.compile(r"绩效|整体支出|自评|评价")
_BUDGET_CODE = re.compile(r"预算(?:单位)?编码[:：]?(\d{3,})")
# A narrative sentence that explains why the staffing quota changed (staffing_jump reads it).
_STAFFING_REASON = re.compile(
    r"[^。；]*(?<!预算)(?<!规划)编制数?[^。；]{0,20}(?:机构改革|调整|划转|转隶|核减|核增|增加|减少|撤并|合并|整合)[^。；]*"
)
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


def budget_code_of(paragraphs: list[Paragraph]) -> str | None:
    """The 预算编码 printed on the self-assessment report's cover (``预 算 编 码： 107001``)."""
    for paragraph in paragraphs:
        if "编码" in (flat := squash(paragraph.text)) and (found := _BUDGET_CODE.search(flat)):
            return found[1]
    return None


def staffing_note_of(paragraphs: list[Paragraph]) -> str | None:
    for paragraph in paragraphs:
        # the literal first: the pattern opens with a run that is retried at every position
        if "编制" in (flat := squash(paragraph.text)) and (found := _STAFFING_REASON.search(flat)):
            return found[0][:200]
    return None


def grade_of(paragraphs: list[Paragraph], from_tables: list[str]) -> str | None:
    if printed := next((clean_text(g).strip() for g in from_tables if clean_text(g).strip()), None):
        return printed
    for paragraph in paragraphs:
        if "评" in (flat := squash(paragraph.text)) and (found := _GRADE.search(flat)):
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
        budget_code=budget_code_of(paragraphs),
        staffing_note=staffing_note_of(paragraphs),
    )
