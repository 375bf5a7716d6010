"""One crawl pass against a loopback portal: crawl → load, then an unchanged second run.

Plain Python (what `jixiao run` does), and once as the Prefect nightly flow's tasks."""

from __future__ import annotations

import duckdb
import pytest

from core.config import Config
from core.paths import Paths
from jixiao.samples.portal import build_site, serve_portal

pytestmark = pytest.mark.slow


def _snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            view: con.execute(f"select * from {view} order by all").fetchall()
            for view in ("facts", "indicators", "inconsistencies")
        } | {"filings": con.execute("select filing_id, sha256, status, published_at from filings order by 1").fetchall()}


def _prefect_night(config, paths):
    from prefect import flow

    from flows.crawl import TaskEngine, load_task, submit_task
    from pipeline.crawl import crawl_and_load
    from pipeline.process import IsolatedRunner

    @flow
    def nightly():
        with IsolatedRunner() as runner:
            return crawl_and_load(config, paths, engine=TaskEngine(runner), submit=submit_task, loader=load_task)

    return nightly()


def _two_nights(tmp_path, config_of, between=None, prepare=None, night=None):
    from pipeline.crawl import crawl_and_load

    night = night or crawl_and_load

    site = build_site(tmp_path / "site")
    if prepare:
        prepare(site)
    log = []
    base_url, stop = serve_portal(site.root, log=log)
    config = config_of(site.portal(base_url))
    paths = Paths(tmp_path / "w.duckdb")

    try:
        first = night(config, paths)
        assert first.summary["report_articles"] == len(site.report_titles)
        assert first.summary["filings_ok"] + first.summary["filings_failed"] == len(site.report_titles)
        assert first.summary["skipped_articles"] == {"budget": 1, "final_accounts": 1, "notice": 1}
        before = _snapshot(paths.db)
        if between:
            between(site, paths)
        mark = len(log)
        second = night(config, paths)
    finally:
        stop()
    return site, paths, log[:mark], log[mark:], before, second


def _documents(hits):
    return {hit.path for hit in hits if hit.path.lower().endswith((".docx", ".doc", ".pdf", ".xls", ".xlsx"))}


def _articles(hits):
    return {hit.path for hit in hits if "/t20" in hit.path and hit.path.endswith(".html")}


@pytest.fixture(params=["plain", "prefect"])
def night(request):
    if request.param == "plain":
        return None
    request.getfixturevalue("prefect_harness")
    return _prefect_night


def test_second_run_fetches_only_list_pages_and_changes_nothing(night, tmp_path):
    site, paths, first_hits, again, before, second = _two_nights(
        tmp_path, lambda portal: Config(portals=(portal,)), night=night)
    assert _documents(first_hits) and _articles(first_hits)
    # Loaded articles listed with the same title and date are not fetched again within recheck_days.
    assert not _documents(again) and not _articles(again)
    assert again and all(hit.path.endswith((".html", "/", "robots.txt")) for hit in again)
    assert second.summary["articles_not_refetched"] == len(site.report_titles)
    assert second.summary["articles_unchanged"] == len(site.report_titles)
    assert second.summary["documents_downloaded"] == 0
    assert {status for _, status, _ in second.results} <= {"unchanged"}
    assert _snapshot(paths.db) == before
    # published_at comes from the page, not the URL (the GBK article was re-published in July)
    with duckdb.connect(str(paths.db), read_only=True) as con:
        republished = con.execute("select published_at from filings where source_url like '%/202407/%'").fetchall()
    assert [(str(d),) for (d,) in republished] and all(str(d).startswith("2024-06") for (d,) in republished)


def test_recheck_every_night_uses_conditional_requests_only(tmp_path):
    from dataclasses import replace

    from core.config import CrawlerSettings

    site, paths, first_hits, again, before, second = _two_nights(
        tmp_path, lambda portal: Config(portals=(portal,), crawler=replace(CrawlerSettings(), recheck_days=0))
    )
    documents = _documents(first_hits)
    assert {hit.status for hit in again if hit.path in documents} == {304}  # conditional requests only
    assert second.summary["articles_not_refetched"] == 0
    assert second.summary["documents_not_modified"] == len(documents)
    assert second.summary["documents_downloaded"] == 0
    assert _snapshot(paths.db) == before


def test_an_entry_verified_long_ago_is_checked_again(tmp_path):
    import sqlite3

    def age_one_entry(site, paths):
        with sqlite3.connect(paths.crawl_state) as state:  # as if verified eight days ago
            state.execute("UPDATE articles SET verified_at = '2000-01-01T00:00:00+00:00' WHERE url LIKE '%/202407/%'")

    site, paths, first_hits, again, before, second = _two_nights(
        tmp_path, lambda portal: Config(portals=(portal,)), age_one_entry
    )
    assert [path for path in _articles(again)] and all("/202407/" in path for path in _articles(again))
    assert second.summary["articles_not_refetched"] == len(site.report_titles) - 1
    assert _snapshot(paths.db) == before


def test_a_retitled_list_entry_is_fetched_again(tmp_path):
    def retitle_first(site, paths):
        for page in (site.root / "czyjsgk").glob("index*.html"):
            html = page.read_text(encoding="utf-8")
            if site.report_titles[0] in html:  # a portal amends a title: 更正 goes into the list
                page.write_text(html.replace(site.report_titles[0], site.report_titles[0] + "（更正）"), encoding="utf-8")

    site, paths, first_hits, again, before, second = _two_nights(
        tmp_path, lambda portal: Config(portals=(portal,)), retitle_first
    )
    assert len(_articles(again)) == 1
    assert second.summary["articles_not_refetched"] == len(site.report_titles) - 1
    assert second.summary["documents_downloaded"] == 0  # the attachment itself did not change


def test_a_failed_filing_is_looked_at_again_every_night(tmp_path):
    broken = {}

    def break_one_document(site):
        [document] = sorted(site.root.rglob("W020240724*.docx"))  # the July article's attachment
        document.write_bytes(b"PK\x03\x04 not really a zip")
        broken["path"] = "/" + document.relative_to(site.root).as_posix()

    site, paths, first_hits, again, before, second = _two_nights(
        tmp_path, lambda portal: Config(portals=(portal,)), prepare=break_one_document
    )
    with duckdb.connect(str(paths.db), read_only=True) as con:
        assert con.execute("select count(*) from filings where status = 'failed'").fetchone()[0] == 1
    # Its article and document are asked again (a conditional GET: the file did not change).
    assert [hit.status for hit in again if hit.path == broken["path"]] == [304]
    assert len(_articles(again)) == 1
    assert second.summary["articles_not_refetched"] == len(site.report_titles) - 1
