"""Score the production path against the truths: ``pipeline.process.process_filing`` on each
filing folder, built the way ``jixiao ingest --filing-per-folder`` builds it (no Prefect, no
database)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.accuracy.truth import Truth, TruthFact, normal_subject

TOLERANCE = 0.005
INGESTED = ("ok", "partial")  # statuses that load a filing into the warehouse
# What reaches an analyst: the flags a channel configured as README's examples are (warnings and
# errors) would send, decided by ``alerts.Filters.sends`` itself (never a flag stored for review).
ALERT_MIN_SEVERITY = "warning"


@dataclass
class Tally:
    hit: int = 0
    missed: int = 0
    extra: int = 0

    @property
    def recall(self) -> float | None:
        return self.hit / (self.hit + self.missed) if self.hit + self.missed else None

    @property
    def precision(self) -> float | None:
        return self.hit / (self.hit + self.extra) if self.hit + self.extra else None

    def add(self, other: "Tally") -> None:
        self.hit += other.hit
        self.missed += other.missed
        self.extra += other.extra


@dataclass
class FilingScore:
    truth: Truth
    status: str
    error: str | None
    facts: Tally = field(default_factory=Tally)
    facts_by_form: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    flags: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # every flag raised
    alerted: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))  # what would be sent
    indicators: Tally = field(default_factory=Tally)
    department_right: bool | None = None
    year_right: bool | None = None
    ingested: bool = False
    seconds: float = 0.0
    missed_facts: list[dict] = field(default_factory=list)
    extra_facts: list[dict] = field(default_factory=list)
    missed_flags: list[str] = field(default_factory=list)
    false_flags: list[dict] = field(default_factory=list)
    review_only: list[str] = field(default_factory=list)  # planted rules raised, but only for review
    missed_indicators: list[list] = field(default_factory=list)
    extra_indicators: list[list] = field(default_factory=list)
    false_alerts: list[dict] = field(default_factory=list)


def _predicted_key(fact) -> tuple:
    return (fact.form, normal_subject(fact.subject), fact.item, fact.column)


def _compact(text: str | None) -> str:
    return "".join((text or "").split())


def score_facts(truth: Truth, facts: list, result: FilingScore) -> None:
    expected: dict[tuple, list[TruthFact]] = defaultdict(list)
    for fact in truth.facts:
        expected[fact.key].append(fact)
    predicted = defaultdict(list)
    for fact in facts:
        if fact.value is not None:
            predicted[_predicted_key(fact)].append(fact)
    for key in set(expected) | set(predicted):
        wanted = [f.value for f in expected.get(key, [])]
        got = list(predicted.get(key, []))
        form = key[0]
        for value in wanted:
            match = next((g for g in got if abs(g.value - value) <= TOLERANCE), None)
            if match is not None:
                got.remove(match)
                result.facts.hit += 1
                result.facts_by_form[form].hit += 1
            else:
                result.facts.missed += 1
                result.facts_by_form[form].missed += 1
                result.missed_facts.append({"key": list(key), "value": value,
                                            "got": [g.value for g in predicted.get(key, [])]})
        for g in got:
            result.facts.extra += 1
            result.facts_by_form[form].extra += 1
            result.extra_facts.append({"key": list(key), "value": g.value, "label": g.source_label,
                                       "location": g.location})


def score_indicators(truth: Truth, indicators: list, result: FilingScore) -> None:
    expected = Counter((i.form, normal_subject(i.subject), _compact(i.level3), i.score) for i in truth.indicators)
    got = Counter((i.form, normal_subject(i.subject), _compact(i.level3), i.score) for i in indicators)
    result.indicators.hit = sum((expected & got).values())
    result.missed_indicators = [list(k) for k in (expected - got).elements()]
    result.extra_indicators = [list(k) for k in (got - expected).elements()]
    result.indicators.missed, result.indicators.extra = len(result.missed_indicators), len(result.extra_indicators)


def _tally_rules(expected: set[str], flags: list, tallies: dict[str, Tally]) -> tuple[list[str], list[dict]]:
    """Per (filing, rule): a rule raised that the truth lists is a hit, any other a false flag.
    Returns the rules missed and the false flags."""
    raised: dict[str, list] = defaultdict(list)
    for flag in flags:
        raised[flag.rule].append(flag)
    missed, false = [], []
    for rule in sorted(expected | set(raised)):
        if rule in expected and rule in raised:
            tallies[rule].hit += 1
        elif rule in expected:
            tallies[rule].missed += 1
            missed.append(rule)
        else:
            tallies[rule].extra += 1
            false += [{"rule": rule, "message": f.message} for f in raised[rule]]
    return missed, false


def score_flags(truth: Truth, flags: list, result: FilingScore) -> None:
    """Every flag raised (any severity), then only those an alert channel would send."""
    from alerts import Filters

    expected = {f.rule for f in truth.flags}
    result.missed_flags, result.false_flags = _tally_rules(expected, flags, result.flags)
    channel = Filters(min_severity=ALERT_MIN_SEVERITY)
    alerted = [f for f in flags if channel.sends(f)]
    not_alerted, result.false_alerts = _tally_rules(expected, alerted, result.alerted)
    result.review_only = [rule for rule in not_alerted if rule not in result.missed_flags]


def score_filing(truth: Truth, folder: Path) -> FilingScore:
    from pipeline.local import filings_from_paths
    from pipeline.process import process_filing

    filings = filings_from_paths([folder], filing_per_folder=True)
    if len(filings) != 1:
        raise RuntimeError(f"{folder}: expected one filing, found {len(filings)}")
    started = time.monotonic()
    outcome = process_filing(filings[0])
    result = FilingScore(truth, outcome.status, outcome.error, seconds=time.monotonic() - started)
    result.ingested = outcome.status in INGESTED
    report = outcome.report
    if truth.is_report:
        score_facts(truth, report.facts if result.ingested else [], result)
        score_indicators(truth, report.indicators if result.ingested else [], result)
        score_flags(truth, outcome.flags if result.ingested else [], result)
        result.department_right = _compact(report.department) == _compact(truth.department)
        result.year_right = report.fiscal_year == truth.fiscal_year
    elif result.ingested:
        # A non-report that is loaded: everything it yields is wrong.
        score_facts(truth, report.facts, result)
        score_flags(truth, outcome.flags, result)
    return result
