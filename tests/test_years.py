"""One unit across years and versions: identity, cross-year rules, re-publications (issue 15).

Real .docx reports rendered from seed 000's forms, read by the real pipeline, loaded into a
real DuckDB file; alerts go to a webhook on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import alerts
from pipeline.process import process_filing
from tests.years_fixtures import LINES, filing, render_year, year_lines
from warehouse import Warehouse

PARSER = "test"
YUNXI_NAMES = {2021: "岳阳市云溪区人大常委会机关", 2022: "云溪区人民代表大会常务委员会", 2023: "岳阳市云溪区人民代表大会常务委员会"}
FINAL_2021 = {"三公经费": "1.50", "3、公务接待": "1.50", "项目支出：": "0", "3、本级专项资金（一个专项一行）": "0", "公用经费：": "70.00", "其中：办公经费": "0.80",
              "水费、电费、差旅费": "8.00", "会议费、培训费": "24.00"}
# 2022's finals are what 2023 prints as 上年决算数, except 公用经费: 90 where 2023 says 80.86.
FINAL_2022 = {label: prior for label, (prior, _, _) in LINES.items()} | {"公用经费：": "90.00"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    out = tmp_path_factory.mktemp("years")
    docs = {
        "yunxi-2021": render_year(out, 2021, YUNXI_NAMES[2021], year_lines({}, FINAL_2021), authorized="20", code=None),
        "yunxi-2022": render_year(out, 2022, YUNXI_NAMES[2022], year_lines(FINAL_2021, FINAL_2022), code=None),
        "yunxi-2023": render_year(out, 2023, YUNXI_NAMES[2023]),
        "county-2021": render_year(out, 2021, "岳阳县财政局", code="301001"),
        "county-2023": render_year(out, 2023, "岳阳县财政局", code="301001"),
        "city-2022": render_year(out, 2022, "岳阳市财政局", code="201001"),
    }
    # The portal replaces 2022's report: 公用经费 final corrected to 80.86, 三公经费 budget 5 → 6.
    corrected = year_lines(FINAL_2021, FINAL_2022 | {"公用经费：": "80.86"})
    corrected["三公经费"] = (corrected["三公经费"][0], "6", corrected["三公经费"][2])
    (out / "v2").mkdir()
    docs["yunxi-2022-v2"] = render_year(out / "v2", 2022, YUNXI_NAMES[2022], corrected, code=None)
    return docs


def load(store: Warehouse, documents: dict, *ids: str, as_id: str | None = None) -> list[str]:
    run = store.start_run("test")
    outcomes = []
    for key in ids:
        result = process_filing(filing(documents[key], as_id or key.removesuffix("-v2")))
        assert result.status == "ok", result.error
        outcomes.append(store.load_filing(result, run, PARSER))
    return outcomes


def rows(store: Warehouse, sql: str, params=()) -> list[tuple]:
    return store.con.execute(sql, list(params)).fetchall()


def flags(store: Warehouse, rule: str) -> list[tuple]:
    return rows(store, "SELECT filing_id, severity, expected, actual, message, location FROM inconsistencies_t "
                       "WHERE rule = ? ORDER BY filing_id", [rule])


YUNXI = ("yunxi-2021", "yunxi-2022", "yunxi-2023")
COUNTY_AND_CITY = ("county-2021", "city-2022", "county-2023")


def test_a_unit_printed_three_ways_is_one_unit(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *YUNXI)
        units = rows(store, "SELECT DISTINCT unit_id FROM filings")
        assert len(units) == 1 and units[0][0] is not None
        (name, region, code, names_seen, count), = rows(
            store, "SELECT name, region, budget_code, names_seen, filing_count FROM units")
        assert {n["name"] for n in names_seen} == set(YUNXI_NAMES.values())
        assert (region, code, count) == ("湖南省岳阳市云溪区", "107001", 3)
        assert rows(store, "SELECT * FROM unit_review") == []


def test_similar_names_of_two_places_stay_two_units(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *COUNTY_AND_CITY)
        by_name = dict(rows(store, "SELECT department, count(DISTINCT unit_id) FROM filings GROUP BY 1"))
        assert by_name == {"岳阳县财政局": 1, "岳阳市财政局": 1}
        assert rows(store, "SELECT count(*) FROM units")[0][0] == 2
        # a gap year of the county's, not filled by the city's 2022 report
        (fid, severity, expected, _, message, _), = flags(store, "fiscal_year_gap")
        assert (fid, severity, expected) == ("county-2023", "info", 2022.0)
        assert "2021" in message and "county-2021" in message and "2022" in message


def test_prior_year_final_mismatch_names_both_filings_and_values(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *YUNXI)
        (fid, severity, expected, actual, message, location), = flags(store, "prior_year_final_mismatch")
        assert (fid, severity, expected, actual) == ("yunxi-2023", "warning", 90.0, 80.86)
        assert "公用经费" in message and "yunxi-2022" in message and "90" in message and "80.86" in message
        assert "2022年度" in message and "2023年度" in message
        assert location.count("table") == 2  # where each of the two figures is printed
        (fid, severity, expected, actual, _, _), = flags(store, "staffing_jump")
        assert (fid, severity, expected, actual) == ("yunxi-2022", "info", 20.0, 31.0)
        assert flags(store, "fiscal_year_gap") == []


def test_flags_do_not_depend_on_the_order_filings_arrive(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *reversed(YUNXI))
        assert [f[:4] for f in flags(store, "prior_year_final_mismatch")] == [("yunxi-2023", "warning", 90.0, 80.86)]
        assert rows(store, "SELECT count(DISTINCT unit_id) FROM filings")[0][0] == 1


def test_unit_years_puts_the_years_side_by_side(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *YUNXI)
        got = rows(store, "SELECT fiscal_year, three_public_final, three_public_final_change, authorized, "
                          "authorized_change, public_funds_final FROM unit_years ORDER BY fiscal_year")
        assert got == [(2021, 1.5, None, 20.0, None, 70.0), (2022, 1.38, -0.12, 31.0, 11.0, 90.0),
                       (2023, 0.13, -1.25, 31.0, 0.0, 108.46)]


class Receiver(BaseHTTPRequestHandler):
    bodies: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    receiver = type("R", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    channels = alerts.parse_channels([{"type": "webhook", "name": "ops",
                                       "url": f"http://127.0.0.1:{server.server_address[1]}/hook"}])
    try:
        yield channels, receiver.bodies
    finally:
        server.shutdown()


def snapshot(store: Warehouse) -> dict[str, list]:
    tables = ("filings_t", "facts_t", "inconsistencies_t", "units_t", "filing_units_t", "unit_review_t",
              "filing_versions_t", "facts_history_t")
    return {t: sorted(map(repr, rows(store, f"SELECT * FROM {t}"))) for t in tables}


def test_a_republished_filing_keeps_its_old_facts_and_is_flagged_and_alerted_once(tmp_path, documents, webhook):
    channels, bodies = webhook
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *YUNXI)
        alerts.dispatch(store.con, channels, "r1")
        assert len(bodies) == 1 and "prior_year_final_mismatch" in bodies[0]
        before = snapshot(store)

        assert load(store, documents, *YUNXI) == ["unchanged"] * 3  # the same bytes change nothing
        assert snapshot(store) == before
        alerts.dispatch(store.con, channels, "r2")
        assert len(bodies) == 1

        assert load(store, documents, "yunxi-2022-v2") == ["loaded"]
        versions = rows(store, "SELECT version, superseded_at IS NULL FROM filing_versions "
                               "WHERE filing_id = 'yunxi-2022' ORDER BY version")
        assert versions == [(1, False), (2, True)]
        pf = "SELECT {} FROM {} WHERE filing_id = 'yunxi-2022' AND item = 'public_funds.total' AND \"column\" = 'final'"
        assert rows(store, pf.format("value", "facts")) == [(80.86,)]
        assert sorted(rows(store, pf.format("version, value", "fact_versions"))) == [(1, 90.0), (2, 80.86)]

        (fid, severity, _, _, message, _), = flags(store, "republished_with_changes")
        assert (fid, severity) == ("yunxi-2022", "warning") and "2 个数字有变化" in message
        assert "公用经费本年决算数 90 → 80.86" in message and "“三公”经费本年预算数 5 → 6" in message
        # re-evaluated though only 2022 changed: 2023's 上年决算数 now agrees
        assert flags(store, "prior_year_final_mismatch") == []

        alerts.dispatch(store.con, channels, "r3")
        assert len(bodies) == 2 and "republished_with_changes" in bodies[1]
        assert load(store, documents, "yunxi-2022-v2") == ["unchanged"]
        alerts.dispatch(store.con, channels, "r4")
        assert len(bodies) == 2
        sent = json.loads(bodies[1])
        assert "republished_with_changes" in json.dumps(sent, ensure_ascii=False)


JIXIAO = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "jixiao"


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory, documents):
    db = tmp_path_factory.mktemp("unit-cli") / "jixiao.duckdb"
    with Warehouse.open(db) as store:
        load(store, documents, *YUNXI, *COUNTY_AND_CITY)
    return db


def test_unit_command_prints_the_years_versions_and_flags(loaded_db):
    done = subprocess.run([str(JIXIAO), "unit", "云溪区人大常委会", "--db", str(loaded_db)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "岳阳市云溪区人民代表大会常务委员会" in out and "预算编码 107001" in out
    assert all(name in out for name in YUNXI_NAMES.values())  # every name it printed
    assert "prior_year_final_mismatch" in out and "staffing_jump" in out
    assert "2021" in out and "2022" in out and "2023" in out and "yunxi-2022" in out


def test_unit_command_says_when_the_name_is_ambiguous_or_unknown(loaded_db):
    both = subprocess.run([str(JIXIAO), "unit", "财政局", "--db", str(loaded_db)],
                          capture_output=True, text=True, timeout=600)
    assert both.returncode == 1 and "2 units match" in both.stderr and "Traceback" not in both.stderr
    assert "岳阳县财政局" in both.stdout and "岳阳市财政局" in both.stdout
    none = subprocess.run([str(JIXIAO), "unit", "教育局", "--db", str(loaded_db)],
                          capture_output=True, text=True, timeout=600)
    assert none.returncode == 1 and "no unit matches" in none.stderr


def test_the_report_has_a_timeline_per_unit(loaded_db, tmp_path):
    from warehouse.report import build_report

    html = build_report(loaded_db, tmp_path / "report.html").read_text(encoding="utf-8")
    section = html[html.index("单位历年对比"):html.index("<footer")]
    assert section.count('<article class="card" id="unit-') == 2  # 云溪区人大常委会 (3 years) and 岳阳县财政局 (a gap)
    assert "prior_year_final_mismatch" in section and "fiscal_year_gap" in section
    assert "-0.12" in section  # 三公经费 2022 against 2021


def test_filings_loaded_before_units_existed_get_theirs_on_the_next_run(tmp_path, documents):
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        load(store, documents, *YUNXI)
        # what a warehouse written by an older jixiao holds: filings and flags, no units
        store.con.execute("DELETE FROM filing_units_t; DELETE FROM units_t; "
                          "DELETE FROM inconsistencies_t WHERE rule = 'prior_year_final_mismatch'")
        assert rows(store, "SELECT count(unit_id) FROM filings") == [(0,)]
        store.start_run("nightly")
        assert rows(store, "SELECT count(DISTINCT unit_id), count(unit_id) FROM filings") == [(1, 3)]
        assert [f[:4] for f in flags(store, "prior_year_final_mismatch")] == [("yunxi-2023", "warning", 90.0, 80.86)]


def test_a_v3_warehouse_keeps_versions_after_the_facts_inferred_migration(tmp_path, documents):
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db) as store:
        load(store, documents, "yunxi-2022")
        # a file written at schema 3: no facts.inferred, in the history table either
        store.con.execute("ALTER TABLE facts_t DROP COLUMN inferred; ALTER TABLE facts_history_t DROP COLUMN inferred; "
                          "DELETE FROM schema_migrations WHERE version = 4")
    with Warehouse.open(db) as store:
        assert 4 in store.migrated
        assert load(store, documents, "yunxi-2022-v2") == ["loaded"]
        assert sorted(rows(store, "SELECT version, count(*) > 0 FROM fact_versions WHERE filing_id = 'yunxi-2022' "
                                  "GROUP BY version")) == [(1, True), (2, True)]


def test_an_accepted_unit_merge_joins_the_two_units_and_holds_after_a_rebuild(tmp_path, documents):
    """A name close to a unit's but not certain (ratio 91) waits in unit_review; `review merge`
    records the curator's yes in the state folder and joins the units at once; a reload and a
    rebuilt warehouse keep it."""
    from core.paths import Paths
    from warehouse.unit_merges import accept

    odd = render_year(tmp_path, 2022, "岳阳市云溪区人大常务委员会办", year_lines(FINAL_2021, FINAL_2022), code=None)
    documents = {**documents, "yunxi-odd-2022": odd}
    paths = Paths(tmp_path / "w.duckdb")
    with Warehouse.open(paths.writer_db) as store:
        load(store, documents, "yunxi-2021", "yunxi-odd-2022")
        [(filing_id, candidate, score)] = rows(store, "SELECT filing_id, candidate_unit_id, score FROM unit_review")
        assert filing_id == "yunxi-odd-2022" and 75 <= score < 92
    made = accept(paths.db, filing_id, "张三")
    assert (made.printed_name, made.into_name) == ("岳阳市云溪区人大常务委员会办", "岳阳市云溪区人大常委会机关")
    with Warehouse.open(paths.writer_db) as store:
        assert rows(store, "SELECT DISTINCT unit_id FROM filings") == [(candidate,)]
        load(store, documents, "yunxi-odd-2022")
        assert rows(store, "SELECT DISTINCT unit_id FROM filings") == [(candidate,)]
        assert rows(store, "SELECT count(*) FROM unit_review") == [(0,)]
    paths.writer_db.unlink()  # rebuilt from scratch, the odd name first: the merge still holds
    with Warehouse.open(paths.writer_db) as store:
        load(store, documents, "yunxi-odd-2022", "yunxi-2021")
        assert len(rows(store, "SELECT DISTINCT unit_id FROM filings")) == 1
        assert rows(store, "SELECT count(*) FROM unit_review") == [(0,)]
