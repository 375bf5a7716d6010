"""How long a command takes to answer: `jixiao ingest` of one file and `jixiao facts`, as a user runs them.

Each is the real console script in a fresh process (imports, config, the writer lock, one
worker, publish), timed wall-clock from spawn to exit; the median of a few repetitions, so
one burst of other work on a shared machine does not decide the figure.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5
JIXIAO = Path(sys.executable).with_name("jixiao")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its worker): CPU does not grow when others share the cores."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([str(JIXIAO), *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"jixiao {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed, _children_cpu() - cpu


def run_startup(sample: Path | None = None, repeats: int = REPEATS) -> dict:
    """Median wall seconds of a one-file ingest (a fresh database each time) and of `facts`."""
    from jixiao.samples import sample_documents

    sample = sample or sorted(sample_documents().glob("*.docx"))[0]
    ingest, facts = [], []
    with tempfile.TemporaryDirectory(prefix="jixiao-startup-") as folder:
        work = Path(folder)
        for number in range(repeats):
            ingest.append(_timed(["-q", "ingest", str(sample), "--db", str(work / f"w{number}.duckdb")], work))
            facts.append(_timed(["facts", str(sample)], work))
    return {
        "ingest_one_file_s": statistics.median(wall for wall, _ in ingest),
        "facts_s": statistics.median(wall for wall, _ in facts),
        "ingest_one_file_cpu_s": statistics.median(cpu for _, cpu in ingest),
        "facts_cpu_s": statistics.median(cpu for _, cpu in facts),
        "ingest_runs_s": ingest, "facts_runs_s": facts, "sample": sample.name, "loadavg": os.getloadavg(),
    }


if __name__ == "__main__":
    print(run_startup())
