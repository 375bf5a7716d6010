"""A re-run counts the filings it skipped as unchanged (run summary, artifact, printout).

Found by tests/test_faults_crash.py: a re-run after kill -9 reported 2 unchanged instead of 16.
"""

from __future__ import annotations

import pytest

from tests.faults.builders import good_reports

pytestmark = pytest.mark.slow


def test_rerun_counts_skipped_filings_as_unchanged(tmp_path):
    from pipeline.load import ingest

    folder = tmp_path / "reports"
    good_reports(folder)
    db = tmp_path / "w.duckdb"
    first = ingest([folder], db)
    assert first.summary["filings_ok"] == 2
    second = ingest([folder], db)
    assert [status for _, status, _ in second.results] == ["unchanged", "unchanged"]
    assert second.summary["filings_unchanged"] == 2, second.summary
