"""Readings the form itself confirms: an identity that holds to the cent vouches for the rows in it.

A row whose label matched only loosely (fuzzy, a position, OCR) is no ground for an alert on
its own. But when the form's own arithmetic puts it where the template does (the 三公 total
that its three certain parts add up to, the one part a certain total and its certain siblings
leave room for, a staffing rate that the two headcounts reproduce), the reading is confirmed, and
a flag resting on it elsewhere (the same row's other column, another rule) may be alerted.
Chance agreement to the cent is what this trusts; so zero figures, single-part sums and a rate
of two equal counts confirm nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from checks import rules as R
from checks.names import printed_decimals, rounded

if TYPE_CHECKING:
    from checks.engine import Addend, Facts
    from core.records import Fact

_OCR = "ocr+"


def _label_certain(fact: Fact) -> bool:
    """The label matched for certain (an OCR'd one too: there the digits are the doubt)."""
    method = fact.match_method or ""
    if method.startswith(_OCR):
        return not fact.inferred and method[len(_OCR):] in R.CERTAIN_METHODS
    return R.is_certain(method, fact.match_score, fact.inferred)


def _sure(fact: Fact, confirmed: dict[int, str]) -> bool:
    return id(fact) in confirmed or (R.is_certain(fact.match_method, fact.match_score, fact.inferred))


def _nonzero(addends: Iterable[Addend]) -> list[Addend]:
    return [a for a in addends if a.fact is not None and a.value not in (None, Decimal(0))]


def _sum_confirms(rule: R.Rule, decl: R.Sum, facts: Facts, confirmed: dict[int, str]) -> list[Fact]:
    found = []
    for form in decl.forms:
        for subject in facts.groups(form):
            for column in decl.columns:
                total = facts.one(decl.total, form, subject, column)
                terms = [facts.resolve(term, form, subject, column) for term in decl.parts]
                parts = [a for term in terms for a in term]
                printed = [a.value for a in parts if a.value is not None]
                if total.fact is None or not total.value or not printed:
                    continue
                if abs(sum(printed, Decimal(0)) - total.value) > rule.tolerance * len(printed):
                    continue
                nonzero = _nonzero(parts)
                doubtful = [a for a in [total, *nonzero] if not _sure(a.fact, confirmed)]
                if not doubtful:
                    continue
                if len(nonzero) >= 2 and all(a is total or _label_certain(a.fact) for a in doubtful):
                    # the total of two or more parts is where the template puts it; OCR'd digits
                    # that add up to the cent were read right
                    found += [a.fact for a in doubtful]
                elif len(doubtful) == 1 and doubtful[0] is not total and doubtful[0].fact.place != total.fact.place:
                    found.append(doubtful[0].fact)  # the one part a certain total and certain siblings leave room for
    return found


def _rate_confirms(decl: R.Rate, facts: Facts, confirmed: dict[int, str]) -> list[Fact]:
    """A rate and the two counts under their own column labels (staffing): the columns are right
    when the counts reproduce the printed rate and differ (a swap would invert it)."""
    found = []
    for form in decl.forms:
        for subject in facts.groups(form):
            addends = [facts.one(t, form, subject) for t in (decl.numerator, decl.denominator, decl.reported)]
            numerator, denominator, reported = addends
            if any(a.fact is None or not a.value for a in addends) or numerator.value == denominator.value:
                continue
            if len({a.fact.source_label for a in addends}) < 3:
                continue  # one row label over all three (a funds row): the rate says nothing of it
            decimals = printed_decimals(reported.fact)
            if rounded(numerator.value / denominator.value * 100, decimals) != rounded(reported.value, decimals):
                continue
            if all(_label_certain(a.fact) or not (a.fact.match_method or "").startswith(_OCR) for a in addends):
                found += [a.fact for a in addends if not _sure(a.fact, confirmed)]
    return found


def confirmed_readings(facts: Facts, declarations: Iterable[R.Rule] = R.DECLARATIONS) -> dict[int, str]:
    """``id(fact)`` → the rule whose identity confirms it, to a fixpoint (one confirmation can
    complete another identity)."""
    confirmed: dict[int, str] = {}
    comparisons = [(rule, decl) for rule in declarations for decl in rule.compares
                   if (isinstance(decl, R.Sum) and not decl.exceed_only and "narrative" not in decl.forms)
                   or isinstance(decl, R.Rate)]
    for _ in range(3):
        added = 0
        for rule, decl in comparisons:
            found = (_sum_confirms(rule, decl, facts, confirmed) if isinstance(decl, R.Sum)
                     else _rate_confirms(decl, facts, confirmed))
            for fact in found:
                # a loose label confirmed is the whole printed row's (its other columns too);
                # OCR'd digits confirmed are only those that added up
                row = [fact] if (fact.match_method or "").startswith(_OCR) else facts.same_row(fact)
                for each in row:
                    if id(each) not in confirmed:
                        confirmed[id(each)] = rule.id
                        added += 1
        if not added:
            break
    return confirmed
