"""The engines that evaluate the declarations of ``checks.rules`` against one report."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from checks import rules as R
from checks.names import FORMS, column_name, half_printed_step, item_name, num, printed_decimals, rounded
from core.records import CanonicalReport, Cell, Fact, Flag, Severity

YUAN_PER_WAN = 10000
UNREAD = "unread"  # the match method of a declared cell that no fact fills
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Addend:
    label: str
    fact: Fact | None
    constant: Decimal | None = None
    confirmed_by: str | None = None  # checks.confirm

    @property
    def value(self) -> Decimal | None:
        if self.constant is not None:
            return self.constant
        if self.fact is None or self.fact.value is None or not math.isfinite(self.fact.value):
            return None
        return Decimal(str(self.fact.value))

    @property
    def shown(self) -> str:
        """The figure as printed (`51.30`) when the cell's text is that number; an amount the
        form prints in 元 as 万元 with the printed text beside it; else normalised."""
        value = self.value
        raw = (self.fact.raw_value if self.fact else "").strip().strip("\u3000").rstrip("%").strip()
        try:
            printed = Decimal(raw.replace(",", ""))
        except ArithmeticError:
            printed = None
        if value is not None and printed is not None:
            if printed == value:
                return raw
            if in_yuan(self.fact):
                return num(value.quantize(CENT))
        return num(value)

    def cell(self, role: str, label: str | None = None) -> Cell | None:
        """The evidence this addend gives a flag: the fact as printed, with its match."""
        fact = self.fact
        if fact is None:
            return None
        return Cell(
            role=role, label=label or self.label, text=(fact.raw_value or "").strip(), value=fact.value, unit=fact.unit,
            column=fact.column, location=fact.location or None, place=fact.place,
            match_method=fact.match_method, match_score=fact.match_score, inferred=fact.inferred,
            confirmed_by=self.confirmed_by,
        )


def _indicator_facts(report: CanonicalReport) -> list[Fact]:
    """绩效指标 rows as ``indicator.score`` / ``indicator.max_score`` facts, in pairs."""
    facts = []
    for ind in report.indicators:
        name = ind.level3 or ind.level2 or ind.level1 or "（未命名）"
        for item, value in (("indicator.score", ind.score), ("indicator.max_score", ind.max_score)):
            facts.append(Fact(form=ind.form, subject=ind.subject, item=item, column=None, value=value, unit="分",
                              source_label=name, match_score=100.0, match_method="exact", location=ind.location))
    return facts


def in_yuan(fact: Fact | Cell) -> bool:
    """The form printed this 万元 amount in 元 (``747,953.17`` for 74.795317)."""
    text = (fact.raw_value if isinstance(fact, Fact) else fact.text) or ""
    try:
        printed = Decimal(text.strip().replace(",", ""))
    except ArithmeticError:
        return False
    return (fact.unit == "万元" and bool(fact.value) and printed == Decimal(str(fact.value)) * YUAN_PER_WAN)


class Facts:
    """The report's facts (and indicator rows), looked up by the terms of ``checks.rules``."""

    def __init__(self, facts: list[Fact], indicators: Iterable[Fact] = ()):
        self._by_key: dict[tuple, Fact] = {}
        self._by_item: dict[tuple, list[Fact]] = defaultdict(list)
        self._subjects: dict[str, dict[str | None, None]] = defaultdict(dict)
        self._rows: set[tuple] = set()
        self._of_item: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in facts:
            # The first statement wins: mappers emit facts in reading order.
            self._by_key.setdefault((fact.form, fact.subject, fact.item, fact.column), fact)
            self._rows.add((fact.form, fact.subject, fact.item))
            self._by_item[(fact.form, fact.item, fact.column)].append(fact)
            self._of_item[(fact.form, fact.item)].append(fact)
            self._subjects[fact.form][fact.subject] = None
        for fact in indicators:  # grouped by project like the facts, never making a group of their own
            self._by_item[(fact.form, fact.item, fact.column, fact.subject)].append(fact)
        self._all = list(facts)
        self.confirmed: dict[int, str] = {}  # id(fact) → rule: set by ``run`` (checks.confirm)

    def same_row(self, fact: Fact) -> list[Fact]:
        """The facts of ``fact``'s printed row: its item in every column."""
        place = fact.place
        if place is None or place.row is None:
            return [fact]
        return [f for f in self._of_item.get((fact.form, fact.item), []) if f.subject == fact.subject and f.place is not None
                and (f.place.file, f.place.sheet, f.place.page, f.place.table, f.place.row)
                == (place.file, place.sheet, place.page, place.table, place.row)] or [fact]

    def _addend(self, label: str, fact: Fact | None) -> Addend:
        return Addend(label, fact, confirmed_by=self.confirmed.get(id(fact)) if fact is not None else None)

    def equal_elsewhere(self, value: Decimal, unit: str | None, tolerance: Decimal, besides: Fact | None,
                        same: Iterable[tuple]) -> Fact | None:
        """A form fact other than ``besides`` holding ``value`` in ``unit``, when none of the
        (form, item) rows ``same`` holds it (zero never counts: it fills half the cells of any form)."""
        same = set(same)
        equal = [f for f in self._all if f.form != "narrative" and f is not besides and f.unit == unit
                 and f.value is not None and math.isfinite(f.value) and abs(Decimal(str(f.value)) - value) <= tolerance]
        if value == 0 or any((f.form, f.item) in same for f in equal):
            return None
        return equal[0] if equal else None

    def has_row(self, form: str, subject: str | None, item: str) -> bool:
        """Some column of this item was read."""
        return (form, subject, item) in self._rows

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
            if item.startswith("indicator."):
                return [self._addend(f.source_label, f) for f in self._by_item.get((form, item, col, subject), [])]
            return [self._addend(item_name(item, f.subject), f) for f in self._by_item.get((form, item, col), [])]
        return [self._addend(item_name(item), self._by_key.get((form, subject, item, col)))]

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


def _number(value) -> float | None:
    return None if value is None else float(value)


def _unread(term: str, facts: Facts, form: str, subject: str | None, column: str | None) -> bool:
    """A declared cell the mapper did not read although its row was read (a blank cell is a
    fact; a row the form leaves out counts as 0)."""
    if term.startswith("=") or (term.endswith("*") and "|" not in term):
        return False
    alternatives = [t for t in term.split("|") if not t.endswith("*")]
    read = any(a.fact is not None for alt in term.split("|") for a in facts.resolve(alt, form, subject, column))
    return not read and any(facts.has_row(form, subject, alt.partition("@")[0]) for alt in alternatives)


def unread(label: str) -> Cell:
    """Evidence that a part of the comparison was never read: the flag goes to review."""
    return Cell(role="part", label=label, text="", value=None, unit=None, match_method=UNREAD, match_score=0.0)


def make_flag(rule: R.Rule, message: str, cells: Iterable[Cell | None], *, printed=None, computed=None,
              limit=None, subject: str | None = None, item: str | None = None, columns: tuple[str, ...] = (),
              unit: str | None = None) -> Flag:
    """A flag with its evidence; one resting on an uncertain reading (or explained by another
    reading, an ``alternative`` cell) is stored for review."""
    cells = tuple(c for c in cells if c is not None)
    weakest = min((c for c in cells if c.match_score is not None), key=lambda c: c.match_score, default=None)
    inferred = any(c.inferred for c in cells)
    certain = all((c.confirmed_by or R.is_certain(c.match_method, c.match_score, c.inferred)) and c.role != "alternative"
                  for c in cells)
    checked = next((c for c in cells if c.role == "printed"), None)
    yuan = list(dict.fromkeys(f"{c.label} {c.text}" for c in cells if in_yuan(c)))
    note = f"（原表以元填报：{'、'.join(yuan)} 元）" if yuan else ""
    message += note if note not in message else ""
    return Flag(
        rule=rule.id, severity=rule.severity if certain else Severity.INFO, message=message,
        printed=_number(printed), computed=_number(computed), limit=_number(limit), subject=subject, item=item,
        columns=tuple(c for c in columns if c), unit=(rule.unit if unit is None else unit) or None,
        location=checked.place if checked else None, cells=cells,
        weakest_match=weakest.match_score if weakest else None,
        weakest_method=weakest.match_method if weakest else None, inferred=inferred, needs_review=not certain,
    )


def _same_columns(found: list[tuple[str | None, Flag]]) -> list[Flag]:
    """One flag per root cause: columns breaking the rule with the same numbers are one flag."""
    groups: dict[tuple, list[tuple[str | None, Flag]]] = {}
    for column, flag in found:
        groups.setdefault((flag.printed, flag.expected), []).append((column, flag))
    merged = []
    for members in groups.values():
        first = members[0][1]
        columns = tuple(c for c, _ in members if c)
        message = first.message
        if len(members) > 1:
            message += "；" + "、".join(column_name(c) for c in columns[1:]) + "同"
        cells = tuple(dict.fromkeys(c for _, f in members for c in f.cells))
        merged.append(make_flag(R.RULES[first.rule], message, cells, printed=first.printed,
                                computed=first.computed, limit=first.limit, subject=first.subject,
                                item=first.item, columns=columns, unit=first.unit))
    return merged


def check_sum(rule: R.Rule, decl: R.Sum, facts: Facts, report: CanonicalReport) -> list[Flag]:
    flags = []
    for form in decl.forms:
        for subject in facts.groups(form):
            found = []
            for column in decl.columns:
                total = facts.one(decl.total, form, subject, column)
                terms = [facts.resolve(term, form, subject, column) for term in decl.parts]
                parts = [a for term in terms for a in term]
                printed = [a.value for a in parts if a.value is not None]
                if total.value is None or not printed:
                    continue
                if any(all(a.value is None for a in term) for t, term in zip(decl.parts, terms) if t in decl.rows_read):
                    continue
                summed = sum(printed, Decimal(0))
                diff = summed - total.value
                if (diff if decl.exceed_only else abs(diff)) <= rule.tolerance * len(printed):
                    continue
                subtotals = {f"t{i}": term[0].shown if len(term) == 1 else
                             num(sum((a.value for a in term if a.value is not None), Decimal(0)))
                             for i, term in enumerate(terms)}
                message = decl.message.format(
                    where=_where(subject), total_label=facts.label(decl.total, column), total=total.shown,
                    parts=" + ".join(f"{a.label} {a.shown}" for a in parts), sum=num(summed),
                    diff=num(abs(diff).quantize(CENT)), unit=rule.unit, **subtotals,
                )
                cells = [total.cell("printed", facts.label(decl.total, column))] + [a.cell("part") for a in parts]
                cells += [unread(facts.label(t, column)) for t in decl.parts if _unread(t, facts, form, subject, column)
                          or (t in decl.required and facts.one(t, form, subject, column).value is None)
                          or (t in decl.printed_rows and not facts.has_row(form, subject, t))]
                column_of = total.fact.column if total.fact else column
                found.append((column_of, make_flag(
                    rule, message, cells, printed=total.value, computed=summed, subject=subject,
                    item=decl.total.partition("@")[0], columns=(column_of,) if column_of else ())))
            flags += _same_columns(found)
    return flags


def check_rate(rule: R.Rule, decl: R.Rate, facts: Facts, report: CanonicalReport) -> list[Flag]:
    flags = []
    for form in decl.forms:
        for subject in facts.groups(form):
            numerator = facts.one(decl.numerator, form, subject)
            denominator = facts.one(decl.denominator, form, subject)
            reported = facts.one(decl.reported, form, subject)
            if None in (numerator.value, denominator.value, reported.value) or denominator.value == 0:
                continue
            decimals = printed_decimals(reported.fact)
            computed = numerator.value / denominator.value * 100
            if rounded(computed, decimals) == rounded(reported.value, decimals):
                continue
            shown = rounded(computed, max(decimals, 2))
            message = decl.message.format(
                where=_where(subject), reported=reported.shown, computed=num(shown),
                numerator=numerator.shown, denominator=denominator.shown,
                numerator_label=facts.label(decl.numerator), denominator_label=facts.label(decl.denominator),
            )
            cells = [reported.cell("printed", facts.label(decl.reported)),
                     numerator.cell("part", facts.label(decl.numerator)),
                     denominator.cell("part", facts.label(decl.denominator))]
            item, _, column = decl.reported.partition("@")
            flags.append(make_flag(rule, message, cells, printed=reported.value, computed=shown, subject=subject,
                                   item=item, columns=(column,) if column else ()))
    return flags


def _rate_note(left: Decimal, right: Decimal, reported: Addend | None) -> str:
    if right == 0:
        return "编制数为 0"
    computed = rounded(left / right * 100, 2)
    if reported is None or reported.value is None:
        return f"控制率 {num(computed)}%"
    decimals = printed_decimals(reported.fact)
    if rounded(computed, decimals) == rounded(reported.value, decimals):
        return f"控制率 {reported.shown}%"
    return f"控制率应为 {num(computed)}%，填报 {reported.shown}%"


def _pairs(decl: R.Exceed, facts: Facts, form: str, subject, left_term: str, right_term: str):
    if decl.rows:
        return list(zip(facts.resolve(left_term, form, subject, None), facts.resolve(right_term, form, subject, None)))
    return [(facts.one(left_term, form, subject), facts.one(right_term, form, subject))]


def check_exceed(rule: R.Rule, decl: R.Exceed, facts: Facts, report: CanonicalReport) -> list[Flag]:
    flags = []
    for form, left_term, right_term in decl.sources:
        compared = False
        for subject in (facts.groups(form) or ([None] if decl.rows and form != "project_eval" else [])):
            for left, right in _pairs(decl, facts, form, subject, left_term, right_term):
                if left.value is None or right.value is None:
                    continue
                compared = True
                if left.value <= right.value:
                    continue
                reported = facts.one(decl.reported_rate, form, subject) if decl.reported_rate else None
                message = decl.message.format(
                    where=_where(subject), left=left.shown, right=right.shown,
                    left_label=left.label if decl.rows else facts.label(left_term),
                    right_label=facts.label(right_term), note=_rate_note(left.value, right.value, reported),
                )
                item, _, column = left_term.partition("@")
                flags.append(make_flag(
                    rule, message, [left.cell("printed", None if decl.rows else facts.label(left_term)),
                                    right.cell("limit", None if decl.rows else facts.label(right_term))],
                    printed=left.value,
                    limit=right.value, subject=(subject or left.label) if decl.rows else subject,
                    item=item.rstrip("*"), columns=(column,) if column else ()))
        if compared and decl.first_only:
            break
    return flags


def check_restates(rule: R.Rule, decl: R.Restates, facts: Facts, report: CanonicalReport) -> list[Flag]:
    stated = facts.one(f"{decl.narrative_item}@", "narrative")
    table = facts.one(decl.term, decl.form)
    if stated.value is None or table.value is None:
        return []
    diff = abs(stated.value - table.value)
    # Prose rounds ('全年预算数1917万元' for 1917.27): a sentence that agrees at the precision it
    # printed restates the cell. Only the sentence's: a spreadsheet's number cell prints 5 for 5.00.
    if diff <= max(rule.tolerance, half_printed_step(stated.fact)):
        return []
    message = decl.message.format(
        narrative_label=item_name(decl.narrative_item), narrative=stated.shown, unit=decl.unit,
        form_label=FORMS[decl.form], cell_label=facts.label(decl.term), table=table.shown, diff=num(diff),
    )
    cells = [stated.cell("printed", "报告正文" + item_name(decl.narrative_item)),
             table.cell("reference", FORMS[decl.form] + facts.label(decl.term))]
    # The sentence's figure is another cell of the forms (a sub-item, another column or year, a
    # project's): the sentence more likely names that figure than contradicts this one.
    other = facts.equal_elsewhere(stated.value, stated.fact.unit, rule.tolerance, table.fact, decl.same_as)
    if other is not None:
        label = FORMS.get(other.form, other.form) + facts.label(other.item, other.column)
        cells.append(Addend(label, other).cell("alternative"))
        message += f"（正文数字与{label}{'（' + other.subject + '）' if other.subject else ''}相同，待核）"
    return [make_flag(rule, message, cells, printed=stated.value,
                      computed=table.value, subject=decl.narrative_item, item=decl.narrative_item, unit=decl.unit)]


def check_years(rule: R.Rule, decl: R.Custom, facts: Facts, report: CanonicalReport) -> list[Flag]:
    if report.fiscal_year is None:
        return []
    flags = []
    for header in report.header_years:
        expected = report.fiscal_year - (1 if header.role == "prior" else 0)
        if header.year == expected:
            continue
        message = decl.message.format(
            form_label=FORMS.get(header.form, header.form), label=header.label, year=header.year,
            fiscal_year=report.fiscal_year, role="上年" if header.role == "prior" else "本年", expected=expected)
        cell = Cell(role="printed", label=header.label, text=header.label, value=float(header.year), unit="年",
                    location=header.location, match_method="exact", match_score=100.0)
        flags.append(make_flag(rule, message, [cell], printed=header.year, computed=expected,
                               subject=header.form, item="header_year"))
    return flags


def check_missing_form(rule: R.Rule, decl: R.Custom, facts: Facts, report: CanonicalReport) -> list[Flag]:
    if report.forms & {"basic_data", "overall_eval"}:
        return []
    return [make_flag(rule, decl.message, [])]


Engine = Callable[[R.Rule, object, Facts, CanonicalReport], list[Flag]]
ENGINES: dict[type, Engine] = {R.Sum: check_sum, R.Rate: check_rate, R.Exceed: check_exceed,
                               R.Restates: check_restates}
CUSTOM: dict[str, Engine] = {"header_years": check_years, "missing_form": check_missing_form}


def evaluate(rule: R.Rule, report: CanonicalReport, facts: Facts) -> list[Flag]:
    flags = []
    for decl in rule.compares:
        engine = CUSTOM[decl.name] if isinstance(decl, R.Custom) else ENGINES[type(decl)]
        flags += engine(rule, decl, facts, report)
    return flags


def run(report: CanonicalReport, rules: Iterable[R.Rule] = R.DECLARATIONS) -> list[Flag]:
    from checks.confirm import confirmed_readings

    facts = Facts(report.facts, _indicator_facts(report))
    facts.confirmed = confirmed_readings(facts)
    return [flag for rule in rules for flag in evaluate(rule, report, facts)]
