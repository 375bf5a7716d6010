"""Choosing the CMS module for a page: the portal's ``platform`` hint, or detection."""

from __future__ import annotations

from types import ModuleType

from crawler import hanweb, numeric, trs
from crawler import html as common
from crawler.models import Article, Listing

MODULES: dict[str, ModuleType] = {"trs": trs, "numeric": numeric, "hanweb": hanweb}


def module_for(html: str, platform: str = "auto") -> ModuleType | None:
    if platform in MODULES:
        return MODULES[platform]
    for module in MODULES.values():
        if module.detect(html):
            return module
    return None


def is_article_url(url: str) -> bool:
    return any(module.is_article_url(url) for module in MODULES.values())


def parse_listing(html: str, base_url: str, platform: str = "auto") -> Listing:
    module = module_for(html, platform)
    if module is not None:
        listing = module.parse_listing(html, base_url)
        if listing.articles or platform != "auto":
            return listing
    # Unknown template: any link in the grammar of a known CMS, and plain "下一页" links.
    page = common.soup(html)
    return Listing(
        articles=common.list_items(page, base_url, is_article_url),
        next_pages=list(dict.fromkeys(common.next_links(page, base_url))),
    )


def parse_article(html: str, url: str, platform: str = "auto") -> Article:
    module = module_for(html, platform)
    return module.parse_article(html, url) if module else common.parse_article(html, url)
