"""Parsing shared by every CMS: list items, "下一页" links, article title/date/body, attachments.

The platform modules (``trs``, ``numeric``, ``hanweb``) add their own pagers and article
URL grammars on top of these.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawler.models import Article, ArticleLink, AttachmentLink

ATTACHMENT_EXTS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "rar", "zip", "7z", "txt", "csv")
_EXT = re.compile(r"\.(" + "|".join(ATTACHMENT_EXTS) + r")$", re.IGNORECASE)
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PRINTED_DATE = re.compile(
    r"(?:发布(?:时间|日期)|成文日期|生成日期|公开日期|日期|时间)\s*[:：]?\s*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_DOWNLOAD_FJ = re.compile(r"""downloadFj\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]+)['"]""")
_PDF_VAR = re.compile(r"""var\s+sPdfUrl\s*=\s*["']([^"']+)["']""")
_DOWNLOAD_PAGES = ("downfile.jsp", "/download?", "download.do", "downloadfile")
BODY_SELECTORS = (
    ".trs_editor_view", ".TRS_UEDITOR", ".TRS_Editor", "#UCAP-CONTENT", "#zoom", ".newsCont",
    "div#content", ".article-content", ".art_con", "#Zoom", ".bt_content", "article",
)
GENERIC_LINK_TEXT = ("下载", "点击下载", "附件下载", "下载附件", "附件", "查看", "点击查看", "点此下载", "download")
NAV_WORDS = ("首页", "上一页", "下一页", "尾页", "末页", "更多", "返回")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def iso_date(text: str | None) -> str | None:
    match = _DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def absolute(base_url: str, href: str | None) -> str | None:
    """An http(s) URL for a link, or None for javascript:, mailto:, anchors and the like."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or re.match(r"^(javascript|mailto|tel|data):", href, re.IGNORECASE):
        return None
    url = urljoin(base_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    return parts._replace(fragment="").geturl()


# --- list pages ------------------------------------------------------------------------


def list_items(page: BeautifulSoup, base_url: str, is_article_url) -> list[ArticleLink]:
    """Links whose URL matches the article grammar, with the date printed beside them."""
    seen: set[str] = set()
    links: list[ArticleLink] = []
    for anchor in page.find_all("a", href=True):
        url = absolute(base_url, anchor["href"])
        if not url or url in seen or not is_article_url(url):
            continue
        title = clean(anchor.get("title")) or clean(anchor.get_text())
        if not title or title in NAV_WORDS:
            continue
        seen.add(url)
        links.append(ArticleLink(url=url, title=title, date=_date_near(anchor)))
    return links


def _date_near(anchor: Tag) -> str | None:
    """The date in the link's list item (``<li><span class="date">…</span><a>…``)."""
    container = anchor.find_parent(["li", "tr", "dd", "p"]) or anchor.parent
    if container is None:
        return None
    text = clean(container.get_text(" ")).replace(clean(anchor.get_text(" ")), " ")
    return iso_date(text)


def next_links(page: BeautifulSoup, base_url: str) -> list[str]:
    """Plain "下一页" / "next" links."""
    urls = []
    for anchor in page.find_all("a", href=True):
        if clean(anchor.get_text()) in ("下一页", "下页", "next", "Next", ">"):
            url = absolute(base_url, anchor["href"])
            if url and url != base_url:
                urls.append(url)
    return urls


def looks_like_js_shell(page: BeautifulSoup, html: str) -> bool:
    """A page whose content only exists after JavaScript runs (SPA shell, WAF challenge)."""
    body = page.body or page
    text = clean(body.get_text(" ")) if body else ""
    scripts = len(page.find_all("script"))
    links = len(page.find_all("a", href=True))
    return len(text) < 200 and links < 3 and (scripts > 0 or "javascript" in html.lower())


# --- article pages ---------------------------------------------------------------------


def parse_article(html: str, url: str, body_selectors: tuple[str, ...] = BODY_SELECTORS) -> Article:
    page = soup(html)
    body = _body(page, body_selectors)
    return Article(
        title=_title(page),
        published_at=_published(page),
        body_text=clean(body.get_text(" ")) if body else "",
        body_html=str(body) if body else "",
        attachments=attachments(page, url),
    )


def _meta(page: BeautifulSoup, name: str) -> str | None:
    tag = page.find("meta", attrs={"name": re.compile(rf"^\s*{name}\s*$", re.IGNORECASE)})
    return clean(tag.get("content")) if tag and tag.get("content") else None


def _title(page: BeautifulSoup) -> str:
    title = _meta(page, "ArticleTitle")
    if title:
        return title
    for selector in ("h1", ".title", ".article-title", ".common-content-mainTitle", "h2"):
        tag = page.select_one(selector)
        if tag and clean(tag.get_text()):
            return clean(tag.get_text())
    raw = clean(page.title.get_text()) if page.title else ""
    return re.split(r"[_|]", raw)[0].strip() if raw else ""


def _published(page: BeautifulSoup) -> str | None:
    for name in ("PubDate", "publishdate", "firstpublishedtime", "article:published_time"):
        date = iso_date(_meta(page, name))
        if date:
            return date
    text = page.get_text(" ")
    match = _PRINTED_DATE.search(re.sub(r"\s+", "", text))
    return iso_date(match.group(1)) if match else None


def _body(page: BeautifulSoup, selectors: tuple[str, ...]) -> Tag | None:
    for selector in selectors:
        tag = page.select_one(selector)
        if tag is not None and (clean(tag.get_text()) or tag.find("table")):
            return tag
    return None


def attachments(page: BeautifulSoup, base_url: str) -> list[AttachmentLink]:
    """Every downloadable document the page links, with its published name."""
    found: dict[str, AttachmentLink] = {}

    def add(url: str | None, name: str) -> None:
        if url and url not in found:
            found[url] = AttachmentLink(url=url, name=display_name(name, url))

    for anchor in page.find_all("a"):
        href = anchor.get("href")
        onclick = anchor.get("onclick") or ""
        fj = _DOWNLOAD_FJ.search(onclick) or _DOWNLOAD_FJ.search(href or "")
        text = clean(anchor.get_text())
        title = clean(anchor.get("title"))
        if fj:
            add(absolute(base_url, fj.group(2)), fj.group(1) or title or text)
            continue
        url = absolute(base_url, href)
        if url is None and anchor.get("oldsrc"):
            url = absolute(base_url, anchor["oldsrc"])
        if url and (is_document_url(url) or anchor.get("appendix") == "true"):
            add(url, _best_name(title, text, url))
    for script in page.find_all("script"):
        for match in _PDF_VAR.finditer(script.string or ""):
            for part in match.group(1).split("#"):
                if part.strip():
                    add(absolute(base_url, part.strip()), "")
    for frame in page.find_all(["iframe", "embed"]):
        url = absolute(base_url, frame.get("src"))
        if url and is_document_url(url):
            add(url, "")
    return list(found.values())


def is_document_url(url: str) -> bool:
    parts = urlsplit(url)
    if _EXT.search(parts.path):
        return True
    lowered = url.lower()
    return any(marker in lowered for marker in _DOWNLOAD_PAGES)


def _best_name(title: str, text: str, url: str) -> str:
    # TRS/Hanweb store files as W0…/P0…/hex names: the real name is the title, the link text
    # or a showname/fileName parameter; "下载"-style link text names nothing.
    candidates = [c for c in (title, text) if c and c not in GENERIC_LINK_TEXT]
    for candidate in candidates:
        if _EXT.search(candidate):
            return candidate
    query = parse_qs(urlsplit(url).query)
    for key in ("showname", "fileName", "filename", "name"):
        if query.get(key) and not re.fullmatch(r"[0-9a-fA-F]{16,}\.\w+", query[key][0]):
            return query[key][0]
    for candidate in candidates:
        if re.search(r"[\u4e00-\u9fff]", candidate):
            return candidate
    return title or text


def url_extension(url: str) -> str | None:
    parts = urlsplit(url)
    match = _EXT.search(unquote(parts.path))
    if not match:
        query = parse_qs(parts.query)
        for key in ("filename", "fileName", "fileUrl", "showname"):
            for value in query.get(key, []):
                match = _EXT.search(value) or match
    return match.group(1).lower() if match else None


def display_name(name: str, url: str) -> str:
    """A safe display name: no directories, no control characters, an extension when known."""
    name = unquote(name or "")
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).replace("\\", "/")
    name = posixpath.basename(name.strip()).strip(" .") or posixpath.basename(unquote(urlsplit(url).path))
    ext = url_extension(url)
    if ext and not _EXT.search(name):
        name = f"{name}.{ext}"
    return name[:200]
