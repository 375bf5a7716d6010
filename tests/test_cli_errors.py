"""The command line under user mistakes and a hostile environment: one line, a distinct exit
code, the detail in the log file, nothing lost. Real processes, a real full disk (RLIMIT_FSIZE),
a real lock held by another process, a real Prefect server killed."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from jixiao.samples import sample_documents
from tests.faults import builders as B

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"


def jixiao(*args: str, cwd: Path, env: dict | None = None, limit_file_bytes: int | None = None, timeout=300):
    def limit() -> None:  # in the child only: its files may not grow past this (a full disk, as the OS says it)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run([str(JIXIAO), *args], cwd=cwd, env=env or os.environ.copy(), capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limit if limit_file_bytes else None)


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stdout + done.stderr, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def _facts(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT filing_id, item, \"column\", value FROM facts ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory) -> Path:
    """Two sample reports ingested: a warehouse to query, and to lose nothing of."""
    folder = tmp_path_factory.mktemp("docs")
    for path in sorted(sample_documents().glob("*.docx"))[:2]:
        shutil.copyfile(path, folder / path.name)
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    done = jixiao("-q", "ingest", str(folder), "--db", str(db), cwd=db.parent)
    assert done.returncode == 0, done.stderr
    return db


BAD_ARGUMENTS = [
    (["nosuchcommand"], 2),
    (["ingest"], 2),
    (["ingest", "/no/such/folder"], 2),
    (["--log-format", "xml", "ingest", "/no/such/folder"], 2),
    (["tables", "/no/such/file.docx"], 2),
    (["facts", "/no/such/file.docx"], 2),
    (["labels", "--db", "/no/such/w.duckdb"], 2),
    (["query", "select 1", "--db", "/no/such/w.duckdb"], 2),
    (["query", "select 1", "--format", "yaml"], 2),
    (["report", "--db", "/no/such/w.duckdb"], 2),
    (["export", "--format", "docx", "--out", "x"], 2),
    (["export", "--format", "csv", "--out", "x", "--db", "/no/such/w.duckdb"], 2),
    (["run", "--config", "/no/such/jixiao.toml"], 2),
    (["run", "--portal", "no-equals-sign"], 2),
    (["serve", "--config", "/no/such/jixiao.toml"], 2),
    (["demo", "--config", "/no/such/jixiao.toml"], 2),
    (["reprocess", "--config", "/no/such/jixiao.toml"], 2),
    (["alerts", "test", "--config", "/no/such/jixiao.toml"], 2),
    (["alerts", "list", "--db", "/no/such/w.duckdb"], 2),
    (["ingest", "--frobnicate", "x"], 2),
    (["review", "--db", "/no/such/w.duckdb"], 2),
    (["review", "--export", "decisions.csv", "--db", "/no/such/w.duckdb"], 2),
    (["review", "--import", "/no/such/decisions.csv"], 2),
    (["review", "decide", "abcdefgh12", "maybe", "--by", "张三", "--db", "/no/such/w.duckdb"], 2),
    (["review", "decide", "abcdefgh12", "confirmed", "--by", "张三", "--db", "/no/such/w.duckdb"], 2),
    (["review", "accept", "公用经费开支", "--item", "no-form-dot-item"], 2),
    (["review", "merge", "file-0123456789abcdef", "--by", "张三", "--db", "/no/such/w.duckdb"], 2),
    (["export", "--format", "xlsx", "--out", "x", "--config", "/no/such/jixiao.toml"], 2),
]


@pytest.mark.parametrize("args,code", BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS])
def test_a_user_mistake_is_one_line_and_a_usage_exit_code(args, code, tmp_path):
    done = jixiao(*args, cwd=tmp_path)
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.stderr.strip(), "says what is wrong"


def test_version_and_short_help(tmp_path):
    from importlib.metadata import version

    assert jixiao("--version", cwd=tmp_path).stdout.strip() == f"jixiao {version('jixiao')}"
    helped = jixiao("ingest", "-h", cwd=tmp_path)
    assert helped.returncode == 0 and "--filing-per-folder" in helped.stdout
    assert "Exit codes" in jixiao("-h", cwd=tmp_path).stdout


def test_query_shows_duckdbs_whole_error_with_its_hint(warehouse_db):
    done = jixiao("query", "select * from filing", "--db", str(warehouse_db), cwd=warehouse_db.parent)
    assert done.returncode == 2
    assert "Did you mean" in done.stderr and "filings" in done.stderr, done.stderr


def test_ingest_piped_prints_one_line_per_filing_json_too_and_quiet_prints_none(tmp_path):
    docs = sample_documents()
    count = len(list(docs.glob("*.docx")))
    text = jixiao("ingest", str(docs), "--db", str(tmp_path / "a.duckdb"), cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = [line for line in text.stdout.splitlines() if " filing " in line]
    assert len(lines) == count and all(f"/{count} ok: " in line for line in lines), text.stdout
    as_json = jixiao("--log-format", "json", "ingest", str(docs), "--db", str(tmp_path / "b.duckdb"), cwd=tmp_path)
    events = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [e["event"] for e in events] == ["filing"] * count + ["run"]
    assert sorted(e["done"] for e in events[:-1]) == list(range(1, count + 1))
    assert events[-1]["filings_ok"] == count
    quiet = jixiao("-q", "ingest", str(docs), "--db", str(tmp_path / "c.duckdb"), cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.slow
def test_demo_ends_with_next_steps_a_new_user_can_run_as_printed(tmp_path):
    import shlex

    db = tmp_path / "demo.duckdb"
    done = jixiao("demo", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines[-1].startswith("next: ") and done.stdout.index("filings ok") < done.stdout.index("next: ")
    program = lines[-1].split()[1]  # the jixiao this user ran, not one assumed on PATH
    assert program == "jixiao" or Path(program).is_file(), program
    report = lines[-1].removeprefix("next: ").split(" (", 1)[0]
    query = lines[-1].split(" or ", 1)[1]
    for command in (report, query):
        ran = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, command + "\n" + ran.stderr
    assert (tmp_path / "report.html").is_file()


def test_failed_filings_exit_4_and_the_log_file_has_them(tmp_path):
    folder = tmp_path / "in"
    B.good_reports(folder)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    log = tmp_path / "run.log"
    done = jixiao("--log-file", str(log), "ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "filing" in log.read_text(encoding="utf-8") and "broken" in log.read_text(encoding="utf-8")


def test_a_full_disk_is_one_line_exit_6_and_loses_nothing(warehouse_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copytree(warehouse_db.parent / f".{warehouse_db.stem}", tmp_path / ".w")
    shutil.copyfile(warehouse_db, db)
    before = _facts(db)
    folder = tmp_path / "more"
    folder.mkdir()
    for k, path in enumerate(sorted(sample_documents().glob("*.docx")) * 3):
        shutil.copyfile(path, folder / f"{k:02d}_{path.name}")
    done = jixiao("ingest", str(folder), "--db", str(db), cwd=tmp_path, limit_file_bytes=120_000)
    assert done.returncode == 6, done.stdout[-2000:] + done.stderr[-2000:]
    line = _one_error_line(done)
    assert "disk full" in line and "jixiao.log" in line
    assert _facts(db) == before  # the analysts' copy is untouched
    again = jixiao("-q", "ingest", str(folder), "--db", str(db), cwd=tmp_path)  # space freed: it completes
    assert again.returncode == 0, again.stderr
    assert set(before) <= set(_facts(db))


_HOLDER = r"""
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB's own file lock, not jixiao's run.lock
print("holding", flush=True)
sys.stdin.read()
"""


def test_a_database_locked_by_another_process_is_one_line_exit_3_and_loses_nothing(warehouse_db, tmp_path):
    writer = warehouse_db.parent / f".{warehouse_db.stem}" / "writer.duckdb"
    before = _facts(warehouse_db)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(writer)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        done = jixiao("ingest", str(sample_documents()), "--db", str(warehouse_db), cwd=tmp_path)
        assert done.returncode == 3, done.stdout[-2000:] + done.stderr[-2000:]
        line = _one_error_line(done)
        assert f"PID {holder.pid}" in line, line
    finally:
        holder.communicate("", timeout=600)
    assert _facts(warehouse_db) == before
    again = jixiao("-q", "ingest", str(sample_documents()), "--db", str(warehouse_db), cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_prefect_server_killed_is_one_line_exit_7_and_loses_nothing(warehouse_db, tmp_path):
    from flows.serve import start_local_server

    db = tmp_path / "w.duckdb"
    shutil.copytree(warehouse_db.parent / f".{warehouse_db.stem}", tmp_path / ".w")
    shutil.copyfile(warehouse_db, db)
    before = _facts(db)
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    server = start_local_server(port, tmp_path / "server.log", env=env)
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    os.killpg(server.pid, signal.SIGKILL)  # the server the nightly runs report to dies
    server.wait(timeout=600)
    done = jixiao("run", "--portal", "x=http://127.0.0.1:9/list/", "--db", str(db), cwd=tmp_path, env=env)
    assert done.returncode == 7, done.stdout[-2000:] + done.stderr[-2000:]
    line = _one_error_line(done)
    assert "Prefect server" in line and "PREFECT_API_URL" in line
    assert _facts(db) == before
