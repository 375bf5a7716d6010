"""A real Dask cluster on loopback: ``dask scheduler`` and ``dask worker`` processes, as on many
machines, started and torn down here (each in its own process group, so nothing they spawn outlives
them); and the rows of a warehouse that two runs over the same input must share.

Process groups, not sessions: Linux shares the CPU fairly between sessions (autogroup), so workers in
sessions of their own would get more of a busy machine than the local run's workers do."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

START_TIMEOUT_S = 180.0  # a failure deadline: a worker start on the shared 2-core box takes 5–30 s
STOP_TIMEOUT_S = 60.0

# The times of a run (fetch, detection) differ by design and are left out.
COMPARED_ROWS = {
    "filings": "SELECT * EXCLUDE (fetched_at) FROM filings ORDER BY ALL",
    "facts": "SELECT * FROM facts ORDER BY ALL",
    "indicators": "SELECT * FROM indicators ORDER BY ALL",
    "inconsistencies": "SELECT * EXCLUDE (detected_at) FROM inconsistencies ORDER BY ALL",
}


@dataclass
class DaskCluster:
    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def groups(self) -> set[int]:
        return {p.pid for p in self.processes}  # each was started as the leader of its own process group


def processes_in_groups(groups: set[int]) -> list[psutil.Process]:
    """Live processes (zombies aside) whose process group is one of ``groups``: what a cluster left behind."""
    found = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) in groups and process.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    return found


@contextmanager
def local_dask_cluster(root: Path, workers: int = 2, daemon: bool = False) -> Iterator[DaskCluster]:
    """``dask scheduler`` and ``workers`` × ``dask worker`` (one thread each) on 127.0.0.1; ``daemon``
    starts the workers as Dask's default does, unable to start the child processes jixiao needs.

    On exit every process of the cluster is gone (checked, not assumed): a scheduler or a worker
    left running would hold a core for the next run on the machine.
    """
    root.mkdir(parents=True, exist_ok=True)
    scheduler_file = root / "scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    cluster = DaskCluster(address="")
    try:
        scheduler = _start(cluster, root / "scheduler.log", "scheduler", "--host", "127.0.0.1", "--port", "0",
                           "--no-dashboard", "--scheduler-file", str(scheduler_file))
        cluster.address = _scheduler_address(scheduler, scheduler_file)
        for number in range(workers):
            _start(cluster, root / f"worker-{number}.log", "worker", cluster.address, "--host", "127.0.0.1",
                   "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                   "--local-directory", str(root / f"worker-{number}"), "--name", f"worker-{number}",
                   daemon=daemon)
        _wait_for_workers(cluster, workers)
        yield cluster
    finally:
        stop_cluster(cluster)


def stop_cluster(cluster: DaskCluster) -> None:
    """SIGTERM every group (workers first, then the scheduler), SIGKILL what outlives the deadline."""
    for process in reversed(cluster.processes):
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in cluster.processes:
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
    left = processes_in_groups(cluster.groups)
    _, alive = psutil.wait_procs(left, timeout=STOP_TIMEOUT_S)
    for process in alive:
        process.kill()
    psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)
    for process in cluster.processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    if still := processes_in_groups(cluster.groups):
        raise RuntimeError(f"dask processes still running after teardown: {[p.pid for p in still]}")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_starter() -> None:
    """In the child before exec: SIGTERM when the process that started it dies, even by SIGKILL,
    so a benchmark or test killed half-way leaves no cluster behind (the finally never runs)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the teardown in local_dask_cluster is all there is
        pass


def _start(cluster: DaskCluster, log: Path, *args: str, daemon: bool = False) -> subprocess.Popen:
    with open(log, "ab") as out:  # the child keeps its own descriptor
        # as a deployment starts them (docs/scaling.md): a worker runs each filing in a child process
        env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": str(daemon)}
        process = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=out, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL, process_group=0, preexec_fn=_die_with_starter)
    cluster.processes.append(process)
    return process


def _scheduler_address(scheduler: subprocess.Popen, scheduler_file: Path) -> str:
    import time

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            return json.loads(scheduler_file.read_text("utf-8"))["address"]
        except (OSError, ValueError, KeyError):  # not written yet, or half-written
            pass
        try:
            scheduler.wait(timeout=0.2)  # returns at once if the scheduler died
            raise RuntimeError(f"dask scheduler exited with code {scheduler.returncode}")
        except subprocess.TimeoutExpired:
            pass
    raise RuntimeError(f"dask scheduler wrote no {scheduler_file.name} within {START_TIMEOUT_S:.0f} s")


def _wait_for_workers(cluster: DaskCluster, workers: int) -> None:
    from distributed import Client

    with Client(cluster.address, timeout=START_TIMEOUT_S, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=START_TIMEOUT_S)


def cpu_seconds(groups: set[int]) -> float:
    """User + system CPU the live processes of ``groups`` have used so far."""
    total = 0.0
    for process in processes_in_groups(groups):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def comparable_rows(db: Path) -> dict[str, list[tuple]]:
    """The analysts' rows of a published warehouse, sorted, without the run-specific columns."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return {view: con.execute(sql).fetchall() for view, sql in COMPARED_ROWS.items()}
