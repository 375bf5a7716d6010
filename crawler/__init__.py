"""Crawling government portals for self-assessment reports, politely and incrementally.

:func:`crawl` runs :func:`discover` per portal, then :func:`fetch_filing` per article link;
the pipeline calls :func:`mark_loaded` once a filing is in the warehouse.
"""

from crawler.crawl import (
    changed_filings,
    crawl,
    discover,
    fetch_filing,
    filing_id,
    mark_loaded,
    open_crawler,
    recently_verified,
)
from crawler.detect import classify_title, is_self_assessment
from crawler.fetcher import Fetcher, FetchError, Response
from crawler.models import (
    Article,
    ArticleLink,
    AttachmentLink,
    CrawlSummary,
    DiscoveryResult,
    FetchOutcome,
    Listing,
    PortalSummary,
)
from crawler.platforms import parse_article, parse_listing
from crawler.state import CrawlState
from crawler.store import RawStore

__all__ = [
    "Article", "ArticleLink", "AttachmentLink", "CrawlState", "CrawlSummary", "DiscoveryResult", "FetchError",
    "FetchOutcome", "Fetcher", "Listing", "PortalSummary", "RawStore", "Response", "changed_filings", "classify_title", "crawl",
    "discover", "fetch_filing", "filing_id", "is_self_assessment", "mark_loaded", "open_crawler", "parse_article",
    "parse_listing", "recently_verified",
]
