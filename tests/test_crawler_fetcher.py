"""The Fetcher's guards, one loopback server per test, and the bundled sample portal."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from crawler import CrawlState, Fetcher, FetchError, RawStore
from crawler.fetcher import host_allowed
from tests.portal_server import crawl_all
from core.config import CrawlerSettings, PortalConfig
from jixiao.samples.portal import StaticSiteHandler, build_site, serve_portal

FAST = CrawlerSettings(contact="https://example.org/t", read_timeout=2, retries=2, backoff=0.05, max_retry_after=3)


class Routes(StaticSiteHandler):
    routes: dict = {}

    def do_GET(self) -> None:  # noqa: N802
        route = self.routes.get(urlsplit(self.path).path)
        if route:
            status, headers, body = route
            headers = dict(headers)
            self.reply(status, body, headers.pop("Content-Type", "text/plain"), headers)
        else:
            self.serve_file(urlsplit(self.path).path)


@pytest.fixture
def server(tmp_path):
    started = []

    def start(routes: dict, files: dict[str, bytes] | None = None, log: list | None = None):
        for path, data in (files or {}).items():
            target = tmp_path / "site" / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (tmp_path / "site").mkdir(exist_ok=True)
        handler = type("H", (Routes,), {"routes": routes})
        base, stop = serve_portal(tmp_path / "site", log if log is not None else [], handler)
        started.append(stop)
        return base, PortalConfig("t", (base,), rate_limit=100.0)

    yield start
    for stop in started:
        stop()


def test_download_cap_is_a_clear_error(server, tmp_path):
    base, portal = server({}, {"/big.pdf": b"x" * 5000})
    settings = CrawlerSettings(contact="https://example.org/t", max_download_mb=0.001)
    with Fetcher(settings) as fetcher, pytest.raises(FetchError, match="max_download_mb") as error:
        fetcher.document(base + "big.pdf", portal, RawStore(tmp_path / "raw"))
    assert error.value.kind == "too_large"
    assert not list((tmp_path / "raw").rglob("*.pdf"))  # no partial file left behind


def test_long_retry_after_defers_without_waiting(server):
    base, portal = server({"/busy.html": (503, {"Retry-After": "3600"}, b"busy")})
    started = time.monotonic()
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError) as error:
        fetcher.page(base + "busy.html", portal)
    assert error.value.kind == "deferred" and time.monotonic() - started < 2


def test_5xx_exhausts_retries_then_reports_down(server):
    log: list = []
    base, portal = server({"/err.html": (500, {}, b"oops")}, log=log)
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError) as error:
        fetcher.page(base + "err.html", portal)
    assert error.value.kind == "down"
    assert [h.status for h in log if h.path == "/err.html"] == [500, 500, 500]


def test_robots_unreachable_means_stay_out(server):
    log: list = []
    base, portal = server({"/robots.txt": (503, {}, b"down")}, {"/a.html": b"<p>a</p>"}, log=log)
    with Fetcher(FAST) as fetcher, pytest.raises(FetchError, match="robots.txt unreachable"):
        fetcher.page(base + "a.html", portal)
    assert "/a.html" not in [h.path for h in log]


def test_robots_404_means_no_rules_and_crawl_delay_is_honoured(server):
    base, portal = server({"/robots.txt": (404, {}, b"")}, {"/a.html": b"<p>a</p>"})
    with Fetcher(FAST) as fetcher:
        assert fetcher.page(base + "a.html", portal).body == b"<p>a</p>"
    log: list = []
    base, portal = server({"/robots.txt": (200, {}, b"User-agent: *\nCrawl-delay: 0.3\n")}, log=log)
    with Fetcher(FAST) as fetcher:
        fetcher.page(base + "a.html", portal)
        fetcher.page(base + "a.html", portal)
    times = [h.at for h in log if h.path == "/a.html"]
    assert times[1] - times[0] >= 0.28


def test_redirect_loops_and_schemes_are_refused(server):
    base, portal = server({
        "/loop.html": (302, {"Location": "/loop2.html"}, b""),
        "/loop2.html": (302, {"Location": "/loop.html"}, b""),
        "/file.html": (302, {"Location": "file:///etc/passwd"}, b""),
        "/meta.html": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
    })
    with Fetcher(FAST) as fetcher:
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.page(base + "loop.html", portal)
        with pytest.raises(FetchError, match="scheme 'file'"):
            fetcher.page(base + "file.html", portal)
        with pytest.raises(FetchError, match="169.254.169.254") as error:
            fetcher.page(base + "meta.html", portal)
        assert error.value.kind == "not_allowed"


def test_blocked_statuses(server):
    base, portal = server({"/waf.html": (412, {}, b"<script>challenge()</script>"), "/cf.html": (521, {}, b"")})
    with Fetcher(FAST) as fetcher:
        for path in ("waf.html", "cf.html"):
            with pytest.raises(FetchError) as error:
                fetcher.page(base + path, portal)
            assert error.value.kind == "blocked"


def test_server_file_names_never_become_paths(server, tmp_path):
    base, portal = server(
        {"/dl": (200, {"Content-Type": "application/pdf", "Content-Disposition": 'attachment; filename="../../evil.pdf"'},
                 b"%PDF-1.4")}
    )
    store = RawStore(tmp_path / "raw")
    with Fetcher(FAST) as fetcher:
        response = fetcher.document(base + "dl", portal, store)
    assert response.path.parent.parent == store.root
    assert response.path.name == f"{response.sha256}.pdf"
    assert response.filename == "../../evil.pdf"  # kept only for display, after basename in fetch_filing
    assert not (tmp_path / "evil.pdf").exists()


def test_last_modified_only_conditional_get(server, tmp_path):
    log: list = []
    base, portal = server({}, {"/r.pdf": b"%PDF-1.4 r"}, log=log)
    state = CrawlState(tmp_path / "c.sqlite3")
    store = RawStore(tmp_path / "raw")
    with Fetcher(FAST, state) as fetcher:
        first = fetcher.document(base + "r.pdf", portal, store, "pdf")
        second = fetcher.document(base + "r.pdf", portal, store, "pdf")
    assert (first.status, second.status) == (200, 304)
    assert second.path == first.path and second.unchanged


@pytest.mark.parametrize(
    ("url", "hosts", "ok"),
    [
        ("http://czj.yueyang.gov.cn/a", ("czj.yueyang.gov.cn",), True),
        ("https://czj.yueyang.gov.cn:443/a", ("czj.yueyang.gov.cn",), True),
        ("http://czj.yueyang.gov.cn:8080/a", ("czj.yueyang.gov.cn",), False),
        ("http://127.0.0.1:8080/a", ("127.0.0.1:8080",), True),
        ("http://www.yueyang.gov.cn/a", ("*.yueyang.gov.cn",), True),
        ("http://evilyueyang.gov.cn/a", ("*.yueyang.gov.cn",), False),
        ("http://czj.yueyang.gov.cn.evil.com/a", ("czj.yueyang.gov.cn",), False),
    ],
)
def test_host_allow_list(url, hosts, ok):
    assert host_allowed(url, hosts) is ok


def test_sample_portal_crawls_every_report(tmp_path):
    site = build_site(tmp_path / "site")
    log: list = []
    base, stop = serve_portal(site.root, log)
    try:
        state = CrawlState(tmp_path / "crawl.sqlite3")
        with Fetcher(FAST, state) as fetcher:
            outcomes, summary = crawl_all([site.portal(base)], fetcher, RawStore(tmp_path / "raw"))
        filings = [o.filing for o in outcomes if o.filing]
        assert sorted(f.title for f in filings) == sorted(site.report_titles)
        assert len(site.report_titles) >= 4 and len(site.other_titles) == 3
        row = summary.portals["sample"]
        assert (row.status, row.pages, sum(row.skipped.values())) == ("ok", 3, 3)
        assert sum(len(f.documents) for f in filings) >= 4
        assert sum(1 for f in filings if f.inline_html) == 1
        assert any(len(f.documents) == 2 for f in filings)
        mark = len(log)
        with Fetcher(FAST, state) as fetcher:
            crawl_all([site.portal(base)], fetcher, RawStore(tmp_path / "raw"))
        assert {h.status for h in log[mark:] if h.path != "/robots.txt"} == {304}
    finally:
        stop()
