"""The rules across filings and the unit identity, on records built in the test: each fires and holds."""

from __future__ import annotations

import pytest

from checks import across
from checks.rules import ACROSS_RULES, RULES
from core.records import FilingVersion, UnitFiling
from tests.test_checks import basic, narrative, project
from warehouse.units import Known, parse_name, resolve


def filing(fid, year, *facts, note=None):
    return UnitFiling(fid, year, "岳阳市云溪区人大常委会", tuple(facts), note)


def rules_of(pairs):
    return [(fid, flag.rule) for fid, flag in pairs]


def flags_of(rule, *filings):
    return [flag for _, flag in across.check_unit(filings) if flag.rule == rule]


def test_prior_year_final_mismatch_fires_per_line_and_holds_within_rounding():
    y22 = filing("a", 2022, basic("three_public.total", "final", 1.38), basic("public_funds.total", "final", 90),
                 basic("project.line", "final", 5, subject="代表履职"))
    y23 = filing("b", 2023, basic("three_public.total", "prior_final", 1.385),
                 basic("public_funds.total", "prior_final", 80.86),
                 basic("project.line", "prior_final", 4, subject="代表履职"),
                 basic("project.line", "prior_final", 7, subject="新项目"))  # no 2022 line: not compared
    pairs = across.check_unit([y22, y23])
    assert [(fid, f.subject, f.expected, f.actual) for fid, f in pairs] == [
        ("b", "public_funds.total", 90.0, 80.86), ("b", "代表履职", 5.0, 4.0)]
    assert "2022年度报告（a）本年决算数 90" in pairs[0][1].message
    assert across.check_unit([y23]) == []  # no year before: nothing to compare


def test_carryover_mismatch_fires_and_holds():
    y22 = filing("a", 2022, project("人大代表", "funds.total", "full_year_budget", 258.2),
                 project("人大代表", "funds.total", "executed", 256.97))
    right = filing("b", 2023, project("人大代表", "funds.carryover", "full_year_budget", 1.23))
    wrong = filing("c", 2023, project("人大代表", "funds.carryover", "full_year_budget", 10))
    assert flags_of("carryover_mismatch", y22, right) == []
    [flag] = flags_of("carryover_mismatch", y22, wrong)
    assert (flag.rule, flag.expected, flag.actual, flag.subject) == ("carryover_mismatch", 1.23, 10.0, "人大代表")
    assert "258.2" in flag.message and "256.97" in flag.message
    assert flags_of("carryover_mismatch", y22, filing("d", 2023)) == []  # not printed: not checked


def test_staffing_jump_needs_the_threshold_and_silence():
    y22 = filing("a", 2022, basic("staffing.authorized", None, 20))
    jump = filing("b", 2023, basic("staffing.authorized", None, 31))
    [flag] = flags_of("staffing_jump", y22, jump)
    assert (flag.severity, flag.expected, flag.actual) == ("info", 20.0, 31.0)
    explained = filing("c", 2023, basic("staffing.authorized", None, 31), note="因机构改革编制数核增11名")
    assert flags_of("staffing_jump", y22, explained) == []
    small = filing("d", 2023, basic("staffing.authorized", None, 22))  # 10%, 2 people
    assert flags_of("staffing_jump", y22, small) == []
    from_text = filing("e", 2023, narrative("authorized_headcount", 40, unit="人"))
    assert [f.printed for f in flags_of("staffing_jump", y22, from_text)] == [40.0]


def test_fiscal_year_gap_fires_only_on_a_missing_middle_year():
    y21, y23 = filing("a", 2021), filing("c", 2023)
    assert rules_of(across.check_unit([y21, y23])) == [("c", "fiscal_year_gap")]
    assert rules_of(across.check_unit([y21, filing("b", 2022), y23])) == []
    assert rules_of(across.check_unit([y21, filing("d", 2024)])) == []  # two years missing is not this rule


def test_republished_lists_the_changed_values_only():
    old = FilingVersion("a", 1, "x", (basic("three_public.total", "final", 1.38), basic("public_funds.total", "final", 90),
                                     basic("project.total", "final", 3)))
    new = FilingVersion("a", 2, "y", (basic("three_public.total", "final", 1.38), basic("public_funds.total", "final", 80.86),
                                     basic("project.total", "final", None)))
    [flag] = across.republished(old, new)
    assert (flag.rule, flag.severity, flag.subject) == ("republished_with_changes", "warning", "v1→v2")
    assert [(c.role, c.value) for c in flag.cells] == [("printed", 80.86), ("reference", 90), ("printed", None),
                                                      ("reference", 3)]
    assert "2 个数字有变化" in flag.message and "公用经费本年决算数 90 → 80.86" in flag.message and "项目支出本年决算数 3 → 空" in flag.message
    assert across.republished(old, FilingVersion("a", 2, "y", old.facts)) == []


def known(unit_id, printed, code=None, region=None):
    return Known(unit_id, parse_name(printed, region), code)


def test_names_printed_differently_resolve_to_one_unit():
    units = [known("u1", "岳阳市人民代表大会常务委员会")]
    assert resolve(parse_name("岳阳市人大常委会"), None, units).unit_id == "u1"
    assert resolve(parse_name("市人大常委会机关", "湖南省岳阳市"), None, units).method == "name"
    assert resolve(parse_name("岳阳市人大常委会办公室"), None, units).unit_id == "u1"
    coded = [known("u2", "岳阳市云溪区人民代表大会常务委员会", "107001")]
    assert resolve(parse_name("云溪区人大"), "107001", coded).method == "budget_code"


def test_different_units_with_similar_names_stay_apart():
    units = [known("u1", "岳阳市财政局"), known("u2", "岳阳市人大常委会")]
    decision = resolve(parse_name("岳阳县财政局"), None, units)
    assert (decision.unit_id, decision.candidate) == (None, None)
    assert resolve(parse_name("岳阳市云溪区人大常委会"), None, units).unit_id is None  # district ≠ city
    # same name, two budget codes: two units
    assert resolve(parse_name("岳阳市财政局"), "2", [known("u1", "岳阳市财政局", "1")]).unit_id is None


def test_an_uncertain_merge_goes_to_review_not_into_the_unit():
    units = [known("u1", "岳阳市人大常委会")]
    near = resolve(parse_name("岳阳市人大常委会研究室"), None, units)
    assert (near.unit_id, near.candidate, near.method) == (None, "u1", "new")
    assert near.candidate_score < 92
    # 市 printed without the city, and no region to say which city
    loose = resolve(parse_name("市人大常委会"), None, units)
    assert (loose.unit_id, loose.candidate) == (None, "u1")


# Every rule across filings: filings that break it and their clean twins.
_Y22 = filing("a", 2022, basic("public_funds.total", "final", 90), basic("staffing.authorized", None, 20),
              project("人大代表", "funds.total", "full_year_budget", 258.2),
              project("人大代表", "funds.total", "executed", 256.97))
_Y23_CLEAN = filing("b", 2023, basic("public_funds.total", "prior_final", 90), basic("staffing.authorized", None, 21),
                    project("人大代表", "funds.carryover", "full_year_budget", 1.23))
_Y23_BROKEN = filing("b", 2023, basic("public_funds.total", "prior_final", 80.86),
                     basic("staffing.authorized", None, 31), project("人大代表", "funds.carryover", "full_year_budget", 10))
_V1 = FilingVersion("a", 1, "x", (basic("public_funds.total", "final", 90),))
_V2 = FilingVersion("a", 2, "y", (basic("public_funds.total", "final", 80.86),))

ACROSS_FIRES_AND_HOLDS = {
    "prior_year_final_mismatch": ([_Y22, _Y23_BROKEN], [_Y22, _Y23_CLEAN]),
    "carryover_mismatch": ([_Y22, _Y23_BROKEN], [_Y22, _Y23_CLEAN]),
    "staffing_jump": ([_Y22, _Y23_BROKEN], [_Y22, _Y23_CLEAN]),
    "fiscal_year_gap": ([filing("a", 2021), _Y23_CLEAN], [filing("a", 2021), _Y22, _Y23_CLEAN]),
    "republished_with_changes": ((_V1, _V2), (_V1, FilingVersion("a", 2, "y", _V1.facts))),
}


def _evaluate(rule, inputs):
    if rule == "republished_with_changes":
        return across.republished(*inputs)
    return flags_of(rule, *inputs)


@pytest.mark.parametrize("rule", ACROSS_RULES)
def test_every_rule_across_filings_fires_and_holds(rule):
    breaks, holds = ACROSS_FIRES_AND_HOLDS[rule]
    fired = _evaluate(rule, breaks)
    assert fired and _evaluate(rule, holds) == []
    for flag in fired:
        assert flag.severity == RULES[rule].severity and not flag.needs_review and flag.message
        assert flag.unit == (RULES[rule].unit or None)
