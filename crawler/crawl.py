"""The crawl as plain functions: discover, fetch_filing, mark_loaded, and the one loop over them.

A portal that is down, blocks us or serves a JavaScript shell ends as a status in its
:class:`DiscoveryResult`; nothing here raises for one portal's trouble.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from crawler import platforms
from crawler.detect import classify_title, is_self_assessment
from crawler.fetcher import Fetcher, FetchError, host_allowed
from crawler.html import display_name, looks_like_js_shell, soup, url_extension
from crawler.models import ArticleLink, CrawlSummary, DiscoveryResult, FetchOutcome
from crawler.state import CrawlState, now_iso
from crawler.store import RawStore
from core.config import CrawlerSettings, PortalConfig
from core.paths import Paths
from core.records import Document, Filing

Submit = Callable[..., Future]

_HTML_SHELL = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n'


def open_crawler(paths: Paths, settings: CrawlerSettings | None = None) -> tuple[Fetcher, RawStore]:
    """A fetcher remembering validators in ``crawl.sqlite3`` and the raw store beside the database."""
    paths.ensure()
    return Fetcher(settings, CrawlState(paths.crawl_state)), RawStore(paths.raw)


def filing_id(url: str) -> str:
    """Stable across runs and across http/https, default ports and fragments."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    key = f"{host}{port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return "web-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def discover(portal: PortalConfig, fetcher: Fetcher) -> DiscoveryResult:
    """Walk the portal's list pages (at most ``max_pages``) for report article links."""
    result = DiscoveryResult()
    queue = deque(portal.start_urls)
    queued = set(queue)
    kept: dict[str, ArticleLink] = {}
    seen_links: set[str] = set()
    failures: list[FetchError] = []
    shells = 0
    while queue and result.pages < portal.max_pages:
        url = queue.popleft()
        try:
            response = fetcher.page(url, portal)
        except FetchError as error:
            failures.append(error)
            result.problems.append(f"list page {error}")
            continue
        result.pages += 1
        html = response.text()
        listing = platforms.parse_listing(html, response.final_url, portal.platform)
        if not listing.articles and looks_like_js_shell(soup(html), html):
            shells += 1
            result.problems.append(f"list page {url}: JavaScript-only page, nothing to read without a browser")
        for link in listing.articles:
            if link.url in seen_links:
                continue
            seen_links.add(link.url)
            verdict = classify_title(link.title)
            if verdict == "other" and portal.report_column:
                verdict = "maybe"  # a department name alone: the article's body and attachments decide
            if verdict in ("report", "maybe"):
                kept[link.url] = link
            else:
                result.skipped[verdict] += 1
        for page in listing.next_pages:
            if page not in queued and host_allowed(page, portal.allowed_hosts):
                queued.add(page)
                queue.append(page)
    if queue:
        result.problems.append(f"stopped at max_pages={portal.max_pages}; {len(queue)} list page(s) not walked")
    result.articles = list(kept.values())
    result.status = _portal_status(result, failures, shells)
    return result


def _portal_status(result: DiscoveryResult, failures: list[FetchError], shells: int) -> str:
    if result.pages == 0 and failures:
        return failures[0].kind if failures[0].kind in ("blocked", "timeout", "robots", "not_allowed") else "down"
    if shells and shells == result.pages:
        return "js-shell"
    if failures or shells:
        return "partial"
    return "ok" if result.articles or result.skipped else "empty"


def fetch_filing(portal: PortalConfig, link: ArticleLink, fetcher: Fetcher, store: RawStore) -> FetchOutcome:
    """The article page and its attachments (or inline report) as a :class:`Filing`.

    A failed attachment is noted in ``errors`` and the filing kept with the others.
    """
    outcome = FetchOutcome(link=link)
    try:
        page = fetcher.page(link.url, portal)
    except FetchError as error:
        outcome.errors.append(f"article {error}")
        outcome.status = error.kind if error.kind in ("blocked", "robots") else "failed"
        return outcome
    article = platforms.parse_article(page.text(), page.final_url, portal.platform)
    names = tuple(attachment.name for attachment in article.attachments)
    if not any(is_self_assessment(title, article.body_text, names) for title in (link.title, article.title)):
        outcome.skipped, outcome.status = "not_report", "skipped"
        fetcher.state.note_article(link.url, listing_key(link), "not_report", verified=True)
        return outcome
    title = link.title if len(link.title) >= len(article.title) else article.title
    if classify_title(title) != "report":  # "古丈县财政局": the report's own name says more
        title = next((name.rsplit(".", 1)[0] for name in names if classify_title(name) == "report"), title)
    documents: list[Document] = []
    for attachment in article.attachments:
        ext = url_extension(attachment.url) or url_extension("http://x/" + attachment.name)
        try:
            response = fetcher.document(attachment.url, portal, store, ext)
        except FetchError as error:
            outcome.errors.append(f"{attachment.name}: {error}")
            continue
        if response.not_modified:
            outcome.not_modified += 1
        else:
            outcome.downloaded += 1
            outcome.bytes += response.size
        name = attachment.name
        if not re.search(r"[\u4e00-\u9fff]", name):  # opaque server names: W0….pdf, hex.pdf
            name = display_name(response.filename or title, response.final_url) if response.filename else (
                f"{title}.{response.path.suffix.lstrip('.')}"
            )
        documents.append(Document(path=response.path, name=name, sha256=response.sha256, source_url=attachment.url))
    inline = None
    if not article.attachments:
        if article.has_inline_report:
            inline = _save_inline(title, article.body_html, page.final_url, store)
        else:
            outcome.errors.append(f"article {link.url}: no attachment and no report text in the page")
    filing = Filing(
        filing_id=filing_id(link.url),
        source_url=link.url,
        documents=documents,
        portal=portal.name,
        region=portal.region,
        department=portal.department,
        title=title,
        published_at=article.published_at or link.date,
        fetched_at=now_iso(),
        inline_html=inline,
    )
    outcome.filing = filing
    outcome.changed = fetcher.state.loaded_sha256(filing.filing_id) != filing.sha256
    if outcome.errors:
        outcome.status = "partial" if filing.all_documents else "failed"
    # An article with a failed attachment is fetched again next night, however old its entry.
    fetcher.state.note_article(link.url, None if outcome.errors else listing_key(link), "report",
                               verified=not outcome.changed)
    return outcome


def listing_key(link: ArticleLink) -> str:
    """What the list page says of an article: a new title or date there means look again."""
    return f"{link.date or ''}|{link.title}"


def recently_verified(link: ArticleLink, fetcher: Fetcher, recheck_days: float) -> str | None:
    """``report`` (loaded) or ``not_report`` when this same list entry was verified within
    ``recheck_days``: no need to fetch it tonight. None: fetch it."""
    if recheck_days <= 0:
        return None
    since = (datetime.now(timezone.utc) - timedelta(days=recheck_days)).isoformat(timespec="seconds")
    return fetcher.state.verified_since(link.url, listing_key(link), since)


def _save_inline(title: str, body_html: str, url: str, store: RawStore) -> Document:
    from html import escape

    content = _HTML_SHELL.format(title=escape(title), body=body_html).encode("utf-8")
    path, sha256, _ = store.put_bytes(content, "html")
    return Document(path=path, name=f"{title}.html", sha256=sha256, source_url=url)


def mark_loaded(fetcher: Fetcher, filing: Filing, verified: bool = True) -> None:
    """Record that the warehouse holds this filing's content: next time it is ``changed=False``;
    ``verified`` lets its article go unfetched for ``recheck_days`` (not for a failed filing)."""
    fetcher.state.mark_loaded(filing.filing_id, filing.source_url, filing.sha256, verified)


def _call_now(function, *args) -> Future:
    """Run ``function`` here and now; its result (or exception) as a finished future."""
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except BaseException as error:  # delivered by .result(), as an executor would
        future.set_exception(error)
    return future


def crawl_portals(
    portals: Iterable[PortalConfig], fetcher: Fetcher, store: RawStore, summary: CrawlSummary,
    force: bool = False, recheck_days: float = 0.0, submit: Submit = _call_now,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[FetchOutcome]:
    """Every portal's article fetches, as they finish (the one crawl loop: CLI, flow, tests, bench).

    ``submit(function, *args)`` decides how work runs: here and now (the default), a thread
    pool's ``submit``, or a Prefect task's. Every portal is discovered first, then articles
    are fetched; an article loaded before and listed unchanged is not fetched at all until
    ``recheck_days`` have passed since it was last verified (``force`` fetches everything).
    ``on_progress(articles still to fetch)`` follows the counts in ``summary``.
    """
    discoveries = [(portal, submit(discover, portal, fetcher)) for portal in portals]
    fetches = []
    for portal, future in discoveries:
        found = future.result()
        summary.add_discovery(portal.name, found)
        for link in found.articles:
            known = None if force else recently_verified(link, fetcher, recheck_days)
            if known:
                summary.add_known(portal.name, known)
            else:
                fetches.append((portal, submit(fetch_filing, portal, link, fetcher, store)))
        if on_progress:
            on_progress(len(fetches))
    for number, (portal, future) in enumerate(fetches, 1):
        outcome = future.result()
        summary.add_fetch(portal.name, outcome)
        if on_progress:
            on_progress(len(fetches) - number)
        yield outcome


def changed_filings(outcomes: Iterable[FetchOutcome], force: bool = False) -> Iterator[Filing]:
    """The fetched filings whose content differs from what the warehouse holds (all with ``force``)."""
    for outcome in outcomes:
        if outcome.filing is not None and (outcome.changed or force):
            yield outcome.filing
