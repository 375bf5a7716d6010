"""Hanweb 大汉 JCMS and its "jpaas" successor (Jiangsu, Zhejiang, Shandong, Jiangxi).

Columns ``/col/col<id>/index.html``, articles ``/art/YYYY/M/D/art_<col>_<id>.html``.
The list itself is usually loaded by JavaScript from ``/module/web/jpage/dataproxy.jsp``
(a POST); static pages still embed the first records as ``<record><![CDATA[<li>…]]>``,
which is what is read here. Deeper pages need that POST and are not walked (noted in the
discovery problems). Attachments go through ``downfile.jsp`` (302 to ``/attach/…``), and
jpaas article pages put the PDF in ``var sPdfUrl = "…"``: both handled by the common parser.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler import html as common
from crawler.models import Article, Listing

ARTICLE_URL = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$|/art_[0-9a-f]{16,}\.html$", re.IGNORECASE)
_RECORD = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.DOTALL)


def is_article_url(url: str) -> bool:
    return bool(ARTICLE_URL.search(urlsplit(url).path))


def detect(html: str) -> bool:
    return "<datastore>" in html or "/module/web/jpage/" in html or bool(re.search(r"/art_\d+_\d+\.html", html))


def uses_data_proxy(html: str) -> bool:
    return "dataproxy.jsp" in html or "<datastore>" in html


def parse_listing(html: str, base_url: str) -> Listing:
    records = "".join(_RECORD.findall(html))
    page = common.soup(html + records)
    return Listing(
        articles=common.list_items(page, base_url, is_article_url),
        next_pages=common.next_links(page, base_url),
    )


def parse_article(html: str, url: str) -> Article:
    return common.parse_article(html, url)
