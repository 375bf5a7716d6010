"""`--dask` on a real cluster loads what the local run loads, and leaves no process behind.

The cluster is the one a deployment runs: ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 (``benchmarks.cluster``, also the benchmark's), started here and checked gone after.
Loading stays in the calling process (one writer), so the databases must hold the same rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from benchmarks.cluster import comparable_rows, local_dask_cluster, processes_in_groups

pytestmark = pytest.mark.slow

EXIT_S = 60  # a deadline for processes that are already exiting, not a synchronisation sleep


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from pipeline.load import DaskEngine

    with local_dask_cluster(tmp_path_factory.mktemp("dask-cluster")) as running:
        with DaskEngine(running.address):
            pass  # each worker's pool of child processes is started: the tests count the cluster's processes
        yield running


def _cluster_pids(cluster) -> set[int]:
    return {p.pid for p in processes_in_groups(cluster.groups)}


def _ran_on_workers(cluster) -> int:
    from distributed import Client

    with Client(cluster.address, set_as_default=False) as client:
        return sum(client.run(lambda dask_worker: len(dask_worker.state.log)).values())


def test_ingest_on_the_cluster_loads_the_same_rows_as_the_local_run(cluster, tmp_path, monkeypatch):
    from jixiao.samples import sample_documents
    from pipeline.load import DaskEngine, ingest

    monkeypatch.chdir(tmp_path)  # no stray ./jixiao.toml (alert channels) from the caller's folder
    docs = sample_documents()
    local_db, dask_db = tmp_path / "local" / "jixiao.duckdb", tmp_path / "dask" / "jixiao.duckdb"
    before = _ran_on_workers(cluster)

    ingest([docs], local_db)  # isolated child processes on this machine: the reference
    with DaskEngine(cluster.address) as engine:
        distributed = ingest([docs], dask_db, engine=engine)

    assert distributed.summary["filings_ok"] + distributed.summary["filings_partial"] == 5
    assert distributed.summary["filings_failed"] == 0
    local_rows, dask_rows = comparable_rows(local_db), comparable_rows(dask_db)
    assert len(dask_rows["facts"]) > 100 and len(dask_rows["filings"]) == 5 and dask_rows["inconsistencies"]
    for view in local_rows:
        assert dask_rows[view] == local_rows[view], view
    assert _ran_on_workers(cluster) > before  # the extraction really ran on the cluster's workers


def _jixiao(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, set[int]]:
    """The installed command in its own session (and process group); returns it and what of its group
    outlived it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}  # plain, no server
    process = subprocess.Popen([str(Path(sys.executable).with_name("jixiao")), "-q", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = process.communicate(timeout=900)
    _, alive = psutil.wait_procs(processes_in_groups({process.pid}), timeout=EXIT_S)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), {p.pid for p in alive}


def test_run_dask_gives_the_local_rows_and_leaves_no_process_behind(cluster, tmp_path):
    from benchmarks.phases import portal_toml
    from jixiao.samples.portal import build_site, serve_portal

    site = build_site(tmp_path / "site")
    base_url, stop = serve_portal(site.root)
    config = tmp_path / "jixiao.toml"
    config.write_text(portal_toml([("sample", site.portal(base_url))]), "utf-8")
    workers_before = _cluster_pids(cluster)
    try:
        local, local_left = _jixiao(["run", "--config", str(config), "--db", "local/jixiao.duckdb"], tmp_path)
        on_dask, dask_left = _jixiao(["run", "--config", str(config), "--db", "dask/jixiao.duckdb",
                                      "--dask", cluster.address], tmp_path)
    finally:
        stop()

    assert local.returncode == 0, local.stderr
    assert on_dask.returncode == 0, on_dask.stderr
    local_rows, dask_rows = comparable_rows(tmp_path / "local" / "jixiao.duckdb"), \
        comparable_rows(tmp_path / "dask" / "jixiao.duckdb")
    assert len(dask_rows["filings"]) == len(site.report_titles) and len(dask_rows["facts"]) > 100
    for view in local_rows:
        assert dask_rows[view] == local_rows[view], view
    # Neither run left a process of its own (a worker pool, a server) nor one on the cluster.
    assert local_left == set() and dask_left == set()
    assert _cluster_pids(cluster) == workers_before


def test_the_cluster_is_gone_after_teardown(tmp_path):
    with local_dask_cluster(tmp_path / "cluster", workers=1) as running:
        groups = running.groups
        started = processes_in_groups(groups)
        assert len(started) >= 2  # a scheduler and a worker (with its nanny) are really running
    assert processes_in_groups(groups) == []
    assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in started)


def test_a_hanging_document_fails_its_filing_and_frees_the_worker(tmp_path):
    """A filing runs in a child of the worker: at the timeout it fails, and the worker's one thread
    goes on to the next filing (a thread running the document itself could never be stopped)."""
    from pipeline.load import DaskEngine
    from pipeline.local import filings_from_paths
    from pipeline.process import Limits
    from tests.faults import builders as B

    slow = B.pdf_slow(tmp_path / "slow.pdf")
    good = B.good_reports(tmp_path / "good")[0]
    with local_dask_cluster(tmp_path / "cluster", workers=1) as running:
        with DaskEngine(running.address, Limits(timeout_s=10)) as engine:
            filings = filings_from_paths([slow, good])
            futures = [(f, engine.submit(f)) for f in filings]
            bad, fine = [engine.result(f, future) for f, future in futures]
    assert bad.status == "failed" and bad.error.startswith("timeout: extraction took longer than 10 s"), bad.error
    assert fine.status == "ok" and fine.report.facts, fine.error


def test_daemonic_workers_are_refused_with_what_to_do(tmp_path):
    """Dask's default workers may not start child processes: the run says how to start them,
    before any filing is sent."""
    from jixiao.errors import ExitCode, classify
    from pipeline.load import ClusterError, DaskEngine

    with local_dask_cluster(tmp_path / "cluster", workers=1, daemon=True) as running:
        with pytest.raises(ClusterError) as refused:
            DaskEngine(running.address)
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in str(refused.value)
    assert classify(refused.value) == (ExitCode.SERVER, str(refused.value))


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    import socket

    from jixiao.errors import ExitCode, classify
    from pipeline.load import ClusterError, DaskEngine

    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{unused.getsockname()[1]}"
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), pytest.raises(ClusterError) as refused:
        DaskEngine(address)
    code, line = classify(refused.value)
    assert code == ExitCode.SERVER and "does not answer" in line and "\n" not in line


def test_the_nightly_flow_extracts_on_the_cluster_and_loads_the_local_rows(cluster, tmp_path, prefect_harness):
    """`jixiao run --dask` under a Prefect server: discover and fetch stay tasks in the flow (they
    hold the crawl store, which cannot travel), the extraction goes to the cluster."""
    from benchmarks.phases import portal_toml
    from core.paths import Paths
    from flows.crawl import nightly_flow
    from jixiao.samples.portal import build_site, serve_portal
    from pipeline.crawl import crawl_and_load
    from pipeline.settings import settings

    site = build_site(tmp_path / "site")
    base_url, stop = serve_portal(site.root)
    config = tmp_path / "jixiao.toml"
    config.write_text(portal_toml([("sample", site.portal(base_url))]), "utf-8")
    workers_before, ran_before = _cluster_pids(cluster), _ran_on_workers(cluster)
    try:
        flow_db, local_db = tmp_path / "flow" / "jixiao.duckdb", tmp_path / "local" / "jixiao.duckdb"
        outcome = nightly_flow(str(config), str(flow_db), None, False, cluster.address)
        crawl_and_load(settings(str(config)), Paths(local_db))
    finally:
        stop()

    assert outcome.summary["filings_failed"] == 0 and outcome.summary["filings_ok"] > 0
    assert comparable_rows(flow_db) == comparable_rows(local_db)
    assert _ran_on_workers(cluster) > ran_before
    assert _cluster_pids(cluster) == workers_before  # no Prefect server or converter left on a worker


def test_a_cluster_whose_starter_is_killed_goes_with_it(tmp_path):
    """SIGKILL runs no teardown: the scheduler and workers must still not outlive what started them."""
    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\n"
         "from benchmarks.cluster import local_dask_cluster\n"
         f"with local_dask_cluster(Path({str(tmp_path / 'cluster')!r}), workers=1) as running:\n"
         "    print(' '.join(map(str, running.groups)), flush=True)\n"
         "    sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    groups = {int(pid) for pid in starter.stdout.readline().split()}
    assert len(processes_in_groups(groups)) >= 2
    starter.kill()
    starter.wait()
    _, alive = psutil.wait_procs(processes_in_groups(groups), timeout=EXIT_S)
    assert alive == [] and processes_in_groups(groups) == []
