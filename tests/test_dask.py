"""`ingest --dask` (extraction on a Dask cluster) loads what the serial run loads.

A real ``distributed.LocalCluster`` of two worker processes, ``pipeline.load.DaskEngine``
(the engine of ``jixiao ingest --dask``), the five bundled sample reports; loading stays in
the calling process (one writer), so the two databases must hold the same rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

# Run-specific columns (run ids, load and detection times) differ by design and are left out.
VIEWS = {
    "filings": "SELECT * FROM filings ORDER BY ALL",
    "facts": "SELECT * FROM facts ORDER BY ALL",
    "indicators": "SELECT * FROM indicators ORDER BY ALL",
    "inconsistencies": "SELECT * EXCLUDE (detected_at) FROM inconsistencies ORDER BY ALL",
}


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        yield local


def _rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {view: con.execute(sql).fetchall() for view, sql in VIEWS.items()}


def test_dask_cluster_run_loads_the_same_rows_as_the_serial_run(cluster, tmp_path, monkeypatch):
    from distributed import Client

    from jixiao.samples import sample_documents
    from pipeline.load import DaskEngine, ingest

    monkeypatch.chdir(tmp_path)  # no stray ./jixiao.toml (alert channels) from the caller's folder
    docs = sample_documents()
    serial_db = tmp_path / "serial" / "jixiao.duckdb"
    dask_db = tmp_path / "dask" / "jixiao.duckdb"

    ingest([docs], serial_db)  # the serial run: the reference the cluster run must match
    with DaskEngine(cluster.scheduler_address) as engine:
        distributed = ingest([docs], dask_db, engine=engine)

    assert distributed.summary["filings_ok"] + distributed.summary["filings_partial"] == 5
    assert distributed.summary["filings_failed"] == 0
    serial_rows, dask_rows = _rows(serial_db), _rows(dask_db)
    assert len(dask_rows["facts"]) > 100
    assert len(dask_rows["filings"]) == 5
    for view in VIEWS:
        assert dask_rows[view] == serial_rows[view], view
    # The extraction really ran on the cluster's workers, not in the flow's process.
    with Client(cluster.scheduler_address) as client:
        transitions = client.run(lambda dask_worker: len(dask_worker.state.log))
    assert sum(transitions.values()) > 0, transitions
