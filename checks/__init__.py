"""Inconsistency checks (SPEC §4): declarations in ``checks.rules``, engines in ``checks.engine``.

Flags are records of what a filing says against itself; nothing is corrected. ``expected``
is the reference figure (the printed total, the quota, the budget, the form's cell, the
rate computed from the figures) and ``actual`` the figure checked against it.
"""

from __future__ import annotations

from checks import engine
from checks.rules import EXCEED_RULES, RATE_RULES, RULES, SUM_RULES
from core.records import CanonicalReport, Flag

__all__ = ["RULES", "run_checks"]


def run_checks(report: CanonicalReport) -> list[Flag]:
    facts = engine.Facts(report.facts)
    flags: list[Flag] = []
    for sum_rule in SUM_RULES:
        flags += engine.check_sum(sum_rule, facts)
    for rate_rule in RATE_RULES:
        flags += engine.check_rate(rate_rule, facts)
    for exceed_rule in EXCEED_RULES:
        flags += engine.check_exceed(exceed_rule, facts)
    flags += engine.check_scores(report, facts)
    flags += engine.check_narrative(facts)
    flags += engine.check_years(report)
    flags += engine.check_missing_form(report)
    return flags
