"""Measure jixiao on the accuracy corpus: ``jixiao bench --accuracy [--split …]``."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.accuracy import generator
from benchmarks.accuracy.score import FilingScore, Tally, score_filing

SPLITS = ("tune", "heldout")
DEFAULT_FILINGS = 118  # per split: every rule planted 3 times with its clean twin, every non-report kind twice


def _ratio(tally: Tally) -> dict:
    return {"recall": tally.recall, "precision": tally.precision, "hit": tally.hit, "missed": tally.missed,
            "extra": tally.extra}


def summarise(scores: list[FilingScore]) -> dict:
    """The numbers of one split (no filing content: safe to print for heldout)."""
    facts, by_form, by_format, indicators = Tally(), defaultdict(Tally), defaultdict(Tally), Tally()
    flags: dict[str, Tally] = defaultdict(Tally)
    alerted: dict[str, Tally] = defaultdict(Tally)
    flags_total, alerted_total = Tally(), Tally()
    flags_by_format: dict[str, Tally] = defaultdict(Tally)
    alerted_by_format: dict[str, Tally] = defaultdict(Tally)
    review_only: Counter = Counter()
    review_only_by_format: Counter = Counter()
    reports = [s for s in scores if s.truth.is_report]
    nonreports = [s for s in scores if not s.truth.is_report]
    for s in scores:
        facts.add(s.facts)
        by_format[s.truth.doc_format].add(s.facts)
        for form, tally in s.facts_by_form.items():
            by_form[form].add(tally)
        indicators.add(s.indicators)
        for rule, tally in s.flags.items():
            flags[rule].add(tally)
            flags_total.add(tally)
            flags_by_format[s.truth.doc_format].add(tally)
        for rule, tally in s.alerted.items():
            alerted[rule].add(tally)
            alerted_total.add(tally)
            alerted_by_format[s.truth.doc_format].add(tally)
        review_only.update(s.review_only)
        review_only_by_format[s.truth.doc_format] += len(s.review_only)
    false_by_rule = Counter({rule: t.extra for rule, t in flags.items() if t.extra})
    return {
        "filings": len(scores),
        "reports": len(reports),
        "facts": _ratio(facts),
        "facts_by_form": {k: _ratio(v) for k, v in sorted(by_form.items())},
        "facts_by_format": {k: _ratio(v) for k, v in sorted(by_format.items())},
        "flags": _ratio(flags_total),
        "flags_by_rule": {k: _ratio(v) for k, v in sorted(flags.items())},
        "false_flags_by_rule": dict(false_by_rule.most_common()),
        "alerted": _ratio(alerted_total),
        "alerted_by_rule": {k: _ratio(v) for k, v in sorted(alerted.items())},
        "flags_by_format": {k: _ratio(v) for k, v in sorted(flags_by_format.items())},
        "alerted_by_format": {k: _ratio(v) for k, v in sorted(alerted_by_format.items())},
        "review_only_by_format": dict(sorted(review_only_by_format.items())),
        "planted": sum(len(s.truth.flags) for s in reports),
        "planted_only_in_review": sum(review_only.values()),
        "review_only_by_rule": dict(sorted(review_only.items())),
        "reports_not_ingested": sum(1 for s in reports if not s.ingested),
        "nonreports": len(nonreports),
        "nonreports_ingested": sum(1 for s in nonreports if s.ingested),
        "department_right": sum(1 for s in reports if s.department_right),
        "fiscal_year_right": sum(1 for s in reports if s.year_right),
        "indicators": _ratio(indicators),
        "seconds_by_format": {fmt: round(sum(s.seconds for s in scores if s.truth.doc_format == fmt), 1)
                              for fmt in sorted({s.truth.doc_format for s in scores})},
    }


def misses(scores: list[FilingScore]) -> list[dict]:
    """What each tune filing missed or added (never called for heldout)."""
    out = []
    for s in scores:
        assert s.truth.split == "tune", "misses are only ever shown for the tune split"
        if (s.missed_facts or s.extra_facts or s.missed_flags or s.false_flags or s.review_only or s.false_alerts
                or s.missed_indicators or s.extra_indicators or s.ingested != s.truth.is_report):
            out.append({
                "filing": s.truth.filing_id, "kind": s.truth.kind, "format": s.truth.doc_format,
                "status": s.status, "error": s.error, "department_right": s.department_right,
                "variants": s.truth.variants, "missed_facts": s.missed_facts, "extra_facts": s.extra_facts,
                "missed_flags": s.missed_flags, "false_flags": s.false_flags, "review_only": s.review_only,
                "false_alerts": s.false_alerts, "missed_indicators": s.missed_indicators,
                "extra_indicators": s.extra_indicators,
            })
    return out


def variant_counts() -> dict:
    """How many variants each kind of dimension has, and how many are heldout (counts only)."""
    from benchmarks.accuracy import variants

    out = {}
    for kind, table in (("label wordings", variants.LABELS), ("layout and typography", variants.DIMENSIONS),
                        ("narrative phrasings", variants.NARRATIVE)):
        splits = [variants.split_of(d) for d in table]
        out[kind] = {"dimensions": len(table), "variants": sum(len(variants._table(d)) for d in table),
                     "heldout": sum(len(s["heldout"]) - 1 for s in splits)}
    return out


def measure(split: str, count: int, formats: tuple[str, ...], root: Path, log=print,
            workers: int = 1) -> list[FilingScore]:
    started = time.monotonic()
    base, truths = generator.corpus(split, count, formats, root)
    log(f"accuracy: {split}: {len(truths)} filings ready in {time.monotonic() - started:.0f} s ({base})")
    started = time.monotonic()
    folders = [base / truth.filing_id for truth in truths]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            scores = list(pool.map(score_filing, truths, folders))
    else:
        scores = list(map(score_filing, truths, folders))
    log(f"accuracy: {split}: scored in {time.monotonic() - started:.0f} s")
    return scores


def main(split: str = "all", formats: tuple[str, ...] = generator.FORMATS, filings: int = DEFAULT_FILINGS,
         as_json: bool = False, misses_file: Path | None = None, root: Path = generator.DEFAULT_ROOT,
         write_results: bool | None = None, workers: int = 1) -> int:
    from benchmarks.accuracy import report

    unknown = set(formats) - set(generator.FORMATS)
    if unknown:
        print(f"unknown format(s): {', '.join(sorted(unknown))}; known: {', '.join(generator.FORMATS)}", file=sys.stderr)
        return 2
    splits = SPLITS if split == "all" else (split,)
    log = (lambda *a: print(*a, file=sys.stderr)) if as_json else print
    results = {"generator_version": generator.generator_version(), "filings_per_split": filings,
               "formats": list(formats), "splits": {}}
    tune_scores: list[FilingScore] = []
    for name in splits:
        scores = measure(name, filings, formats, root, log, workers)
        results["splits"][name] = summarise(scores)
        if name == "tune":
            tune_scores = scores
            results["tune_false_flags"] = [
                {"filing": s.truth.filing_id, "kind": s.truth.kind, **flag, "alerted": flag in s.false_alerts}
                for s in scores for flag in s.false_flags]
    results["variants"] = variant_counts()
    if misses_file is not None:
        if not tune_scores:
            print("--misses is only for the tune split (heldout prints numbers only)", file=sys.stderr)
            return 2
        misses_file.write_text(json.dumps(misses(tune_scores), ensure_ascii=False, indent=1), "utf-8")
        log(f"accuracy: misses of the tune split in {misses_file}")
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print(report.console(results))
    if write_results if write_results is not None else split == "all":
        report.write_results(results)
        log("accuracy: wrote the accuracy sections of benchmarks/RESULTS.md and README.md")
    return 0
