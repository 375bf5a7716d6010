"""The Prefect server killed while a ``jixiao run`` reports to it (PREFECT_API_URL set).

A real server, a real run against the bundled portal on 127.0.0.1, the server SIGKILLed at a
point the test observes: the server shows the flow run running with fetch tasks finished, and
the run is downloading a document the portal holds back until the kill. The run goes on
without the server (its task reports are lost, not its work), then ends with one line and
exit 7; every filing in the warehouse is whole, and the next run (the server started again)
completes and loads nothing twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import httpx
import pytest

from core.paths import Paths
from crawler import RawStore
from pipeline.archive import archived_filings
from pipeline.process import process_filing
from tests.test_cli_errors import JIXIAO, _free_port, _one_error_line

pytestmark = pytest.mark.slow


def _wait(condition, timeout: float, what: str, proc: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc.poll() is not None:
            raise AssertionError(f"run ended (exit {proc.returncode}) before {what}")
        time.sleep(0.2)  # polling interval of a condition, not a guess at timing
    raise AssertionError(f"timed out waiting for {what}")


def _reported(api: str) -> bool:
    """The server shows the run: its flow run running, with fetch tasks finished."""
    try:
        flows = httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
            "flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}).json()
        fetches = httpx.post(f"{api}/task_runs/filter", timeout=10, json={
            "task_runs": {"name": {"like_": "fetch"}, "state": {"type": {"any_": ["COMPLETED"]}}}}).json()
        return bool(flows) and bool(fetches)
    except (httpx.HTTPError, ValueError):
        return False


def _filings(db: Path) -> dict[str, tuple[str, int, str]]:
    """Each filing's status, fact count and the run that loaded it."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT f.filing_id, f.status, (SELECT count(*) FROM facts_t x "
                           "WHERE x.filing_id = f.filing_id), f.run_id FROM filings_t f").fetchall()
    return {fid: (status, facts, run_id) for fid, status, facts, run_id in rows}


def test_prefect_server_killed_during_a_run_is_one_line_exit_7_and_the_next_run_completes(tmp_path):
    from flows.serve import start_local_server
    from jixiao.samples.portal import StaticSiteHandler, build_site, serve_portal

    site = build_site(tmp_path / "site")
    documents = sorted(p for p in site.root.rglob("*") if p.suffix.lower() in (".docx", ".pdf", ".doc", ".xlsx"))
    held = "/" + documents[-1].relative_to(site.root).as_posix()
    asked, release = threading.Event(), threading.Event()

    class HoldingOne(StaticSiteHandler):
        def reply(self, status, body, ctype, headers=None):
            if status == 200 and urlsplit(self.path).path == held:
                asked.set()
                release.wait(600)  # until the server is dead: the run is mid-flight at the kill
            return super().reply(status, body, ctype, headers)

    base_url, stop_portal = serve_portal(site.root, handler=HoldingOne)
    (tmp_path / "jixiao.toml").write_text(
        f'[crawler]\nread_timeout = 900\n\n[[portal]]\nname = "sample"\nregion = "样例市"\nplatform = "trs"\n'
        f'rate_limit = 50.0\nstart_urls = ["{site.portal(base_url).start_urls[0]}"]\n', encoding="utf-8")
    db, paths = tmp_path / "w.duckdb", Paths(tmp_path / "w.duckdb")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}
    server = start_local_server(port, tmp_path / "server.log", env=env)
    api = env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    run = None
    try:
        run = subprocess.Popen([str(JIXIAO), "run", "--db", str(db)], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait(asked.is_set, 900, "the held document to be asked for", run)
        _wait(lambda: _reported(api), 600, "the server to show the run and its fetches", run)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=600)
        release.set()
        out, errors = run.communicate(timeout=900)
        done = subprocess.CompletedProcess(run.args, run.returncode, out, errors)
        assert done.returncode == 7, out[-2000:] + errors[-3000:]
        line = _one_error_line(done)
        assert "Prefect server" in line and api in line, line
        assert "Traceback" in (paths.state / "jixiao.log").read_text(encoding="utf-8"), "the detail is in the log file"

        # nothing half-loaded: each filing in the warehouse has every fact its documents give
        loaded = _filings(paths.writer_db)
        assert len(loaded) == len(site.report_titles)  # the run finished its work without the server
        expected = {f.filing_id: f for f in archived_filings(RawStore(paths.raw))}
        for fid, (status, facts, _) in loaded.items():
            result = process_filing(expected[fid])
            assert (status, facts) == (result.status, len(result.report.facts)), fid

        server = start_local_server(port, tmp_path / "server.log", env=env)
        again = subprocess.run([str(JIXIAO), "-q", "run", "--db", str(db)], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=900)
        assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
        after = _filings(paths.writer_db)
        assert after == loaded, "each filing kept as the killed run loaded it, none loaded again"
        assert all(status == "ok" for status, _, _ in after.values()), after
    finally:
        release.set()
        if run is not None and run.poll() is None:
            run.kill()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=600)
        stop_portal()
