"""The engines that evaluate the declarations of ``checks.rules`` against one report."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from checks import rules as R
from checks.names import FORMS, column_name, item_name, num
from core.records import CanonicalReport, Fact, Flag

_PRINTED_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


@dataclass(frozen=True)
class Addend:
    label: str
    fact: Fact | None
    constant: Decimal | None = None

    @property
    def value(self) -> Decimal | None:
        if self.constant is not None:
            return self.constant
        if self.fact is None or self.fact.value is None or not math.isfinite(self.fact.value):
            return None
        return Decimal(str(self.fact.value))

    @property
    def shown(self) -> str:
        """The figure as printed (`51.30`) when the cell's text is that number, else normalised."""
        value = self.value
        raw = (self.fact.raw_value if self.fact else "").strip().strip("\u3000").rstrip("%").strip()
        try:
            if value is not None and Decimal(raw) == value:
                return raw
        except ArithmeticError:
            pass
        return num(value)

    @property
    def location(self) -> str | None:
        return self.fact.location if self.fact else None


class Facts:
    """The report's facts, looked up by the terms of ``checks.rules``."""

    def __init__(self, facts: list[Fact]):
        self._by_key: dict[tuple, Fact] = {}
        self._by_item: dict[tuple, list[Fact]] = defaultdict(list)
        self._subjects: dict[str, dict[str | None, None]] = defaultdict(dict)
        for fact in facts:
            # The first statement wins: mappers emit facts in reading order.
            self._by_key.setdefault((fact.form, fact.subject, fact.item, fact.column), fact)
            self._by_item[(fact.form, fact.item, fact.column)].append(fact)
            self._subjects[fact.form][fact.subject] = None

    def groups(self, form: str) -> list[str | None]:
        """One group per project on a project_eval form; the whole form otherwise."""
        if form == "project_eval":
            return [s for s in self._subjects.get(form, {}) if s is not None]
        return [None] if form in self._subjects else []

    def resolve(self, term: str, form: str, subject: str | None, column: str | None) -> list[Addend]:
        if term.startswith("="):
            return [Addend(term[1:], None, Decimal(term[1:]))]
        if "|" in term:
            first, rest = term.split("|", 1)
            found = self.resolve(first, form, subject, column)
            return found if any(a.value is not None for a in found) else self.resolve(rest, form, subject, column)
        item, at, explicit = term.partition("@")
        col = (explicit or None) if at else column
        if item.endswith("*"):
            item = item[:-1]
            return [Addend(item_name(item, f.subject), f) for f in self._by_item.get((form, item, col), [])]
        return [Addend(item_name(item), self._by_key.get((form, subject, item, col)))]

    def one(self, term: str, form: str, subject: str | None = None, column: str | None = None) -> Addend:
        found = self.resolve(term, form, subject, column)
        return found[0] if found else Addend(term, None)

    def label(self, term: str, column: str | None = None) -> str:
        """``项目支出本年决算数`` for ``project.total`` in column ``final``."""
        item, at, explicit = term.partition("@")
        col = (explicit or None) if at else column
        return item_name(item.split("|")[0].rstrip("*")) + column_name(col)


def _where(subject: str | None) -> str:
    return f"项目“{subject}”：" if subject else ""


def _flag(rule_id: str, message: str, expected, actual, subject, addends) -> Flag:
    locations = dict.fromkeys(a.location for a in addends if a.location)
    return Flag(
        rule=rule_id, severity=R.RULES[rule_id].severity, message=message,
        expected=None if expected is None else float(expected), actual=None if actual is None else float(actual),
        subject=subject, location="; ".join(locations) or None,
    )


def check_sum(rule: R.SumRule, facts: Facts) -> list[Flag]:
    flags = []
    for subject in facts.groups(rule.form):
        for column in rule.columns:
            total = facts.one(rule.total, rule.form, subject, column)
            parts = [a for term in rule.parts for a in facts.resolve(term, rule.form, subject, column)]
            printed = [a.value for a in parts if a.value is not None]
            if total.value is None or not printed:
                continue
            summed = sum(printed, Decimal(0))
            diff = summed - total.value
            tolerance = Decimal("0.01") * len(printed)
            if (diff if rule.exceed_only else abs(diff)) <= tolerance:
                continue
            message = rule.message.format(
                where=_where(subject), total_label=facts.label(rule.total, column), total=total.shown,
                parts=" + ".join(f"{a.label} {a.shown}" for a in parts), sum=num(summed),
                diff=num(abs(diff)), unit=rule.unit,
            )
            where = subject or (total.fact.column if total.fact else column)
            flags.append(_flag(rule.rule, message, total.value, summed, where, [total]))
    return flags


def printed_decimals(fact: Fact) -> int:
    """Decimals of the rate as printed ('100%' → 0, '99.96%' → 2)."""
    match = _PRINTED_NUMBER.search(fact.raw_value or "")
    if match:
        return len(match.group(1) or "")
    exponent = Decimal(str(fact.value)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def check_rate(rule: R.RateRule, facts: Facts) -> list[Flag]:
    flags = []
    for form in rule.forms:
        for subject in facts.groups(form):
            numerator = facts.one(rule.numerator, form, subject)
            denominator = facts.one(rule.denominator, form, subject)
            reported = facts.one(rule.reported, form, subject)
            if None in (numerator.value, denominator.value, reported.value) or denominator.value == 0:
                continue
            decimals = printed_decimals(reported.fact)
            computed = numerator.value / denominator.value * 100
            if _rounded(computed, decimals) == _rounded(reported.value, decimals):
                continue
            shown = _rounded(computed, max(decimals, 2))
            message = rule.message.format(
                where=_where(subject), reported=reported.shown, computed=num(shown),
                numerator=numerator.shown, denominator=denominator.shown,
                numerator_label=facts.label(rule.numerator), denominator_label=facts.label(rule.denominator),
            )
            flags.append(_flag(rule.rule, message, shown, reported.value, subject, [reported]))
    return flags


def _rate_note(left: Decimal, right: Decimal, reported: Addend | None) -> str:
    if right == 0:
        return "编制数为 0"
    computed = _rounded(left / right * 100, 2)
    if reported is None or reported.value is None:
        return f"控制率 {num(computed)}%"
    decimals = printed_decimals(reported.fact)
    if _rounded(computed, decimals) == _rounded(reported.value, decimals):
        return f"控制率 {reported.shown}%"
    return f"控制率应为 {num(computed)}%，填报 {reported.shown}%"


def check_exceed(rule: R.ExceedRule, facts: Facts) -> list[Flag]:
    flags = []
    for form, left_term, right_term in rule.sources:
        compared = False
        for subject in facts.groups(form):
            left = facts.one(left_term, form, subject)
            right = facts.one(right_term, form, subject)
            if left.value is None or right.value is None:
                continue
            compared = True
            if left.value <= right.value:
                continue
            reported = facts.one(rule.reported_rate, form, subject) if rule.reported_rate else None
            message = rule.message.format(
                where=_where(subject), left=left.shown, right=right.shown,
                left_label=facts.label(left_term), right_label=facts.label(right_term),
                note=_rate_note(left.value, right.value, reported),
            )
            flags.append(_flag(rule.rule, message, right.value, left.value, subject, [left, right]))
        if compared and rule.first_only:
            break
    return flags


def check_narrative(facts: Facts) -> list[Flag]:
    flags = []
    tolerance = Decimal(R.NARRATIVE_TOLERANCE)
    for pair in R.NARRATIVE_PAIRS:
        stated = facts.one(f"{pair.narrative_item}@", "narrative")
        table = facts.one(pair.term, pair.form)
        if stated.value is None or table.value is None:
            continue
        diff = abs(stated.value - table.value)
        if diff <= tolerance:
            continue
        message = R.NARRATIVE_MESSAGE.format(
            narrative_label=item_name(pair.narrative_item), narrative=stated.shown, unit=pair.unit,
            form_label=FORMS[pair.form], cell_label=facts.label(pair.term), table=table.shown, diff=num(diff),
        )
        flags.append(_flag("narrative_table_mismatch", message, table.value, stated.value, pair.narrative_item,
                           [stated, table]))
    return flags


def check_scores(report: CanonicalReport, facts: Facts) -> list[Flag]:
    """Indicator rows above their max score, and totals that are not the sum of the scores."""
    flags = []
    for ind in report.indicators:
        if ind.score is None or ind.max_score is None or ind.score <= ind.max_score:
            continue
        name = ind.level3 or ind.level2 or ind.level1 or "（未命名）"
        message = R.INDICATOR_SCORE_MESSAGE.format(
            where=_where(ind.subject), indicator=name, score=num(ind.score), max_score=num(ind.max_score))
        flag = _flag("score_exceeds_max", message, Decimal(str(ind.max_score)), Decimal(str(ind.score)),
                     ind.subject or name, [])
        flags.append(replace(flag, location=ind.location))
    for form in R.EVAL_FORMS:
        for subject in facts.groups(form):
            flags += _total_score(report, facts, form, subject)
    return flags


def _total_score(report: CanonicalReport, facts: Facts, form: str, subject: str | None) -> list[Flag]:
    total = facts.one("total_score@", form, subject)
    funds = facts.one("funds.total@score", form, subject)
    scores = [Decimal(str(i.score)) for i in report.indicators
              if i.form == form and i.subject == subject and i.score is not None and math.isfinite(i.score)]
    printed = scores + ([funds.value] if funds.value is not None else [])
    if total.value is None or not printed:
        return []
    indicators = sum(scores, Decimal(0))
    summed = indicators + (funds.value or 0)
    diff = summed - total.value
    if abs(diff) <= Decimal("0.01") * len(printed):
        return []
    message = R.TOTAL_SCORE_MESSAGE.format(
        where=_where(subject), total=total.shown, funds=funds.shown, indicators=num(indicators),
        sum=num(summed), diff=num(abs(diff)))
    return [_flag("total_score_mismatch", message, total.value, summed, subject, [total])]


def check_years(report: CanonicalReport) -> list[Flag]:
    if report.fiscal_year is None:
        return []
    flags = []
    for header in report.header_years:
        expected = report.fiscal_year - (1 if header.role == "prior" else 0)
        if header.year == expected:
            continue
        message = R.YEAR_MESSAGE.format(
            form_label=FORMS.get(header.form, header.form), label=header.label, year=header.year,
            fiscal_year=report.fiscal_year, role="上年" if header.role == "prior" else "本年", expected=expected)
        flags.append(Flag("year_mismatch", R.RULES["year_mismatch"].severity, message, float(expected),
                          float(header.year), header.form, header.location))
    return flags


def check_missing_form(report: CanonicalReport) -> list[Flag]:
    if report.forms & {"basic_data", "overall_eval"}:
        return []
    return [Flag("missing_form", R.RULES["missing_form"].severity, R.MISSING_FORM_MESSAGE)]
