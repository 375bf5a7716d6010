"""Hanweb 大汉 JCMS and its "jpaas" successor (Jiangsu, Zhejiang, Shandong, Jiangxi).

Columns ``/col/col<id>/index.html``, articles ``/art/YYYY/M/D/art_<col>_<id>.html``.
A column page embeds its first records as ``<record><![CDATA[<li>…]]>`` and the rest is
loaded by JavaScript from ``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…``
with the column's ids (``columnid``, ``unitid``, ``webid``…) as parameters. The next
record groups are requested here with those parameters in the query string: the servlet
reads query and form parameters alike, and a GET keeps one polite request path (robots,
rate limit, conditional requests). Attachments go through ``downfile.jsp`` (302 to
``/attach/…``), and jpaas article pages put the PDF in ``var sPdfUrl = "…"``: both handled
by the common parser.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

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


_PROXY_HREF = re.compile(r"""["'(]([^"'()]*?/dataproxy\.jsp\?[^"'()]*)""")
_PROXY_URL = re.compile(r"""(?:proxyUrl|url)\s*:\s*["']([^"']*dataproxy\.jsp)["']""")
_SETTING = r"""["']?{name}["']?\s*[:=]\s*["']?([^"',}}\s]+)"""
_COLUMN_PARAMS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                  "permissiontype")
PER_REQUEST = 45  # records per dataproxy request, as the site's own script asks (3 pages of 15)


def _setting(html: str, name: str) -> str | None:
    match = re.search(_SETTING.format(name=name), html)
    return match.group(1) if match else None


def record_group_urls(html: str, base_url: str, embedded: int) -> list[str]:
    """The dataproxy requests for the records after the ``embedded`` ones the page carries."""
    total = _setting(html, "totalRecord")
    if not total or not total.isdigit() or int(total) <= embedded:
        return []
    href = _PROXY_HREF.search(html)
    params = dict(parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query)) if href else {}
    for name in _COLUMN_PARAMS:
        if name not in params and (value := _setting(html, name)):
            params[name] = value
    if "columnid" not in params or "unitid" not in params:
        return []
    proxy = href.group(1).split("?")[0] if href else None
    if proxy is None:
        match = _PROXY_URL.search(html)
        proxy = match.group(1) if match else "/module/web/jpage/dataproxy.jsp"
    per_page = _setting(html, "perPage") or "15"
    column = {name: params[name] for name in _COLUMN_PARAMS if name in params}
    column.setdefault("col", "1")
    column.setdefault("appid", "1")
    column.setdefault("path", "/")
    column.setdefault("permissiontype", "0")
    step = embedded or PER_REQUEST
    urls = []
    for start in range(embedded + 1, int(total) + 1, step):
        query = {"startrecord": start, "endrecord": min(start + step - 1, int(total)), "perpage": per_page, **column}
        urls.append(urljoin(base_url, proxy) + "?" + urlencode(query))
    return urls


def parse_listing(html: str, base_url: str) -> Listing:
    records = _RECORD.findall(html)
    page = common.soup(html + "".join(records))
    next_pages = common.next_links(page, base_url)
    if not urlsplit(base_url).path.endswith("dataproxy.jsp"):  # the column page plans every group
        next_pages += record_group_urls(html, base_url, len(records))
    return Listing(articles=common.list_items(page, base_url, is_article_url), next_pages=next_pages)


def parse_article(html: str, url: str) -> Article:
    return common.parse_article(html, url)
