"""A floor under jixiao's accuracy on a small slice of the benchmark's heldout part.

The slice: the first ``SLICE`` heldout filings in the fast formats (docx, html, xlsx) plus
the first heldout text-PDF filings, generated (cached by generator version) and scored on the
production path, exactly as ``jixiao bench --accuracy --split heldout`` does. Only numbers
are asserted: a failure names no heldout filing or variant.

How to raise the floors: run ``jixiao bench --accuracy --split heldout`` on main, and set
each floor a little (≈0.02) under what it prints for this slice (``--formats docx,html,xlsx
--filings 14`` and ``--formats pdf --filings 2``), never above it. They were set when the test
landed: see the comment on each.
"""

from __future__ import annotations

from collections import defaultdict

import checks
from benchmarks.accuracy import files, generator
from benchmarks.accuracy.run import DEFAULT_FILINGS, summarise
from benchmarks.accuracy.score import Tally, score_filing
from core.records import CanonicalReport, Fact, Indicator

FAST = files.FAST
SLICE = 14  # fast-format filings, one cycle of the plan (6 plants, their twins, 1 clean, 1 non-report)
PDF_SLICE = 2

# Floors (heldout slice): main's figures minus a margin; raise them as main improves.
# Raised 2026-12-02 on generator 94d05bf9af4d (certain template placements: staffing headers,
# the template's next fund row, total-row labels).
FACTS_RECALL = 0.97  # main: 0.996
FACTS_PRECISION = 0.97  # main: 0.999
FLAGS_RECALL = 0.98  # main: 1.000 (7 of 7 planted breaks raised)
FLAGS_PRECISION = 0.85  # main: 0.875
ALERTED_RECALL = 0.98  # main: 1.000 (7 of 7 alerted; 0.857 before checks.confirm)
ALERTED_PRECISION = 0.95  # main: 1.000 (no false alert)
NONREPORTS_INGESTED_MAX = 0  # main: 0 of 1


def _slice_scores(tmp_root):
    scores = []
    for formats, count in ((FAST, SLICE), (("pdf",), PDF_SLICE)):
        base, truths = generator.corpus("heldout", count, formats, root=tmp_root)
        scores += [score_filing(truth, base / truth.filing_id) for truth in truths]
    return scores


def test_heldout_slice_stays_above_the_floors():
    scores = _slice_scores(generator.DEFAULT_ROOT)
    summary = summarise(scores)
    assert summary["facts"]["recall"] >= FACTS_RECALL, summary["facts"]
    assert summary["facts"]["precision"] >= FACTS_PRECISION, summary["facts"]
    assert summary["flags"]["recall"] >= FLAGS_RECALL, summary["flags"]
    assert summary["flags"]["precision"] >= FLAGS_PRECISION, summary["flags"]
    assert summary["alerted"]["recall"] >= ALERTED_RECALL, summary["alerted"]
    precision = summary["alerted"]["precision"]
    assert precision is None or precision >= ALERTED_PRECISION, summary["alerted"]
    assert summary["nonreports_ingested"] <= NONREPORTS_INGESTED_MAX


def test_truth_flags_are_what_the_rules_give_on_the_truth_facts():
    """The generator's own answers obey SPEC §4: clean filings raise nothing and each plant
    exactly its rule, when the production rules read the truth itself (no extraction)."""
    for spec in generator.plan("tune", DEFAULT_FILINGS) + generator.plan("heldout", DEFAULT_FILINGS):
        drawn = generator.draw(spec)
        truth = drawn.truth
        if not truth.is_report:
            continue
        facts = [Fact(f.form, f.subject, f.item, f.column, f.value, None, f.item, 100.0, "exact", "truth")
                 for f in truth.facts]
        indicators = [Indicator(i.form, i.subject, None, None, i.level3, None, None, i.max_score, i.score, None,
                                "truth") for i in truth.indicators]
        report = CanonicalReport(facts=facts, indicators=indicators, forms={f.form for f in truth.facts},
                                 fiscal_year=truth.fiscal_year, department=truth.department)
        raised = {flag.rule for flag in checks.run_checks(report)}
        # year_mismatch reads printed headers, which the truth does not carry as facts.
        assert raised == {f.rule for f in truth.flags} - {"year_mismatch"}, (spec.filing_id, spec.kind, raised)


def test_every_rule_is_planted_three_times_in_three_formats_with_twins_in_each_split():
    for split in ("tune", "heldout"):
        specs = generator.plan(split, DEFAULT_FILINGS)
        formats: dict[str, set[str]] = defaultdict(set)
        for plant, twin in zip(specs, specs[1:]):
            if plant.kind.startswith("plant:"):
                rule = plant.kind.split(":", 1)[1]
                assert twin.kind == f"twin:{rule}" and twin.seed == plant.seed and twin.doc_format == plant.doc_format
                formats[rule].add(plant.doc_format)
        assert set(formats) == set(generator.RULE_ORDER)
        assert all(len(f) >= 3 for f in formats.values()), formats
        assert sum(s.doc_format == "scanned" for s in specs) <= 3  # OCR costs seconds a filing: a small share


def test_the_scorer_counts_a_wrong_value_as_a_miss_and_an_extra():
    from benchmarks.accuracy.score import FilingScore, score_facts
    from benchmarks.accuracy.truth import Truth, TruthFact

    truth = Truth("t", "tune", "docx", "clean", True, facts=[
        TruthFact("basic_data", None, "three_public.total", "budget", 5.0),
        TruthFact("basic_data", "1、人大代表履职经费", "project.line", "final", 43.78)])
    result = FilingScore(truth, "ok", None)
    predicted = [
        Fact("basic_data", None, "three_public.total", "budget", 50000.0, "万元", "三公经费", 100, "exact", "x"),
        Fact("basic_data", "人大代表 履职经费", "project.line", "final", 43.782, "万元", "x", 100, "exact", "x"),
        Fact("basic_data", None, "procurement", "final", None, "万元", "政府采购金额", 100, "exact", "x"),
    ]
    score_facts(truth, predicted, result)
    assert (result.facts.hit, result.facts.missed, result.facts.extra) == (1, 1, 1)
    assert isinstance(result.facts, Tally)
