"""`jixiao serve`: a real Prefect server, the nightly deployment with its cron schedule, and a
triggered run that crawls a loopback portal into the warehouse."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from jixiao.samples.portal import build_site, serve_portal

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _deployments(api: str) -> list[dict]:
    try:
        return httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return []


def _server_log_tail(tmp_path: Path) -> str:
    logs = [tmp_path / "serve.log", tmp_path / ".w" / "prefect-server.log"]
    return "\n".join(f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:] for log in logs if log.exists())


def test_serve_schedules_the_nightly_flow_and_runs_it(tmp_path):
    site = build_site(tmp_path / "site")
    base_url, stop_portal = serve_portal(site.root)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    (tmp_path / "jixiao.toml").write_text(
        f'[schedule]\ncron = "30 2 * * *"\ntimezone = "Asia/Shanghai"\n\n'
        f'[[portal]]\nname = "loopback"\nregion = "样例市"\nplatform = "trs"\nrate_limit = 50.0\n'
        f'start_urls = ["{base_url}{site.start_path}"]\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    serve_log = open(tmp_path / "serve.log", "wb")  # a file, not a pipe nobody drains
    serve = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "serve", "--port", str(port), "--db", str(tmp_path / "w.duckdb")],
        cwd=tmp_path, env=env, stdout=serve_log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deployment = _wait(lambda: next(iter(_deployments(api)), None), 150, "the deployment")
        assert deployment["name"] == "jixiao-nightly"
        schedule = deployment["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == ("30 2 * * *", "Asia/Shanghai")
        assert deployment["global_concurrency_limit"]["limit"] == 1  # two nights never overlap

        # Prefect's SQLite server can answer a write with "database is locked" while its own
        # services start (PrefectHQ/prefect#18934); a user re-issues the request, so do we.
        answers = []

        def create_run():
            try:
                answers.append(httpx.post(f"{api}/deployments/{deployment['id']}/create_flow_run", json={}, timeout=30))
                return "id" in answers[-1].json() and answers[-1].json()
            except (httpx.HTTPError, ValueError):
                return None

        try:
            run = _wait(create_run, 90, "a flow run to be created")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {[(a.status_code, a.text[:300]) for a in answers[-3:]]}") from None
        def final_state():
            try:
                state = (httpx.get(f"{api}/flow_runs/{run['id']}", timeout=10).json().get("state") or {}).get("type")
            except (httpx.HTTPError, ValueError):
                return None
            return state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") and state

        try:
            state = _wait(final_state, 240, "the triggered run")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{_server_log_tail(tmp_path)}") from None
        assert state == "COMPLETED", _server_log_tail(tmp_path)

        def filing_lines():  # the run's line per filing reaches the server's log, as the UI shows it
            try:
                logs = httpx.post(f"{api}/logs/filter", timeout=10, json={
                    "logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200}).json()
            except (httpx.HTTPError, ValueError):
                return None
            lines = [entry["message"] for entry in logs if entry["message"].startswith("filing ")]
            # Logs reach the server in batches after the run: wait for the last filing's line itself.
            return lines if any(re.match(r"filing (\d+)/\1 ", line) for line in lines) else None

        lines = _wait(filing_lines, 120, "the run's line for its last filing in the Prefect log")
        total = int(re.match(r"filing \d+/(\d+) ", lines[-1]).group(1))
        assert {int(re.match(r"filing (\d+)/", line).group(1)) for line in lines} == set(range(1, total + 1)), lines
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
            assert con.execute("select count(*) from filings where portal = 'loopback'").fetchone()[0] == len(
                site.report_titles
            )
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=600)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        serve_log.close()
        stop_portal()
