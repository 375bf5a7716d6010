"""The benchmark machinery end to end on a tiny corpus: it runs and reports every metric.

No timing is asserted here: speed targets live in the benchmark's own report.
"""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]  # the whole benchmark machinery: the longest test by far


def test_bench_on_a_tiny_corpus_writes_every_metric(tmp_path):
    from benchmarks.run import METRIC_KEYS, main

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    code = main(["--filings", "5", "--max-pages", "6", "--corpus", str(corpus), "--out", str(out),
                 "--work", str(tmp_path)])

    assert code == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    per_format = {f"format_{fmt}_vs_baseline" for fmt in ("doc", "docx", "html", "pdf", "xlsx")}
    assert set(results["metrics"]) == set(METRIC_KEYS) | per_format | {"format_startup_imports_s"}
    for fmt in ("doc", "docx", "html", "pdf", "xlsx"):  # both sides read the file, every round
        entry = results["phases"]["formats"]["by_format"][fmt]
        assert entry["baseline_s"] > 0 and entry["pipeline_s"] > 0 and sum(entry["statuses"].values()) == 1, fmt
    for key, metric in results["metrics"].items():
        assert set(metric) == {"value", "unit", "target", "met"}, key
        assert isinstance(metric["value"], float), key
    assert results["corpus"]["formats"] == {"doc": 1, "docx": 1, "html": 1, "pdf": 1, "xlsx": 1}
    assert set(results["machine"]) >= {"nproc", "ram_gb", "cpu"}
    assert results["versions"]["duckdb"]
    # Every filing was read by both sides and loaded; the portal's re-run found nothing new.
    assert sum(results["phases"]["pipeline_1"]["statuses"].values()) == 5
    assert results["phases"]["pipeline_1"]["rows"]["facts_t"] > 0
    assert results["phases"]["pipeline_2"]["rows"] == results["phases"]["pipeline_1"]["rows"]
    assert results["phases"]["portal"]["second"]["articles_unchanged"] == results["phases"]["portal"]["second"]["report_articles"]
    # The cluster run loaded what the local run loaded, and the cluster is gone.
    scaleout = results["phases"]["scaleout"]
    assert scaleout["same_rows"] and scaleout["rows"]["facts"] > 0
    assert scaleout["processes_added_by_runs"] == 0 and scaleout["processes_left_after_teardown"] == 0
    report = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert "| metric | value | unit | target | met? |" in report
    assert all(f"| {key} |" in report for key in METRIC_KEYS)

    # The corpus is cached: a second call finds it and does not render again.
    manifest = (corpus / "manifest.json").stat().st_mtime_ns
    from benchmarks.corpus import load_or_generate

    again = load_or_generate(corpus, 5, max_pages=6)
    assert (corpus / "manifest.json").stat().st_mtime_ns == manifest
    assert len(again.files) == 5
