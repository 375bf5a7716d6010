"""``python -m benchmarks.run`` (``jixiao bench``): the pipeline against a naive baseline.

Everything is measured in one run on one corpus, so the ratios compare like with like on
a machine that is busy with other work:

1. the naive baseline (``benchmarks.baseline``) in one child process;
2. the full pipeline with one worker process: the production ``pipeline.load.run_pipeline``
   (the loop of every ``jixiao`` command: raw-store archive, ``process_filing`` in an
   isolated worker, ``Warehouse.load_filing`` per result) into a fresh DuckDB, then publish;
3. the same with two worker processes (the speed-up);
4. bulk loading: the facts of (2) replicated and inserted through Arrow, and a small
   row-by-row ``executemany`` for contrast;
5. the incremental re-run: the corpus served by the loopback sample portal
   (``jixiao.samples.portal``) and crawled twice by ``pipeline.crawl.crawl_and_load``
   (what ``jixiao run`` does) into one db.

Peak RSS is sampled for the process tree (the parent and every child) during (2) and (3).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.startup import REPEATS as STARTUP_REPEATS
from benchmarks.startup import run_startup
from benchmarks.national import NATIONAL_FILINGS, bench_filings, run_national
from benchmarks.corpus import DEFAULT_FILINGS, DEFAULT_MAX_PAGES, DEFAULT_ROOT, DEFAULT_SEED, Corpus, load_or_generate

HERE = Path(__file__).resolve().parent
ROUNDS = 4  # the corpus is measured in this many interleaved rounds
SITE_FILES = 12  # files per sample site: its article dates run 2 days apart from the 28th

# metric -> (unit, target text, test on the value or None when informational)
TARGETS: dict[str, tuple[str, str, object]] = {
    "pipeline_vs_baseline": ("×", "≤ 1.0 (stretch ≤ 0.5)", lambda v: v <= 1.0),
    "pipeline_vs_baseline_2_workers": ("×", "info (baseline is 1 process)", None),
    "pipeline_vs_baseline_cpu": ("×", "info (CPU seconds, immune to other load)", None),
    "baseline_s": ("s", "info", None),
    "pipeline_1_worker_s": ("s", "info", None),
    "pipeline_2_workers_s": ("s", "info", None),
    "speedup_2_workers": ("×", "≥ 1.7", lambda v: v >= 1.7),
    "cpu_2_workers_vs_1": ("×", "info (≈ 1.0: no work added by a 2nd worker)", None),
    "cores_used_2_workers": ("cores", "info (CPU s / wall s; < 2 when the cores are shared)", None),
    "pdf_pages_per_s": ("pages/s", "info (1 worker, PDF filings)", None),
    "baseline_pdf_pages_per_s": ("pages/s", "info", None),
    "filings_per_s": ("filings/s", "info (2 workers)", None),
    "filings_per_s_1_worker": ("filings/s", "info", None),
    "peak_rss_mb": ("MB", "≤ 600 (parent + children, summed)", lambda v: v <= 600),
    "peak_rss_largest_process_mb": ("MB", "info", None),
    "facts_loaded_per_s": ("facts/s", "info (load_filing: one transaction per filing)", None),
    "load_filing_rows_per_s": ("rows/s", "info (all tables)", None),
    "bulk_arrow_rows_per_s": ("rows/s", "≥ 1,000,000 (Arrow bulk path)", lambda v: v >= 1_000_000),
    "executemany_rows_per_s": ("rows/s", "info (row by row, never used)", None),
    "incremental_first_run_s": ("s", "info", None),
    "incremental_rerun_s": ("s", "info", None),
    "incremental_fraction": ("of first run", "≤ 0.05", lambda v: v <= 0.05),
    "incremental_recheck_s": ("s", "info (recheck_days = 0: every article by conditional GET)", None),
    "incremental_recheck_fraction": ("of first run", "info (the night an entry's recheck_days run out)", None),
    "doc_conversion_s_per_file": ("s", "info (soffice, batched at generation)", None),
    "startup_ingest_one_file_s": ("s", "≤ 3 (the command, spawn to exit; median of 5)", lambda v: v <= 3.0),
    "startup_facts_s": ("s", "≤ 1.5 (the command, spawn to exit; median of 5)", lambda v: v <= 1.5),
    "startup_ingest_one_file_cpu_s": ("s", "info (CPU of the command and its worker)", None),
    "startup_facts_cpu_s": ("s", "info (CPU)", None),
    "national_filings": ("filings", "info (simulated filings loaded; a national year is 140,000)", None),
    "national_load_checks_publish_s": ("s", "info (load + checks across filings + publish of those filings)", None),
    "national_year_projected_s": ("s", "≤ 600 (the measured rate, linear, to 140,000 filings)", lambda v: v <= 600),
    "national_facts_per_s": ("facts/s", "info (load_filings in batches, across-filing checks included)", None),
    "national_peak_rss_mb": ("MB", "≤ 1,500", lambda v: v <= 1500),
    "national_warehouse_mb": ("MB", "info (published file)", None),
    "national_query_p95_max_s": ("s", "≤ 2 (slowest of the SPEC views, wide views, report --region; p95)",
                                 lambda v: v <= 2.0),
}
METRIC_KEYS = tuple(TARGETS)


def _write_results_md(path: Path, text: str) -> None:
    """RESULTS.md, keeping the accuracy section that ``jixiao bench --accuracy`` writes."""
    from benchmarks.accuracy.report import keep_section

    path.write_text(keep_section(path.read_text("utf-8") if path.exists() else "", text), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jixiao bench", description=__doc__.split("\n")[0])
    parser.add_argument("--filings", type=int, default=DEFAULT_FILINGS, help="corpus size (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_ROOT, help="corpus folder (cached)")
    parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES, help="longest document (default %(default)s)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the corpus first")
    parser.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md and results.json go")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite RESULTS.md from results.json (after editing FINDINGS.md) without measuring")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text("utf-8"))
        _write_results_md(args.out / "RESULTS.md", render_markdown(results, _findings()))
        return 0

    saved = dict(os.environ)  # called in-process by `jixiao bench` and the smoke test: leave no trace
    try:
        _environment(args.corpus)
        corpus = load_or_generate(
            args.corpus, args.filings, args.seed, regenerate=args.regenerate, log=_log, max_pages=args.max_pages
        )
        os.environ["JIXIAO_CACHE_DIR"] = str(corpus.cache_dir)  # the .doc conversions, read by both sides
        work = Path(tempfile.mkdtemp(prefix="jixiao-bench-", dir=args.work))
        try:
            results = run_all(corpus, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    finally:
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        os.environ.update(saved)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    _write_results_md(args.out / "RESULTS.md", render_markdown(results, _findings()))
    _log(f"wrote {args.out / 'RESULTS.md'} and results.json")
    for key in METRIC_KEYS:
        metric = results["metrics"][key]
        _log(f"  {key:32s} {_fmt(metric['value']):>14s} {metric['unit']:12s} {metric['target']:38s} {_met(metric)}")
    return 0


def _environment(corpus_root: Path) -> None:
    # Prefect (the portal phase) keeps its state beside the corpus, not in ~/.prefect.
    os.environ.setdefault("PREFECT_HOME", str(corpus_root / "prefect-home"))
    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_SERVER_LEVEL": "WARNING",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        "PREFECT_UI_ENABLED": "false",
    }.items():
        os.environ.setdefault(key, value)


def _findings() -> str | None:
    """The analysis of the last full run (hand-written: profiles, causes, fixes)."""
    path = HERE / "FINDINGS.md"
    return path.read_text("utf-8") if path.is_file() else None


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the phases --------------------------------------------------------------------------


def run_all(corpus: Corpus, work: Path) -> dict:
    paths = corpus.paths()
    for path in paths:  # the page cache holds every file before anything is timed
        path.read_bytes()
    sampler = RssSampler()
    sampler.start()
    phases: dict[str, dict] = {}
    # Each phase runs in a freshly spawned process, as a `jixiao ingest` would: the pipeline's
    # worker processes are forked from it, and what one phase left in memory must not be
    # inherited by the next (see RESULTS.md on RLIMIT_AS).
    # Baseline and pipeline alternate over interleaved quarters of the corpus, so a burst of
    # other work on the machine lands on every arm alike instead of on one of them.
    # Within a round the longest documents go first (for every arm alike): a 50-file round
    # must not end on one 200-page PDF with the second worker idle, a tail that a nightly
    # run of thousands of files pays once, not once per round.
    cost = {corpus.root / f["path"]: (f["pages"] if f["format"] == "pdf" else 0, f["bytes"]) for f in corpus.files}
    chunks = [sorted(paths[k::ROUNDS], key=cost.get, reverse=True) for k in range(min(ROUNDS, len(paths)))]
    arms = [
        ("baseline", run_baseline, lambda chunk: (chunk,)),
        ("pipeline_1", run_direct_pipeline, lambda chunk: (chunk, work / "pipeline_1.duckdb", 1)),
        ("pipeline_2", run_direct_pipeline, lambda chunk: (chunk, work / "pipeline_2.duckdb", 2)),
    ]
    try:
        _log(f"baseline and pipeline (1 and 2 workers) over {len(paths)} files ({corpus.pdf_pages()} PDF pages), "
             f"in {len(chunks)} rounds")
        for number, chunk in enumerate(chunks, 1):
            for name, function, args in arms:
                with sampler.phase(name) as load:
                    part = in_fresh_process(function, *args(chunk))
                    part["loadavg"] = load()
                phases[name] = _merge(phases.get(name), part)
            _log(f"round {number}/{len(chunks)}: " + ", ".join(f"{n} {phases[n]['wall_s']:.1f} s" for n, _, _ in arms))
        for name, message, function, args in [
            ("bulk", "bulk loading", run_bulk, (work / "pipeline_1.duckdb", work / "bulk.duckdb")),
            ("portal", "incremental re-run through the loopback portal", run_portal, (paths, work / "portal")),
            ("startup", "start-up: `jixiao ingest` of one file and `jixiao facts`, as a user runs them", run_startup, ()),
            ("national", "a simulated national year through the production load loop", run_national,
             (bench_filings(len(paths)),)),
        ]:
            _log(message)
            with sampler.phase(name) as load:
                phases[name] = in_fresh_process(function, *args)
                phases[name]["loadavg"] = load()
    finally:
        sampler.stop()
    for name, peak in sampler.peaks.items():
        phases.setdefault(name, {})["peak_rss"] = peak
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "corpus": {
            "filings": len(paths), "formats": corpus.counts(), "pdf_pages": corpus.pdf_pages(),
            "pages_min": min(f["pages"] for f in corpus.files), "pages_max": max(f["pages"] for f in corpus.files),
            "bytes": sum(f["bytes"] for f in corpus.files), "root": str(corpus.root), "generation": corpus.generation,
        },
        "method": {
            "pipeline": "pipeline.load.run_pipeline(Limits(workers=N)): the production loop (raw-store archive, "
                        "process_filing in isolated workers, Warehouse.load_filing per result in the parent), fresh "
                        "DuckDB, publish; no Prefect, no network; 4 filings per worker in flight",
            "baseline": "benchmarks.baseline.read_file in one child process, files in the same order",
            "rounds": f"baseline, pipeline 1 worker, pipeline 2 workers alternate over {ROUNDS} interleaved quarters "
                      "of the corpus, each in a freshly spawned process, longest PDFs first within a round; "
                      "times are summed over the rounds",
            "incremental": "pipeline.crawl.crawl_and_load (jixiao run) twice into one db over the corpus served by "
                           "jixiao.samples.portal (build_site + serve_portal, one site per "
                           f"{SITE_FILES} files, .html reports excluded: portals publish them inline), "
                           "default recheck_days; then a third run with recheck_days = 0",
            "doc": ".doc files are converted once at corpus generation (soffice, batched) and both sides "
                   "read the converted .docx",
            "startup": "benchmarks.startup: the installed `jixiao` console script in a fresh process, spawn to exit "
                       "(`jixiao -q ingest ONE.docx --db NEW` with lock, worker, load and publish; `jixiao facts "
                       f"ONE.docx`), median of {STARTUP_REPEATS} on the first bundled sample report",
            "national": "benchmarks.national: generated FilingResults (the five seeds' facts, indicators and flags, "
                        "figures scaled) through pipeline.load.load_filings in batches of LOAD_BATCH per "
                        "transaction (across-filing checks in the load), then publish; views timed on the published "
                        "copy, p95 of 5; the 140,000-filing time is projected linearly from the filings run",
        },
        "phases": phases,
        "metrics": metrics(corpus, phases),
    }


def _merge(total: dict | None, part: dict) -> dict:
    """Add up one round of a phase: times and counts sum, a table's row count is the last."""
    if total is None:
        part["loadavg"] = [part["loadavg"]]
        return part
    for key, value in part.items():
        if key == "loadavg":
            total[key].append(value)
        elif key in ("by_format", "statuses"):
            for name, entry in value.items():
                if isinstance(entry, dict):
                    mine = total[key].setdefault(name, dict.fromkeys(entry, 0))
                    for field, number in entry.items():
                        mine[field] = mine.get(field, 0) + number
                else:
                    total[key][name] = total[key].get(name, 0) + entry
        elif key == "rows" or not isinstance(value, (int, float)) or key == "workers":
            total[key] = value  # cumulative in the phase's database already
        else:
            total[key] += value
    return total


def in_fresh_process(function, *args):
    import multiprocessing

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_with_cpu_time, function, *args).result()


def _with_cpu_time(function, *args) -> dict:
    """``function``'s result plus the CPU seconds it took, its worker processes included.

    CPU time does not grow when other jobs share the cores; wall time does. Both are
    reported so a busy machine shows up as the gap between them."""
    import resource

    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    before = cpu()
    result = function(*args)
    result["cpu_s"] = cpu() - before
    return result


def run_baseline(paths: list[Path]) -> dict:
    from benchmarks.baseline import read_file

    started = time.perf_counter()
    per_file = [read_file(path) for path in paths]
    wall = time.perf_counter() - started
    return {"wall_s": wall, "by_format": _by_format(per_file), "pdf_pages": sum(r["pages"] for r in per_file)}


def run_direct_pipeline(paths: list[Path], db: Path, workers: int) -> dict:
    """The production run (``pipeline.load.run_pipeline``: lock, archive, process, load, publish)."""
    import warehouse
    from core.paths import Paths
    from pipeline.load import run_pipeline
    from pipeline.local import filings_from_paths
    from pipeline.process import Limits

    load_s = 0.0
    per_file: list[dict] = []
    started = time.perf_counter()
    last_done = started

    def timed_load(store, result, run_id, version) -> str:
        nonlocal load_s
        t0 = time.perf_counter()
        try:
            return store.load_filing(result, run_id, version)
        finally:
            load_s += time.perf_counter() - t0

    def on_loaded(filing, outcome) -> None:
        nonlocal last_done
        now = time.perf_counter()
        # One worker: the gap between completions is that filing's processing.
        per_file.append({"format": filing.documents[0].path.suffix.lstrip(".").lower(), "seconds": now - last_done})
        last_done = now

    # one Filing at a time: nothing corpus-sized is held
    filings = (filing for path in paths for filing in filings_from_paths([path]))
    outcome = run_pipeline(filings, Paths(db), kind="bench", limits=Limits(workers=workers), on_loaded=on_loaded,
                           loader=timed_load)
    wall = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for _, status, _ in outcome.results:
        statuses[status] = statuses.get(status, 0) + 1
    with warehouse.Warehouse.open(Paths(db).writer_db) as store:
        rows = {
            table: store.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            for table in ("filings_t", "documents_t", "facts_t", "indicators_t", "unmapped_labels_t",
                          "inconsistencies_t")
        }
    return {
        "wall_s": wall, "workers": workers, "load_filing_s": load_s, "statuses": statuses, "rows": rows,
        "facts": outcome.summary["facts"], "flags": outcome.summary["flags"],
        "by_format": _by_format(per_file) if workers == 1 else {},
    }


def run_bulk(source_db: Path, target_db: Path, rows_wanted: int = 1_000_000, executemany_rows: int = 2_000) -> dict:
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    import warehouse

    with duckdb.connect(str(source_db), read_only=True) as con:
        facts = con.sql("SELECT * FROM facts_t").to_arrow_table()
    if facts.num_rows == 0:
        return {"rows": 0, "arrow_s": 0.0, "executemany_rows": 0, "executemany_s": 0.0}
    copies = max(1, -(-rows_wanted // facts.num_rows))
    ids = facts.column("filing_id")
    parts = [facts.set_column(facts.schema.get_field_index("filing_id"), "filing_id",
                              pc.binary_join_element_wise(ids, pa.scalar(f"-{k}"), "")) for k in range(copies)]
    big = pa.concat_tables(parts).combine_chunks()
    with warehouse.Warehouse.open(target_db) as store:
        con = store.con
        con.register("_bulk_facts", big)
        t0 = time.perf_counter()
        con.execute("INSERT INTO facts_t BY NAME SELECT * FROM _bulk_facts")
        arrow_s = time.perf_counter() - t0
        con.unregister("_bulk_facts")
        sample = facts.slice(0, executemany_rows).to_pylist()
        columns = list(sample[0])
        con.execute("DELETE FROM facts_t")
        quoted = ", ".join(f'"{c}"' for c in columns)
        t0 = time.perf_counter()
        con.executemany(
            f"INSERT INTO facts_t ({quoted}) VALUES ({', '.join('?' for _ in columns)})",
            [[row[c] for c in columns] for row in sample],
        )
        executemany_s = time.perf_counter() - t0
    return {"rows": big.num_rows, "arrow_s": arrow_s, "executemany_rows": len(sample), "executemany_s": executemany_s}


def run_portal(paths: list[Path], root: Path) -> dict:
    from core.paths import Paths
    from jixiao.samples.portal import build_site, serve_portal
    from pipeline.crawl import crawl_and_load
    from pipeline.settings import settings

    def nightly_flow(config_path: str, db: str):  # what `jixiao run` does
        return crawl_and_load(settings(config_path), Paths(Path(db)))

    files = [p for p in paths if p.suffix.lower() not in (".html", ".htm")]
    root.mkdir(parents=True)
    stops = []
    portals = []
    try:
        for k in range(0, len(files), SITE_FILES):
            docs = root / f"docs-{k // SITE_FILES:03d}"
            docs.mkdir()
            for path in files[k : k + SITE_FILES]:
                (docs / path.name).symlink_to(path)
            site = build_site(root / f"site-{k // SITE_FILES:03d}", docs=docs)
            base_url, stop = serve_portal(site.root)
            stops.append(stop)
            portals.append((f"bench{k // SITE_FILES:03d}", site.portal(base_url)))
        config = root / "jixiao.toml"
        config.write_text(_portal_toml(portals), "utf-8")
        # The first run pays the imports and the sample site's first requests: outside the timings.
        warm = root / "warm"
        warm_docs = root / "warm-docs"
        warm_docs.mkdir()
        (warm_docs / files[0].name).symlink_to(files[0])
        warm_site = build_site(root / "warm-site", docs=warm_docs)
        warm_url, warm_stop = serve_portal(warm_site.root)
        stops.append(warm_stop)
        warm_config = root / "warm.toml"
        warm_config.write_text(_portal_toml([("warm", warm_site.portal(warm_url))]), "utf-8")
        t0 = time.perf_counter()
        nightly_flow(config_path=str(warm_config), db=str(warm / "w.duckdb"))
        warm_s = time.perf_counter() - t0

        db = root / "portal" / "jixiao.duckdb"
        t0 = time.perf_counter()
        first = nightly_flow(config_path=str(config), db=str(db))
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = nightly_flow(config_path=str(config), db=str(db))
        second_s = time.perf_counter() - t0
        # The night an entry's recheck_days run out: every article again, by conditional GET.
        recheck_config = root / "recheck.toml"
        recheck_config.write_text("[crawler]\nrecheck_days = 0\n\n" + _portal_toml(portals), "utf-8")
        t0 = time.perf_counter()
        recheck = nightly_flow(config_path=str(recheck_config), db=str(db))
        recheck_s = time.perf_counter() - t0
    finally:
        for stop in stops:
            stop()
    keep = ("filings_ok", "filings_partial", "filings_failed", "filings_unchanged", "facts", "report_articles",
            "articles_unchanged", "articles_not_refetched", "documents_downloaded", "documents_not_modified",
            "list_pages", "crawl_errors")
    return {
        "sites": len(portals), "files": len(files), "warmup_s": warm_s, "first_s": first_s, "second_s": second_s,
        "recheck_s": recheck_s, "first": {k: first.summary.get(k) for k in keep},
        "second": {k: second.summary.get(k) for k in keep}, "recheck": {k: recheck.summary.get(k) for k in keep},
    }


def _portal_toml(portals: list) -> str:
    out = []
    for name, portal in portals:
        urls = ", ".join(json.dumps(u) for u in portal.start_urls)
        out.append(
            f'[[portal]]\nname = "{name}"\nregion = {json.dumps(portal.region or "")}\nplatform = "{portal.platform}"\n'
            f"start_urls = [{urls}]\nrate_limit = {portal.rate_limit}\nmax_pages = 50\n"
        )
    return "\n".join(out)


def _by_format(per_file: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for row in per_file:
        entry = out.setdefault(row["format"], {"files": 0, "seconds": 0.0, "pages": 0})
        entry["files"] += 1
        entry["seconds"] += row["seconds"]
        entry["pages"] += row.get("pages", 0)
    return dict(sorted(out.items()))


# --- measurements --------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """Peak resident memory of this process's children (the phase process and its workers)."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True, name="rss-sampler")
        import psutil

        self._root = psutil.Process()
        self._interval = interval
        self._halt = threading.Event()
        self._current: str | None = None
        self.peaks: dict[str, dict] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator:
        before = os.getloadavg()
        self._current = name
        self.peaks.setdefault(name, {"tree_mb": 0.0, "largest_process_mb": 0.0})
        try:
            yield lambda: {"before": before, "after": os.getloadavg()}
        finally:
            self._sample()
            self._current = None

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        import psutil

        name = self._current
        if name is None:
            return
        sizes = []
        for process in self._root.children(recursive=True):
            try:
                sizes.append(process.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        peak = self.peaks[name]
        peak["tree_mb"] = max(peak["tree_mb"], sum(sizes))
        peak["largest_process_mb"] = max(peak["largest_process_mb"], max(sizes, default=0.0))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def metrics(corpus: Corpus, phases: dict) -> dict:
    base, one, two = phases["baseline"], phases["pipeline_1"], phases["pipeline_2"]
    bulk, portal, national = phases["bulk"], phases["portal"], phases["national"]
    pdf_one = one["by_format"].get("pdf", {})
    pdf_base = base["by_format"].get("pdf", {})
    pdf_pages = corpus.pdf_pages()
    facts_rows = one["rows"]["facts_t"]
    all_rows = sum(one["rows"].values())
    gen = corpus.generation
    pipeline_peaks = [phases[p]["peak_rss"] for p in ("pipeline_1", "pipeline_2")]
    values = {
        "pipeline_vs_baseline": one["wall_s"] / base["wall_s"],
        "pipeline_vs_baseline_2_workers": two["wall_s"] / base["wall_s"],
        "pipeline_vs_baseline_cpu": one["cpu_s"] / base["cpu_s"],
        "baseline_s": base["wall_s"],
        "pipeline_1_worker_s": one["wall_s"],
        "pipeline_2_workers_s": two["wall_s"],
        "speedup_2_workers": one["wall_s"] / two["wall_s"],
        "cpu_2_workers_vs_1": two["cpu_s"] / one["cpu_s"],
        "cores_used_2_workers": two["cpu_s"] / two["wall_s"],
        "pdf_pages_per_s": pdf_pages / pdf_one["seconds"] if pdf_one.get("seconds") else 0.0,
        "baseline_pdf_pages_per_s": pdf_pages / pdf_base["seconds"] if pdf_base.get("seconds") else 0.0,
        "filings_per_s": len(corpus.files) / two["wall_s"],
        "filings_per_s_1_worker": len(corpus.files) / one["wall_s"],
        "peak_rss_mb": max(p["tree_mb"] for p in pipeline_peaks),
        "peak_rss_largest_process_mb": max(p["largest_process_mb"] for p in pipeline_peaks),
        "facts_loaded_per_s": facts_rows / one["load_filing_s"] if one["load_filing_s"] else 0.0,
        "load_filing_rows_per_s": all_rows / one["load_filing_s"] if one["load_filing_s"] else 0.0,
        "bulk_arrow_rows_per_s": bulk["rows"] / bulk["arrow_s"] if bulk["arrow_s"] else 0.0,
        "executemany_rows_per_s": bulk["executemany_rows"] / bulk["executemany_s"] if bulk["executemany_s"] else 0.0,
        "incremental_first_run_s": portal["first_s"],
        "incremental_rerun_s": portal["second_s"],
        "incremental_fraction": portal["second_s"] / portal["first_s"],
        "incremental_recheck_s": portal.get("recheck_s"),
        "incremental_recheck_fraction": portal["recheck_s"] / portal["first_s"] if "recheck_s" in portal else None,
        "startup_ingest_one_file_s": phases["startup"]["ingest_one_file_s"],
        "startup_facts_s": phases["startup"]["facts_s"],
        "startup_ingest_one_file_cpu_s": phases["startup"]["ingest_one_file_cpu_s"],
        "startup_facts_cpu_s": phases["startup"]["facts_cpu_s"],
        "national_filings": national["filings"],
        "national_load_checks_publish_s": national["load_checks_publish_s"],
        "national_year_projected_s": national["load_checks_publish_s"] * NATIONAL_FILINGS / national["filings"],
        "national_facts_per_s": national["facts_per_s"],
        "national_peak_rss_mb": national["peak_rss_mb"],
        "national_warehouse_mb": national["warehouse_mb"],
        "national_query_p95_max_s": national["query_p95_max_s"],
        "doc_conversion_s_per_file": (
            gen.get("soffice_doc_to_docx_s", 0.0) / gen["soffice_doc_to_docx_files"]
            if gen.get("soffice_doc_to_docx_files") else 0.0
        ),
    }
    out = {}
    for key, (unit, target, test) in TARGETS.items():
        value = float(values[key])
        out[key] = {"value": value, "unit": unit, "target": target, "met": bool(test(value)) if test else None}
    return out


def machine() -> dict:
    import psutil

    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1), "cpu": model,
        "os": platform.platform(), "python": platform.python_version(),
    }


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("jixiao", "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "openpyxl", "beautifulsoup4",
                 "lxml", "duckdb", "pyarrow", "pebble", "prefect", "prefect-dask", "distributed", "psutil"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    try:
        from pipeline.process import parser_version

        out["parser_version"] = parser_version()
    except Exception:  # the report is still worth writing without it
        out["parser_version"] = None
    out["libreoffice"] = _libreoffice_version()
    return out


def _libreoffice_version() -> str | None:
    import subprocess

    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        return None
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# --- the report ----------------------------------------------------------------------------


def _fmt(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def _met(metric: dict) -> str:
    return {True: "yes", False: "**no**", None: "—"}[metric["met"]]


def render_markdown(results: dict, notes: str | None = None) -> str:
    m, c, ph = results["metrics"], results["corpus"], results["phases"]
    lines = [
        "# jixiao benchmark results",
        "",
        f"Run {results['date']} with `.venv/bin/python -m benchmarks.run` (`make bench` / `jixiao bench`).",
        f"Machine: {results['machine']['nproc']} cores, {results['machine']['ram_gb']} GB RAM, "
        f"{results['machine']['cpu']}; {results['machine']['os']}, Python {results['machine']['python']}.",
        "",
        f"Corpus: {c['filings']} filings ({', '.join(f'{n} {k}' for k, n in c['formats'].items())}), "
        f"{c['pages_min']}–{c['pages_max']} pages, {c['pdf_pages']} PDF pages, {c['bytes'] / 2**20:.0f} MB; "
        f"generated in {c['generation'].get('total_s', 0):.0f} s and cached in `benchmarks/.corpus/`.",
        "",
        "| metric | value | unit | target | met? |",
        "|---|---:|---|---|---|",
    ]
    for key, metric in m.items():
        lines.append(f"| {key} | {_fmt(metric['value'])} | {metric['unit']} | {metric['target']} | {_met(metric)} |")
    lines += ["", "## Per format (1 worker vs baseline, seconds)", "", "| format | files | baseline s | pipeline s | ratio |",
              "|---|---:|---:|---:|---:|"]
    for fmt, entry in ph["baseline"]["by_format"].items():
        mine = ph["pipeline_1"]["by_format"].get(fmt, {}).get("seconds", 0.0)
        ratio = mine / entry["seconds"] if entry["seconds"] else 0.0
        lines.append(f"| {fmt} | {entry['files']} | {entry['seconds']:.1f} | {mine:.1f} | {ratio:.2f} |")
    one = ph["pipeline_1"]
    lines += [
        "",
        "## Runs",
        "",
        f"- Pipeline (1 worker): {one['statuses']} filings; rows loaded {one['rows']}; "
        f"load_filing total {one['load_filing_s']:.2f} s.",
        f"- Portal: {ph['portal']['sites']} loopback sites, {ph['portal']['files']} files; first run "
        f"{ph['portal']['first']}; re-run {ph['portal']['second']}; recheck run {ph['portal'].get('recheck')}.",
        "- Load average (1/5/15 min) before/after each phase: "
        + "; ".join(f"{name} {_loads(ph[name].get('loadavg'))}" for name in ("baseline", "pipeline_1", "pipeline_2", "portal")),
        "",
        "## Method",
        "",
        *[f"- {key}: {text}" for key, text in results["method"].items()],
        "",
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in results["versions"].items()),
        "",
    ]
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines)


def _loads(loadavg) -> str:
    if not loadavg:
        return "?"
    if isinstance(loadavg, list):
        return ", ".join(_loads(one) for one in loadavg)
    return "/".join(f"{v:.1f}" for v in loadavg["before"]) + " → " + "/".join(f"{v:.1f}" for v in loadavg["after"])


if __name__ == "__main__":
    raise SystemExit(main())
