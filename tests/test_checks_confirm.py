"""A loose reading the form's own arithmetic confirms may be alerted (checks.confirm)."""

from __future__ import annotations

from dataclasses import replace

from checks import run_checks
from core.location import Location
from core.records import CanonicalReport, Fact

COLUMNS = {"prior_final": 2, "budget": 3, "final": 4}
ROWS = {"three_public.total": 5, "three_public.vehicles": 6, "three_public.overseas": 9, "three_public.reception": 10}


def cost(item, column, value, method="synonym", score=100.0):
    return Fact(form="basic_data", subject=None, item=item, column=column, value=value, unit="万元", source_label=item,
                match_score=score, match_method=method, raw_value=f"{value:g}", location=f"f.docx {item} {column}",
                place=Location(file="f.docx", table=1, row=ROWS[item], cell=COLUMNS[column]))


def fuzzy(fact, method="fuzzy", score=82.0):
    return replace(fact, match_method=method, match_score=score)


def three_public(total_budget=10.0, total_final=9.0, budget=(4.0, 3.0, 3.0), final=(4.0, 2.0, 2.0)):
    facts = [cost("three_public.total", "budget", total_budget), cost("three_public.total", "final", total_final)]
    for item, b, f in zip(("three_public.vehicles", "three_public.overseas", "three_public.reception"), budget, final):
        facts += [cost(item, "budget", b), cost(item, "final", f)]
    return facts


def flags(facts, rule):
    report = CanonicalReport(facts=list(facts), forms={f.form for f in facts})
    return [f for f in run_checks(report) if f.rule == rule]


def test_a_fuzzy_total_that_its_certain_parts_add_up_to_in_one_column_is_alerted_in_the_other():
    facts = three_public()  # budget: 10 = 4 + 3 + 3 holds; final: 9 ≠ 4 + 2 + 2
    facts[:2] = [fuzzy(f) for f in facts[:2]]
    [flag] = flags(facts, "three_public_sum")
    assert (flag.severity, flag.needs_review) == ("error", False)
    printed = next(c for c in flag.cells if c.role == "printed")
    assert (printed.match_method, printed.confirmed_by) == ("fuzzy", "three_public_sum")


def test_without_the_holding_column_the_fuzzy_total_stays_in_review():
    facts = three_public(total_budget=11.0)  # neither column adds up: nothing vouches for the row
    facts[:2] = [fuzzy(f) for f in facts[:2]]
    found = flags(facts, "three_public_sum")
    assert len(found) == 2 and all((f.severity, f.needs_review) == ("info", True) for f in found)
    assert all(c.confirmed_by is None for f in found for c in f.cells)


def test_one_nonzero_part_equal_to_the_total_confirms_nothing():
    # 10 = 10 + 0 + 0 is what a total row read twice looks like
    facts = three_public(total_budget=10.0, budget=(10.0, 0.0, 0.0))
    facts[:2] = [fuzzy(f) for f in facts[:2]]
    [flag] = flags(facts, "three_public_sum")
    assert flag.needs_review


def test_the_one_loose_part_a_certain_total_and_certain_siblings_leave_room_for_is_confirmed():
    facts = three_public()
    facts[2:4] = [fuzzy(f, "position", 60.0) for f in facts[2:4]]  # the vehicles row, placed by position
    [flag] = flags(facts, "three_public_sum")
    assert not flag.needs_review
    # two loose parts: either could be the other's row
    facts[4:6] = [fuzzy(f) for f in facts[4:6]]
    [flag] = flags(facts, "three_public_sum")
    assert flag.needs_review


def test_ocr_figures_that_add_up_to_the_cent_are_confirmed_those_that_do_not_stay_in_review():
    facts = [fuzzy(f, "ocr+synonym", 80.0) for f in three_public()]
    [flag] = flags(facts, "three_public_sum")
    # the budget column's OCR'd digits add up; the final column's are the flag's own and are not confirmed
    assert flag.needs_review
    confirmed = {(c.label, c.column): c.confirmed_by for c in flag.cells}
    assert set(confirmed.values()) == {None}


def staffing(authorized, actual, rate, method="fuzzy", score=80.0, raw_rate=None):
    def one(item, value, raw, col):
        return Fact(form="basic_data", subject=None, item=item, column=None, value=value, unit="%" if "rate" in item else "人",
                    source_label={"staffing.authorized": "编制内人数", "staffing.actual": "在编实有",
                                  "staffing.control_rate": "人员控制比"}[item],
                    match_score=score, match_method=method, raw_value=raw, location=f"f.docx {item}",
                    place=Location(file="f.docx", table=1, row=2, cell=col))
    return [one("staffing.authorized", authorized, f"{authorized:g}", 2), one("staffing.actual", actual, f"{actual:g}", 3),
            one("staffing.control_rate", rate, raw_rate or f"{rate:g}%", 4)]


def test_staffing_counts_that_reproduce_their_printed_rate_are_confirmed():
    [flag] = flags(staffing(30, 37, 123.33), "staffing_over_quota")
    assert (flag.severity, flag.needs_review) == ("warning", False)
    assert {c.confirmed_by for c in flag.cells} == {"staffing_rate_misreported"}


def test_a_rate_that_the_counts_do_not_reproduce_confirms_nothing():
    [flag] = flags(staffing(30, 37, 110.0), "staffing_over_quota")
    assert flag.needs_review
