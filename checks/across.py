"""The rules across filings of one budget unit (``checks.rules.ACROSS_DECLARATIONS``).

Plain functions over records: the warehouse hands over a unit's filings (``UnitFiling``)
or two versions of one filing (``FilingVersion``) and stores the flags returned. Each flag
belongs to the later filing; its message names the other one, its cells hold both figures
(``printed`` this filing's, ``reference`` the other's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from checks import rules as R
from checks.engine import Addend, Facts, make_flag
from checks.names import column_name, item_name, num
from core.records import Fact, FilingVersion, Flag, UnitFiling

# The same line in two filings: (form, subject, item, column) of its first statement.
FactKey = tuple[str, str | None, str, str | None]
YearPair = Callable[[R.Rule, R.Across, UnitFiling, UnitFiling], list[Flag]]


def _declared(rule_id: str) -> tuple[R.Rule, R.Across]:
    rule = R.RULES[rule_id]
    return rule, next(d for d in rule.compares if isinstance(d, R.Across))


def _names(current: UnitFiling, previous: UnitFiling) -> dict:
    return {"year": current.fiscal_year, "filing": current.filing_id,
            "other_year": previous.fiscal_year, "other_filing": previous.filing_id}


def prior_year_final(rule: R.Rule, decl: R.Across, current: UnitFiling, previous: UnitFiling) -> list[Flag]:
    """A basic_data cost line's 上年决算数 in year N against its 本年决算数 in year N−1."""
    before = Facts(list(previous.facts))
    flags = []
    for fact in _first_statements(current.facts):
        if fact.form != "basic_data" or fact.column != "prior_final" or fact.value is None:
            continue
        printed = Addend(item_name(fact.item, fact.subject), fact)
        reference = before.one(fact.item, "basic_data", fact.subject, "final")
        if reference.value is None or abs(printed.value - reference.value) <= rule.tolerance:
            continue
        message = decl.message.format(
            line=f"“{printed.label}”", printed=printed.shown, reference=reference.shown,
            diff=num(abs(printed.value - reference.value)), **_names(current, previous))
        flags.append(make_flag(
            rule, message, [printed.cell("printed"), reference.cell("reference", f"{previous.fiscal_year}年本年决算数")],
            printed=printed.value, computed=reference.value, subject=fact.subject or fact.item, item=fact.item,
            columns=("prior_final",)))
    return flags


def carryover(rule: R.Rule, decl: R.Across, current: UnitFiling, previous: UnitFiling) -> list[Flag]:
    """A project's 上年结转资金 in year N against what year N−1 left unspent, where both are printed."""
    now, before = Facts(list(current.facts)), Facts(list(previous.facts))
    flags = []
    for project in now.groups("project_eval"):
        printed = now.one("funds.carryover|funds.carryover@initial_budget", "project_eval", project,
                          "full_year_budget")
        budget = before.one("funds.total@full_year_budget", "project_eval", project)
        executed = before.one("funds.total@executed", "project_eval", project)
        if None in (printed.value, budget.value, executed.value):
            continue
        unspent = budget.value - executed.value
        if abs(printed.value - unspent) <= rule.tolerance * 2:  # two figures make the reference
            continue
        message = decl.message.format(
            project=project, printed=printed.shown, budget=budget.shown, executed=executed.shown,
            reference=num(unspent), diff=num(abs(printed.value - unspent)), **_names(current, previous))
        cells = [printed.cell("printed"), budget.cell("reference"), executed.cell("reference")]
        flags.append(make_flag(rule, message, cells, printed=printed.value, computed=unspent, subject=project,
                               item="funds.carryover"))
    return flags


def _authorized(facts: Facts) -> Addend:
    table = facts.one("staffing.authorized@", "basic_data")
    return table if table.value is not None else facts.one("authorized_headcount@", "narrative")


def staffing_jump(rule: R.Rule, decl: R.Across, current: UnitFiling, previous: UnitFiling) -> list[Flag]:
    """编制数 moving by more than the declared share and head count, the narrative silent on why."""
    if current.staffing_note:
        return []
    printed, reference = _authorized(Facts(list(current.facts))), _authorized(Facts(list(previous.facts)))
    if printed.value is None or reference.value is None or reference.value == 0:
        return []
    change = abs(printed.value - reference.value)
    if change < decl.at_least or change <= decl.share * reference.value:
        return []
    message = decl.message.format(printed=printed.shown, reference=reference.shown, diff=num(change),
                                  share=num(decl.share * 100), **_names(current, previous))
    return [make_flag(rule, message, [printed.cell("printed"), reference.cell("reference")], printed=printed.value,
                      computed=reference.value, subject="staffing.authorized", item="staffing.authorized")]


def fiscal_year_gap(rule: R.Rule, decl: R.Across, current: UnitFiling, earlier: UnitFiling) -> list[Flag]:
    """Filed for N−1 and N+1 but not N: the flag sits on the N+1 filing."""
    missing = current.fiscal_year - 1
    message = decl.message.format(missing=missing, **_names(current, earlier))
    return [make_flag(rule, message, [], computed=missing, subject=str(missing), item="fiscal_year")]


YEAR_PAIRS: dict[str, YearPair] = {
    "prior_year_final": prior_year_final, "carryover": carryover, "staffing_jump": staffing_jump,
}


def check_unit(filings: Sequence[UnitFiling]) -> list[tuple[str, Flag]]:
    """Every flag across the years of one unit, as (filing_id the flag belongs to, flag)."""
    by_year: dict[int, list[UnitFiling]] = defaultdict(list)
    for filing in filings:
        if filing.fiscal_year is not None:
            by_year[filing.fiscal_year].append(filing)
    pairs = [(rule, decl) for rule in R.ACROSS_DECLARATIONS for decl in rule.compares
             if isinstance(decl, R.Across) and decl.name in YEAR_PAIRS]
    gap = _declared("fiscal_year_gap")
    out: list[tuple[str, Flag]] = []
    for year in sorted(by_year):
        for current in by_year[year]:
            for previous in by_year.get(year - 1, []):
                for rule, decl in pairs:
                    out += [(current.filing_id, f) for f in YEAR_PAIRS[decl.name](rule, decl, current, previous)]
            if year - 1 not in by_year and year - 2 in by_year:
                out += [(current.filing_id, f) for f in fiscal_year_gap(*gap, current, by_year[year - 2][0])]
    return out


# --- versions ---------------------------------------------------------------------------


def _first_statements(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per (form, subject, item, column): the first, as ``checks.engine.Facts`` reads them."""
    seen: dict[FactKey, Fact] = {}
    for fact in facts:
        seen.setdefault((fact.form, fact.subject, fact.item, fact.column), fact)
    return list(seen.values())


def changed_facts(previous: Sequence[Fact], current: Sequence[Fact]) -> list[tuple[Fact, Fact]]:
    """(old, new) for every line printed in both versions whose value differs."""
    old = {(f.form, f.subject, f.item, f.column): f for f in _first_statements(previous)}
    pairs = []
    for fact in _first_statements(current):
        before = old.get((fact.form, fact.subject, fact.item, fact.column))
        if before is not None and before.value != fact.value:
            pairs.append((before, fact))
    return pairs


def _shown(fact: Fact) -> str:
    return "空" if fact.value is None else num(fact.value)


def republished(previous: FilingVersion, current: FilingVersion) -> list[Flag]:
    """The portal replaced the filing's documents and printed numbers changed: one flag listing them."""
    rule, decl = _declared("republished_with_changes")
    pairs = changed_facts(previous.facts, current.facts)
    if not pairs:
        return []
    labels = [f"{item_name(new.item, new.subject)}{column_name(new.column)}" for _, new in pairs]
    changes = "；".join(f"{label} {_shown(old)} → {_shown(new)}" for label, (old, new) in zip(labels, pairs))
    message = decl.message.format(old=previous.version, new=current.version, count=len(pairs), changes=changes)
    cells = [cell for label, (old, new) in zip(labels, pairs)
             for cell in (Addend(label, new).cell("printed"), Addend(label, old).cell("reference"))]
    return [make_flag(rule, message, cells, subject=f"v{previous.version}→v{current.version}")]

