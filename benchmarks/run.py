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
5. per format (``benchmarks.formats``): ``process_filing`` against the naive reader on up to
   8 files of each format, in interleaved rounds (median of 3), start-up timed on its own;
6. the incremental re-run: the corpus served by the loopback sample portal
   (``jixiao.samples.portal``) and crawled twice by ``pipeline.crawl.crawl_and_load``
   (what ``jixiao run`` does) into one db.

Peak RSS is sampled for the process tree (the parent and every child) during (2) and (3).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.corpus import DEFAULT_FILINGS, DEFAULT_MAX_PAGES, DEFAULT_ROOT, DEFAULT_SEED, Corpus, load_or_generate
from benchmarks.formats import FILES_PER_FORMAT, ROUNDS as FORMAT_ROUNDS
from benchmarks.formats import pick, run_formats
from benchmarks.national import NATIONAL_FILINGS, bench_filings, run_national
from benchmarks.phases import SITE_FILES, in_fresh_process, run_baseline, run_bulk, run_direct_pipeline, run_portal
from benchmarks.results import RssSampler, fmt_value, machine, render_markdown, verdict, versions
from benchmarks.scaleout import FILES as SCALEOUT_FILES
from benchmarks.scaleout import ROUNDS as SCALEOUT_ROUNDS
from benchmarks.scaleout import run_scaleout
from benchmarks.startup import REPEATS as STARTUP_REPEATS
from benchmarks.startup import run_startup

HERE = Path(__file__).resolve().parent
ROUNDS = 4  # the corpus is measured in this many interleaved rounds

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
    "national_load_checks_publish_cpu_s": ("s", "info (the writer's CPU: on a shared machine wall counts the others' work)",
                                           None),
    "national_year_projected_cpu_s": ("s", "info (the measured CPU, linear, to 140,000 filings)", None),
    "national_facts_per_s": ("facts/s", "info (load_filings in batches, across-filing checks included)", None),
    "national_peak_rss_mb": ("MB", "≤ 1,500", lambda v: v <= 1500),
    "national_warehouse_mb": ("MB", "info (published file)", None),
    "national_query_p95_max_s": ("s", "≤ 2 (slowest of the SPEC views, wide views, report --region; p95)",
                                 lambda v: v <= 2.0),
    "national_report_region_p95_s": ("s", "≤ 2 (report --region for one county; p95)", lambda v: v <= 2.0),
    "dask_cluster_vs_local_2_workers": ("×", "≤ 1.1 (`run --dask` on dask scheduler + 2 workers; median of 3)",
                                        lambda v: v <= 1.1),
    "dask_cluster_cpu_vs_local": ("×", "info (CPU s, cluster processes included)", None),
    "dask_cluster_same_rows": ("1 = yes", "= 1 (facts, indicators, flags, filings equal to the local run)",
                               lambda v: v == 1.0),
}
METRIC_KEYS = tuple(TARGETS)  # and format_<fmt>_vs_baseline per format of the corpus
FORMAT_TARGET = 0.5  # per format, marginal, against the naive reader (issue 13)


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
    parser.add_argument("--per-format", action="store_true",
                        help="measure only the per-format ratios (kept with the other figures of results.json)")
    parser.add_argument("--formats", default=None, help="with --per-format: these formats only, comma-separated")
    parser.add_argument("--files-per-format", type=int, default=FILES_PER_FORMAT,
                        help="per-format phase: files of each format (default %(default)s)")
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
        if args.per_format:
            results = _per_format_only(corpus, args.out / "results.json", args.formats, args.files_per_format)
        else:
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
    for key, metric in results["metrics"].items():
        _log(f"  {key:32s} {fmt_value(metric['value']):>14s} {metric['unit']:12s} {metric['target']:38s} {verdict(metric)}")
    return 0


def _per_format_only(corpus: Corpus, previous: Path, only: str | None, per_format: int) -> dict:
    """The per-format phase alone, its figures put into the last full run's results."""
    files = pick(corpus.formats(), per_format)
    if only:
        files = {fmt: paths for fmt, paths in files.items() if fmt in only.split(",")}
    _log(f"per format: {sum(map(len, files.values()))} files, {FORMAT_ROUNDS} interleaved rounds")
    measured = in_fresh_process(run_formats, files)
    results = json.loads(previous.read_text("utf-8")) if previous.is_file() else {"metrics": {}, "phases": {}}
    old = results["phases"].get("formats", {"by_format": {}})
    measured["by_format"] = {**old["by_format"], **measured["by_format"]} if only else measured["by_format"]
    measured["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    measured["loadavg"] = list(os.getloadavg())
    measured["corpus"] = f"{len(corpus.files)} filings ({', '.join(f'{n} {k}' for k, n in corpus.counts().items())})"
    results["phases"]["formats"] = measured
    results["metrics"] = {k: v for k, v in results["metrics"].items() if not k.startswith("format_")}
    results["metrics"].update(format_metrics(measured))
    results.setdefault("method", {})["formats"] = FORMATS_METHOD
    return results


FORMATS_METHOD = (
    f"benchmarks.formats: pipeline.process.process_filing (extract, map, check; no worker, no loading) against "
    f"benchmarks.baseline.read_file on the same files (up to {FILES_PER_FORMAT} per format), both in one fresh "
    f"process; the imports and the first file of each format timed on their own (start-up), then "
    f"{FORMAT_ROUNDS} rounds, format by format, the side going first alternating; ratio = median over the rounds"
)


def format_metrics(phase: dict) -> dict:
    out = {}
    for fmt, entry in phase["by_format"].items():
        out[f"format_{fmt}_vs_baseline"] = {
            "value": entry["ratio"], "unit": "×", "met": entry["ratio"] <= FORMAT_TARGET,
            "target": f"≤ {FORMAT_TARGET} (marginal; {entry['files']} files, median of {phase['rounds']} rounds; "
                      f"CPU {entry['ratio_cpu']:.2f}×)",
        }
    out["format_startup_imports_s"] = {"value": phase["imports_s"], "unit": "s", "met": None,
                                       "target": "info (importing the pipeline, before any file)"}
    return out


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
    formats = corpus.formats()
    arms = [
        ("baseline", run_baseline, lambda chunk: (chunk, formats)),
        ("pipeline_1", run_direct_pipeline, lambda chunk: (chunk, work / "pipeline_1.duckdb", 1, formats)),
        ("pipeline_2", run_direct_pipeline, lambda chunk: (chunk, work / "pipeline_2.duckdb", 2, formats)),
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
            ("formats", "per format: process_filing against the naive reader", run_formats,
             (pick(corpus.formats(), FILES_PER_FORMAT),)),
            ("bulk", "bulk loading", run_bulk, (work / "pipeline_1.duckdb", work / "bulk.duckdb")),
            ("portal", "incremental re-run through the loopback portal", run_portal, (paths, work / "portal")),
            ("startup", "start-up: `jixiao ingest` of one file and `jixiao facts`, as a user runs them", run_startup, ()),
            ("national", "a simulated national year through the production load loop", run_national,
             (bench_filings(len(paths)),)),
            ("scaleout", "`jixiao run --dask` on a local dask scheduler + 2 workers against 2 local workers",
             run_scaleout, (paths, work / "scaleout")),
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
            "formats": FORMATS_METHOD,
            "national": "benchmarks.national: generated FilingResults (the five seeds' facts, indicators and flags, "
                        "figures scaled) through pipeline.load.load_filings in batches of LOAD_BATCH per "
                        "transaction (across-filing checks in the load), then publish; views timed on the published "
                        "copy, p95 of 5; the 140,000-filing time is projected linearly from the filings run",
            "scaleout": f"benchmarks.scaleout: up to {SCALEOUT_FILES} corpus files (no html) served as loopback "
                        "portals, crawled into a fresh db by pipeline.crawl.crawl_and_load (what `jixiao run` runs) "
                        "with pipeline.load.DaskEngine on a `dask scheduler` + 2 `dask worker --nthreads 1` started "
                        "on 127.0.0.1 by the phase, and with 2 local worker processes; each arm in its own spawned "
                        f"process, one warm-up run each, {SCALEOUT_ROUNDS} interleaved rounds, median; rows of every round "
                        "compared; the cluster is torn down and checked gone",
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
        "national_load_checks_publish_cpu_s": national["load_checks_publish_cpu_s"],
        "national_year_projected_cpu_s": national["load_checks_publish_cpu_s"] * NATIONAL_FILINGS / national["filings"],
        "national_facts_per_s": national["facts_per_s"],
        "national_peak_rss_mb": national["peak_rss_mb"],
        "national_warehouse_mb": national["warehouse_mb"],
        "national_query_p95_max_s": national["query_p95_max_s"],
        "national_report_region_p95_s": national["query_p95_s"]["report_region"],
        "dask_cluster_vs_local_2_workers": phases["scaleout"]["ratio"],
        "dask_cluster_cpu_vs_local": phases["scaleout"]["cpu_ratio"],
        "dask_cluster_same_rows": float(phases["scaleout"]["same_rows"]),
        "doc_conversion_s_per_file": (
            gen.get("soffice_doc_to_docx_s", 0.0) / gen["soffice_doc_to_docx_files"]
            if gen.get("soffice_doc_to_docx_files") else 0.0
        ),
    }
    out = {}
    for key, (unit, target, test) in TARGETS.items():
        value = float(values[key])
        out[key] = {"value": value, "unit": unit, "target": target, "met": bool(test(value)) if test else None}
    out.update(format_metrics(phases["formats"]))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
