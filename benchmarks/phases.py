"""The measured phases of the speed benchmark: the naive baseline, the production pipeline, bulk
loading and the incremental portal re-run; each in a fresh process with its CPU time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

SITE_FILES = 12  # files per sample site: its article dates run 2 days apart from the 28th

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


def run_baseline(paths: list[Path], formats: dict[Path, str] | None = None) -> dict:
    """``formats``: each file's format where the suffix does not tell (a scanned PDF)."""
    from benchmarks.baseline import read_file

    started = time.perf_counter()
    per_file = [read_file(path, (formats or {}).get(path)) for path in paths]
    wall = time.perf_counter() - started
    return {"wall_s": wall, "by_format": _by_format(per_file), "pdf_pages": sum(r["pages"] for r in per_file)}


def run_direct_pipeline(paths: list[Path], db: Path, workers: int, formats: dict[Path, str] | None = None) -> dict:
    """The production run (``pipeline.load.run_pipeline``: lock, archive, process, load, publish)."""
    import warehouse
    from core.paths import Paths
    from pipeline.load import run_pipeline
    from pipeline.local import filings_from_paths
    from pipeline.process import Limits

    load_s = 0.0
    per_file: list[dict] = []
    by_name = {Path(path).name: fmt for path, fmt in (formats or {}).items()}
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
        document = filing.documents[0]
        fmt = by_name.get(document.name) or document.path.suffix.lstrip(".").lower()
        per_file.append({"format": fmt, "seconds": now - last_done})
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


@contextmanager
def _served_sites(files: list[Path], root: Path, prefix: str = "bench") -> Iterator[list]:
    """The files as loopback sample portals of ``SITE_FILES`` each: (name, PortalConfig) pairs."""
    from jixiao.samples.portal import build_site, serve_portal

    root.mkdir(parents=True, exist_ok=True)
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
            portals.append((f"{prefix}{k // SITE_FILES:03d}", site.portal(base_url)))
        yield portals
    finally:
        for stop in stops:
            stop()


def _portal_files(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.suffix.lower() not in (".html", ".htm")]  # an HTML file is an article itself


def run_portal(paths: list[Path], root: Path) -> dict:
    from core.paths import Paths
    from pipeline.crawl import crawl_and_load
    from pipeline.settings import settings

    def nightly_flow(config_path: str, db: str):  # what `jixiao run` does
        return crawl_and_load(settings(config_path), Paths(Path(db)))

    files = _portal_files(paths)
    with _served_sites(files, root) as portals, _served_sites(files[:1], root / "warm", "warm") as warm_portals:
        config = root / "jixiao.toml"
        config.write_text(portal_toml(portals), "utf-8")
        # The first run pays the imports and the sample site's first requests: outside the timings.
        warm_config = root / "warm.toml"
        warm_config.write_text(portal_toml(warm_portals), "utf-8")
        t0 = time.perf_counter()
        nightly_flow(config_path=str(warm_config), db=str(root / "warm" / "w.duckdb"))
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
        recheck_config.write_text("[crawler]\nrecheck_days = 0\n\n" + portal_toml(portals), "utf-8")
        t0 = time.perf_counter()
        recheck = nightly_flow(config_path=str(recheck_config), db=str(db))
        recheck_s = time.perf_counter() - t0
    return {
        "sites": len(portals), "files": len(files), "warmup_s": warm_s, "first_s": first_s, "second_s": second_s,
        "recheck_s": recheck_s, "first": _kept(first.summary), "second": _kept(second.summary),
        "recheck": _kept(recheck.summary),
    }


_KEPT = ("filings_ok", "filings_partial", "filings_failed", "filings_unchanged", "facts", "report_articles",
         "articles_unchanged", "articles_not_refetched", "documents_downloaded", "documents_not_modified",
         "list_pages", "crawl_errors")


def _kept(summary: dict) -> dict:
    return {k: summary.get(k) for k in _KEPT}


def portal_toml(portals: list) -> str:
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
