"""TRS WCM (Changsha, Hunan provincial departments, 湘西州, Chongqing, Tianjin, MOF).

Lists page with ``createPageHTML(count, current, "index", "html")``: page 1 is
``index.html``, page k+1 is ``index_k.html``. Some templates write ``countPage`` /
``currentPage`` variables instead. Articles are ``…/YYYYMM/tYYYYMMDD_<id>.html``; the list
date can differ from the URL date (re-publication), so it is taken from the page.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit

from crawler import html as common
from crawler.models import Article, Listing

ARTICLE_URL = re.compile(r"/t\d{8}_\d+\.s?html?$", re.IGNORECASE)
_PAGER = re.compile(r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*\)""")
_COUNT_VARS = re.compile(r"var\s+countPage\s*=\s*(\d+).*?var\s+currentPage\s*=\s*(\d+)", re.DOTALL)


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_URL.search(urlsplit(url).path))


def detect(html: str) -> bool:
    return "createPageHTML" in html or bool(re.search(r"t\d{8}_\d+\.s?html?", html)) or "trs_editor" in html.lower()


def pager_pages(html: str, base_url: str) -> list[str]:
    """Every other page the TRS pager announces."""
    match = _PAGER.search(html)
    if match:
        count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    else:
        vars_ = _COUNT_VARS.search(html)
        if not vars_:
            return []
        count, current = int(vars_.group(1)), int(vars_.group(2))
        name, ext = "index", posixpath.splitext(urlsplit(base_url).path)[1].lstrip(".") or "html"
    pages = [f"{name}.{ext}"] + [f"{name}_{k}.{ext}" for k in range(1, count)]
    return [urljoin(base_url, page) for k, page in enumerate(pages) if k != current]


def parse_listing(html: str, base_url: str) -> Listing:
    page = common.soup(html)
    next_pages = pager_pages(html, base_url) + common.next_links(page, base_url)
    return Listing(
        articles=common.list_items(page, base_url, is_article_url),
        next_pages=list(dict.fromkeys(next_pages)),
    )


def parse_article(html: str, url: str) -> Article:
    return common.parse_article(html, url)
