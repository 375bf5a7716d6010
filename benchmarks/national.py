"""A simulated national year loaded through the production loop, and the analysts' queries on it.

140,000 filings (about 2,800 county-level governments x 50 budget units) are generated from
the five seed reports as FilingResults (facts, indicators, flags; no documents), their figures
scaled per filing; the per-filing checks run once per seed (in production they run in the
extraction workers, not in the loader), the checks across filings (units, versions) run in
the load as in production. The filings are loaded by
``pipeline.load.load_filings`` (what ``jixiao ingest``/``run`` use) in batches of
``LOAD_BATCH`` filings per transaction; the run is recorded and published as a run does.
Then each SPEC view, each wide view and the report's ``--region`` query is timed on the
published copy (p95 of a few repetitions).

    .venv/bin/python -m benchmarks.national --filings 2000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import tempfile
import time
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

NATIONAL_FILINGS = 140_000
BENCH_FILINGS = 20_000  # what `make bench` loads (a seventh of a year; the figures are projected linearly)
UNITS_PER_COUNTY = 50
QUERY_REPEATS = 5
VIEWS = ("filings", "facts", "indicators", "inconsistencies")
WIDE_VIEWS = ("staffing", "cost_control", "fund_execution", "filing_summary")


def bench_filings(corpus_filings: int) -> int:
    """The simulated filings `make bench` loads: a tiny corpus (the smoke test) gets a tiny year."""
    from benchmarks.corpus import DEFAULT_FILINGS

    return BENCH_FILINGS if corpus_filings >= DEFAULT_FILINGS else 4 * corpus_filings


def _templates():
    """The five seeds read and checked as the pipeline does: realistic forms, facts, indicators, flags."""
    import checks
    import mappings
    from jixiao.samples import SAMPLE_NAMES, SEEDS
    from jixiao.samples.formats import seed_extraction

    reports = [mappings.map_filing([seed_extraction(SEEDS / f"{stem}.txt")]) for stem in SAMPLE_NAMES]
    return [(report, checks.run_checks(report)) for report in reports]


class GeneratedFilings:
    """Filing number n -> a Filing and its FilingResult (deterministic, so a re-run is unchanged)."""

    def __init__(self):
        self.templates = _templates()
        self._scaled: dict[tuple[int, int], list] = {}  # (template, scale step) -> its facts, made once

    def filing(self, number: int):
        from core.records import Document, Filing

        county, unit = divmod(number, UNITS_PER_COUNTY)
        fid = f"nat-{number:06d}"
        sha = hashlib.sha256(fid.encode()).hexdigest()
        document = Document(path=Path(f"{fid}.docx"), name=f"{fid}.docx", sha256=sha)
        province = county % 31
        return Filing(filing_id=fid, source_url=f"https://portal-{province:02d}.example/{fid}", documents=[document],
                      portal=f"portal-{province:02d}", region=f"第{province:02d}省第{county:04d}县",
                      department=f"第{county:04d}县第{unit:02d}局", title=f"第{county:04d}县第{unit:02d}局2023年度绩效自评报告")

    def result(self, filing):
        from core.records import FilingResult

        number = int(filing.filing_id.split("-")[1])
        key = (number % len(self.templates), number % 97)
        template, flags = self.templates[key[0]]
        if key not in self._scaled:
            scale = 1 + key[1] / 1000
            self._scaled[key] = [replace(f, value=None if f.value is None else round(f.value * scale, 2))
                                 for f in template.facts]
        facts = self._scaled[key]
        report = replace(template, facts=facts, fiscal_year=2023, department=filing.department, budget_code=None)
        return FilingResult(filing, "ok", report=report, flags=flags, doc_format="docx")


class GeneratedEngine:
    """An Engine whose 'extraction' is the generator: results are ready at once."""

    def __init__(self, generated: GeneratedFilings):
        self.generated = generated

    def submit(self, filing) -> Future:
        future: Future = Future()
        future.set_result(self.generated.result(filing))
        return future

    def result(self, filing, future: Future):
        return future.result()


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _time_queries(published: Path, repeats: int) -> dict[str, float]:
    """p95 seconds per query, each a fresh read-only connection as an analyst opens one."""
    from warehouse.publish import open_readonly
    from warehouse.report import collect

    timings: dict[str, list[float]] = {}

    def timed(name: str, work) -> None:
        started = time.perf_counter()
        con = open_readonly(published)
        try:
            work(con)
        finally:
            con.close()
        timings.setdefault(name, []).append(time.perf_counter() - started)

    for _ in range(repeats):
        for view in VIEWS + WIDE_VIEWS:
            # what an analyst asks of a view: one county's rows, and a count over the year
            timed(f"view_{view}", lambda con, v=view: (
                con.execute(f"SELECT * FROM {v} WHERE filing_id IN "
                            "(SELECT filing_id FROM filings WHERE region = '第07省第0007县')").fetchall(),
                con.execute(f"SELECT count(*) FROM {v}").fetchall()))
        timed("report_region", lambda con: collect(con, None, "第07省第0007县"))
    return {name: _p95(values) for name, values in timings.items()}


def run_national(filings: int = NATIONAL_FILINGS, repeats: int = QUERY_REPEATS, keep: Path | None = None) -> dict:
    import warehouse
    from core.paths import Paths
    from pipeline.load import LOAD_BATCH, load_filings

    generated = GeneratedFilings()
    with tempfile.TemporaryDirectory(prefix="jixiao-national-") as folder:
        paths = Paths((keep or Path(folder)) / "jixiao.duckdb")
        paths.ensure()
        started, cpu_started = time.perf_counter(), _cpu_s()
        with warehouse.Warehouse.open(paths.writer_db) as store:
            run_id = store.start_run("ingest")
            outcomes = load_filings((generated.filing(n) for n in range(filings)), store, run_id,
                                    GeneratedEngine(generated), batch=LOAD_BATCH)
            store.finish_run(run_id, "completed", {})
            summary = store.summary(run_id)
            store.checkpoint()
        loaded_s = time.perf_counter() - started
        warehouse.publish(paths.writer_db, paths.db)
        total_s, cpu_s = time.perf_counter() - started, _cpu_s() - cpu_started
        queries = _time_queries(paths.db, repeats)
        size_mb = paths.db.stat().st_size / 2**20
    return {
        "filings": filings,
        "loaded": sum(1 for _, outcome, _ in outcomes if outcome == "ok"),
        "facts": summary["facts"], "indicators": summary["indicators"], "flags": summary["flags"],
        "load_s": loaded_s, "load_checks_publish_s": total_s,
        # this process's CPU seconds: on a shared machine the wall clock also counts the others' work
        "load_checks_publish_cpu_s": cpu_s,
        "filings_per_s": filings / loaded_s, "facts_per_s": summary["facts"] / loaded_s,
        "peak_rss_mb": _peak_rss_mb(), "warehouse_mb": size_mb,
        "query_p95_s": queries, "query_p95_max_s": max(queries.values()),
        "load_batch": LOAD_BATCH,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=NATIONAL_FILINGS)
    parser.add_argument("--repeats", type=int, default=QUERY_REPEATS)
    args = parser.parse_args()
    print(json.dumps(run_national(args.filings, args.repeats), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
