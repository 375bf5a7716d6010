"""The analysts' HTML report, built from a warehouse loaded with the bundled samples and
rendered in headless Chromium."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import struct
import subprocess
from pathlib import Path

import duckdb
import pytest

import warehouse
from pipeline.local import filings_from_paths
from pipeline.process import parser_version, process_filing
from core.paths import Paths
from jixiao.samples import sample_documents
from warehouse.report import build_report, humanize_location, source_href

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
    # Offline proof: any name lookup fails, so a page that needs the network breaks.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

# Chromium logs console.log and console.error alike (INFO:CONSOLE), so the copy under test
# tags errors itself; a failed resource load is reported through the same tag.
CONSOLE_HOOK = """<script>
(function () {
  var original = console.error;
  console.error = function () {
    original.apply(console, ["[console.error]"].concat([].slice.call(arguments)));
  };
  window.addEventListener("error", function (event) {
    if (event.target && event.target !== window) {
      console.error("resource failed to load:", event.target.src || event.target.href);
    }
  }, true);
})();
</script>"""
CONSOLE_ERROR = re.compile(r':CONSOLE[^\]]*\] "(?:Uncaught|\[console\.error\])[^\n]*')


def build_sample_warehouse(root: Path, sources: list[Path] | None = None) -> Path:
    """The five bundled samples (or ``sources``) through extract -> map -> check -> load -> publish (no Prefect)."""
    paths = Paths(root / "jixiao.duckdb").ensure()
    filings = filings_from_paths(sources or [sample_documents()])
    version = parser_version()
    with warehouse.Warehouse.open(paths.writer_db) as store:
        run_id = store.start_run("test")
        for filing in filings:
            store.load_filing(process_filing(filing), run_id, version)
        store.finish_run(run_id, "completed", store.summary(run_id))
        store.checkpoint()
    warehouse.publish(paths.writer_db, paths.db)
    return paths.db


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("warehouse"))


@pytest.fixture(scope="module")
def report(sample_db: Path, tmp_path_factory) -> Path:
    return build_report(sample_db, tmp_path_factory.mktemp("report") / "report.html")


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM.exists(), "Debian chromium is needed at /usr/bin/chromium (apt-get install chromium)"
    return subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=600,
    )


def console_errors(stderr: str) -> list[str]:
    return CONSOLE_ERROR.findall(stderr)


def with_console_hook(page: Path, out: Path) -> Path:
    text = page.read_text(encoding="utf-8")
    out.write_text(text.replace("<head>", "<head>" + CONSOLE_HOOK, 1), encoding="utf-8")
    return out


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def filing_sections(page: str) -> dict[str, str]:
    """Title of each flagged-filing card -> its HTML."""
    sections = {}
    for chunk in page.split('<article class="filing')[1:]:
        chunk = chunk.split("</article>")[0]
        title = text_of(re.search(r"<h3>(.*?)<small>", chunk, re.S).group(1))
        sections[title] = chunk
    return sections


def flag_rows(section: str) -> list[tuple[str, list[str]]]:
    """(rule, [cell texts]) of every flag row of one filing card."""
    rows = []
    for rule, body in re.findall(r'<tr class="flag[^"]*" data-rule="([^"]+)"[^>]*>(.*?)</tr>', section, re.S):
        rows.append((rule, [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]))
    return rows


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])


# --- content -------------------------------------------------------------------------------


def test_report_shows_the_flagged_seed_filings_with_their_numbers(report):
    sections = filing_sections(report.read_text(encoding="utf-8"))
    assert len(sections) == 5

    def card(starts: str, *, without: str = "") -> str:
        # Titles are the recognised department (or the article title): match on the region.
        found = [s for title, s in sections.items() if title.startswith(starts) and not (without and without in title)]
        assert len(found) == 1, (starts, list(sections))
        return found[0]

    luosong = flag_rows(card("株洲市芦淞区"))
    over = next(cells for rule, cells in luosong if rule == "staffing_over_quota")
    assert over[2:5] == ["35 人 实际在职人数", "21 人 编制数（上限）", "+14 人"]
    rate = next(cells for rule, cells in luosong if rule == "staffing_rate_misreported")
    assert rate[2:4] == ["60% 填报控制率", "166.67% 按人数计算应为"]
    assert {"score_exceeds_max", "total_score_mismatch"} <= {rule for rule, _ in luosong}

    yunxi = flag_rows(card("岳阳市云溪区"))
    [cells] = [cells for rule, cells in yunxi if rule == "project_sum"]  # budget and final: one root cause
    assert cells[2:5] == ["164.03 万元 合计数（填报）", "145.83 万元 分项相加", "+18.2 万元"]
    assert "项目支出不等于其下各行之和" in cells[1] and "；本年决算数同" in cells[1]
    assert "原表所填：专项资金本年预算数 164.03；区六届人大三次会议经费 51.30；" in cells[1]  # as printed
    assert cells[5] == "表1 第13行 第3列；表1 第13行 第4列"
    assert {rule for rule, _ in yunxi} >= {
        "revenue_structure_mismatch", "expenditure_structure_mismatch", "narrative_table_mismatch"}
    narrative = next(cells for rule, cells in yunxi if rule == "narrative_table_mismatch" and "713.46" in cells[2])
    assert narrative[3].startswith("1284.93 万元")

    yueyang = flag_rows(card("岳阳市", without="云溪区"))
    misreported = {cells[2].split()[0] + "/" + cells[3].split()[0]
                   for rule, cells in yueyang if rule == "execution_rate_misreported"}
    assert misreported == {"100%/98.49%", "100%/98.53%"}

    guzhang = flag_rows(card("古丈县"))
    income = next(cells for rule, cells in guzhang if rule == "income_identity_mismatch")
    assert income[2:5] == ["1061.69 万元 全年预算数", "1071.69 万元 本年收入+年初结转结余", "−10 万元"]

    lukou = flag_rows(card("株洲市渌口区"))
    assert any(rule == "staffing_over_quota" and cells[2].startswith("38 人") for rule, cells in lukou)


def test_most_severe_filings_and_flags_come_first(report):
    sections = filing_sections(report.read_text(encoding="utf-8"))

    def count(section: str, severity: str) -> int:
        head = section.split("<table", 1)[0]
        found = re.search(rf'class="sev {severity}">\w+ (\d+)<', head)
        return int(found.group(1)) if found else 0

    weights = [(count(s, "error"), count(s, "warning"), count(s, "info")) for s in sections.values()]
    assert weights == sorted(weights, reverse=True)
    assert weights[0][0] == 4
    rank = {"error": 0, "warning": 1, "info": 2}
    for section in sections.values():
        order = [rank[s] for s in re.findall(r'<tr class="flag"[^>]*>\s*<td><span class="sev (\w+)"', section)]
        assert order and order == sorted(order)


def test_headline_numbers_rules_regions_and_years(report, sample_db):
    page = report.read_text(encoding="utf-8")
    headline = text_of(page.split('id="headline"')[1].split("</section>")[0])
    flags = dict(warehouse.query(sample_db, "SELECT severity, count(*) FROM inconsistencies GROUP BY 1")[1])
    facts = warehouse.query(sample_db, "SELECT count(*) FROM facts")[1][0][0]
    assert f"{flags['error']} 错误" in headline and f"{flags['warning']} 警示" in headline
    assert f"{flags['info']} 提示" in headline and f"{facts} 提取的数字" in headline
    assert "正常 5" in headline and "失败 0" in headline

    last_run = text_of(page.split('id="last-run"')[1].split("</div>")[0])
    started = warehouse.query(sample_db, "SELECT max(started_at) FROM runs")[1][0][0]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", last_run)
    assert "completed" in last_run and f"问题 {sum(flags.values())} 个" in last_run
    assert started is not None

    by_rule = text_of(page.split('id="by-rule"')[1].split("</table>")[0])
    assert "人员控制率填报有误 staffing_rate_misreported" in by_rule
    assert "实际在职人数超过编制数 staffing_over_quota" in by_rule
    by_region = text_of(page.split('id="by-region"')[1].split("</table>")[0])
    assert "株洲市芦淞区" in by_region and "古丈县" in by_region
    by_year = text_of(page.split('id="by-year"')[1].split("</table>")[0])
    assert "2021年度" in by_year and "2023年度" in by_year


def test_report_is_one_offline_file(report):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref=", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", page, re.I)
    # plotly.js's basic bundle (bar and scatter are all the charts draw), inlined once, not per chart
    assert page.count("plotly.js (basic - minified) v") == 1
    assert '"Noto Sans CJK SC"' in page
    for chart in ("chart-execution", "chart-staffing", "chart-flags-time"):
        assert f'id="{chart}"' in page


def test_source_links_open_the_documents(report, sample_db):
    page = report.read_text(encoding="utf-8")
    sources = [row[0] for row in warehouse.query(sample_db, "SELECT source_url FROM filings")[1]]
    hrefs = {html.unescape(h) for h in re.findall(r'<a href="([^"]+)"', page)}
    for source in sources:
        assert Path(source).as_uri() in hrefs


def test_building_the_report_leaves_the_warehouse_untouched(sample_db, tmp_path):
    before = hashlib.sha256(sample_db.read_bytes()).hexdigest()
    build_report(sample_db, tmp_path / "again.html")
    assert hashlib.sha256(sample_db.read_bytes()).hexdigest() == before
    assert not Path(f"{sample_db}.wal").exists()


# --- in the browser ----------------------------------------------------------------------


def test_report_renders_in_chromium_without_console_errors(report, tmp_path):
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert "CJK" in fonts, "no CJK font installed: Chinese would render as boxes (install fonts-noto-cjk)"
    page = with_console_hook(report, tmp_path / "report.html")

    dom = run_chromium(tmp_path / "profile-dom", "--virtual-time-budget=10000", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_errors(dom.stderr) == []
    for chart in ("chart-execution", "chart-staffing", "chart-flags-time"):
        div = dom.stdout.split(f'id="{chart}"', 1)[1][:20000]
        assert '<svg class="main-svg"' in div, f"{chart} was not drawn"
    drawn = dom.stdout
    assert "株洲市芦淞区" in drawn and "超预算" in drawn and "人员控制率" in drawn

    shot = tmp_path / "report.png"
    result = run_chromium(tmp_path / "profile-shot", "--window-size=1400,2400", "--virtual-time-budget=10000",
                          f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    assert shot.exists() and png_size(shot) == (1400, 2400)
    assert shot.stat().st_size > 100_000  # a blank or error page compresses to a few KB


def test_console_error_check_catches_a_broken_page(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><script src="https://cdn.example.com/x.js"></script>'
        "</head><body><script>console.error('bad'); null.x;</script></body></html>",
        encoding="utf-8",
    )
    page = with_console_hook(broken, tmp_path / "hooked.html")
    result = run_chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    errors = " ".join(console_errors(result.stderr))
    assert "[console.error] bad" in errors
    assert "Uncaught TypeError" in errors
    assert "resource failed to load: https://cdn.example.com/x.js" in errors


# --- escaping and edge cases --------------------------------------------------------------


def test_text_from_documents_is_escaped(sample_db, tmp_path):
    root = tmp_path / "hostile"
    paths = Paths(root / "jixiao.duckdb").ensure()
    shutil.copyfile(Paths(sample_db).writer_db, paths.writer_db)
    con = duckdb.connect(str(paths.writer_db))
    try:
        fid = con.execute("SELECT filing_id FROM filings_t WHERE department LIKE '%芦淞区%'").fetchall()[0][0]
        con.execute("UPDATE filings_t SET department = '<script>alert(1)</script>芦淞区', "
                    "source_url = 'javascript:alert(2)' WHERE filing_id = ?", [fid])
        con.execute("UPDATE inconsistencies_t SET message = message || '<img src=x onerror=alert(3)>' "
                    "WHERE filing_id = ?", [fid])
    finally:
        con.close()
    warehouse.publish(paths.writer_db, paths.db)
    page = build_report(paths.db, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;芦淞区" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(2)" in page


def test_report_of_an_empty_warehouse(tmp_path):
    paths = Paths(tmp_path / "jixiao.duckdb").ensure()
    warehouse.Warehouse.open(paths.writer_db).close()
    warehouse.publish(paths.writer_db, paths.db)
    page = build_report(paths.db, tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "仓库中还没有报告" in page and "尚无运行记录" in page
    assert "plotly.js (basic" not in page  # no charts, no library


def test_report_of_a_missing_warehouse_says_what_to_do(tmp_path):
    with pytest.raises(warehouse.WarehouseMissing, match="jixiao demo"):
        build_report(tmp_path / "nothing.duckdb", tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


def test_locations_read_in_chinese():
    doc = "岳阳市云溪区人大常委会2023年度部门整体支出绩效自评报告.docx"
    assert humanize_location(f"{doc} para 79; {doc} table 2 row 5 col 5", doc) == "正文第79段；表2 第5行 第5列"
    assert humanize_location("scan.pdf page 3 table 1 row 2 col 4", "other.pdf") == \
        "scan.pdf 第3页 表1 第2行 第4列"
    assert humanize_location(None) == ""


def test_only_web_and_file_sources_are_links():
    assert source_href("https://www.hunan.gov.cn/a/1.html") == "https://www.hunan.gov.cn/a/1.html"
    assert source_href("/data/报告.docx") == "file:///data/%E6%8A%A5%E5%91%8A.docx"
    assert source_href("javascript:alert(1)") is None
    assert source_href("relative/report.docx") is None
    assert source_href(None) is None


def test_report_narrowed_to_a_year_and_region_and_capped(sample_db, tmp_path):
    page = build_report(sample_db, tmp_path / "y.html", year=2023).read_text(encoding="utf-8")
    years = {text_of(re.search(r"<small>(.*?)</small>", card).group(1)) for card in filing_sections(page).values()}
    assert years == {"2023年度"} and text_of(page.split('id="scope"')[1].split("</b>")[0]).endswith("2023年度")
    by_year = text_of(page.split('id="by-year"')[1].split("</table>")[0])
    assert "2021年度" not in by_year
    facts_2023 = warehouse.query(sample_db, "SELECT count(*) FROM facts f JOIN filings USING (filing_id) "
                                            "WHERE filings.fiscal_year = 2023")[1][0][0]
    headline = text_of(page.split('id="headline"')[1].split("</section>")[0])
    assert f"{facts_2023} 提取的数字" in headline  # the headline counts only the filings shown

    page = build_report(sample_db, tmp_path / "r.html", region="古丈县").read_text(encoding="utf-8")
    assert list(filing_sections(page)) and all("古丈县" in name for name in filing_sections(page))

    whole = filing_sections(build_report(sample_db, tmp_path / "all.html").read_text(encoding="utf-8"))
    capped = build_report(sample_db, tmp_path / "one.html", max_filings=1).read_text(encoding="utf-8")
    assert list(filing_sections(capped)) == list(whole)[:1]  # the most serious one
    assert f"共 {len(whole)} 份" in text_of(capped.split('id="flagged-truncated"')[1].split("</div>")[0])


def test_a_flag_for_review_is_shown_with_its_cells_as_printed(tmp_path):
    from core.records import Cell, Flag, Location
    from tests.test_warehouse import PARSER, make_result

    amount = Cell("printed", "公用经费本年决算数", "747,953.17", 74.795317, "万元", "final",
                  place=Location(file="f1-附件2.docx", table=1, row=9, cell=4), match_method="fuzzy",
                  match_score=91.0)
    flag = Flag("narrative_table_mismatch", "info", "报告正文公用经费 70 万元，基础数据表公用经费本年决算数 74.8 万元",
                printed=70.0, computed=74.795317, subject="public_funds", unit="万元",
                location=Location(file="f1-附件2.docx", table=1, row=9, cell=4), cells=(amount,),
                weakest_match=91.0, weakest_method="fuzzy", needs_review=True)
    db = tmp_path / "jixiao.duckdb"
    result = make_result(tmp_path, flags=[flag])
    with warehouse.Warehouse.open(db) as wh:
        wh.load_filing(result, wh.start_run("test"), PARSER)
    [doc] = [d for d in result.filing.documents if d.name == "f1-附件2.docx"]
    stored = Paths(db).raw / doc.sha256[:2] / f"{doc.sha256}.docx"  # the raw store's copy
    stored.parent.mkdir(parents=True)
    stored.write_bytes(doc.path.read_bytes())
    page = build_report(db, tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f'<a href="../.jixiao/raw/{doc.sha256[:2]}/{doc.sha256}.docx">' in page  # opens the stored copy
    assert "待复核 needs review" in page and "最低匹配 91，fuzzy" in page
    assert "原表所填：公用经费本年决算数 747,953.17（折合 74.8 万元）" in page  # as the form prints it
    assert "表1 第9行 第4列" in page
