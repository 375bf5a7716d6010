"""Many filings per load transaction (``Warehouse.load_filings``, the national-scale path):
the same rows as one transaction per filing, a re-run writes only the changed filing, and the
national benchmark reports every figure on a tiny year (no timing asserted)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks.national import GeneratedFilings, run_national
from checks.rules import ACROSS_RULES
from warehouse import Warehouse, schema

PARSER = "p1"
# What differs between two loads of the same results by design: the run and the clock.
_VOLATILE = {"run_id", "loaded_at", "detected_at", "first_seen_at", "last_seen_at", "assigned_at", "created_at", "superseded_at", "fetched_at"}


@pytest.fixture(scope="module")
def generated() -> GeneratedFilings:
    return GeneratedFilings()


def _results(generated: GeneratedFilings, count: int):
    return [generated.result(generated.filing(n)) for n in range(count)]


def _rows(store: Warehouse) -> dict[str, list[tuple]]:
    out = {}
    for table in [*schema.FILING_TABLES, schema.UNITS_T, schema.FILING_UNITS_T, schema.FILING_VERSIONS_T]:
        columns = [c for c in table.column_names() if c not in _VOLATILE]
        quoted = ", ".join(f'"{c}"' for c in columns)
        out[table.name] = store.con.execute(f'SELECT {quoted} FROM "{table.name}" ORDER BY ALL').fetchall()
    return out


def test_a_batch_loads_the_same_rows_as_one_transaction_per_filing(tmp_path, generated):
    results = _results(generated, 12)
    with Warehouse.open(tmp_path / "one.duckdb") as one, Warehouse.open(tmp_path / "batch.duckdb") as batch:
        run = one.start_run("ingest")
        assert [one.load_filing(r, run, PARSER) for r in results] == ["loaded"] * 12
        run = batch.start_run("ingest")
        assert batch.load_filings(results, run, PARSER) == ["loaded"] * 12
        expected, actual = _rows(one), _rows(batch)
    assert expected[schema.FACTS_T.name] and expected[schema.INCONSISTENCIES_T.name]
    assert actual == expected


def test_a_rerun_batch_writes_only_the_changed_filing(tmp_path, generated):
    results = _results(generated, 6)
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        first = store.start_run("ingest")
        store.load_filings(results, first, PARSER)
        changed_filing = replace(results[2].filing, documents=[replace(results[2].filing.documents[0], sha256="f" * 64)])
        changed_report = replace(results[2].report, facts=results[2].report.facts[:3])
        again = [*results[:2], replace(results[2], filing=changed_filing, report=changed_report), *results[3:]]
        second = store.start_run("ingest")
        outcomes = store.load_filings(again, second, PARSER)
        runs = dict(store.con.execute("SELECT filing_id, run_id FROM filings_t").fetchall())
        facts = dict(store.con.execute("SELECT filing_id, count(*) FROM facts_t GROUP BY 1").fetchall())
        unchanged = store.con.execute("SELECT unchanged FROM runs WHERE run_id = ?", [second]).fetchone()[0]
    assert outcomes == ["unchanged", "unchanged", "loaded", "unchanged", "unchanged", "unchanged"]
    assert unchanged == 5
    fid = changed_filing.filing_id
    assert runs[fid] == second and {r for f, r in runs.items() if f != fid} == {first}
    assert facts[fid] == 3
    assert all(facts[r.filing.filing_id] == len(r.report.facts) for r in results if r.filing.filing_id != fid)


def test_a_failed_batch_leaves_none_of_its_filings(tmp_path, generated):
    results = _results(generated, 4)
    broken = replace(results[3], filing=replace(results[3].filing, filing_id=None))  # NOT NULL refuses it
    with Warehouse.open(tmp_path / "w.duckdb") as store:
        run = store.start_run("ingest")
        with pytest.raises(Exception):
            store.load_filings([*results[:3], broken], run, PARSER)
        assert store.con.execute("SELECT count(*) FROM filings_t").fetchone()[0] == 0
        assert store.con.execute("SELECT count(*) FROM facts_t").fetchone()[0] == 0


def test_the_national_benchmark_reports_every_figure_on_a_tiny_year(tmp_path):
    figures = run_national(filings=10, repeats=1)
    assert figures["filings"] == figures["loaded"] == 10
    assert figures["facts"] > 0 and figures["indicators"] > 0 and figures["flags"] > 0
    for key in ("load_s", "load_checks_publish_s", "load_checks_publish_cpu_s", "facts_per_s", "peak_rss_mb",
                "warehouse_mb", "query_p95_max_s"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    views = {"filings", "facts", "indicators", "inconsistencies", "staffing", "cost_control", "fund_execution",
             "filing_summary"}
    assert set(figures["query_p95_s"]) == {f"view_{v}" for v in views} | {"report_region"}


# --- the checks across filings, per batch -----------------------------------------------------------
# One budget unit's reports over the years, printed several ways, then re-published, renamed and
# re-coded: every path of units (code, name, fuzzy, new, review queue), versions and cross-year flags.
_UNIT = "岳阳市云溪区人民代表大会常务委员会"
_YEARS = [  # (filing, department, region, fiscal year, 预算编码, template number)
    ("a21", _UNIT, "湖南省岳阳市", 2021, "107001", 0),
    ("a22", "云溪区人大常委会", "湖南省岳阳市", 2022, None, 1),
    ("a23", _UNIT, "湖南省岳阳市", 2023, "107001", 2),
    ("b21", "岳阳市云溪区财政局", "湖南省岳阳市", 2021, None, 3),
    ("b23", "岳阳市云溪区财政局", "湖南省岳阳市", 2023, None, 4),
    ("c22", "岳阳市云溪区教育局", "湖南省岳阳市", 2022, None, 5),
    ("c23", "岳阳市云溪区教育体育局", "湖南省岳阳市", 2023, None, 6),
    ("d22", "区人大常委会", None, 2022, None, 7),
    ("e23", "岳阳市云溪区人大常委会", "湖南省岳阳市", 2023, "107009", 8),
]


def _year_result(generated: GeneratedFilings, fid, department, region, year, code, number, sha="", scale=1.0,
                 note=None):
    result = generated.result(generated.filing(number))
    document = replace(result.filing.documents[0], sha256=(sha or fid).ljust(64, "0"))
    filing = replace(result.filing, filing_id=fid, region=region, department=department, documents=[document])
    facts = [replace(f, value=None if f.value is None else round(f.value * scale, 2)) for f in result.report.facts]
    report = replace(result.report, facts=facts, fiscal_year=year, department=department, budget_code=code,
                     staffing_note=note)
    return replace(result, filing=filing, report=report)


def _reloaded(generated: GeneratedFilings):
    """The second run (a new parser): a22 re-published with other numbers, b21 renamed, a23 re-coded, d22 coded
    (its unit of one is dropped and made again), c22 explains its staff."""
    changes = {"a22": {"sha": "a22-v2", "scale": 1.1}, "b21": {"department": "岳阳市云溪区发展和改革局"},
               "a23": {"code": "107002"}, "d22": {"code": "107003"}, "c22": {"note": "因机构改革编制数调整。"}}
    out = []
    for fid, department, region, year, code, number in _YEARS:
        change = changes.get(fid, {})
        out.append(_year_result(generated, fid, change.get("department", department), region, year,
                                change.get("code", code), number, change.get("sha", ""), change.get("scale", 1.0),
                                change.get("note")))
    return out


def _across_rows(store: Warehouse) -> dict[str, list[tuple]]:
    rows = _rows(store)
    for table in (schema.UNIT_REVIEW_T, schema.FACTS_HISTORY_T):
        columns = ", ".join(f'"{c}"' for c in table.column_names() if c not in _VOLATILE)
        rows[table.name] = store.con.execute(f'SELECT {columns} FROM "{table.name}" ORDER BY ALL').fetchall()
    rows["across_flags"] = store.con.execute(
        "SELECT filing_id, rule, subject, message FROM inconsistencies_t WHERE list_contains(?, rule) ORDER BY ALL",
        [list(ACROSS_RULES)]).fetchall()
    return rows


@pytest.mark.parametrize("size", [2, 3, len(_YEARS)])
def test_units_versions_and_cross_year_flags_are_the_same_one_by_one_and_in_batches(tmp_path, generated, size):
    first = [_year_result(generated, *row) for row in _YEARS]
    second = _reloaded(generated)
    rules: set[str] = set()
    methods: set[str] = set()
    with Warehouse.open(tmp_path / "one.duckdb") as one, Warehouse.open(tmp_path / "batch.duckdb") as batch:
        for results, parser in ((first, PARSER), (second, "p2")):
            run = one.start_run("ingest")
            assert [one.load_filing(result, run, parser) for result in results] == ["loaded"] * len(results)
            run = batch.start_run("ingest")
            for start in range(0, len(results), size):
                batch.load_filings(results[start:start + size], run, parser)
            expected, actual = _across_rows(one), _across_rows(batch)
            assert actual == expected
            rules |= {rule for _, rule, *_ in expected["across_flags"]}
            methods |= {row[0] for row in one_column(expected, schema.FILING_UNITS_T, "method")}
    assert {"prior_year_final_mismatch", "fiscal_year_gap", "republished_with_changes", "staffing_jump"} <= rules, rules
    assert {"budget_code", "name", "new"} <= methods, methods
    assert expected[schema.UNIT_REVIEW_T.name] and expected[schema.FACTS_HISTORY_T.name]
    assert max(v[1] for v in expected[schema.FILING_VERSIONS_T.name]) == 2


def one_column(rows: dict[str, list[tuple]], table, column: str) -> list[tuple]:
    index = [c for c in table.column_names() if c not in _VOLATILE].index(column)
    return [(row[index],) for row in rows[table.name]]


# --- the wide views, materialised in the published copy -------------------------------------------


def test_the_published_wide_views_hold_the_same_rows_as_the_writers(tmp_path, generated):
    from warehouse import open_readonly, publish

    writer, published = tmp_path / "writer.duckdb", tmp_path / "jixiao.duckdb"
    with Warehouse.open(writer) as store:
        run = store.start_run("ingest")
        store.load_filings(_results(generated, 12), run, PARSER)
        store.load_filings([_year_result(generated, *row) for row in _YEARS], run, PARSER)
        live = {v.name: store.con.execute(f'SELECT * FROM "{v.name}" ORDER BY ALL').fetchall()
                for v in schema.VIEWS if v.materialised}
    publish(writer, published)
    con = open_readonly(published)
    try:
        copied = {name: con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall() for name in live}
        tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        commented = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    finally:
        con.close()
    assert set(live) == {"staffing", "cost_control", "fund_execution", "filing_summary"}
    assert all(live.values()) and copied == live
    assert {v.table for v in schema.VIEWS if v.materialised} <= tables  # read from a table, not aggregated again
    assert all(commented[name] for name in live)
