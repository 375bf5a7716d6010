"""The scheduled nightly flow: ``pipeline.crawl.crawl_and_load`` with its steps as Prefect tasks.

Network IO (discover, fetch) is separate from parsing so each can be retried on its own:
Prefect retries only the network tasks. What the run does is the plain pipeline's; this
module only decides how its steps are submitted, so they show in the Prefect UI.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

import alerts
import crawler
from core.paths import Paths
from core.records import Filing, FilingResult
from pipeline.crawl import crawl_and_load, with_portal_args
from pipeline.load import DaskEngine, RunOutcome
from pipeline.process import IsolatedRunner, Limits
from pipeline.progress import LineProgress
from pipeline.settings import channels_of, settings

discover_task = task(crawler.discover, name="discover", retries=2, cache_policy=NO_CACHE,
                     retry_delay_seconds=exponential_backoff(backoff_factor=10),
                     task_run_name="discover {portal.name}")
fetch_task = task(crawler.fetch_filing, name="fetch", retries=2, cache_policy=NO_CACHE,
                  retry_delay_seconds=exponential_backoff(backoff_factor=10), task_run_name="fetch {link.url}")
_TASKS = {crawler.discover: discover_task, crawler.fetch_filing: fetch_task}


@task(name="extract-map-check", cache_policy=NO_CACHE, task_run_name="process {filing.filing_id}")
def process_task(filing: Filing, runner: IsolatedRunner) -> FilingResult:
    return runner.result(filing, runner.submit(filing))


@task(name="load", cache_policy=NO_CACHE, task_run_name="load {result.filing.filing_id}")
def load_task(store, result: FilingResult, run_id: str, version: str) -> str:
    return store.load_filing(result, run_id, version)


def _as_future(prefect_future) -> Future:
    """A Prefect future as a standard one, so the plain load loop can wait on it."""
    future: Future = Future()

    def settle(done) -> None:
        try:
            future.set_result(done.result())
        except BaseException as error:
            future.set_exception(error)

    prefect_future.add_done_callback(settle)
    return future


def submit_task(function, *args) -> Future:
    return _as_future(_TASKS[function].submit(*args))


class TaskEngine:
    """Each filing an ``extract-map-check`` task (in an isolated child when given a runner)."""

    def __init__(self, runner: IsolatedRunner):
        self.runner = runner

    def submit(self, filing: Filing) -> Future:
        return _as_future(process_task.submit(filing, self.runner))

    def result(self, filing: Filing, future: Future) -> FilingResult:
        try:
            return future.result()
        except Exception as error:
            return FilingResult(filing, "failed", f"task failed: {type(error).__name__}: {error}")


@flow(name="jixiao-nightly", task_runner=ThreadPoolTaskRunner(max_workers=8))
def nightly_flow(config_path: str | None = None, db: str = "jixiao.duckdb", portal_args: list[str] | None = None,
                 force: bool = False, dask_address: str | None = None) -> RunOutcome:
    """One pass over the portals: crawl, fetch, extract, map, check, load, alert.

    With ``dask_address`` the extraction goes to that cluster through ``pipeline.load.DaskEngine``
    (what the plain ``jixiao run --dask`` uses) while discover, fetch and load stay tasks here:
    a flow-wide Dask task runner would ship the fetch tasks, crawl store and all, to the workers.
    """
    config = with_portal_args(settings(config_path, required=not portal_args), portal_args)
    logger = get_run_logger()
    progress = LineProgress(logger)
    options = dict(submit=submit_task, loader=load_task, progress=progress, logger=logger)
    if dask_address:
        with DaskEngine(dask_address) as engine:
            outcome = crawl_and_load(config, Paths(Path(db)), force=force, engine=engine, **options)
    else:
        with IsolatedRunner(Limits()) as runner:
            outcome = crawl_and_load(config, Paths(Path(db)), force=force, engine=TaskEngine(runner), **options)
    rows = [{"metric": key, "value": str(value)} for key, value in outcome.summary.items()]
    create_table_artifact(key="jixiao-run-summary", table=rows, description=f"jixiao run {outcome.run_id}")
    return outcome


def _notify_failed_run(flow, flow_run, state) -> None:
    """Flow-run state hook: a run that fails or crashes is alerted on every channel."""
    params = getattr(flow_run, "parameters", {}) or {}
    try:
        channels = channels_of(settings(params.get("config_path")))
    except Exception:  # a broken config is itself the likely failure; nothing to alert with
        return
    if channels:
        alerts.notify_run_failed(None, channels, str(flow_run.name), state.message or "run failed")


nightly_flow = nightly_flow.with_options(on_failure=[_notify_failed_run], on_crashed=[_notify_failed_run])

