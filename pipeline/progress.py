"""A run's progress: counted here, shown live on a terminal or as one log line per filing.

The pipeline calls the same few methods whatever the display; the CLI picks the display
(``LiveProgress`` on a terminal, ``LineProgress`` elsewhere, ``Progress`` itself for -q) and
the nightly flow passes a ``LineProgress`` writing to Prefect's run logger.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.records import Filing
    from crawler import CrawlSummary


class Progress:
    """The counts; shows nothing (``-q``)."""

    def __init__(self) -> None:
        self.total = 0
        self.seen = 0
        self.done = 0
        self.failed = 0
        self.portals = 0
        self.list_pages = 0
        self.documents = 0
        self.to_fetch = 0
        self.started = time.monotonic()

    def add_total(self, count: int) -> None:
        self.total += count
        self.changed()

    def filing_seen(self) -> None:
        self.seen += 1
        self.total = max(self.total, self.seen)
        self.changed()

    def crawled(self, summary: "CrawlSummary", to_fetch: int) -> None:
        """The crawl's counts so far; ``to_fetch`` articles are queued (each may be a filing)."""
        totals = summary.totals
        self.portals, self.list_pages, self.documents = len(summary.portals), totals.pages, totals.downloaded
        self.total = max(self.total, self.seen + to_fetch)
        self.changed()

    def filing_done(self, filing: "Filing", outcome: str, error: str | None) -> None:
        self.done += 1
        self.failed += outcome == "failed"
        self.total = max(self.total, self.done)
        self.changed()
        self.line(filing, outcome, error)

    def eta_s(self) -> float | None:
        if not self.done or self.total <= self.done:
            return None
        return (time.monotonic() - self.started) / self.done * (self.total - self.done)

    def changed(self) -> None:
        """The counts moved (a live display redraws)."""

    def line(self, filing: "Filing", outcome: str, error: str | None) -> None:
        """One filing finished (a log display writes a line)."""

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        pass


class LineProgress(Progress):
    """One line per filing to a logger: text for people, JSON objects for machines."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter, as_json: bool = False):
        super().__init__()
        self.logger = logger
        self.as_json = as_json

    def line(self, filing: "Filing", outcome: str, error: str | None) -> None:
        eta = self.eta_s()
        if self.as_json:
            self.logger.info(json.dumps({
                "event": "filing", "filing_id": filing.filing_id, "title": filing.title, "outcome": outcome,
                "error": error, "done": self.done, "total": self.total, "failed": self.failed,
                "eta_s": None if eta is None else round(eta, 1),
            }, ensure_ascii=False))
            return
        text = f"filing {self.done}/{self.total} {outcome}: {filing.title or filing.source_url} ({filing.filing_id})"
        if error:
            text += f" — {error}"
        if eta is not None:
            text += f"; about {eta:.0f} s left"
        self.logger.info(text)


class LiveProgress(Progress):
    """A rich display redrawn in place: crawl counts, filings done/total, failures, ETA."""

    def __init__(self, console) -> None:
        super().__init__()
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._display = RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[extra]}"),
            TimeRemainingColumn(), console=console, transient=False,
        )
        self._task = self._display.add_task("filings", total=None, extra="")

    def changed(self) -> None:
        crawl = (f"portals {self.portals} · list pages {self.list_pages} · documents {self.documents} · "
                 if self.portals else "")
        failed = f"[red]failed {self.failed}[/]" if self.failed else "failed 0"
        self._display.update(self._task, completed=self.done, total=self.total or None,
                             extra=f"{crawl}{failed}")

    def __enter__(self) -> "LiveProgress":
        self._display.start()
        return self

    def __exit__(self, *exc) -> None:
        self._display.stop()
