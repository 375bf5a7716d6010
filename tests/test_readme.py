"""The README's examples run as written: every shell block, every SQL query, on the bundled samples."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.test_report import build_sample_warehouse

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Blocks that cannot run inside a test, by their first line, and why.
NOT_HERE = {
    "make demo": "sets up the machine and runs the whole suite (make test): what CI itself runs",
    "jixiao run --portal changsha-czj=": "crawls a real portal on the internet",
    "prefect server start": "starts long-running services",
}


def fenced(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.M | re.S)


def commands(block: str) -> list[str]:
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


# Queries about uncertain readings: the samples' labels all match a synonym, so these may be empty.
UNSURE_ONLY = ("match_score < 100", "WHERE needs_review")

SHELL_BLOCKS = [b for b in fenced("bash") if not any(commands(b)[0].startswith(k) for k in NOT_HERE)]
QUERIES = [q.strip() for q in fenced("sql")[0].split(";") if q.strip()]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder like the one after `make demo`: ./jixiao.duckdb and ./.venv."""
    root = tmp_path_factory.mktemp("readme")
    build_sample_warehouse(root)
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root


def shell(workdir: Path, line: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
           "JIXIAO_CACHE_DIR": str(workdir / "cache"),
           # A loaded 2-core machine can take longer than Prefect's default 20 s to start its API.
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    return subprocess.run(["bash", "-c", line], cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


def test_every_block_is_run_or_named_with_a_reason():
    firsts = [commands(b)[0] for b in fenced("bash")]
    assert len(SHELL_BLOCKS) + sum(any(f.startswith(k) for k in NOT_HERE) for f in firsts) == len(firsts)
    assert len(SHELL_BLOCKS) >= 3 and len(QUERIES) >= 5


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda b: commands(b)[0][:40])
def test_shell_examples_run_as_written(workdir, block):
    for line in commands(block):
        done = shell(workdir, line)
        assert done.returncode == 0, (line, done.stdout[-2000:], done.stderr[-2000:])
        assert "Traceback" not in done.stderr, line
        assert done.stdout.strip() or done.stderr.strip(), f"{line} printed nothing"


@pytest.mark.parametrize("sql", QUERIES, ids=lambda q: q.splitlines()[0][:50])
def test_sql_examples_answer_without_duplicate_rows(workdir, sql):
    # "--": the queries start with an SQL comment, which would read as an option.
    done = shell(workdir, f".venv/bin/jixiao query --format json -- {shlex.quote(sql)}")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    keys = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows]
    assert len(keys) == len(set(keys)), f"duplicate rows: {sql}"
    if not any(part in sql for part in UNSURE_ONLY):
        assert rows, f"no rows on the samples: {sql}"
