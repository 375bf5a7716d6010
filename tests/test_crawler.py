"""End to end: crawl the fixture portals on 127.0.0.1 twice, read the servers' access logs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler import CrawlState, Fetcher, RawStore, discover, filing_id, mark_loaded
from core.config import CrawlerSettings, PortalConfig
from tests.portal_server import build_fixture, crawl_all, serve_fixture

RATE = 10.0  # req/s per host in these tests: 0.1 s between requests
SETTINGS = CrawlerSettings(
    contact="https://example.org/jixiao-tests", connect_timeout=0.5, read_timeout=0.5, retries=1, backoff=0.1,
    max_retry_after=5,
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("portals")
    fx = build_fixture(root / "sites")
    servers = serve_fixture(fx, root)
    portals = [
        PortalConfig("trs", (servers.trs_base + "ysgk/index.html",), region="测试市", platform="trs", rate_limit=RATE),
        PortalConfig("numeric", (servers.numeric_base + "8739/8740/default.htm",), platform="numeric", rate_limit=RATE),
        PortalConfig("waf", (servers.trs_base + "waf/index.html",), rate_limit=RATE),
        PortalConfig("spa", (servers.trs_base + "spa/index.html",), rate_limit=RATE),
        PortalConfig("down", ("http://127.0.0.1:9/index.html",), rate_limit=RATE),
    ]
    store = RawStore(root / "raw")
    try:
        started = time.monotonic()
        with Fetcher(SETTINGS, CrawlState(root / "crawl.sqlite3")) as fetcher:
            first, summary1 = crawl_all(portals, fetcher, store)
            for outcome in first:
                if outcome.filing:
                    mark_loaded(fetcher, outcome.filing)
        elapsed = time.monotonic() - started
        marks = (len(servers.trs_log), len(servers.numeric_log))
        # A new process the next night: only the state file and the raw store carry over.
        with Fetcher(SETTINGS, CrawlState(root / "crawl.sqlite3")) as fetcher:
            second, summary2 = crawl_all(portals, fetcher, store)
        third_marks = (len(servers.trs_log), len(servers.numeric_log))
        with Fetcher(SETTINGS, CrawlState(root / "crawl.sqlite3")) as fetcher:
            third, summary3 = crawl_all(portals, fetcher, store, recheck_days=7)
        yield {
            "fx": fx, "servers": servers, "first": first, "second": second, "summary1": summary1,
            "summary2": summary2, "marks": marks, "elapsed": elapsed, "store": store,
            "third": third, "summary3": summary3, "third_marks": third_marks,
            "third_hits": servers.trs_log[third_marks[0]:],
        }
    finally:
        servers.stop()


def _by_path(outcomes):
    from urllib.parse import urlsplit

    return {urlsplit(o.link.url).path: o for o in outcomes if o.filing}


def test_exactly_the_reports_become_filings(runs):
    fx = runs["fx"]
    found = _by_path(runs["first"])
    assert set(found) == set(fx.trs_reports) | set(fx.numeric_reports)
    for path, title in {**fx.trs_reports, **fx.numeric_reports}.items():
        assert found[path].filing.title == title


def test_non_reports_are_skipped_and_counted(runs):
    rows = runs["summary1"].portals
    assert dict(rows["trs"].skipped) == {"budget": 1, "notice": 1, "final_accounts": 1, "not_report": 1}
    assert dict(rows["numeric"].skipped) == {"budget": 1, "final_accounts": 1, "notice": 1}
    paths = {hit.path for hit in runs["servers"].trs_log}
    assert "/ysgk/202402/t20240206_2001.html" not in paths  # a budget is never even opened
    assert "/ysgk/202405/W020240520000002.pdf" not in paths


def test_pagination_walks_all_list_pages(runs):
    trs_paths = {hit.path for hit in runs["servers"].trs_log}
    assert {"/ysgk/index.html", "/ysgk/index_1.html", "/ysgk/index_2.html"} <= trs_paths
    numeric_paths = {hit.path for hit in runs["servers"].numeric_log}
    assert {"/8739/8740/default.htm", "/8739/8740/default_1.htm", "/8739/8740/default_2.htm"} <= numeric_paths
    assert runs["summary1"].portals["trs"].pages == 3
    assert runs["summary1"].portals["numeric"].pages == 3


def test_report_with_two_attachments_one_without_href(runs):
    filing = _by_path(runs["first"])["/ysgk/202405/t20240520_1001.html"].filing
    names = sorted(d.name for d in filing.documents)
    assert names == ["教育局绩效自评报告.pdf", "教育局绩效自评表.xls"]
    assert filing.published_at == "2024-05-20"
    assert filing.filing_id == filing_id(runs["servers"].trs_base + "ysgk/202405/t20240520_1001.html")


def test_documents_are_content_addressed(runs):
    filing = _by_path(runs["first"])["/ysgk/202405/t20240520_1001.html"].filing
    raw = runs["store"].root
    for doc in filing.documents:
        assert doc.path.parent.parent == raw
        assert doc.path.name == f"{doc.sha256}{doc.path.suffix}"
        assert doc.path.parent.name == doc.sha256[:2]
        assert Path(doc.path).read_bytes()


def test_503_retry_after_is_honoured(runs):
    hits = [h for h in runs["servers"].trs_log[: runs["marks"][0]] if h.path == "/files/a1.pdf"]
    assert [h.status for h in hits] == [503, 200]
    assert hits[1].at - hits[0].at >= 0.95


def test_gbk_page_and_upper_case_extension(runs):
    outcome = _by_path(runs["first"])["/ysgk/202405/t20240518_1002.html"]
    filing = outcome.filing
    assert filing.published_at == "2023-12-30"  # the page's PubDate, not the list date or the URL
    [doc] = filing.documents
    assert doc.name == "王堃研究中心自评报告.docx"
    assert doc.path.suffix == ".docx"


def test_inline_report_is_saved_as_html(runs):
    filing = _by_path(runs["first"])["/ysgk/202405/t20240515_1004.html"].filing
    assert filing.documents == []
    text = filing.inline_html.path.read_text(encoding="utf-8")
    assert "<table" in text and "128.7" in text and 'charset="utf-8"' in text
    maybe = _by_path(runs["first"])["/ysgk/202405/t20240508_1008.html"].filing
    assert maybe.inline_html is not None  # title said only 绩效情况; the body decided


def test_404_attachment_keeps_the_filing(runs):
    outcome = _by_path(runs["first"])["/ysgk/202405/t20240512_1005.html"]
    assert [d.name for d in outcome.filing.documents] == ["水利局评价报告.docx"]
    assert outcome.status == "partial"
    assert any("not_found" in e and "missing.pdf" in e for e in outcome.errors)


def test_redirects_same_host_followed_other_host_refused(runs):
    outcome = _by_path(runs["first"])["/ysgk/202405/t20240510_1006.html"]
    [doc] = outcome.filing.documents
    assert doc.path.read_bytes().startswith(b"%PDF-1.4 moved")
    assert any("not_allowed" in e and "127.0.0.2" in e for e in outcome.errors)


def test_robots_disallowed_path_never_fetched(runs):
    paths = [hit.path for hit in runs["servers"].trs_log]
    assert not any(p.startswith("/private/") for p in paths)
    assert "/robots.txt" in paths


def test_timeout_is_reported_and_bounded(runs):
    errors = runs["summary1"].portals["trs"].errors
    assert any("timeout" in e and "t20240514_1007" in e for e in errors)
    hits = [h for h in runs["servers"].trs_log[: runs["marks"][0]] if h.path.endswith("t20240514_1007.html")]
    assert len(hits) == 1 + SETTINGS.retries
    assert runs["elapsed"] < 30


def test_each_portal_gets_its_own_status(runs):
    rows = runs["summary1"].portals
    assert rows["waf"].status == "blocked"
    assert rows["spa"].status == "js-shell"
    assert rows["down"].status == "down"
    assert rows["numeric"].status == "ok"
    assert rows["trs"].status == "partial"  # the timed-out article
    assert rows["trs"].reports == 6 and rows["numeric"].reports == 2


def test_numeric_portal_dates_and_names(runs):
    found = _by_path(runs["first"])
    fagai = found["/8739/8740/content_2188057.html"].filing
    assert fagai.published_at == "2023-02-23"
    assert [d.name for d in fagai.documents] == ["岳阳市发改委2022年度部门整体支出绩效自评报告.PDF"]
    gjj = found["/8739/8740/content_2188100.html"].filing
    assert [d.name for d in gjj.documents] == ["自评表.xlsx"]


def test_user_agent_and_conditional_requests(runs):
    headers = [hit.headers for hit in runs["servers"].trs_log if hit.path == "/files/ok.docx"]
    assert all("jixiao" in h["user-agent"] and "https://example.org/jixiao-tests" in h["user-agent"] for h in headers)
    assert "if-none-match" not in headers[0] and "if-none-match" in headers[-1]


def test_second_run_downloads_no_document(runs):
    servers = runs["servers"]
    trs_mark, numeric_mark = runs["marks"]
    trs_end, numeric_end = runs["third_marks"]
    second = servers.trs_log[trs_mark:trs_end] + servers.numeric_log[numeric_mark:numeric_end]
    assert second, "the second run made requests"
    served_200 = [h.path for h in second if h.status == 200]
    assert served_200 == ["/robots.txt"]  # a fresh process reads robots.txt once; nothing else is sent again
    assert {h.status for h in second} <= {200, 304, 302, 404, 412, 499}
    total = runs["summary2"].totals
    assert total.downloaded == 0 and total.bytes == 0
    assert total.not_modified == runs["summary1"].totals.downloaded


def test_second_run_reports_nothing_changed(runs):
    first = _by_path(runs["first"])
    second = _by_path(runs["second"])
    assert set(second) == set(first)
    for path, outcome in second.items():
        assert outcome.changed is False, path
        assert outcome.filing.sha256 == first[path].filing.sha256


def test_recheck_days_fetches_again_only_what_was_not_verified(runs):
    article_hits = {h.path for h in runs["third_hits"] if h.path.startswith("/ysgk/20")}
    # Never verified: the two partial filings (an attachment 404ed / redirected off-host) and
    # the article that timed out.
    assert article_hits == {"/ysgk/202405/t20240512_1005.html", "/ysgk/202405/t20240510_1006.html",
                            "/ysgk/202405/t20240514_1007.html"}
    total = runs["summary3"].totals
    assert total.known == total.reports - 2  # the timed-out article is no filing
    assert total.downloaded == 0
    # Articles whose body said "not a report" are remembered too, and still counted as skipped.
    assert total.skipped == runs["summary1"].totals.skipped


def test_rate_limit_per_host(runs):
    interval = 1.0 / RATE
    servers, marks = runs["servers"], runs["marks"]
    # Each run is its own Fetcher (a night apart in real life): check spacing within a run.
    for log, mark in ((servers.trs_log, marks[0]), (servers.numeric_log, marks[1])):
        for run in (log[:mark], log[mark:]):  # the second and third runs are a second apart
            times = sorted(hit.at for hit in run)
            gaps = [b - a for a, b in zip(times, times[1:])]
            assert min(gaps) >= interval * 0.95, min(gaps)  # a few ms of scheduling jitter


def test_report_column_reads_articles_titled_with_the_department_alone(tmp_path):
    from jixiao.samples.portal import serve_portal
    from tests.portal_server import _page, _trs_list, _write

    site = tmp_path / "site"
    _write(site, "/robots.txt", "User-agent: *\nDisallow:\n")
    _write(site, "/bmzl/index.html", _trs_list([
        ("./202405/t20240520_1.html", "测试市审计局", "2024-05-20"),
        ("./202405/t20240519_2.html", "测试市统计局", "2024-05-19"),
        ("./202405/t20240518_3.html", "测试市统计局2024年部门预算", "2024-05-18"),
    ], 1, 0))
    _write(site, "/bmzl/202405/t20240520_1.html", _page(
        "测试市审计局", "<p>详见附件。</p>",
        '<a href="./W020240520000009.docx">测试市审计局2023年度部门整体支出绩效自评报告.docx</a>'))
    _write(site, "/bmzl/202405/W020240520000009.docx", b"PK\x03\x04 audit bureau report")
    _write(site, "/bmzl/202405/t20240519_2.html", _page("测试市统计局", "<p>本局负责全市统计工作。</p>"))
    base_url, stop = serve_portal(site)
    try:
        urls = (base_url + "bmzl/index.html",)
        column = PortalConfig("column", urls, platform="trs", rate_limit=RATE, report_column=True)
        plain = PortalConfig("plain", urls, platform="trs", rate_limit=RATE)
        with Fetcher(SETTINGS, CrawlState(tmp_path / "crawl.sqlite3")) as fetcher:
            outcomes, summary = crawl_all([column, plain], fetcher, RawStore(tmp_path / "raw"))
    finally:
        stop()
    [filing] = [o.filing for o in outcomes if o.filing]
    assert filing.portal == "column" and filing.title == "测试市审计局2023年度部门整体支出绩效自评报告"
    assert [d.name for d in filing.documents] == ["测试市审计局2023年度部门整体支出绩效自评报告.docx"]
    assert summary.portals["column"].skipped == {"not_report": 1, "budget": 1}  # the 统计局 page was read
    assert summary.portals["plain"].skipped == {"other": 2, "budget": 1}  # without the hint, titles decide


def test_hanweb_column_walks_its_dataproxy_record_groups(tmp_path):
    """A Hanweb column embeds its first records; the rest come from dataproxy.jsp by record range."""
    from urllib.parse import parse_qs, urlsplit

    from jixiao.samples.portal import StaticSiteHandler, serve_portal
    from tests.portal_server import _page, _write

    titles = [f"测试县{name}2023年度部门整体支出绩效自评报告" for name in "甲乙丙丁戊己庚"]
    records = [
        f'<record><![CDATA[<li><a href="/art/2024/5/{20 - i}/art_1229_{5000 + i}.html" title="{title}">{title[:8]}</a>'
        f"<span>2024-05-{20 - i:02d}</span></li>]]></record>"
        for i, title in enumerate(titles)
    ]
    site = tmp_path / "site"
    _write(site, "/robots.txt", "User-agent: *\nDisallow:\n")
    _write(site, "/col/col1229/index.html", f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div id="3691"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=12&path=/&columnid=1229&unitid=3691&webname=%E6%B5%8B%E8%AF%95%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>{"".join(records[:3])}</recordset></datastore></script></div>
<script>$(document).ready(function(){{$('#3691').jpage({{dataStore: dataStore, totalRecord:{len(titles)},
perPage:1, proxyUrl:'/module/web/jpage/dataproxy.jsp', dataBefore:'<ul>', dataAfter:'</ul>'}});}});</script>
</body></html>""")
    for i, title in enumerate(titles):
        _write(site, f"/art/2024/5/{20 - i}/art_1229_{5000 + i}.html", _page(title, "<p>自评报告正文。" + "绩效" * 300 + "</p>"))
    asked = []

    class Hanweb(StaticSiteHandler):
        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            if not parts.path.endswith("dataproxy.jsp"):
                return super().do_GET()
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            asked.append(query)
            if (query.get("columnid"), query.get("unitid"), query.get("webid")) != ("1229", "3691", "12"):
                return self.reply(400, b"bad column", "text/plain")
            first, last = int(query["startrecord"]), int(query["endrecord"])
            body = f"<datastore><recordset>{''.join(records[first - 1:last])}</recordset></datastore>"
            self.reply(200, body.encode(), "text/xml; charset=utf-8")

    base_url, stop = serve_portal(site, handler=Hanweb)
    try:
        portal = PortalConfig("hanweb", (base_url + "col/col1229/index.html",), platform="hanweb", rate_limit=RATE)
        with Fetcher(SETTINGS, CrawlState(tmp_path / "crawl.sqlite3")) as fetcher:
            found = discover(portal, fetcher)
    finally:
        stop()
    assert [a.title for a in found.articles] == titles  # 3 embedded + 4 from dataproxy, in order
    assert [(q["startrecord"], q["endrecord"]) for q in asked] == [("4", "6"), ("7", "7")]
    assert all(q["webname"] == "测试县" for q in asked)
    assert found.pages == 3 and found.status == "ok"
