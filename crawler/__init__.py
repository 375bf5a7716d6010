"""Crawling government portals for self-assessment reports, politely and incrementally.

:func:`crawl_portals` runs :func:`discover` per portal, then :func:`fetch_filing` per article link;
the pipeline calls :func:`mark_loaded` once a filing is in the warehouse.
"""

import importlib
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562): reading the raw store must not import the HTTP stack.
_HOME = {
    **dict.fromkeys(["changed_filings", "crawl_portals", "discover", "fetch_filing", "filing_id", "mark_loaded", "open_crawler", "recently_verified"], "crawler.crawl"),
    **dict.fromkeys(["classify_title", "is_self_assessment"], "crawler.detect"),
    **dict.fromkeys(["Fetcher", "FetchError", "Response"], "crawler.fetcher"),
    **dict.fromkeys(["Article", "ArticleLink", "AttachmentLink", "CrawlSummary", "DiscoveryResult", "FetchOutcome", "Listing", "PortalSummary"], "crawler.models"),
    **dict.fromkeys(["parse_article", "parse_listing"], "crawler.platforms"),
    **dict.fromkeys(["CrawlState"], "crawler.state"),
    **dict.fromkeys(["RawStore"], "crawler.store"),
}

if TYPE_CHECKING:
    from crawler.crawl import changed_filings, crawl_portals, discover, fetch_filing, filing_id, mark_loaded, open_crawler, recently_verified  # noqa: F401
    from crawler.detect import classify_title, is_self_assessment  # noqa: F401
    from crawler.fetcher import Fetcher, FetchError, Response  # noqa: F401
    from crawler.models import Article, ArticleLink, AttachmentLink, CrawlSummary, DiscoveryResult, FetchOutcome, Listing, PortalSummary  # noqa: F401
    from crawler.platforms import parse_article, parse_listing  # noqa: F401
    from crawler.state import CrawlState  # noqa: F401
    from crawler.store import RawStore  # noqa: F401


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'crawler' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Article", "ArticleLink", "AttachmentLink", "CrawlState", "CrawlSummary", "DiscoveryResult", "FetchError",
    "FetchOutcome", "Fetcher", "Listing", "PortalSummary", "RawStore", "Response", "changed_filings", "classify_title", "crawl_portals",
    "discover", "fetch_filing", "filing_id", "is_self_assessment", "mark_loaded", "open_crawler", "parse_article",
    "parse_listing", "recently_verified",
]
