"""The nightly flow: crawl the configured portals, then extract, check, load and alert.

Network IO (discover, fetch) is separate from parsing so each can be retried on its own:
Prefect retries only the network tasks. Filings stream from the crawl into the pipeline,
and a filing is marked loaded in the crawler's state only after the warehouse holds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

import alerts
import crawler
from flows.ingest import RunOutcome, run_pipeline
from flows.pipeline import Limits
from flows.settings import channels_of, settings
from core.config import Config, PortalConfig
from core.paths import Paths
from core.records import Filing

DEMO_PORT = 18731  # the bundled sample portal, on 127.0.0.1
PORTAL_DOWN_NIGHTS = 3  # alert when a portal was unreachable this many runs in a row
_DOWN = {"down", "blocked", "timeout", "js-shell", "robots", "not_allowed"}


@task(name="discover", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10),
      cache_policy=NO_CACHE, task_run_name="discover {portal.name}")
def discover_task(portal: PortalConfig, fetcher: "crawler.Fetcher") -> "crawler.DiscoveryResult":
    return crawler.discover(portal, fetcher)


@task(name="fetch", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10),
      cache_policy=NO_CACHE, task_run_name="fetch {link.url}")
def fetch_task(portal: PortalConfig, link: "crawler.ArticleLink", fetcher: "crawler.Fetcher",
               store: "crawler.RawStore") -> "crawler.FetchOutcome":
    return crawler.fetch_filing(portal, link, fetcher, store)


def crawled_filings(
    portals: tuple[PortalConfig, ...], fetcher, store, summary: "crawler.CrawlSummary", force: bool,
    recheck_days: float = 0.0,
) -> Iterator[Filing]:
    """Filings as their articles are fetched; unchanged ones are counted, not yielded.

    An article loaded before and listed unchanged is not fetched at all until ``recheck_days``
    have passed since its content was last verified (``force`` fetches everything).
    """
    discoveries = [(portal, discover_task.submit(portal, fetcher)) for portal in portals]
    fetches = []
    for portal, future in discoveries:
        found = future.result()
        summary.add_discovery(portal.name, found)
        for link in found.articles:
            known = None if force else crawler.recently_verified(link, fetcher, recheck_days)
            if known:
                summary.add_known(portal.name, known)
            else:
                fetches.append((portal, fetch_task.submit(portal, link, fetcher, store)))
    for portal, future in fetches:
        outcome = future.result()
        summary.add_fetch(portal.name, outcome)
        if outcome.filing is not None and (outcome.changed or force):
            yield outcome.filing


def _portal_history(store, name: str) -> list[str]:
    rows = store.con.execute(
        "SELECT summary FROM runs WHERE kind IN ('crawl', 'demo') AND summary IS NOT NULL ORDER BY started_at"
    ).fetchall()
    return [json.loads(summary).get("portal_status", {}).get(name, "ok") for (summary,) in rows]


def _alert_portals_down(store, channels, statuses: dict[str, str]) -> None:
    """Alert a portal that has just reached PORTAL_DOWN_NIGHTS failed runs in a row (tonight included)."""
    for name, status in statuses.items():
        if status not in _DOWN:
            continue
        nights = alerts.consecutive_failures(_portal_history(store, name))
        if nights == PORTAL_DOWN_NIGHTS:  # one notice per outage, not a nightly reminder
            alerts.notify_portal_down(store.con, channels, name, nights, error=status)


def crawl_and_load(config: Config, paths: Paths, kind: str = "crawl", force: bool = False,
                   limits: Limits = Limits(), isolate: bool = True) -> RunOutcome:
    logger = get_run_logger()
    channels = channels_of(config)
    fetcher, store = crawler.open_crawler(paths, config.crawler)
    summary = crawler.CrawlSummary()
    with fetcher:
        filings = crawled_filings(config.portals, fetcher, store, summary, force, config.crawler.recheck_days)
        outcome = run_pipeline(
            filings, paths, kind=kind, limits=limits, force=force, channels=channels, isolate=isolate,
            # a failed filing is looked at again every night: the portal may fix the file in place
            on_loaded=lambda filing, outcome: crawler.mark_loaded(fetcher, filing, verified=outcome != "failed"),
            late_summary=lambda: crawl_summary(summary),
            before_publish=(lambda wh, totals: _alert_portals_down(wh, channels, totals.get("portal_status", {})))
            if channels else None,
        )
    for row in summary.rows():
        logger.info("portal %s", row)
    return outcome


def crawl_summary(summary: "crawler.CrawlSummary") -> dict:
    totals = summary.totals
    return {
        "portals": len(summary.portals),
        "list_pages": totals.pages,
        "report_articles": totals.reports,
        "articles_unchanged": totals.reports - totals.changed,
        "articles_not_refetched": totals.known,
        "documents_downloaded": totals.downloaded,
        "documents_not_modified": totals.not_modified,
        "bytes_downloaded": totals.bytes,
        "skipped_articles": dict(totals.skipped),
        "portal_status": {name: row.status for name, row in summary.portals.items()},
        "crawl_errors": len(totals.errors),
    }


@flow(name="jixiao-nightly", task_runner=ThreadPoolTaskRunner(max_workers=8))
def nightly_flow(config_path: str | None = None, db: str = "jixiao.duckdb", portal_args: list[str] | None = None,
                 force: bool = False, dask_address: str | None = None) -> RunOutcome:
    """One pass over the portals: crawl, fetch, extract, map, check, load, alert."""
    from core.config import portal_from_arg

    config = settings(config_path, required=not portal_args)
    if portal_args:
        from dataclasses import replace

        config = replace(config, portals=tuple(portal_from_arg(arg) for arg in portal_args))
    return crawl_and_load(config, Paths(Path(db)), force=force, isolate=not dask_address)


def _notify_failed_run(flow, flow_run, state) -> None:
    """Flow-run state hook: a run that fails or crashes is alerted on every channel."""
    params = getattr(flow_run, "parameters", {}) or {}
    try:
        config = settings(params.get("config_path"))
        channels = channels_of(config)
    except Exception:  # a broken config is itself the likely failure; nothing to alert with
        return
    if channels:
        alerts.notify_run_failed(None, channels, str(flow_run.name), state.message or "run failed")


nightly_flow = nightly_flow.with_options(on_failure=[_notify_failed_run], on_crashed=[_notify_failed_run])


@flow(name="jixiao-demo", task_runner=ThreadPoolTaskRunner(max_workers=8),
      on_failure=[_notify_failed_run], on_crashed=[_notify_failed_run])
def demo_flow(db: str = "jixiao.duckdb", config_path: str | None = None) -> RunOutcome:
    """Serve the bundled sample portal on 127.0.0.1, crawl it end to end, stop the server."""
    import tempfile
    from dataclasses import replace

    from jixiao.samples.portal import build_site, serve_portal

    config = settings(config_path)
    with tempfile.TemporaryDirectory(prefix="jixiao-portal-") as site_dir:
        site = build_site(Path(site_dir) / "site")
        # A stable address keeps the sample filings' ids stable: a second demo changes nothing.
        base_url, stop = serve_portal(site.root, port=DEMO_PORT)
        try:
            config = replace(config, portals=(site.portal(base_url),))
            outcome = crawl_and_load(config, Paths(Path(db)), kind="demo")
        finally:
            stop()
    outcome.summary["sample_portal"] = base_url
    return outcome
