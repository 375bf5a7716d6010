"""Warehouse operations across processes: publish, locks, migrations (exports: test_export.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from core.records import Flag
from tests.test_warehouse import PARSER, make_result
from warehouse import (
    Warehouse,
    WarehouseBusy,
    WarehouseMissing,
    open_readonly,
    publish,
    query,
    schema,
    unmapped_labels,
    writer_lock,
)
from warehouse.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "warehouse" / "history"


class Child:
    """A helper process driven line by line over stdin/stdout."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )

    def read(self) -> str:
        line = self.proc.stdout.readline().strip()
        if not line:
            raise AssertionError(f"child said nothing; stderr: {self.proc.stderr.read()}")
        return line

    def send(self, text: str = "go") -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=600)


@pytest.fixture
def child():
    children: list[Child] = []

    def start(script: str, *args: str) -> Child:
        children.append(Child(script, *args))
        return children[-1]

    yield start
    for c in children:
        c.close()


def load(writer: Path, tmp_path: Path, *filing_ids: str) -> None:
    with Warehouse.open(writer) as wh:
        run = wh.start_run("test")
        for fid in filing_ids:
            wh.load_filing(make_result(tmp_path, fid), run, PARSER)
        wh.finish_run(run, "ok", {})


READER = """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    count = lambda: con.execute("SELECT count(*) FROM filings").fetchall()[0][0]
    print(count(), flush=True)
    sys.stdin.readline()
    print(count(), flush=True)
    sys.stdin.readline()
"""


def test_publish_swaps_under_an_open_reader(tmp_path, child):
    writer, published = tmp_path / ".jixiao" / "writer.duckdb", tmp_path / "jixiao.duckdb"
    load(writer, tmp_path, "f1")
    publish(writer, published)

    reader = child(READER, str(published))
    assert reader.read() == "1"

    load(writer, tmp_path, "f2", "f3")
    stale_wal = Path(f"{published}.wal")
    stale_wal.write_bytes(b"left by a read-write open of the old snapshot")
    publish(writer, published)  # must not wait for, or be refused by, the reader
    assert not stale_wal.exists()

    reader.send()
    assert reader.read() == "1", "an open reader keeps the snapshot it opened"
    assert query(published, "SELECT count(*) FROM filings")[1] == [(3,)]
    assert not list(tmp_path.glob(".jixiao.duckdb.*.tmp")), "temp copy left behind"


def test_warehouse_publish_checkpoints_and_closes(tmp_path):
    writer, published = tmp_path / "w.duckdb", tmp_path / "pub" / "jixiao.duckdb"
    wh = Warehouse.open(writer)
    run = wh.start_run("test")
    wh.load_filing(make_result(tmp_path, "f1"), run, PARSER)
    wh.publish(published)
    assert wh.con is None
    assert not Path(str(writer) + ".wal").exists()
    assert query(published, "SELECT filing_id FROM filings")[1] == [("f1",)]


def test_writer_lock_names_the_holder(tmp_path, child):
    lock = tmp_path / ".jixiao" / "run.lock"
    holder = child(
        """
        import sys
        from warehouse import writer_lock
        with writer_lock(sys.argv[1]):
            print("locked", flush=True)
            sys.stdin.readline()
        print("released", flush=True)
        """,
        str(lock),
    )
    assert holder.read() == "locked"
    with pytest.raises(WarehouseBusy) as busy:
        with writer_lock(lock):
            pytest.fail("second writer got the lock")
    assert busy.value.pid == holder.proc.pid
    assert f"PID {holder.proc.pid}" in str(busy.value)
    assert str(lock) in str(busy.value)

    holder.send()
    assert holder.read() == "released"
    with writer_lock(lock):
        assert lock.read_text().strip() == str(os.getpid())


def test_a_holder_that_has_not_written_its_pid_yet_is_still_named(tmp_path, monkeypatch):
    """The holder writes its PID just after it takes the lock; a second writer that looks in
    that gap waits for the PID instead of naming "an unknown process" (seen under load in CI)."""
    import fcntl
    import threading

    from warehouse import lock as lock_module

    lock = tmp_path / "run.lock"
    lock.touch()
    holder = open(lock, "a+", encoding="ascii")
    fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # taken, PID not written yet
    looked = threading.Event()
    read_pid = lock_module._read_pid

    def first_look_empty(handle):
        pid = read_pid(handle)
        looked.set()
        return pid

    monkeypatch.setattr(lock_module, "_read_pid", first_look_empty)

    def write_pid_after_the_first_look():
        looked.wait()
        holder.write("4242\n")
        holder.flush()

    writer = threading.Thread(target=write_pid_after_the_first_look)
    writer.start()
    try:
        with pytest.raises(WarehouseBusy) as busy:
            with writer_lock(lock):
                pytest.fail("second writer got the lock")
    finally:
        writer.join()
        holder.close()
    assert busy.value.pid == 4242
    assert "PID 4242" in str(busy.value)


def test_open_while_another_process_writes_is_busy(tmp_path, child):
    writer = tmp_path / "w.duckdb"
    load(writer, tmp_path, "f1")
    holder = child(
        """
        import sys
        from warehouse import Warehouse
        with Warehouse.open(sys.argv[1]):
            print("open", flush=True)
            sys.stdin.readline()
        """,
        str(writer),
    )
    assert holder.read() == "open"
    with pytest.raises(WarehouseBusy, match=f"PID {holder.proc.pid}"):
        Warehouse.open(writer)
    with pytest.raises(WarehouseBusy, match=f"PID {holder.proc.pid}"):
        open_readonly(writer)
    with pytest.raises(WarehouseBusy, match=f"PID {holder.proc.pid}"):
        publish(writer, tmp_path / "jixiao.duckdb")


def test_open_readonly_missing_file(tmp_path):
    with pytest.raises(WarehouseMissing, match="no warehouse at .*nothing.duckdb"):
        open_readonly(tmp_path / "nothing.duckdb")
    assert not (tmp_path / "nothing.duckdb").exists(), "a read must never create the file"


@pytest.fixture
def published(tmp_path) -> Path:
    writer, target = tmp_path / "w.duckdb", tmp_path / "jixiao.duckdb"
    load(writer, tmp_path, "f1", "f2")
    with Warehouse.open(writer) as wh:
        run = wh.start_run("test")
        wh.load_filing(make_result(tmp_path, "bad", status="failed", error="encrypted", flags=[]), run, PARSER)
        wh.con.execute(
            "INSERT INTO alert_deliveries (fingerprint, channel, kind, filing_id, rule, created_at) "
            "VALUES ('f1:staffing_over_quota', 'email', 'inconsistency', 'f1', 'staffing_over_quota', now()::TIMESTAMP)"
        )
    return publish(writer, target)


def test_unmapped_labels_from_the_published_file(published):
    assert unmapped_labels(published, 5) == [("其他费用", "basic_data", 3)]


def _make_v1(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute((HISTORY / "v1.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_migrations VALUES (1, TIMESTAMP '2024-01-01 00:00:00', 'initial schema')")
    con.execute(
        "INSERT INTO filings_t (filing_id, source_url, status, sha256, run_id, parser_version) "
        "VALUES ('old', 'http://example.gov.cn/old.html', 'ok', 'abc', 'run-v1', 'p0')"
    )
    con.execute(
        "INSERT INTO facts_t (filing_id, ordinal, form, item, \"column\", value, unit) "
        "VALUES ('old', 0, 'basic_data', 'three_public.total', 'final', 7.5, '万元')"
    )
    con.execute(
        "INSERT INTO inconsistencies_t (filing_id, rule, severity, message, detected_at) "
        "VALUES ('old', 'three_public_sum', 'error', 'x', TIMESTAMP '2024-01-01 00:00:00')"
    )
    con.close()


def test_migrates_a_v1_file(tmp_path):
    db = tmp_path / "v1.duckdb"
    _make_v1(db)
    with Warehouse.open(db) as wh:
        assert wh.migrated == [m.version for m in MIGRATIONS if m.version > 1]
        versions = wh.con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        assert [v for (v,) in versions] == [m.version for m in MIGRATIONS]
        # Old rows survive and get the run id of their filing.
        assert wh.con.execute("SELECT value, run_id FROM facts_t").fetchall() == [(7.5, "run-v1")]
        assert wh.con.execute("SELECT run_id FROM inconsistencies_t").fetchall() == [("run-v1",)]
        for table in schema.TABLES:
            columns = [r[0] for r in wh.con.execute(f'DESCRIBE "{table.name}"').fetchall()]
            assert columns == table.column_names(), table.name
        # Rebuilt tables keep their comments and constraints.
        assert wh.con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'facts_t' AND column_name = 'run_id'"
        ).fetchall()[0][0]
        with pytest.raises(duckdb.ConstraintException):
            wh.con.execute("INSERT INTO inconsistencies_t (filing_id, rule, severity) VALUES ('x', 'r', 'fatal')")
        assert wh.con.execute("SELECT filing_id, value FROM facts").fetchall() == [("old", 7.5)]
        run = wh.start_run("test")
        assert wh.load_filing(make_result(tmp_path, "new"), run, PARSER) == "loaded"
    with Warehouse.open(db) as wh:
        assert wh.migrated == []


def test_refuses_a_newer_schema(tmp_path):
    db = tmp_path / "future.duckdb"
    with Warehouse.open(db) as wh:
        wh.con.execute("INSERT INTO schema_migrations VALUES (999, now()::TIMESTAMP, 'from the future')")
    with pytest.raises(RuntimeError, match="version 999, newer than this jixiao"):
        Warehouse.open(db)


def test_killed_writer_leaves_only_whole_filings(tmp_path, child):
    db = tmp_path / "w.duckdb"
    writer = child(
        """
        import sys
        from pathlib import Path
        from tests.test_warehouse import PARSER, make_result
        from warehouse import Warehouse
        tmp = Path(sys.argv[2])
        with Warehouse.open(sys.argv[1]) as wh:
            run = wh.start_run("test")
            for i in range(10_000):
                wh.load_filing(make_result(tmp, f"f{i}"), run, PARSER)
                print(i, flush=True)
        """,
        str(db), str(tmp_path),
    )
    while int(writer.read()) < 5:
        pass
    writer.proc.kill()  # SIGKILL: no close, no checkpoint; the WAL is replayed on open
    writer.proc.wait(timeout=600)
    with Warehouse.open(db) as wh:
        per_filing = wh.con.execute(
            "SELECT fact_count, indicator_count, error_flags, count(*) FROM filing_summary GROUP BY ALL"
        ).fetchall()
        loaded = per_filing[0][3]
        assert per_filing == [(15, 1, 2, loaded)] and loaded >= 6
        orphans = wh.con.execute(
            "SELECT count(*) FROM facts_t WHERE filing_id NOT IN (SELECT filing_id FROM filings_t)"
        ).fetchall()
        assert orphans == [(0,)]


def test_migration_gives_old_flags_one_meaning_for_their_numbers(tmp_path):
    db = tmp_path / "v1.duckdb"
    _make_v1(db)
    con = duckdb.connect(str(db))
    # As version 2 stored them: sums kept the printed total as expected, exceed rules the limit.
    con.execute(
        "INSERT INTO inconsistencies_t (filing_id, rule, severity, message, expected, actual, subject) VALUES "
        "('old', 'project_sum', 'error', 'a', 164.03, 145.83, 'final'), "
        "('old', 'staffing_over_quota', 'warning', 'b', 21, 35, NULL), "
        "('old', 'staffing_rate_misreported', 'error', 'c', 166.67, 60, NULL)"
    )
    con.close()
    with Warehouse.open(db) as wh:
        rows = wh.con.execute(
            "SELECT rule, printed, computed, limit_value, expected, actual, needs_review, length(fingerprint) "
            "FROM inconsistencies WHERE rule <> 'three_public_sum' ORDER BY rule"
        ).fetchall()
        [(rate_fingerprint,)] = wh.con.execute(
            "SELECT fingerprint FROM inconsistencies WHERE rule = 'staffing_rate_misreported'").fetchall()
    # the same identity a reload computes for the same flag
    assert rate_fingerprint == Flag("staffing_rate_misreported", "error", "c", printed=60, computed=166.67).fingerprint("old")
    assert rows == [
        ("project_sum", 164.03, 145.83, None, 145.83, 164.03, False, 64),
        ("staffing_over_quota", 35, None, 21, 21, 35, False, 64),
        ("staffing_rate_misreported", 60, 166.67, None, 166.67, 60, False, 64),
    ]


def test_portal_statuses_come_from_the_crawl_runs_in_order(tmp_path):
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        for status in ("ok", "down", "blocked"):
            run = wh.start_run("crawl")
            wh.finish_run(run, "completed", {"portal_status": {"a": status}})
        local = wh.start_run("local")  # not a crawl: no portal status to read
        wh.finish_run(local, "completed", {"portal_status": {"a": "down"}})
        assert wh.portal_statuses("a") == ["ok", "down", "blocked"]
        assert wh.portal_statuses("b") == ["ok", "ok", "ok"]  # a portal a run did not list was not down
