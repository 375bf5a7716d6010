"""``jixiao serve``: the nightly flow as a served Prefect deployment on a cron schedule.

A schedule needs a real Prefect server (the ephemeral one refuses to schedule). When
PREFECT_API_URL is not set we start ``prefect server start`` on 127.0.0.1 as a child
process, so one command gives the schedule and the UI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEFAULT_PORT = 4200


def start_local_server(port: int = DEFAULT_PORT, log_path: Path | None = None,
                       timeout_s: float = 120.0, env: dict | None = None) -> subprocess.Popen:
    """A Prefect server with its SQLite database, on loopback only, in its own process group;
    its output goes to ``log_path``."""
    env = {**(env or os.environ), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "true"}
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab") if log_path is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    finally:
        if log_path is not None:
            log.close()  # the child holds its own descriptor
    url = f"http://127.0.0.1:{port}/api/health"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(1)
    process.terminate()
    raise RuntimeError(f"prefect server did not answer on {url} within {timeout_s:.0f} s")


def serve_nightly(config_path: str | None, db: str, cron: str, timezone: str) -> None:
    """Block serving the nightly deployment; two runs never overlap (the new one is cancelled)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.crawl import nightly_flow

    nightly_flow.serve(
        name="jixiao-nightly",
        schedule=Cron(cron, timezone=timezone),
        parameters={"config_path": str(Path(config_path).resolve()) if config_path else None,
                    "db": str(Path(db).resolve())},
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        pause_on_shutdown=False,  # stopping the process must not silently pause the nightly schedule
        limit=1,
        description="Crawl the configured portals, extract, check, load DuckDB and alert.",
        tags=["jixiao"],
    )
