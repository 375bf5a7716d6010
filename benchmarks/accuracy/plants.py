"""Planted inconsistencies: each breaks exactly one rule of SPEC §4, the way a clerk's slip
would, and names every flag a careful reader raises (see the notes on each)."""

from __future__ import annotations

import random

from benchmarks.accuracy.model import COST_COLUMNS, Model, rate_text
from benchmarks.accuracy.truth import TruthFlag

# narrative groups each plant needs printed (the figure the rule compares)
NEEDS: dict[str, set[str]] = {
    "narrative_table_mismatch": {"basic_project"},
    "income_identity_mismatch": {"income"},
}


def _bump(rng: random.Random) -> int:
    return rng.randint(100, 2500)  # 1.00–25.00 万元: well above the rounding tolerance


def _staffing_over_quota(m: Model, rng: random.Random) -> str | None:
    # Over the quota with the rate printed as computed (>100%): only this rule.
    m.actual = m.authorized + rng.randint(1, max(2, m.authorized // 4))
    m.control_rate = rate_text(m.actual, m.authorized, 2)
    return None


def _staffing_rate_misreported(m: Model, rng: random.Random) -> str | None:
    m.actual = min(m.actual, m.authorized - max(1, m.authorized // 10))
    m.control_rate = "100%"
    return None


def _three_public_sum(m: Model, rng: random.Random) -> str | None:
    # The prior-year column: no narrative figure and no over-budget check depends on it.
    m.three_public["total"]["prior_final"] = (m.three_public["total"]["prior_final"] or 0) + _bump(rng)
    return "prior_final"


def _ensure_vehicles(m: Model, rng: random.Random) -> None:
    tp = m.three_public
    if tp["vehicle_operation"]["budget"] is None:
        operation = {"prior_final": rng.randint(200, 900), "budget": rng.randint(500, 1500), "final": 0}
        operation["final"] = operation["budget"] - rng.randint(0, 300)
        tp["vehicle_operation"] = operation
        tp["vehicles"] = {c: operation[c] + (tp["vehicle_purchase"][c] or 0) for c in COST_COLUMNS}
        tp["total"] = {c: (tp["total"][c] or 0) + operation[c] for c in COST_COLUMNS}


def _vehicles_sum(m: Model, rng: random.Random) -> str | None:
    _ensure_vehicles(m, rng)
    m.three_public["vehicle_operation"]["budget"] += _bump(rng)  # a part, so the 三公 total still adds up
    return "budget"


def _project_sum(m: Model, rng: random.Random) -> str | None:
    name, line = m.special_lines[0]
    line["budget"] += _bump(rng)  # the special row no longer equals its lines; the total still does
    return "budget"


def _public_funds_parts_exceed(m: Model, rng: random.Random) -> str | None:
    pf = m.public_funds
    parts = sum(pf[k]["final"] for k in ("office", "utilities_travel", "meetings_training"))
    parts += sum(line["final"] for _, line in m.public_lines)
    pf["office"]["final"] += pf["total"]["final"] - parts + _bump(rng)
    return "final"


def _expenditure_structure_mismatch(m: Model, rng: random.Random) -> str | None:
    m.expenditure["basic"] += _bump(rng)  # the narrative copies the form, so it agrees with it
    return None


def _revenue_structure_mismatch(m: Model, rng: random.Random) -> str | None:
    m.revenue["other"] += _bump(rng)
    return None


def _execution_rate_misreported(m: Model, rng: random.Random) -> str | None:
    project = m.projects[0]
    full = project.funds["full_year_budget"]
    shortfall = max(1, full * rng.randint(15, 40) // 1000)  # 1.5–4 %: "100%" cannot round from it
    project.funds["executed"] = full - shortfall
    project.appropriation["executed"] = project.funds["executed"] - (project.carryover["executed"] or 0) - (
        project.other["executed"] or 0)
    project.rate = "100%"
    return project.name


def _execution_over_budget(m: Model, rng: random.Random) -> str | None:
    project = m.projects[0]
    full = project.funds["full_year_budget"]
    project.funds["executed"] = full + max(100, full * rng.randint(10, 50) // 1000)
    project.appropriation["executed"] = project.funds["executed"] - (project.carryover["executed"] or 0) - (
        project.other["executed"] or 0)
    project.rate = rate_text(project.funds["executed"], full, 2)  # printed as computed: only this rule
    return project.name


def _fund_parts_mismatch(m: Model, rng: random.Random) -> str | None:
    project = m.projects[0]
    project.appropriation["full_year_budget"] += _bump(rng)
    return project.name


def _score_exceeds_max(m: Model, rng: random.Random) -> str | None:
    # One indicator scored above its weight, another marked down as much: the total holds.
    over = m.indicators[0]
    donor = next(i for i in m.indicators[1:] if i.score >= 10)
    over.score = over.max_score + 10
    donor.score -= 10
    return over.level3


def _total_score_mismatch(m: Model, rng: random.Random) -> str | None:
    m.total_printed = m.total_score - rng.choice((10, 20, 30, 50))
    return None


def _three_public_over_budget(m: Model, rng: random.Random) -> str | None:
    tp = m.three_public
    extra = tp["total"]["budget"] - tp["total"]["final"] + rng.randint(50, 800)
    tp["reception"]["final"] += extra
    tp["total"]["final"] += extra
    return None


def _narrative_table_mismatch(m: Model, rng: random.Random) -> str | None:
    m.narrative_overrides["basic"] = m.expenditure["basic"] - _bump(rng)
    return "basic"


def _income_identity_mismatch(m: Model, rng: random.Random) -> str | None:
    m.revenue_current_year += _bump(rng)
    return None


def _year_mismatch(m: Model, rng: random.Random) -> str | None:
    m.header_year_shift = -1  # last year's template: 2022年实际在职人数 in a 2023 filing
    return None


PLANTS = {
    "staffing_over_quota": _staffing_over_quota,
    "staffing_rate_misreported": _staffing_rate_misreported,
    "three_public_sum": _three_public_sum,
    "vehicles_sum": _vehicles_sum,
    "project_sum": _project_sum,
    "public_funds_parts_exceed": _public_funds_parts_exceed,
    "expenditure_structure_mismatch": _expenditure_structure_mismatch,
    "revenue_structure_mismatch": _revenue_structure_mismatch,
    "execution_rate_misreported": _execution_rate_misreported,
    "execution_over_budget": _execution_over_budget,
    "fund_parts_mismatch": _fund_parts_mismatch,
    "score_exceeds_max": _score_exceeds_max,
    "total_score_mismatch": _total_score_mismatch,
    "three_public_over_budget": _three_public_over_budget,
    "narrative_table_mismatch": _narrative_table_mismatch,
    "income_identity_mismatch": _income_identity_mismatch,
    "year_mismatch": _year_mismatch,
}


def plant(model: Model, rule: str, rng: random.Random) -> list[TruthFlag]:
    """Break ``rule`` in ``model``; the flags a careful reader then raises."""
    subject = PLANTS[rule](model, rng)
    return [TruthFlag(rule, subject)]
