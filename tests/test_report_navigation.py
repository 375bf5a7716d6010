"""The report navigates: a filter box, sortable tables, rule rows linking to their filings, a
permalink per filing, links to the stored documents, decisions and the review queue; small
enough at 1,000 filings. Driven in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import timedelta, timezone
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import duckdb
import plotly.offline
import pytest

import warehouse
from core.paths import Paths
from jixiao.samples import sample_documents
from pipeline.load import ingest
from tests.test_report import run_chromium
from tests.test_review import variant_filing
from warehouse.report import build_report
from warehouse.report.data import portal_url
from warehouse.report.page import PLOTLY_BUNDLE
from warehouse.reviews import record

pytestmark = pytest.mark.slow
LUSONG = "株洲市芦淞区人民代表大会常务委员会"

# Run after the page's own script: type into the filter, sort a table, report what is shown.
DRIVER = """<script>
(function () {
  function visible() {
    return [].filter.call(document.querySelectorAll("article.filing"), function (el) {
      return !el.classList.contains("hidden"); }).map(function (el) { return el.id; });
  }
  var box = document.getElementById("filter"), out = {all: visible()};
  box.value = "staffing_over_quota"; box.dispatchEvent(new Event("input"));
  out.rule = visible();
  box.value = "古丈县"; box.dispatchEvent(new Event("input"));
  out.region = visible();
  out.count = document.getElementById("filter-count").textContent;
  box.value = ""; box.dispatchEvent(new Event("input"));
  var table = document.querySelector("#by-rule table"), head = table.querySelector("tr");
  function column(n) {
    return [].slice.call(table.querySelectorAll("tr")).slice(1).map(function (tr) {
      return tr.children[n].textContent.trim(); });
  }
  head.children[2].click(); out.ascending = column(2);
  head.children[2].click(); out.descending = column(2);
  document.body.setAttribute("data-result", JSON.stringify(out));
})();
</script>"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("nav")
    db = root / "jixiao.duckdb"
    ingest([sample_documents(), variant_filing(root / "variant")], db)
    _, rows = warehouse.query(db, "SELECT i.fingerprint FROM inconsistencies i JOIN filings f USING (filing_id) "
                                  f"WHERE f.department = '{LUSONG}' AND i.rule = 'staffing_over_quota'")
    record(db, rows[0][0], "false_alarm", "张三", "编制含借调")
    out = build_report(db, root / "out" / "report.html")  # in a folder of its own: links must be relative
    return db, out, rows[0][0]


def cards(page: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<article class="filing[^"]*" id="([^"]+)">(.*?)</article>',
                                                       page, re.S)}


def test_rule_rows_link_to_their_filings_and_every_anchor_exists(built):
    _, out, _ = built
    page = out.read_text(encoding="utf-8")
    by_id = cards(page)
    targets = set(re.findall(r'href="#(filing-[^"]+)"', page))
    assert targets and targets <= set(by_id), "a link to a filing that has no card"
    for rule, row in re.findall(r'<tr class="rule-row" data-rule="([^"]+)">(.*?)</tr>', page, re.S):
        linked = set(re.findall(r'href="#(filing-[^"]+)"', row))
        holding = {fid for fid, body in by_id.items() if f'data-rule="{rule}"' in body}
        assert linked == holding, rule
        assert f'href="#rule={rule}"' in row
    for fid in by_id:
        assert f'<a class="anchor" href="#{fid}"' in by_id[fid]


def test_documents_link_to_the_stored_copy_relative_to_the_report(built):
    db, out, _ = built
    page = out.read_text(encoding="utf-8")
    stored = [html.unescape(h) for h in re.findall(r'<a class="stored" href="([^"]+)"', page)]
    assert len(stored) >= 5
    raw = Paths(db).raw.resolve()
    for href in stored:
        assert not re.match(r"^[a-z]+:", href), href  # relative: the report and the state folder move together
        target = (out.parent / unquote(href)).resolve()
        assert target.is_file() and raw in target.parents
    assert portal_url("http://127.0.0.1:8765/files/a.docx") is None  # the demo's portal is gone once it stops
    assert portal_url("http://www.lusong.gov.cn/a.docx") == "http://www.lusong.gov.cn/a.docx"
    assert portal_url("javascript:alert(1)") is None


def test_the_decision_and_the_review_queue_are_in_the_report(built):
    _, out, alarm = built
    page = out.read_text(encoding="utf-8")
    row = re.search(rf'<tr class="flag closed" data-rule="staffing_over_quota" data-fingerprint="{alarm}">(.*?)</tr>',
                    page, re.S)
    assert row and "误报 · 张三：编制含借调" in row.group(1)
    # Not counted as open: the headline leaves it out and says so.
    assert '（另有 <span id="closed-count">1</span> 个经复核为误报或单位已更正，不计入）' in page
    open_flags = len(re.findall(r'<tr class="flag" data-rule=', page))
    errors, warnings, infos = (int(n) for n in re.search(
        r'(\d+) 个错误</b>、<b style="color:var\(--warning\)">(\d+) 个警示</b>、(\d+) 个提示', page).groups())
    assert errors + warnings + infos == open_flags
    queue = page.split('id="review-queue"')[1].split("</table>")[0]
    assert "公用经费支出合计数" in queue
    assert "jixiao review accept '公用经费支出合计数' --item basic_data.public_funds.total" in html.unescape(queue)


def test_filter_box_and_sorting_work_in_chromium(built, tmp_path):
    _, out, _ = built
    page = out.read_text(encoding="utf-8")
    driven = out.with_name("driven.html")
    driven.write_text(page.replace("</body>", DRIVER + "</body>", 1), encoding="utf-8")
    done = run_chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", driven.as_uri())
    result = json.loads(html.unescape(re.search(r'data-result="([^"]*)"', done.stdout).group(1)))
    by_id = cards(page)
    assert result["all"] == list(by_id)
    assert result["rule"] == [fid for fid, body in by_id.items() if 'data-rule="staffing_over_quota"' in body]
    assert 0 < len(result["rule"]) < len(by_id)
    assert result["region"] == [fid for fid, body in by_id.items() if "古丈县" in body] and result["region"]
    assert result["count"] == f"显示 {len(result['region'])} / {len(by_id)} 份报告"
    numbers = [int(re.match(r"\d+", n).group()) for n in result["ascending"]]
    assert numbers == sorted(numbers) and numbers != sorted(numbers, reverse=True)
    assert [int(re.match(r"\d+", n).group()) for n in result["descending"]] == sorted(numbers, reverse=True)
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_a_thousand_filings_stay_under_a_few_megabytes(built, tmp_path):
    db, _, _ = built
    big = Paths(tmp_path / "jixiao.duckdb").ensure()
    shutil.copyfile(Paths(db).writer_db, big.writer_db)
    con = duckdb.connect(str(big.writer_db))
    try:
        have = con.execute("SELECT count(*) FROM filings_t").fetchall()[0][0]
        copies = -(-1000 // have)
        for table in ("filings_t", "documents_t", "facts_t", "indicators_t", "inconsistencies_t", "unmapped_labels_t"):
            con.execute(f"INSERT INTO {table} SELECT t.* REPLACE (t.filing_id || '-' || r.i AS filing_id) "
                        f"FROM {table} t, range(1, {copies}) r(i)")
        filings = con.execute("SELECT count(*) FROM filings_t").fetchall()[0][0]
    finally:
        con.close()
    assert filings >= 1000
    warehouse.publish(big.writer_db, big.db)
    size = build_report(big.db, tmp_path / "report.html").stat().st_size
    # 3.0 MB measured: 1.2 MB of plotly.js and the 200 most serious filings (--max-filings) in full.
    assert size < 4_000_000, f"{size / 1e6:.1f} MB for {filings} filings"


def test_the_bundled_plotly_js_is_the_version_plotly_writes_for():
    banner = PLOTLY_BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{plotly.offline.get_plotlyjs_version()}" in banner


def test_times_are_in_the_configured_timezone(built, tmp_path):
    db, _, _ = built
    _, rows = warehouse.query(db, "SELECT started_at FROM runs ORDER BY started_at DESC LIMIT 1")
    started = rows[0][0]  # naive UTC
    beijing = build_report(db, tmp_path / "bj.html").read_text(encoding="utf-8")
    assert f"<b>{started + timedelta(hours=8):%Y-%m-%d %H:%M}</b>（北京时间，" in beijing
    london = build_report(db, tmp_path / "uk.html", tz="Europe/London").read_text(encoding="utf-8")
    local = started.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
    assert f"<b>{local:%Y-%m-%d %H:%M}</b>（Europe/London，" in london
