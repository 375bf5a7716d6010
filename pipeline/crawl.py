"""One pass over the portals: crawl, then extract, check, load and alert (``jixiao run``).

Filings stream from the crawl into the load loop, and a filing is marked loaded in the
crawler's state only after the warehouse holds it. ``flows/crawl.py`` runs the same
function as the scheduled Prefect flow, with its discover/fetch/process steps as tasks.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from core.config import Config
from core.paths import Paths
from pipeline.load import Engine, Loader, RunOutcome, _load_one, run_pipeline
from pipeline.process import Limits
from pipeline.progress import Progress
from pipeline.settings import channels_of

if TYPE_CHECKING:
    import crawler

log = logging.getLogger("jixiao")

PORTAL_DOWN_NIGHTS = 3  # alert when a portal was unreachable this many runs in a row
DOWN_STATUSES = frozenset({"down", "blocked", "timeout", "js-shell", "robots", "not_allowed"})
FETCH_THREADS = 8  # portals are fetched side by side; each host is rate-limited by the fetcher


def _alert_portals_down(store, channels, statuses: dict[str, str]) -> None:
    """Alert a portal that has just reached PORTAL_DOWN_NIGHTS failed runs in a row (tonight included)."""
    import alerts

    for name, status in statuses.items():
        if status not in DOWN_STATUSES:
            continue
        nights = alerts.consecutive_failures(store.portal_statuses(name))
        if nights == PORTAL_DOWN_NIGHTS:  # one notice per outage, not a nightly reminder
            alerts.notify_portal_down(store.con, channels, name, nights, error=status)


def crawl_and_load(config: Config, paths: Paths, kind: str = "crawl", force: bool = False,
                   limits: Limits = Limits(), engine: Engine | None = None, submit=None,
                   loader: Loader = _load_one, progress: Progress | None = None,
                   logger: logging.Logger | logging.LoggerAdapter = log) -> RunOutcome:
    """Crawl ``config.portals`` into the warehouse; ``submit`` runs discover/fetch (default: threads)."""
    import crawler

    channels = channels_of(config)
    fetcher, store = crawler.open_crawler(paths, config.crawler)
    summary = crawler.CrawlSummary()
    on_progress = (lambda to_fetch: progress.crawled(summary, to_fetch)) if progress is not None else None
    with fetcher, _threads(submit) as run_step:
        outcomes = crawler.crawl_portals(config.portals, fetcher, store, summary, force, config.crawler.recheck_days,
                                 submit=run_step, on_progress=on_progress)
        outcome = run_pipeline(
            crawler.changed_filings(outcomes, force), paths, kind=kind, limits=limits, force=force, engine=engine,
            channels=channels,
            # a failed filing is looked at again every night: the portal may fix the file in place
            on_loaded=lambda filing, outcome: crawler.mark_loaded(fetcher, filing, verified=outcome != "failed"),
            late_summary=lambda: crawl_summary(summary),
            before_publish=(lambda wh, totals: _alert_portals_down(wh, channels, totals.get("portal_status", {})))
            if channels else None,
            loader=loader, progress=progress,
        )
    for row in summary.rows():
        logger.info("portal %s", row)
    return outcome


@contextmanager
def _threads(submit) -> Iterator:
    if submit is not None:
        yield submit
        return
    with ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="jixiao-fetch") as pool:
        yield pool.submit


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


def with_portal_args(config: Config, portal_args: list[str] | None) -> Config:
    """``--portal NAME=URL`` arguments replace the config's portals."""
    from core.config import portal_from_arg

    if not portal_args:
        return config
    return replace(config, portals=tuple(portal_from_arg(arg) for arg in portal_args))
