"""The Prefect flows: a task per stage, one writer, results keyed by content hash.

``load_filings`` is shared by every entry point (local ingest, portal crawl, reprocess):
it skips filings whose content and parser are unchanged, extracts the rest in isolated
child processes (or on a Dask cluster), and loads each result in its own transaction as
soon as it is ready, so a run killed half-way loses nothing that was finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

import alerts
import warehouse
from crawler import RawStore
from flows.archive import archive_filing, archived_filings
from flows.local import filings_from_paths
from flows.settings import channels_of, settings
from flows.pipeline import IsolatedRunner, Limits, parser_version, process_filing
from core.paths import Paths
from core.records import Filing, FilingResult

_runner: IsolatedRunner | None = None


@dataclass
class RunOutcome:
    run_id: str
    summary: dict
    results: list[tuple[str, str, str | None]] = field(default_factory=list)  # filing_id, status, error


@task(name="extract-map-check", cache_policy=NO_CACHE, task_run_name="process {filing.filing_id}")
def process_task(filing: Filing, isolate: bool = True) -> FilingResult:
    if not isolate or _runner is None:
        return process_filing(filing)  # on a Dask worker: the worker process is the isolation
    return _runner.result(filing, _runner.submit(filing))


@task(name="load", cache_policy=NO_CACHE, task_run_name="load {result.filing.filing_id}")
def load_task(store: "warehouse.Warehouse", result: FilingResult, run_id: str, version: str) -> str:
    return store.load_filing(result, run_id, version)


def load_filings(
    filings: Iterable[Filing],
    store: "warehouse.Warehouse",
    run_id: str,
    force: bool = False,
    isolate: bool = True,
    on_loaded: Callable[[Filing, str], None] | None = None,
    raw_root: Path | None = None,
    window: int = 4 * Limits().workers,
) -> list[tuple[str, str, str | None]]:
    """Process and load every changed filing; returns (filing_id, outcome, error) per filing.

    At most ``window`` filings are in flight: results are loaded as they finish, while the
    (possibly streaming) filings are still coming, so memory stays flat and finished work
    is in the warehouse even if the run dies later.
    """
    version = parser_version()
    outcomes: list[tuple[str, str, str | None]] = []
    pending: list = []
    raw = RawStore(raw_root) if raw_root else None

    def load(future) -> None:
        result = future.result()
        loaded = load_task(store, result, run_id, version)
        outcome = result.status if loaded == "loaded" else loaded
        outcomes.append((result.filing.filing_id, outcome, result.error))
        if on_loaded:
            on_loaded(result.filing, outcome)

    for filing in filings:
        if raw is not None:
            filing = archive_filing(raw, filing)  # kept before processing: nothing is lost
        if not force and store.filing_state(filing.filing_id) == (filing.sha256, version):
            store.mark_unchanged(run_id)
            outcomes.append((filing.filing_id, "unchanged", None))
            if on_loaded:
                on_loaded(filing, "unchanged")
            continue
        pending.append(process_task.submit(filing, isolate))
        done = [f for f in pending if f.state.is_final()]
        if len(pending) >= window and not done:
            done = [next(as_completed(pending))]
        for future in done:
            pending.remove(future)
            load(future)
    for future in as_completed(pending):
        load(future)
    return outcomes


def run_pipeline(
    filings: Iterable[Filing],
    paths: Paths,
    kind: str,
    limits: Limits = Limits(),
    force: bool = False,
    isolate: bool = True,
    channels: Sequence["alerts.Channel"] = (),
    on_loaded: Callable[[Filing, str], None] | None = None,
    late_summary: Callable[[], dict] | None = None,
    fresh: bool = False,
    before_publish: Callable[["warehouse.Warehouse", dict], None] | None = None,
) -> RunOutcome:
    """One writer run: lock, load, record the run, alert, publish the analysts' copy.

    ``late_summary`` adds counts known only once ``filings`` is consumed (the crawl's);
    ``fresh`` starts from an empty writer database, the old one moved aside (rebuild);
    ``before_publish`` runs under the writer lock once the run is recorded.
    """
    global _runner
    paths.ensure()
    logger = get_run_logger()
    with warehouse.writer_lock(paths.lock):
        if fresh:
            _move_aside(paths.writer_db)
        with warehouse.Warehouse.open(paths.writer_db) as store:
            run_id = store.start_run(kind)
            try:
                _runner = IsolatedRunner(limits) if isolate else None
                outcomes = load_filings(
                    filings, store, run_id, force=force, isolate=isolate, on_loaded=on_loaded, raw_root=paths.raw
                )
            except BaseException as error:
                store.finish_run(run_id, "failed", {}, error=f"{type(error).__name__}: {error}")
                if channels:
                    alerts.notify_run_failed(store.con, channels, run_id, error)
                raise
            finally:
                if _runner is not None:
                    _runner.close()
                    _runner = None
            summary = store.summary(run_id)
            summary.update(late_summary() if late_summary else {})
            if channels:
                summary["alerts"] = alerts.dispatch(store.con, channels, run_id).summary()
            store.finish_run(run_id, "completed", summary)
            if before_publish:
                before_publish(store, summary)
            store.checkpoint()
        # still under the lock: a run starting now must not race the copy being published
        warehouse.publish(paths.writer_db, paths.db)
    logger.info("run %s: %s", run_id, summary)
    _artifact(run_id, summary)
    return RunOutcome(run_id, summary, outcomes)


def _move_aside(database: Path) -> None:
    """Keep the old writer database (and its WAL) beside the new one, never delete it."""
    for suffix in ("", ".wal"):
        old = database.with_name(database.name + suffix)
        if old.exists():
            old.replace(old.with_name(old.name + ".before-rebuild"))


def on_engine(flow_obj, dask_address: str | None):
    """The flow with its extraction tasks on a Dask cluster when given a scheduler address.

    Loading stays in the flow's own process: one writer. Workers read the documents from
    the raw store, so on several machines it must be a shared path (see README).
    """
    if not dask_address:
        return flow_obj
    from prefect_dask import DaskTaskRunner

    return flow_obj.with_options(task_runner=DaskTaskRunner(address=dask_address))


def _artifact(run_id: str, summary: dict) -> None:
    rows = [{"metric": key, "value": str(value)} for key, value in summary.items()]
    create_table_artifact(key="jixiao-run-summary", table=rows, description=f"jixiao run {run_id}")


@flow(name="jixiao-ingest", task_runner=ThreadPoolTaskRunner(max_workers=Limits().workers))
def ingest_flow(
    paths: list[str], db: str = "jixiao.duckdb", filing_per_folder: bool = False, force: bool = False,
    config_path: str | None = None, dask_address: str | None = None,
) -> RunOutcome:

    config = settings(config_path)
    channels = channels_of(config)
    filings = filings_from_paths([Path(p) for p in paths], filing_per_folder)
    return run_pipeline(
        filings, Paths(Path(db)), kind="ingest", force=force, channels=channels, isolate=not dask_address
    )


@flow(name="jixiao-reprocess", task_runner=ThreadPoolTaskRunner(max_workers=Limits().workers))
def reprocess_flow(db: str = "jixiao.duckdb", force: bool = False, config_path: str | None = None) -> RunOutcome:
    """Re-extract stored documents after a mapping or rule change; never touches the network.

    Filings whose documents and parser are unchanged are skipped unless ``force``.
    """

    paths = Paths(Path(db))
    config = settings(config_path)
    channels = channels_of(config)
    filings = archived_filings(RawStore(paths.raw))
    return run_pipeline(filings, paths, kind="reprocess", force=force, channels=channels)


@flow(name="jixiao-rebuild", task_runner=ThreadPoolTaskRunner(max_workers=Limits().workers))
def rebuild_flow(db: str = "jixiao.duckdb") -> RunOutcome:
    """Build the warehouse from scratch out of the raw store (the recovery plan).

    The old writer database is moved aside (not deleted) first.
    """
    paths = Paths(Path(db))
    return run_pipeline(archived_filings(RawStore(paths.raw)), paths, kind="rebuild", force=True, fresh=True)
