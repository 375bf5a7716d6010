"""The bundled sample portal for ``jixiao demo``: a small TRS-style site served on 127.0.0.1.

Built from the sample report documents (``jixiao/samples/docs``) into a folder: three list
pages paged by ``createPageHTML``, article pages ``YYYYMM/tYYYYMMDD_N.html`` with the
quirks of real portals (an article with two attachments, a link with no href and an
``onclick="downloadFj(…)"``, an upper-case ``.DOCX``, a GBK page declared gb2312, an
``oldsrc``/``appendix`` link, a report published inline as an HTML table), articles that
are not reports (部门预算, 部门决算, a notice) and a robots.txt.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import mimetypes
import shutil
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import unquote, urlsplit

from core.config import PortalConfig
from core.records import Extraction
from jixiao.samples import SAMPLE_NAMES, SEEDS, render_split_report, sample_documents

COLUMN = "czyjsgk"
INLINE_SEED = "003_2ebd7fdb74714a1e"  # published inline instead of as a file
PER_PAGE = 3
SITE_NAME = "样例市财政局"

_LIST = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="ColumnName" content="预决算公开"><title>预决算公开_{site}</title>
<script>
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{
  if(_nPageCount == null || _nPageCount<=1){{ return; }}
  for(var i=0;i<_nPageCount;i++){{
    var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    document.write(i == _nCurrIndex ? "<b>["+(i+1)+"]</b> " : "<a href=\\""+name+"\\">["+(i+1)+"]</a> ");
  }}
}}
</script></head>
<body><div class="top"><a href="../">首页</a> &gt; <a href="./">预决算公开</a></div>
<ul class="list">
{items}
</ul>
<div id="pagediv" class="pagediv"><script>createPageHTML({pages}, {current}, "index", "html");</script></div>
</body></html>
"""

_ARTICLE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta name="ArticleTitle" content="{title}" />
<meta name="PubDate" content="{date} 09:30" />
<meta name="ContentSource" content="{site}" />
<title>{title}_预决算公开_{site}</title></head>
<body><div class="top"><a href="../../">首页</a> &gt; <a href="../">预决算公开</a></div>
<h1 class="title">{title}</h1>
<div class="info">发布时间：{date}　来源：{site}</div>
<div class="trs_editor_view TRS_UEDITOR">
{body}
</div>
{attachments}
<div class="footer">{site} 主办　联系人：王堃</div>
</body></html>
"""


@dataclass
class SampleArticle:
    title: str
    date: str  # list and page date
    url_date: str  # date in the URL (differs when re-published)
    body: str = ""
    attachments: list[tuple[Path, str, str]] = field(default_factory=list)  # (file, name, link style)
    encoding: str = "utf-8"
    report: bool = True


@dataclass(frozen=True)
class SampleSite:
    root: Path
    start_path: str  # the first list page, relative to the site root
    report_titles: tuple[str, ...]
    other_titles: tuple[str, ...]

    def portal(self, base_url: str) -> PortalConfig:
        """The portal entry for this site served at ``base_url``; loopback, so no 1 req/s wait."""
        return PortalConfig(
            name="sample",
            region="样例市",
            start_urls=(base_url.rstrip("/") + "/" + self.start_path,),
            platform="trs",
            rate_limit=50.0,
        )


def build_site(dest: Path | str, docs: Path | None = None) -> SampleSite:
    """Write the sample site into ``dest`` (emptied first) from the documents in ``docs``."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    column = dest / COLUMN
    column.mkdir(parents=True)
    articles = _articles(sorted(p for p in (docs or sample_documents()).iterdir() if p.is_file()), dest / ".parts")
    for number, article in enumerate(articles):
        _write_article(column, article, number)
    pages = max(1, -(-len(articles) // PER_PAGE))
    for page in range(pages):
        chunk = articles[page * PER_PAGE : (page + 1) * PER_PAGE]
        items = "\n".join(
            f'<li><span class="date">{a.date}</span>'
            f'<a href="./{_article_path(a, page * PER_PAGE + i)}" title="{html.escape(a.title)}">{html.escape(a.title)}</a></li>'
            for i, a in enumerate(chunk)
        )
        name = "index.html" if page == 0 else f"index_{page}.html"
        (column / name).write_text(_LIST.format(site=SITE_NAME, items=items, pages=pages, current=page), "utf-8")
    (dest / "index.html").write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{SITE_NAME}</title></head>'
        f'<body><a href="./{COLUMN}/">预决算公开</a></body></html>',
        "utf-8",
    )
    (dest / "robots.txt").write_text("User-agent: *\nDisallow: /search/\n", "utf-8")
    return SampleSite(
        root=dest,
        start_path=f"{COLUMN}/index.html",
        report_titles=tuple(a.title for a in articles if a.report),
        other_titles=tuple(a.title for a in articles if not a.report),
    )


def _articles(files: list[Path], work: Path) -> list[SampleArticle]:
    inline_name = SAMPLE_NAMES.get(INLINE_SEED)
    files = [f for f in files if f.stem != inline_name]
    # The first article carries two files; the next ones an upper-case .DOCX, then a GBK page
    # whose link has oldsrc/appendix attributes (and a URL date that is not its date).
    styles = ["pair", "upper", "gbk+oldsrc"]
    reports: list[SampleArticle] = []
    published = datetime.date(2024, 6, 28)
    while files:
        style = styles[len(reports)] if len(reports) < len(styles) else "href+title"
        date = published.isoformat()
        seed = next((stem for stem, name in SAMPLE_NAMES.items() if name == files[0].stem), None)
        if style == "pair" and seed:
            # one report published as two files: the narrative and its forms
            files.pop(0)
            narrative, forms = render_split_report(seed, work)
            article = SampleArticle(narrative.stem, date, date, attachments=[(narrative, narrative.name, "href+title")])
            article.attachments.append((forms, forms.name, "onclick"))
        else:
            doc = files.pop(0)
            link_style = {"upper": "upper", "gbk+oldsrc": "oldsrc"}.get(style, "href+title")
            article = SampleArticle(doc.stem, date, date, attachments=[(doc, doc.name, link_style)])
            if style == "gbk+oldsrc":
                article.encoding = "gb18030"
                # re-published: the URL date is not the date
                article.url_date = (published + datetime.timedelta(days=30)).isoformat()
        article.body = f"<p>现将{html.escape(article.title)}予以公开，详见附件。</p>"
        reports.append(article)
        published -= datetime.timedelta(days=2)  # any number of articles gets valid dates
    if inline_name and (SEEDS / f"{INLINE_SEED}.txt").is_file():
        reports.insert(2, SampleArticle(inline_name, "2024-06-20", "2024-06-20", body=_inline_body()))
    others = [
        SampleArticle("样例市财政局2024年部门预算公开", "2024-02-06", "2024-02-06", report=False,
                      body="<p>2024年部门预算公开如下。</p>"),
        SampleArticle("2023年度样例市财政局部门决算", "2024-09-27", "2024-09-27", report=False,
                      body="<p>2023年度部门决算公开如下。</p>"),
        SampleArticle("关于开展2023年度部门整体支出绩效自评工作的通知", "2024-03-01", "2024-03-01", report=False,
                      body="<p>各预算单位：请于4月底前完成2023年度绩效自评工作。</p>"),
    ]
    # Non-reports sit among the reports on every page, as on a real column.
    mixed: list[SampleArticle] = []
    for i, article in enumerate(reports):
        mixed.append(article)
        if i % 2 == 1 and others:
            mixed.append(others.pop(0))
    return mixed + others


def _inline_body() -> str:
    from extractors.textdump import parse_dump

    extraction = parse_dump((SEEDS / f"{INLINE_SEED}.txt").read_text(encoding="utf-8"), f"{INLINE_SEED}.txt")
    return extraction_to_html(extraction)


def extraction_to_html(extraction: Extraction) -> str:
    """Paragraphs and tables in reading order; a merged cell becomes a colspan."""
    blocks = sorted(
        [(p.order, 0, f"<p>{html.escape(p.text)}</p>") for p in extraction.paragraphs]
        + [(t.order, 1, _table_html(t.rows)) for t in extraction.tables]
    )
    return "\n".join(block for _, _, block in blocks)


def _table_html(rows: list[list[str | None]]) -> str:
    out = ['<table border="1" cellspacing="0">']
    for row in rows:
        cells: list[list] = []
        for cell in row:
            if cell is None and cells:
                cells[-1][1] += 1
            else:
                cells.append([cell or "", 1])
        tds = "".join(
            f"<td{f' colspan={span}' if span > 1 else ''}>{html.escape(text).replace(chr(10), '<br/>')}</td>"
            for text, span in cells
        )
        out.append(f"<tr>{tds}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _article_path(article: SampleArticle, number: int) -> str:
    ymd = article.url_date.replace("-", "")
    return f"{ymd[:6]}/t{ymd}_{1000 + number}.html"


def _write_article(column: Path, article: SampleArticle, number: int) -> None:
    path = column / _article_path(article, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    links = []
    for k, (source, name, style) in enumerate(article.attachments):
        stored = f"W0{article.url_date.replace('-', '')}{number:04d}{k:02d}{source.suffix}"
        if style == "upper":
            stored = stored.rsplit(".", 1)[0] + source.suffix.upper()
        shutil.copyfile(source, path.parent / stored)
        label = html.escape(name)
        if style == "onclick":
            links.append(f"<li><a onclick=\"downloadFj('{label}','./{stored}')\">{label}</a></li>")
        elif style == "oldsrc":
            links.append(
                f'<li><a appendix="true" data-appendix="true" href="./{stored}" title="{label}"'
                f' oldsrc="/protect/P0{stored[2:]}">{label}</a></li>'
            )
        else:
            links.append(f'<li><a href="./{stored}" title="{label}">{label}</a></li>')
    attachments = f'<div class="appendix">附件：<ul>{"".join(links)}</ul></div>' if links else ""
    charset = "gb2312" if article.encoding != "utf-8" else "utf-8"
    page = _ARTICLE.format(
        charset=charset, title=html.escape(article.title), date=article.date, site=SITE_NAME,
        body=article.body, attachments=attachments,
    )
    path.write_bytes(page.encode(article.encoding))


# --- serving ---------------------------------------------------------------------------


class Hit(NamedTuple):
    method: str
    path: str
    status: int
    at: float  # time.monotonic() when the request arrived
    host: str  # Host header, for per-host rate checks


class StaticSiteHandler(BaseHTTPRequestHandler):
    """Files under ``site_dir`` with ETag / Last-Modified validators (304 on a match)."""

    site_dir: Path
    log: list[Hit]
    server_version = "SamplePortal/1.0"

    def setup(self) -> None:
        self._arrived = time.monotonic()  # at accept, before the request is parsed
        super().setup()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.serve_file(unquote(urlsplit(self.path).path))

    def serve_file(self, path: str) -> None:
        target = self.resolve(path)
        if target is None:
            self.reply(404, b"<html><body>404 Not Found</body></html>", "text/html")
            return
        data = target.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        mtime = int(target.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self.not_modified(etag, mtime):
            self.reply(304, b"", None, headers)
            return
        self.reply(200, data, content_type(target), headers)

    def resolve(self, path: str) -> Path | None:
        root = self.site_dir.resolve()
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents and target != root:
            return None  # ../ out of the site
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def not_modified(self, etag: str, mtime: int) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # RFC 9110: If-Modified-Since is ignored when If-None-Match is present
            return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def reply(self, status: int, body: bytes, ctype: str | None, headers: dict | None = None) -> None:
        self.record(status)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def record(self, status: int) -> None:
        arrived = getattr(self, "_arrived", time.monotonic())
        self.log.append(Hit(self.command, self.path, status, arrived, self.headers.get("Host", "")))

    def log_message(self, format: str, *args) -> None:
        pass  # the access log is ``log``, not stderr


def content_type(path: Path) -> str:
    # No charset for HTML: the client must read <meta charset> (as on real portals).
    if path.suffix.lower() in (".html", ".htm"):
        return "text/html"
    return mimetypes.guess_type(path.name.lower())[0] or "application/octet-stream"


def serve_portal(
    site_dir: Path | str, log: list[Hit] | None = None, handler: type[StaticSiteHandler] = StaticSiteHandler,
    port: int = 0,
) -> tuple[str, Callable[[], None]]:
    """Serve ``site_dir`` on 127.0.0.1 at a free port; returns the base URL and a stop function.

    ``port`` 0 picks a free port; a preferred port falls back to a free one when taken.
    Requests are appended to ``log`` (pass a list to read it) as :class:`Hit` entries.
    """
    handler_class = type("SiteHandler", (handler,), {"site_dir": Path(site_dir), "log": log if log is not None else []})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
    except OSError:  # the preferred port is taken: any free one
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="sample-portal", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_address[1]}/", stop
