"""Records the crawler passes around: what a list page and an article page yield, and what a crawl did."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.records import Filing


@dataclass(frozen=True)
class ArticleLink:
    url: str
    title: str
    date: str | None = None  # ISO date printed next to the link on the list page


@dataclass
class Listing:
    articles: list[ArticleLink] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AttachmentLink:
    url: str
    name: str  # the published name (title / link text), never used as a path


@dataclass
class Article:
    title: str
    published_at: str | None  # ISO date from the page (meta PubDate or printed date), not the URL
    body_text: str
    body_html: str
    attachments: list[AttachmentLink] = field(default_factory=list)

    @property
    def has_inline_report(self) -> bool:
        """Report text or tables published in the body itself."""
        return "<table" in self.body_html.lower() or len(self.body_text) > 400


@dataclass
class DiscoveryResult:
    """Article links worth fetching from one portal's list pages."""

    articles: list[ArticleLink] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    status: str = "ok"  # ok | partial | blocked | js-shell | down | timeout | robots | empty


@dataclass
class FetchOutcome:
    """What fetching one article gave: a filing (or why not) and whether anything changed.

    ``changed`` is False when every document (and the inline body) has the content hash that
    was last marked loaded (:func:`crawler.mark_loaded`), so the flow may skip the filing.
    """

    link: ArticleLink
    filing: Filing | None = None
    changed: bool = True
    skipped: str | None = None  # reason the article is not a report, after reading its body
    errors: list[str] = field(default_factory=list)  # per-document problems; the filing is kept
    downloaded: int = 0
    not_modified: int = 0
    bytes: int = 0
    status: str = "ok"  # ok | partial | skipped | failed | blocked | robots


@dataclass
class PortalSummary:
    status: str = "ok"
    pages: int = 0
    articles: int = 0
    reports: int = 0
    changed: int = 0
    known: int = 0  # listed as when last loaded and verified within recheck_days: not fetched
    skipped: Counter = field(default_factory=Counter)
    downloaded: int = 0
    not_modified: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class CrawlSummary:
    """Counts for the run summary, per portal."""

    portals: dict[str, PortalSummary] = field(default_factory=dict)

    def portal(self, name: str) -> PortalSummary:
        return self.portals.setdefault(name, PortalSummary())

    def add_discovery(self, portal: str, result: DiscoveryResult) -> None:
        row = self.portal(portal)
        row.status = result.status
        row.pages += result.pages
        row.articles += len(result.articles)
        row.skipped.update(result.skipped)
        row.errors += result.problems

    def add_fetch(self, portal: str, outcome: FetchOutcome) -> None:
        row = self.portal(portal)
        row.downloaded += outcome.downloaded
        row.not_modified += outcome.not_modified
        row.bytes += outcome.bytes
        row.errors += outcome.errors
        if outcome.skipped:
            row.skipped[outcome.skipped] += 1
        if outcome.filing is not None:
            row.reports += 1
            row.changed += outcome.changed
        if outcome.status in ("blocked", "failed") and row.status == "ok":
            row.status = "partial"

    def add_known(self, portal: str, kind: str) -> None:
        """An article verified recently under the same list entry, not fetched tonight."""
        row = self.portal(portal)
        if kind == "report":
            row.reports += 1
            row.known += 1
        else:
            row.skipped[kind] += 1

    @property
    def totals(self) -> PortalSummary:
        total = PortalSummary(status="")
        for row in self.portals.values():
            for name in ("pages", "articles", "reports", "changed", "known", "downloaded", "not_modified", "bytes"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
            total.skipped.update(row.skipped)
            total.errors += row.errors
        return total

    def rows(self) -> list[dict]:
        """One plain dict per portal, for a table or a Prefect artifact."""
        return [
            {
                "portal": name,
                "status": row.status,
                "pages": row.pages,
                "articles": row.articles,
                "reports": row.reports,
                "changed": row.changed,
                "not_refetched": row.known,
                "skipped": ", ".join(f"{k} {v}" for k, v in sorted(row.skipped.items())),
                "downloaded": row.downloaded,
                "not_modified": row.not_modified,
                "bytes": row.bytes,
                "errors": len(row.errors),
            }
            for name, row in self.portals.items()
        ]
