"""The one process-and-load loop and the one writer run, shared by every entry point.

``load_filings`` skips filings whose content and parser are unchanged, has the rest
processed by an :class:`Engine` (isolated child processes by default, a Dask cluster, or
Prefect tasks when ``flows/`` wraps it) and loads each result in its own transaction as
soon as it is ready, so a run killed half-way loses nothing that was finished.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, as_completed, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.paths import Paths
from core.records import Document, Filing, FilingResult
from pipeline.archive import archive_filing, archived_count, archived_filings
from pipeline.process import IsolatedRunner, Limits, parser_version
from pipeline.progress import Progress

if TYPE_CHECKING:
    import alerts
    import warehouse

log = logging.getLogger("jixiao")

# Finished filings per load transaction: one DELETE and one Arrow INSERT per table for all of
# them (a national year is 140,000 filings; a transaction each costs most of the run).
LOAD_BATCH = 64

Loader = Callable[["warehouse.Warehouse", FilingResult, str, str], str]


class Engine(Protocol):
    """How filings are processed: ``submit`` starts one, ``result`` never raises."""

    def submit(self, filing: Filing) -> Future: ...

    def result(self, filing: Filing, future: Future) -> FilingResult: ...


class ClusterError(RuntimeError):
    """The Dask cluster cannot take the run: its scheduler does not answer, or its workers cannot
    start child processes."""


WORKERS_DAEMONIC = ("the Dask workers run as daemons, which may not start child processes (each filing runs "
                    "in one, under the timeout and memory cap): start them with "
                    "DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker ...")


class DaskEngine:
    """Extraction on a Dask cluster; loading stays here. On each worker a filing runs in a child
    process with the run's timeout and memory cap (``limits``), as in a local run."""

    def __init__(self, address: str, limits: Limits = Limits()):
        from distributed import Client

        try:
            self._client = Client(address, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"the Dask scheduler at {address} does not answer ({error}): start it "
                               "(dask scheduler) or run without --dask") from error
        self._executor = self._client.get_executor(pure=False)
        self._limits = limits
        try:
            self._client.run(_prepare_worker, limits)  # every worker's pool, before the first filing
        except ClusterError:
            self._client.close()
            raise

    def submit(self, filing: Filing) -> Future:
        # A worker does not share this process's working directory: a relative --db would be lost.
        return self._executor.submit(_isolated_on_worker, _with_absolute_paths(filing), self._limits)

    def result(self, filing: Filing, future: Future) -> FilingResult:
        try:
            result = future.result()
        except Exception as error:
            return FilingResult(filing, "failed", f"worker failed: {type(error).__name__}: {error}")
        result.filing = filing  # loaded as it was given, as a local run loads it
        return result

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()


_worker_runners: dict[Limits, IsolatedRunner] = {}  # in a Dask worker process: its pools, by limits
_worker_runners_lock = threading.Lock()


def _worker_runner(limits: Limits, nthreads: int) -> IsolatedRunner:
    """This Dask worker's child processes (one per worker thread), started once and kept, like a
    local run's pool: the OCR model and the vocabulary are loaded once, not per filing."""
    with _worker_runners_lock:
        if limits not in _worker_runners:
            _worker_runners[limits] = IsolatedRunner(replace(limits, workers=nthreads))
        return _worker_runners[limits]


def _prepare_worker(limits: Limits, dask_worker) -> None:
    if multiprocessing.current_process().daemon:
        raise ClusterError(WORKERS_DAEMONIC)
    _worker_runner(limits, dask_worker.state.nthreads).start()


def _isolated_on_worker(filing: Filing, limits: Limits) -> FilingResult:
    """What a Dask worker runs. A document that hangs would hold the worker's thread for good (a
    thread cannot be stopped): in a child it fails its filing at the timeout and the thread is free."""
    from distributed import get_worker

    runner = _worker_runner(limits, get_worker().state.nthreads)
    return runner.result(filing, runner.submit(filing))


def _with_absolute_paths(filing: Filing) -> Filing:
    def absolute(document: Document) -> Document:
        return replace(document, path=document.path.absolute())

    return replace(filing, documents=[absolute(d) for d in filing.documents],
                   inline_html=absolute(filing.inline_html) if filing.inline_html else None)


@dataclass
class RunOutcome:
    run_id: str
    summary: dict
    results: list[tuple[str, str, str | None]] = field(default_factory=list)  # filing_id, status, error


def _load_one(store: "warehouse.Warehouse", result: FilingResult, run_id: str, version: str) -> str:
    return store.load_filing(result, run_id, version)


def load_filings(
    filings: Iterable[Filing],
    store: "warehouse.Warehouse",
    run_id: str,
    engine: Engine,
    force: bool = False,
    on_loaded: Callable[[Filing, str], None] | None = None,
    raw_root: Path | None = None,
    window: int = 4 * Limits().workers,
    loader: Loader = _load_one,
    progress: Progress | None = None,
    batch: int = 1,
) -> list[tuple[str, str, str | None]]:
    """Process and load every changed filing; returns (filing_id, outcome, error) per filing.

    At most ``window`` filings are in flight: results are loaded as they finish, while the
    (possibly streaming) filings are still coming, so memory stays flat and finished work
    is in the warehouse even if the run dies later. With ``batch`` > 1 up to that many
    finished filings share one transaction (``Warehouse.load_filings``, national scale); the
    batch is written before the loop waits for extraction, so finished work never sits idle.
    """
    from crawler import RawStore

    version = parser_version()
    outcomes: list[tuple[str, str, str | None]] = []
    pending: dict[Future, Filing] = {}
    raw = RawStore(raw_root) if raw_root else None

    def finish(filing: Filing, outcome: str, error: str | None) -> None:
        outcomes.append((filing.filing_id, outcome, error))
        if progress is not None:
            progress.filing_done(filing, outcome, error)
        if on_loaded:
            on_loaded(filing, outcome)

    ready: list[FilingResult] = []
    # What is stored, read once (one query per filing is most of a national re-run), kept up to date below.
    states = {} if force else store.filing_states()

    def write_ready() -> None:
        loaded = (store.load_filings(ready, run_id, version) if batch > 1
                  else [loader(store, result, run_id, version) for result in ready])
        for result, outcome in zip(ready, loaded):
            fid = result.filing.filing_id
            if outcome == "loaded" and result.status != "failed":
                states[fid] = (result.filing.sha256, version, result.filing.source_url, result.filing.title)
            elif outcome != "unchanged":
                states.pop(fid, None)
            finish(result.filing, result.status if outcome == "loaded" else outcome, result.error)
        ready.clear()

    def load(future: Future) -> None:
        ready.append(engine.result(pending.pop(future), future))
        if len(ready) >= batch:
            write_ready()

    for filing in filings:
        if progress is not None:
            progress.filing_seen()
        if raw is not None:
            filing = archive_filing(raw, filing)  # kept before processing: nothing is lost
        if not force and states.get(filing.filing_id, ())[:2] == (filing.sha256, version):
            store.mark_unchanged(run_id, filing, states[filing.filing_id][2:])
            finish(filing, "unchanged", None)
            continue
        earlier = [f for f, p in pending.items() if p.filing_id == filing.filing_id]
        if earlier or any(r.filing.filing_id == filing.filing_id for r in ready):
            for future in earlier:  # another version of a filing in flight (a rebuild): in stream order
                wait([future])
                load(future)
            write_ready()
        pending[engine.submit(filing)] = filing
        done = [f for f in pending if f.done()]
        if len(pending) >= window and not done:
            write_ready()
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            load(future)
    for future in as_completed(list(pending)):
        load(future)
        if not any(f.done() for f in pending):
            write_ready()
    write_ready()
    return outcomes


def run_pipeline(
    filings: Iterable[Filing],
    paths: Paths,
    kind: str,
    limits: Limits = Limits(),
    force: bool = False,
    engine: Engine | None = None,
    channels: Sequence["alerts.Channel"] = (),
    on_loaded: Callable[[Filing, str], None] | None = None,
    late_summary: Callable[[], dict] | None = None,
    fresh: bool = False,
    before_publish: Callable[["warehouse.Warehouse", dict], None] | None = None,
    loader: Loader = _load_one,
    progress: Progress | None = None,
    batch: int = LOAD_BATCH,
) -> RunOutcome:
    """One writer run: lock, load, record the run, alert, publish the analysts' copy.

    Without an ``engine`` the filings go to isolated child processes (``limits``);
    ``late_summary`` adds counts known only once ``filings`` is consumed (the crawl's);
    ``fresh`` starts from an empty writer database, the old one moved aside (rebuild);
    ``before_publish`` runs under the writer lock once the run is recorded; ``batch``
    finished filings at most share a load transaction (1 with a custom ``loader``).
    """
    import warehouse

    paths.ensure()
    with warehouse.writer_lock(paths.lock):
        if fresh:
            _move_aside(paths.writer_db)
        with warehouse.Warehouse.open(paths.writer_db) as store:
            run_id = store.start_run(kind)
            batch = batch if loader is _load_one else 1
            try:
                if engine is None:
                    with IsolatedRunner(limits) as runner:
                        outcomes = load_filings(filings, store, run_id, runner, force, on_loaded, paths.raw,
                                                loader=loader, progress=progress, batch=batch)
                else:
                    outcomes = load_filings(filings, store, run_id, engine, force, on_loaded, paths.raw,
                                            loader=loader, progress=progress, batch=batch)
            except BaseException as error:
                try:
                    store.finish_run(run_id, "failed", {}, error=f"{type(error).__name__}: {error}")
                    if channels:
                        import alerts

                        alerts.notify_run_failed(store.con, channels, run_id, error)
                except Exception:  # a full disk that failed the run fails this too: report the first
                    log.exception("could not record run %s as failed", run_id)
                raise
            summary = store.summary(run_id)
            summary.update(late_summary() if late_summary else {})
            if channels:
                import alerts  # here: a run without channels does not pay for templates and transports

                summary["alerts"] = alerts.dispatch(store.con, channels, run_id).summary()
            store.finish_run(run_id, "completed", summary)
            if before_publish:
                before_publish(store, summary)
            store.checkpoint()
        # still under the lock: a run starting now must not race the copy being published
        warehouse.publish(paths.writer_db, paths.db)
    log.info("run %s: %s", run_id, summary)
    return RunOutcome(run_id, summary, outcomes)


def _move_aside(database: Path) -> None:
    """Keep the old writer database (and its WAL) beside the new one, never delete it."""
    for suffix in ("", ".wal"):
        old = database.with_name(database.name + suffix)
        if old.exists():
            old.replace(old.with_name(old.name + ".before-rebuild"))


def ingest(paths: list[Path], db: Path, filing_per_folder: bool = False, force: bool = False,
           channels: Sequence["alerts.Channel"] = (), engine: Engine | None = None,
           progress: Progress | None = None) -> RunOutcome:
    """Local report files or folders into the warehouse."""
    from crawler import RawStore
    from pipeline.local import filings_from_paths, resolve_identities

    state = Paths(db)
    known = archived_filings(RawStore(state.raw)) if state.raw.exists() else ()
    filings = resolve_identities(filings_from_paths(paths, filing_per_folder), known)
    if progress is not None:
        progress.add_total(len(filings))
    return run_pipeline(filings, state, kind="ingest", force=force, engine=engine, channels=channels,
                        progress=progress)


def reprocess(db: Path, force: bool = False, channels: Sequence["alerts.Channel"] = (),
              progress: Progress | None = None, on_loaded: Callable[[Filing, str], None] | None = None,
              batch: int = LOAD_BATCH) -> RunOutcome:
    """Re-extract stored documents after a mapping or rule change; never touches the network.

    Filings whose documents and parser are unchanged are skipped unless ``force``. The stored
    filings stream through in load batches (memory does not grow with the warehouse), each
    batch committed: a reprocess killed half-way, run again, skips what it already re-read
    (those filings carry the new parser version) and does the rest. ``--force`` starts over.
    """
    from crawler import RawStore

    paths = Paths(db)
    raw = RawStore(paths.raw)
    if progress is not None:
        progress.add_total(archived_count(raw))
    return run_pipeline(archived_filings(raw), paths, kind="reprocess", force=force, channels=channels,
                        progress=progress, on_loaded=on_loaded, batch=batch)


def rebuild(db: Path, progress: Progress | None = None) -> RunOutcome:
    """Build the warehouse from scratch out of the raw store (the recovery plan).

    The old writer database is moved aside (not deleted) first.
    """
    from crawler import RawStore

    paths = Paths(db)
    raw = RawStore(paths.raw)
    if progress is not None:
        progress.add_total(archived_count(raw, with_history=True))
    # every version in order, so filing_versions and fact_versions come back as they were
    return run_pipeline(archived_filings(raw, with_history=True), paths, kind="rebuild", force=True, fresh=True,
                        progress=progress)
