"""Many filings per load transaction (``Warehouse.load_filings``, the national-scale path):
the same rows as one transaction per filing, a re-run writes only the changed filing, and the
national benchmark reports every figure on a tiny year (no timing asserted)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks.national import GeneratedFilings, run_national
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
    for key in ("load_s", "load_checks_publish_s", "facts_per_s", "peak_rss_mb", "warehouse_mb", "query_p95_max_s"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    views = {"filings", "facts", "indicators", "inconsistencies", "staffing", "cost_control", "fund_execution",
             "filing_summary"}
    assert set(figures["query_p95_s"]) == {f"view_{v}" for v in views} | {"report_region"}
