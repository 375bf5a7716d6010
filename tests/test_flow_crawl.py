"""The nightly flow against a loopback portal: crawl → load, then an unchanged second run."""

from __future__ import annotations

import duckdb
import pytest

from jixiao.config import Config
from jixiao.paths import Paths
from jixiao.samples.portal import build_site, serve_portal

pytestmark = pytest.mark.slow


def _snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            view: con.execute(f"select * from {view} order by all").fetchall()
            for view in ("facts", "indicators", "inconsistencies")
        } | {"filings": con.execute("select filing_id, sha256, status, published_at from filings order by 1").fetchall()}


def test_second_run_downloads_no_document_and_changes_nothing(prefect_harness, tmp_path):
    from prefect import flow

    from flows.crawl import crawl_and_load

    site = build_site(tmp_path / "site")
    log = []
    base_url, stop = serve_portal(site.root, log=log)
    config = Config(portals=(site.portal(base_url),))
    paths = Paths(tmp_path / "w.duckdb")

    @flow
    def nightly():
        return crawl_and_load(config, paths)

    try:
        first = nightly()
        assert first.summary["report_articles"] == len(site.report_titles)
        assert first.summary["filings_ok"] == len(site.report_titles)
        assert first.summary["skipped_articles"] == {"budget": 1, "final_accounts": 1, "notice": 1}
        before = _snapshot(paths.db)
        documents = {hit.path for hit in log if hit.path.lower().endswith((".docx", ".doc", ".pdf", ".xls", ".xlsx"))}
        assert documents

        mark = len(log)
        second = nightly()
    finally:
        stop()
    again = log[mark:]
    assert {hit.status for hit in again if hit.path in documents} == {304}  # conditional requests only
    assert not [hit for hit in again if hit.status == 200 and hit.path in documents]
    assert second.summary["articles_unchanged"] == len(site.report_titles)
    assert second.summary["documents_downloaded"] == 0
    assert {status for _, status, _ in second.results} <= {"unchanged"}
    assert _snapshot(paths.db) == before
    # published_at comes from the page, not the URL (the GBK article was re-published in July)
    with duckdb.connect(str(paths.db), read_only=True) as con:
        republished = con.execute("select published_at from filings where source_url like '%/202407/%'").fetchall()
    assert [(str(d),) for (d,) in republished] and all(str(d).startswith("2024-06") for (d,) in republished)
