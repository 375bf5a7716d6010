"""Fixture portals served on 127.0.0.1 for the crawler tests.

Two sites, each on its own server (so its own host:port, its own rate limit):

- a TRS site: ``createPageHTML`` pager over 3 list pages, a report with two attachments
  (href+title, onclick=downloadFj with no href) answering 503 + Retry-After once, a GBK
  page declared gb2312 holding 堃, an upper-case .DOCX, an inline-HTML report, a report with
  a 404 attachment, a report whose attachments redirect (same host: fine; another host:
  refused), an article that times out, a report under /private/ that robots.txt disallows,
  a "maybe" title decided by its body, budgets, final accounts and a notice;
  plus a WAF column (412) and a JavaScript-only column.
- a numeric-path site (Yueyang style): ``default.htm`` / ``default_N.htm`` with "N/M页",
  ``content_N.html`` articles, ``/uploadfiles/`` documents, robots.txt answering 404.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import urlsplit

from jixiao.samples.portal import StaticSiteHandler, serve_portal

TIMEOUT_SLEEP = 2.0  # longer than the tests' read timeout


def _page(title: str, body: str, attachments: str = "", charset: str = "utf-8", date: str = "2024-05-20") -> str:
    return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta name="ArticleTitle" content="{html.escape(title)}" />
<meta name="PubDate" content="{date} 10:00" />
<title>{html.escape(title)}_预决算公开_测试市财政局</title></head>
<body><div class="nav"><a href="/">首页</a></div><h1>{html.escape(title)}</h1>
<div class="info">发布时间：{date}</div>
<div class="trs_editor_view TRS_UEDITOR">{body}</div>
{attachments}
</body></html>"""


def _trs_list(items: list[tuple[str, str, str]], pages: int, current: int) -> str:
    lis = "\n".join(f'<li><span class="date">{d}</span><a href="{u}">{html.escape(t)}</a></li>' for u, t, d in items)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>预决算公开</title>
<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{ /* TRS pager */ }}</script>
</head><body><ul class="czys_listCount_list">
{lis}
</ul><div id="pagediv"><script>createPageHTML({pages}, {current}, "index", "html");</script></div></body></html>"""


def _numeric_list(items: list[tuple[str, str, str]], page: int, pages: int, stem: str) -> str:
    lis = "\n".join(
        f'<li><a href="{u}" title="{html.escape(t)}">{html.escape(t[:12])}…</a><span>{d}</span></li>' for u, t, d in items
    )
    nxt = f'<a href="{stem}_{page}.htm">下一页</a>' if page < pages else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>部门预决算</title></head><body>
<ul class="news-list">
{lis}
</ul><div id="pagination"><span>{page}/{pages}页</span> {nxt}</div></body></html>"""


TABLE_BODY = """<p>一、部门基本情况</p><p>2023年度部门整体支出绩效自评报告如下。</p>
<table border="1"><tr><td>项目</td><td>年初预算数</td><td>全年预算数</td><td>全年执行数</td></tr>
<tr><td>基本支出</td><td>120.5</td><td>130.0</td><td>128.7</td></tr>
<tr><td>项目支出</td><td>45.0</td><td>50.0</td><td>49.1</td></tr></table>"""


@dataclass
class Fixture:
    """Both sites on disk, which articles are reports, and the special routes."""

    trs_root: Path
    numeric_root: Path
    trs_reports: dict[str, str] = field(default_factory=dict)  # path -> title
    numeric_reports: dict[str, str] = field(default_factory=dict)
    never_fetched: tuple[str, ...] = ("/private/202401/t20240110_9001.html",)


def build_fixture(root: Path) -> Fixture:
    fx = Fixture(root / "trs", root / "numeric")
    _build_trs(fx)
    _build_numeric(fx)
    return fx


def _write(root: Path, path: str, content: str | bytes, encoding: str = "utf-8") -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))


def _build_trs(fx: Fixture) -> None:
    r = fx.trs_root
    _write(r, "/robots.txt", "User-agent: *\nDisallow: /private/\n")
    _write(r, "/files/a1.pdf", b"%PDF-1.4 report one\n%%EOF\n")
    _write(r, "/files/a2.xls", b"\xd0\xcf\x11\xe0 sheet two")
    _write(r, "/files/moved.pdf", b"%PDF-1.4 moved\n%%EOF\n")
    _write(r, "/files/ok.docx", b"PK\x03\x04 docx ok")
    _write(r, "/ysgk/202405/W020240520000001.DOCX", b"PK\x03\x04 upper case docx")
    _write(r, "/ysgk/202405/W020240520000002.pdf", b"%PDF-1.4 budget\n%%EOF\n")
    _write(r, "/spa/index.html", '<!DOCTYPE html><html><head><script src="/app.js"></script></head>'
           '<body><div id="app"></div><noscript>请启用JavaScript</noscript></body></html>')

    reports = {
        "/ysgk/202405/t20240520_1001.html": "测试市教育局2023年度部门整体支出绩效自评报告",
        "/ysgk/202405/t20240518_1002.html": "测试市王堃研究中心2023年度整体支出绩效自评报告",
        "/ysgk/202405/t20240515_1004.html": "测试市文化局2023年度部门整体支出绩效自评报告",
        "/ysgk/202405/t20240512_1005.html": "测试市水利局2023年度部门整体支出绩效评价报告",
        "/ysgk/202405/t20240510_1006.html": "测试市林业局2023年度部门整体支出绩效自评报告",
        "/ysgk/202405/t20240508_1008.html": "测试市农业局2023年度绩效情况",  # decided by the body
    }
    fx.trs_reports = reports
    pages = [
        [
            ("./202405/t20240520_1001.html", reports["/ysgk/202405/t20240520_1001.html"], "2024-05-20"),
            ("./202402/t20240206_2001.html", "测试市教育局2024年部门预算公开", "2024-02-06"),
            ("./202403/t20240301_2002.html", "关于开展2023年度部门整体支出绩效自评工作的通知", "2024-03-01"),
            ("/private/202401/t20240110_9001.html", "测试市保密局2023年度部门整体支出绩效自评报告", "2024-01-10"),
        ],
        [
            ("./202405/t20240518_1002.html", reports["/ysgk/202405/t20240518_1002.html"], "2024-05-18"),
            ("./202409/t20240927_2003.html", "2023年度测试市教育局部门决算", "2024-09-27"),
            ("./202405/t20240515_1004.html", reports["/ysgk/202405/t20240515_1004.html"], "2024-05-15"),
            ("./202405/t20240514_1007.html", "测试市交通局2023年度部门整体支出绩效自评报告", "2024-05-14"),  # times out
        ],
        [
            ("./202405/t20240512_1005.html", reports["/ysgk/202405/t20240512_1005.html"], "2024-05-12"),
            ("./202405/t20240510_1006.html", reports["/ysgk/202405/t20240510_1006.html"], "2024-05-10"),
            ("./202405/t20240508_1008.html", reports["/ysgk/202405/t20240508_1008.html"], "2024-05-08"),
            ("./202405/t20240507_1009.html", "测试市体育局2023年度绩效目标", "2024-05-07"),  # body: not a report
        ],
    ]
    for k, items in enumerate(pages):
        _write(r, "/ysgk/index.html" if k == 0 else f"/ysgk/index_{k}.html", _trs_list(items, len(pages), k))

    t = reports
    _write(r, "/ysgk/202405/t20240520_1001.html", _page(
        t["/ysgk/202405/t20240520_1001.html"], "<p>详见附件。</p>",
        '<div class="appendix">附件：<a href="/files/a1.pdf" title="教育局绩效自评报告.pdf">附件1</a>'
        "<a onclick=\"downloadFj('教育局绩效自评表.xls','/files/a2.xls')\">附件2</a></div>",
        date="2024-05-20"))
    _write(r, "/ysgk/202405/t20240518_1002.html", _page(
        t["/ysgk/202405/t20240518_1002.html"], "<p>联系人：王堃。详见附件。</p>",
        '<a href="./W020240520000001.DOCX">王堃研究中心自评报告</a>', charset="gb2312", date="2023-12-30"),
        encoding="gb18030")
    _write(r, "/ysgk/202405/t20240515_1004.html", _page(t["/ysgk/202405/t20240515_1004.html"], TABLE_BODY))
    _write(r, "/ysgk/202405/t20240512_1005.html", _page(
        t["/ysgk/202405/t20240512_1005.html"], "<p>详见附件。</p>",
        '<a href="/files/ok.docx" title="水利局评价报告.docx">水利局评价报告.docx</a>'
        '<a href="/files/missing.pdf" title="水利局自评表.pdf">水利局自评表.pdf</a>'))
    _write(r, "/ysgk/202405/t20240510_1006.html", _page(
        t["/ysgk/202405/t20240510_1006.html"], "<p>详见附件。</p>",
        '<a href="/go/same.pdf" title="林业局自评报告.pdf">林业局自评报告.pdf</a>'
        '<a href="/go/elsewhere.pdf" title="林业局附表.pdf">林业局附表.pdf</a>'))
    _write(r, "/ysgk/202405/t20240508_1008.html", _page(
        t["/ysgk/202405/t20240508_1008.html"], TABLE_BODY.replace("<table", "<p>附表：</p><table")))
    _write(r, "/ysgk/202405/t20240507_1009.html", _page(
        "测试市体育局2023年度绩效目标", "<p>2024年度绩效目标表已批复，请各单位执行。</p>"))
    _write(r, "/ysgk/202402/t20240206_2001.html", _page(
        "测试市教育局2024年部门预算公开", "<p>预算</p>", '<a href="./W020240520000002.pdf">预算.pdf</a>'))
    _write(r, "/ysgk/202403/t20240301_2002.html", _page("关于开展2023年度部门整体支出绩效自评工作的通知", "<p>通知</p>"))
    _write(r, "/ysgk/202409/t20240927_2003.html", _page("2023年度测试市教育局部门决算", "<p>决算</p>"))
    _write(r, "/private/202401/t20240110_9001.html", _page("保密", "<p>不应被抓取</p>"))


def _build_numeric(fx: Fixture) -> None:
    r = fx.numeric_root
    _write(r, "/uploadfiles/202302/20230223161357669.pdf", b"%PDF-1.4 yueyang\n%%EOF\n")
    _write(r, "/uploadfiles/202303/20230310093000123.xlsx", b"PK\x03\x04 xlsx")
    reports = {
        "/8739/8740/content_2188057.html": "岳阳市发展和改革委员会2022年度部门整体支出绩效自评报告",
        "/8739/8740/content_2188100.html": "岳阳市住房公积金中心2022年度整体支出绩效自评报告",
    }
    fx.numeric_reports = reports
    pages = [
        [("/8739/8740/content_2188057.html", reports["/8739/8740/content_2188057.html"], "2023-02-23"),
         ("/8739/8740/content_2188001.html", "岳阳市发展和改革委员会2023年部门预算", "2023-02-10")],
        [("/8739/8740/content_2188002.html", "岳阳市发展和改革委员会2022年度部门决算", "2022-09-20")],
        [("/8739/8740/content_2188100.html", reports["/8739/8740/content_2188100.html"], "2023-03-10"),
         ("/8739/8740/content_2188003.html", "关于公布2022年度绩效自评结果的公告", "2023-04-01")],
    ]
    for k, items in enumerate(pages):
        name = "default.htm" if k == 0 else f"default_{k}.htm"
        _write(r, f"/8739/8740/{name}", _numeric_list(items, k + 1, len(pages), "default"))
    body = '<div class="newsCont clearfix"><p>现予公开。</p><p><a href="/uploadfiles/{f}">{n}</a></p></div>'
    _write(r, "/8739/8740/content_2188057.html", f"""<html><head><meta charset="utf-8"><title>岳阳</title></head><body>
<h1>{reports["/8739/8740/content_2188057.html"]}</h1><div>发布日期：2023-02-23</div>
{body.format(f="202302/20230223161357669.pdf", n="岳阳市发改委2022年度部门整体支出绩效自评报告.PDF")}</body></html>""")
    _write(r, "/8739/8740/content_2188100.html", f"""<html><head><meta charset="utf-8"><title>岳阳</title></head><body>
<h1>{reports["/8739/8740/content_2188100.html"]}</h1><div>发布日期：2023-03-10</div>
{body.format(f="202303/20230310093000123.xlsx", n="自评表")}</body></html>""")
    for path, title in [("/8739/8740/content_2188001.html", "预算"), ("/8739/8740/content_2188002.html", "决算"),
                        ("/8739/8740/content_2188003.html", "公告")]:
        _write(r, path, f"<html><body><h1>{title}</h1></body></html>")


class FixtureHandler(StaticSiteHandler):
    """Static files plus the routes that misbehave like real portals."""

    special: dict[str, Callable[["FixtureHandler"], None]] = {}
    served: dict[str, int] = {}

    def record(self, status: int) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.log.append(FixtureHit(self.command, self.path, status, self._arrived, headers.get("host", ""), headers))

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        self.served[path] = self.served.get(path, 0) + 1
        action = self.special.get(path)
        try:
            action(self) if action else self.serve_file(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def unavailable_once(handler: FixtureHandler) -> None:
    path = urlsplit(handler.path).path
    if handler.served[path] == 1:
        handler.reply(503, b"busy", "text/html", {"Retry-After": "1"})
    else:
        handler.serve_file(path)


def sleep_then_serve(handler: FixtureHandler) -> None:
    """Answer only after ``TIMEOUT_SLEEP``; stop as soon as the client hangs up (logged as 499)."""
    deadline = time.monotonic() + TIMEOUT_SLEEP
    while time.monotonic() < deadline:
        readable, _, _ = select.select([handler.connection], [], [], 0.02)
        if readable and not handler.connection.recv(1, socket.MSG_PEEK):
            handler.record(499)
            handler.close_connection = True
            return
    handler.serve_file(urlsplit(handler.path).path)


def redirect_to(target: Callable[[FixtureHandler], str]) -> Callable[[FixtureHandler], None]:
    def action(handler: FixtureHandler) -> None:
        handler.reply(302, b"", None, {"Location": target(handler)})

    return action


def waf(handler: FixtureHandler) -> None:
    handler.reply(412, b"<html><script>var _0x=challenge();</script></html>", "text/html")


def not_found(handler: FixtureHandler) -> None:
    handler.reply(404, b"not here", "text/plain")


class FixtureHit(NamedTuple):
    method: str
    path: str
    status: int
    at: float  # time.monotonic(): one clock for every process on Linux
    host: str
    headers: dict


class _FileLog:
    """The access log of a server running in a child process, one JSON line per request."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def append(self, hit: FixtureHit) -> None:
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(list(hit), ensure_ascii=False) + "\n")

    def read(self) -> list[FixtureHit]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [FixtureHit(*json.loads(line)) for line in lines if line]


def _child(root: Path, handler: type[FixtureHandler], log: _FileLog, ready) -> None:
    base, _ = serve_portal(root, log, handler)  # type: ignore[arg-type]
    ready.put(base)
    threading.Event().wait()


@dataclass
class Servers:
    """Each server in its own process: in-process servers share the client's GIL, and their
    accept delays (tens of ms) would blur the access-log timestamps the rate tests read."""

    trs_base: str
    numeric_base: str
    logs: tuple[_FileLog, _FileLog]
    processes: list

    @property
    def trs_log(self) -> list[FixtureHit]:
        return self.logs[0].read()

    @property
    def numeric_log(self) -> list[FixtureHit]:
        return self.logs[1].read()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.join(timeout=5)


def serve_fixture(fx: Fixture, log_dir: Path) -> Servers:
    trs_handler = type("TrsHandler", (FixtureHandler,), {"served": {}, "special": {
        "/files/a1.pdf": unavailable_once,
        "/ysgk/202405/t20240514_1007.html": sleep_then_serve,
        "/go/same.pdf": redirect_to(lambda h: "/files/moved.pdf"),
        # Another host: must be refused before any connection is made.
        "/go/elsewhere.pdf": redirect_to(lambda h: "http://127.0.0.2:9/files/moved.pdf"),
        "/waf/index.html": waf,
    }})
    numeric_handler = type("NumericHandler", (FixtureHandler,), {"served": {}, "special": {"/robots.txt": not_found}})
    context = multiprocessing.get_context("fork")  # the handlers hold closures: no pickling
    bases, logs, processes = [], [], []
    for name, root, handler in (("trs", fx.trs_root, trs_handler), ("numeric", fx.numeric_root, numeric_handler)):
        log = _FileLog(log_dir / f"{name}-access.jsonl")
        ready = context.Queue()
        process = context.Process(target=_child, args=(root, handler, log, ready), daemon=True)
        process.start()
        bases.append(ready.get(timeout=10))
        logs.append(log)
        processes.append(process)
    return Servers(bases[0], bases[1], (logs[0], logs[1]), processes)


def crawl_all(portals, fetcher, store, **options):
    """Every fetch outcome of one crawl pass, and its summary."""
    from crawler import CrawlSummary, crawl_portals

    summary = CrawlSummary()
    return list(crawl_portals(portals, fetcher, store, summary, **options)), summary
