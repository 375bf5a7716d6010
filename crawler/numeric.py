"""Hunan numeric-path CMS (Yueyang city and counties, Xiangtan, Yiyang, 资兴).

Columns are ``/<id>/<id>/…/index.htm`` or ``default.htm``; page n ≥ 2 is
``index_{n-1}.htm`` (``default_{n-1}.htm``), announced as "N/M页" in ``div#pagination``.
Articles are ``…/content_<id>.html``; uploads ``/uploadfiles/YYYYMM/<timestamp>.pdf``.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit

from crawler import html as common
from crawler.models import Article, Listing

ARTICLE_URL = re.compile(r"/content_\d+\.s?html?$", re.IGNORECASE)
_PAGE_COUNT = re.compile(r"(\d+)\s*/\s*(\d+)\s*页")
_PAGE_FILE = re.compile(r"^(index|default)(?:_(\d+))?\.(html?|jsp)$", re.IGNORECASE)


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_URL.search(urlsplit(url).path))


def detect(html: str) -> bool:
    return bool(re.search(r"content_\d+\.s?html?", html)) or bool(_PAGE_COUNT.search(html))


def pager_pages(page_text: str, base_url: str) -> list[str]:
    """The other pages of an "N/M页" pager, named after the current list file."""
    match = _PAGE_COUNT.search(page_text)
    if not match:
        return []
    current, count = int(match.group(1)), int(match.group(2))
    path = urlsplit(base_url).path
    file_match = _PAGE_FILE.match(posixpath.basename(path))
    stem, ext = (file_match.group(1), file_match.group(3)) if file_match else ("index", "htm")
    folder = base_url if path.endswith("/") else urljoin(base_url, ".")
    pages = [f"{stem}.{ext}"] + [f"{stem}_{n - 1}.{ext}" for n in range(2, count + 1)]
    return [urljoin(folder, name) for n, name in enumerate(pages, start=1) if n != current]


def parse_listing(html: str, base_url: str) -> Listing:
    page = common.soup(html)
    pager = page.select_one("#pagination") or page
    next_pages = pager_pages(common.clean(pager.get_text(" ")), base_url) + common.next_links(page, base_url)
    return Listing(
        articles=common.list_items(page, base_url, is_article_url),
        next_pages=list(dict.fromkeys(next_pages)),
    )


def parse_article(html: str, url: str) -> Article:
    selectors = ("div.newsCont", "div#content", ".TRS_Editor", "#zoom") + common.BODY_SELECTORS
    return common.parse_article(html, url, selectors)
