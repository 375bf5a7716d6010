"""The scale-out phase: ``jixiao run --dask`` against a real local cluster (``dask scheduler`` + 2
``dask worker`` processes, one thread each) and the local run with 2 worker processes, on the same
loopback portals, in interleaved rounds; the same rows must come out of both."""

from __future__ import annotations

import pickle
import statistics
import time
from pathlib import Path

from benchmarks.cluster import comparable_rows, cpu_seconds, local_dask_cluster, processes_in_groups
from benchmarks.phases import _kept, _portal_files, portal_toml, _served_sites, in_fresh_process

ROUNDS = 3
FILES = 48  # the corpus slice served as portals: 4 sites of 12, every format but html
WORKERS = 2


def run_scaleout(paths: list[Path], root: Path, rounds: int = ROUNDS, files: int = FILES) -> dict:
    """Median wall time of each arm over ``rounds``; the order alternates so drift lands on both."""
    portal_files = _portal_files(paths)
    step = max(1, len(portal_files) // files)
    chosen = portal_files[::step][:files]  # spread over the corpus: its formats and sizes
    runs: dict[str, list[dict]] = {"local": [], "dask": []}
    same_rows: list[bool] = []
    with local_dask_cluster(root / "cluster", WORKERS) as cluster, \
            _served_sites(chosen, root / "sites") as portals, \
            _served_sites(chosen[:1], root / "warm", "warm") as warm_portals:
        config, warm_config = root / "jixiao.toml", root / "warm.toml"
        config.write_text(portal_toml(portals), "utf-8")
        warm_config.write_text(portal_toml(warm_portals), "utf-8")
        from pipeline.load import DaskEngine

        with DaskEngine(cluster.address):
            pass  # each worker's pool of child processes is part of the cluster, started at connect
        cluster_processes = {p.pid for p in processes_in_groups(cluster.groups)}
        # One spawned process per arm for all its runs: a user's `jixiao run` starts fresh, but its
        # imports are the start-up phase's figure, not this one's, and would dominate a small slice.
        with _arm_process() as local_arm, _arm_process() as dask_arm:
            arms = {"local": (local_arm, None), "dask": (dask_arm, cluster.address)}
            # The workers import the stages on their first filing, as a long-lived cluster did long ago.
            for arm, (process, address) in arms.items():
                process.submit(crawl_run, warm_config, root / "warm" / arm / "jixiao.duckdb", address).result()
            for number in range(rounds):
                for arm in ("local", "dask") if number % 2 == 0 else ("dask", "local"):
                    process, address = arms[arm]
                    db = root / f"round-{number}" / arm / "jixiao.duckdb"
                    cluster_cpu = cpu_seconds(cluster.groups)
                    run = process.submit(crawl_run, config, db, address).result()
                    if address:  # the extraction's CPU is the cluster's (the scheduler's too)
                        run["cpu_s"] += cpu_seconds(cluster.groups) - cluster_cpu
                    runs[arm].append(run)
                same_rows.append(comparable_rows(root / f"round-{number}" / "dask" / "jixiao.duckdb")
                                 == comparable_rows(root / f"round-{number}" / "local" / "jixiao.duckdb"))
        # A run must leave nothing on the workers (a converter, a Prefect server): same processes.
        grown = {p.pid for p in processes_in_groups(cluster.groups)} - cluster_processes
        groups = cluster.groups
    rows = comparable_rows(root / "round-0" / "dask" / "jixiao.duckdb")
    local_s = statistics.median(r["wall_s"] for r in runs["local"])
    dask_s = statistics.median(r["wall_s"] for r in runs["dask"])
    local_cpu_s = statistics.median(r["cpu_s"] for r in runs["local"])
    dask_cpu_s = statistics.median(r["cpu_s"] for r in runs["dask"])
    return {
        "files": len(chosen), "sites": len(portals), "rounds": rounds, "workers": WORKERS,
        "local_s": local_s, "dask_s": dask_s, "ratio": dask_s / local_s,
        "local_cpu_s": local_cpu_s, "dask_cpu_s": dask_cpu_s, "cpu_ratio": dask_cpu_s / local_cpu_s,
        "local_runs_s": [r["wall_s"] for r in runs["local"]], "dask_runs_s": [r["wall_s"] for r in runs["dask"]],
        "same_rows": all(same_rows), "rows": {view: len(found) for view, found in rows.items()},
        "summary": runs["dask"][0]["summary"],
        "result_pickle_kb": statistics.mean(r["result_pickle_kb"] for r in runs["dask"]),
        "processes_added_by_runs": len(grown),
        "processes_left_after_teardown": len(processes_in_groups(groups)),
    }


def _arm_process():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def crawl_run(config: Path, db: Path, dask_address: str | None) -> dict:
    """What ``jixiao run [--dask ADDRESS]`` does: the crawl and the one writer, extraction on the
    cluster or in ``WORKERS`` local child processes."""
    import resource
    from contextlib import nullcontext

    from core.paths import Paths
    from pipeline.crawl import crawl_and_load
    from pipeline.load import DaskEngine
    from pipeline.process import Limits
    from pipeline.settings import settings

    def cpu() -> float:  # this process and its reaped children: the local run's workers
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started, cpu_before = time.perf_counter(), cpu()
    with DaskEngine(dask_address) if dask_address else nullcontext(None) as engine:
        engine = _Measured(engine) if engine is not None else None
        outcome = crawl_and_load(settings(str(config)), Paths(db), engine=engine, limits=Limits(workers=WORKERS))
    measuring = engine.measuring_s if engine is not None else 0.0
    wall = time.perf_counter() - started - measuring  # the benchmark's own pickling is not the run's
    sizes = engine.pickled_kb if engine is not None else []
    return {"wall_s": wall, "cpu_s": cpu() - cpu_before, "summary": _kept(outcome.summary),
            "result_pickle_kb": statistics.mean(sizes) if sizes else 0.0}


class _Measured:
    """An engine that also records how big each result is on the wire (what a worker sends back)."""

    def __init__(self, engine):
        self._engine = engine
        self.pickled_kb: list[float] = []
        self.measuring_s = 0.0

    def submit(self, filing):
        return self._engine.submit(filing)

    def result(self, filing, future):
        result = self._engine.result(filing, future)
        started = time.perf_counter()
        self.pickled_kb.append(len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) / 1024)
        self.measuring_s += time.perf_counter() - started
        return result


def record(phase: dict, out: Path) -> None:
    """The phase's figures in place of the scale-out ones in ``out``/results.json, and RESULTS.md again."""
    import json

    from benchmarks.results import render_markdown
    from benchmarks.run import TARGETS, _findings, _write_results_md

    results_path = out / "results.json"
    if not results_path.is_file():
        return
    results = json.loads(results_path.read_text("utf-8"))
    results["phases"]["scaleout"] = phase
    for key, value in (("dask_cluster_vs_local_2_workers", phase["ratio"]),
                       ("dask_cluster_cpu_vs_local", phase["cpu_ratio"]),
                       ("dask_cluster_same_rows", float(phase["same_rows"]))):
        unit, target, test = TARGETS[key]
        results["metrics"][key] = {"value": value, "unit": unit, "target": target,
                                   "met": bool(test(value)) if test else None}
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    _write_results_md(out / "RESULTS.md", render_markdown(results, _findings()))


def main(argv: list[str] | None = None) -> int:
    """This phase alone on the cached corpus; its figures replace the scale-out ones in results.json."""
    import argparse
    import json
    import os
    import shutil
    import tempfile
    from datetime import datetime, timezone

    from benchmarks.corpus import DEFAULT_ROOT, load_or_generate
    from benchmarks.run import HERE, _environment

    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json and RESULTS.md are")
    args = parser.parse_args(argv)
    _environment(args.corpus)
    corpus = load_or_generate(args.corpus)
    os.environ["JIXIAO_CACHE_DIR"] = str(corpus.cache_dir)
    work = Path(tempfile.mkdtemp(prefix="jixiao-scaleout-"))
    try:
        phase = in_fresh_process(run_scaleout, corpus.paths(), work, args.rounds, args.files)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    phase["measured"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") + " (this phase alone)"
    print(json.dumps(phase, indent=1, ensure_ascii=False))
    record(phase, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
