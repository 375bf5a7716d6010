"""Fault suite, crash safety and concurrency, with real processes and the real CLI.

One folder of filings (copies of the two sample reports, a slow PDF, broken files) goes
through a sequence of real ``jixiao`` runs sharing one database:

0. two ``ingest`` started at once on another database: one is refused (exit 3, names the
   PID of the other) and the writer database cannot be opened a second time;
1. ``ingest`` killed with SIGKILL while filings are being loaded;
2. ``ingest`` killed with SIGKILL while the slow PDF is being extracted (loads finished);
3. ``ingest`` that completes: nothing loaded before is redone (counted unchanged), every
   filing is whole, none twice;
4. ``rebuild`` from the raw store while an analyst process holds the published file
   read-only and queries it in a loop: the run succeeds, the analyst never sees half a
   filing, the rebuilt warehouse has the same rows.

Each step is a module fixture that records what its test checks, so the tests pass in any
order (pytest-randomly) and alone. A kill happens at a point the test observes: the run's
one line per finished filing (printed after that filing is committed), never a guessed delay.

Plus a download killed mid-body (a real crawler process against a loopback server that
trickles): no partial document in the raw store, the next fetch completes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import psutil
import pytest

from pipeline.local import filing_id, filings_from_paths
from pipeline.process import process_filing
from core.paths import Paths
from tests.faults import builders as B

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
COPIES = 16



def _wait(condition, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"run ended (exit {proc.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


_FILING_LINE = re.compile(r" filing \d+/\d+ .*?\((file-[0-9a-f]{16})\)")


class Run:
    """A real `jixiao` command in its own session (so it and its children can be cleaned up);
    its output is collected line by line as it comes."""

    def __init__(self, *args: str, cwd: Path, env: dict):
        self.proc = subprocess.Popen(
            [str(JIXIAO), *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def finished_filings(self) -> list[str]:
        """The filing ids the run reported loaded so far (one line each, after the commit)."""
        return [m.group(1) for line in list(self.lines) if (m := _FILING_LINE.search(line))]

    def output(self) -> str:
        return "".join(self.lines)

    def children(self) -> list[int]:
        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kill9(self) -> list[int]:
        """SIGKILL the run's own process only (as the OOM killer or a reboot would); returns
        the PIDs of its children at that moment."""
        children = self.children()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=600)
        return children

    def finish(self, timeout: float = 240) -> tuple[int, str]:
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=600)
        return self.proc.returncode, self.output()

    def cleanup(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def _extraction_workers(pids: list[int]) -> list[int]:
    workers = []
    for pid in _alive(pids):
        try:
            cmdline = " ".join(psutil.Process(pid).cmdline())
        except psutil.NoSuchProcess:
            continue
        if "prefect" not in cmdline and "uvicorn" not in cmdline:
            workers.append(pid)
    return workers


def _writer_rows(paths: Paths, sql: str) -> list[tuple]:
    # read-only: the WAL left by the kill is replayed in memory, the file is not touched
    with duckdb.connect(str(paths.writer_db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    folder = root / "reports"
    good = B.good_reports(root / "good")
    folder.mkdir()
    for i in range(COPIES):
        shutil.copyfile(good[i % 2], folder / f"{i:02d}_{good[i % 2].name}")
    from pypdf import PdfReader, PdfWriter

    page = B.pdf_spinning_page(root / "page.pdf", shapes=12_000)  # 24 000 objects: under the page cap, ~2 s
    for pages, target in ((4, folder / "slow.pdf"), (12, root / "slow_long.pdf")):
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_page(PdfReader(str(page)).pages[0])
        with open(target, "wb") as handle:
            writer.write(handle)
    (folder / "empty.docx").write_bytes(b"")
    B.html_named(folder / "not_a_pdf.pdf")
    expected = {}
    for filing in filings_from_paths([folder]):
        result = process_filing(filing)
        expected[filing.filing_id] = (result.status, len(result.report.facts))
    db = root / "w.duckdb"
    env = {**os.environ, "JIXIAO_CACHE_DIR": str(root / "cache")}
    runs: list[Run] = []
    yield {"root": root, "folder": folder, "db": db, "paths": Paths(db), "env": env, "expected": expected,
           "runs": runs, "good": good, "slow_long": root / "slow_long.pdf"}
    for run in runs:
        run.cleanup()


def _start(world, *args: str) -> Run:
    run = Run(*args, cwd=world["root"], env=world["env"])
    world["runs"].append(run)
    return run


def _check_whole(rows: list[tuple], expected: dict) -> None:
    """(filing_id, status, facts) rows: each filing once, whole."""
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), "a filing appears twice"
    for fid, status, facts in rows:
        assert (status, facts) == expected[fid], fid


FILINGS_SQL = (
    "SELECT f.filing_id, f.status, (SELECT count(*) FROM facts_t x WHERE x.filing_id = f.filing_id) "
    "FROM filings_t f"
)


def test_0_two_runs_started_at_once_one_refuses_naming_the_other(world, tmp_path):
    """Two real `jixiao ingest` on one database, started together (separate Prefect homes,
    as two operators would have): one takes the warehouse, the other exits 3 naming its
    PID, and DuckDB itself refuses a second writer while the first holds the file."""
    db = tmp_path / "both.duckdb"
    paths = Paths(db)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(world["good"][0], folder / world["good"][0].name)
    shutil.copyfile(world["slow_long"], folder / "slow.pdf")  # ~25 s of extraction: the holder stays busy
    env_b = {**world["env"], "PREFECT_HOME": str(tmp_path / "prefect-b")}
    runs = [_start(world, "ingest", str(folder), "--db", str(db)),
            Run("ingest", str(folder), "--db", str(db), cwd=tmp_path, env=env_b)]
    world["runs"].append(runs[1])
    _wait(lambda: any(r.proc.poll() is not None for r in runs), 180, "one run to give way")
    loser = next(r for r in runs if r.proc.poll() is not None)
    holder = next(r for r in runs if r is not loser)
    code, out = loser.finish(timeout=600)
    assert code == 3, out
    assert f"PID {holder.proc.pid}" in out and "another jixiao run is writing" in out, out
    assert holder.proc.poll() is None and paths.lock.read_text().strip() == str(holder.proc.pid)
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(paths.writer_db))
    holder.kill9()


def _start_holding_the_lock(world) -> Run:
    paths = world["paths"]
    run = _start(world, "ingest", str(world["folder"]), "--db", str(world["db"]))
    # The lock file names the holder once the run owns the warehouse.
    _wait(lambda: paths.lock.exists() and paths.lock.read_text().strip() == str(run.proc.pid), 120, "the lock",
          run.proc)
    return run


@pytest.fixture(scope="module")
def killed_during_loading(world):
    run = _start_holding_the_lock(world)
    _wait(lambda: len(run.finished_filings()) >= 2, 180, "two filings loaded", run.proc)
    reported = run.finished_filings()
    children = run.kill9()
    rows = _writer_rows(world["paths"], FILINGS_SQL)
    _wait(lambda: not _extraction_workers(children), 20, "orphaned extraction workers to exit")
    return {"reported": reported, "rows": rows}


@pytest.fixture(scope="module")
def killed_during_extraction(world, killed_during_loading):
    slow_id = filing_id("slow.pdf", filings_from_paths([world["folder"] / "slow.pdf"])[0].documents)
    others = set(world["expected"]) - {slow_id}
    run = _start_holding_the_lock(world)
    # Every other filing reported loaded (this run or the killed one), the slow PDF not yet.
    done_before = {row[0] for row in killed_during_loading["rows"]}
    _wait(lambda: others <= done_before | set(run.finished_filings()) or slow_id in run.finished_filings(),
          240, "every filing but the slow PDF loaded", run.proc)
    reported = run.finished_filings()
    children = run.kill9()
    rows = _writer_rows(world["paths"], FILINGS_SQL)
    _wait(lambda: not _extraction_workers(children), 20, "orphaned extraction workers to exit")
    return {"slow_id": slow_id, "reported": reported, "rows": rows,
            "loaded_by": dict(_writer_rows(world["paths"], "SELECT filing_id, run_id FROM filings_t"))}


@pytest.fixture(scope="module")
def completed(world, killed_during_extraction):
    code, out = _start(world, "ingest", str(world["folder"]), "--db", str(world["db"])).finish()
    with duckdb.connect(str(world["db"]), read_only=True) as con:
        rows = con.execute(FILINGS_SQL).fetchall()
        loaded_by = dict(con.execute("SELECT filing_id, run_id FROM filings_t").fetchall())
        [(unchanged,)] = con.execute(
            "SELECT unchanged FROM runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1").fetchall()
        stuck = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall()[0][0]
    return {"code": code, "out": out, "rows": rows, "loaded_by": loaded_by, "unchanged": unchanged, "stuck": stuck,
            "wal_left": world["paths"].writer_db.with_name("writer.duckdb.wal").exists()}


def test_1_kill_during_loading(world, killed_during_loading):
    rows, reported = killed_during_loading["rows"], killed_during_loading["reported"]
    assert set(reported) <= {r[0] for r in rows}, "a filing reported loaded is missing after the kill"
    assert 0 < len(rows) < len(world["expected"]), "killed during loading"
    _check_whole(rows, world["expected"])


def test_2_kill_during_extraction(world, killed_during_extraction):
    state = killed_during_extraction
    assert state["slow_id"] not in state["reported"], "the slow PDF finished before every other filing"
    _check_whole(state["rows"], world["expected"])
    assert state["slow_id"] not in {r[0] for r in state["rows"]}, "killed during its extraction"
    assert len(state["rows"]) == len(world["expected"]) - 1


def test_3_next_run_completes_redoes_nothing_and_publishes_whole_filings(world, killed_during_extraction, completed):
    assert completed["code"] == 4, completed["out"]  # completed; the broken files are failed filings
    rows, loaded_by = completed["rows"], completed["loaded_by"]
    assert sorted(r[0] for r in rows) == sorted(world["expected"])
    _check_whole(rows, world["expected"])
    # every filing finished before the kills is kept as loaded then, not redone
    before = killed_during_extraction["loaded_by"]
    assert len(before) == len(world["expected"]) - 1
    assert {fid: loaded_by[fid] for fid in before if world["expected"][fid][0] != "failed"} == {
        fid: run for fid, run in before.items() if world["expected"][fid][0] != "failed"}
    # and the run says so: skipped ones, plus failed ones re-read and failing the same way
    assert completed["unchanged"] == len(before)
    assert completed["stuck"] == 2  # the two killed runs stay visible as never finished
    assert not completed["wal_left"]  # checkpointed after the load


_ANALYST = r"""
import json, sys, time, duckdb
from pathlib import Path
db, stop = sys.argv[1], Path(sys.argv[2])
SQL = ("SELECT f.filing_id, f.status, (SELECT count(*) FROM facts x WHERE x.filing_id = f.filing_id) "
       "FROM filings f")
held = duckdb.connect(db, read_only=True)  # an analyst's notebook, left open all night
print(json.dumps({"ready": True}), flush=True)
seen = 0
while True:
    last = stop.exists()  # once told the run ended, one more round: it reads the published rebuild
    for con, fresh in ((held, False), (duckdb.connect(db, read_only=True), True)):
        print(json.dumps({"fresh": fresh, "rows": con.execute(SQL).fetchall()}), flush=True)
        if fresh:
            con.close()
    seen += 1
    if last:
        break
    time.sleep(0.02)  # pacing, to leave the rebuild a core; nothing waits on it
held.close()
print(json.dumps({"done": seen}), flush=True)
"""


def test_4_rebuild_under_an_analyst_reading_gives_the_same_rows(world, completed):
    db = world["db"]
    columns = "filing_id, form, coalesce(subject, ''), item, coalesce(\"column\", ''), value, location"
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute(f"SELECT {columns} FROM facts ORDER BY ALL").fetchall()
        filings_before = con.execute("SELECT filing_id, status, error FROM filings ORDER BY ALL").fetchall()
    stop = world["root"] / "stop-analyst"
    analyst = subprocess.Popen([sys.executable, "-c", _ANALYST, str(db), str(stop)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(analyst.stdout.readline()) == {"ready": True}
        run = _start(world, "rebuild", "--db", str(db))
        code, out = run.finish()
    finally:
        stop.touch()
        out_analyst, err_analyst = analyst.communicate(timeout=600)
    assert code == 4, out  # rebuilt; the broken files fail again, as they did
    assert analyst.returncode == 0, err_analyst[-2000:]
    observations = [json.loads(line) for line in out_analyst.splitlines() if line.startswith("{")]
    assert observations[-1]["done"] > 5
    snapshots = [o["rows"] for o in observations if "rows" in o]
    assert snapshots
    for rows in snapshots:  # never half a filing, never one twice, in either connection
        _check_whole([tuple(r) for r in rows], world["expected"])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(f"SELECT {columns} FROM facts ORDER BY ALL").fetchall() == before
        assert con.execute("SELECT filing_id, status, error FROM filings ORDER BY ALL").fetchall() == filings_before
        assert con.execute("SELECT kind FROM runs ORDER BY started_at DESC LIMIT 1").fetchall() == [("rebuild",)]


# --- a download killed mid-body ---------------------------------------------------------------


class _Trickle(BaseHTTPRequestHandler):
    body = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"
    slow = True

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        step = 1000 if type(self).slow else len(self.body)
        try:
            for start in range(0, len(self.body), step):
                self.wfile.write(self.body[start:start + step])
                self.wfile.flush()
                if type(self).slow:
                    time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass


_FETCH = r"""
import sys
from pathlib import Path
from crawler import CrawlState, Fetcher, RawStore
from core.config import CrawlerSettings, PortalConfig
url, root = sys.argv[1], Path(sys.argv[2])
portal = PortalConfig("t", (url,), rate_limit=100.0)
settings = CrawlerSettings(contact="https://example.org/t", read_timeout=5, retries=0)
with Fetcher(settings, CrawlState(root / "crawl.sqlite3")) as fetcher:
    print("fetching", flush=True)
    response = fetcher.document(url, portal, RawStore(root / "raw"), "pdf")
    print("done", response.sha256, flush=True)
"""


def test_download_killed_mid_body_leaves_no_partial_document(tmp_path):
    handler = type("H", (_Trickle,), {"slow": True})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/report.pdf"
    try:
        child = subprocess.Popen([sys.executable, "-c", _FETCH, url, str(tmp_path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "fetching"
        # bytes are arriving: something is being written under the raw store
        _wait(lambda: any(p.is_file() for p in (tmp_path / "raw").rglob("*")), 20, "the download to start")
        child.kill()
        child.wait(timeout=600)
        stored = [p for p in (tmp_path / "raw").rglob("*") if p.is_file() and p.suffix == ".pdf"]
        assert stored == []  # only a temp file, never a document with a content hash name
        [part] = (tmp_path / "raw").glob(".part-*")
        day_ago = time.time() - 86400
        os.utime(part, (day_ago, day_ago))  # a later night: the killed download's temp file is swept
        handler.slow = False
        again = subprocess.run([sys.executable, "-c", _FETCH, url, str(tmp_path)], cwd=ROOT, capture_output=True,
                               text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        sha = again.stdout.split()[-1]
        [document] = [p for p in (tmp_path / "raw").rglob("*.pdf")]
        assert document.name == f"{sha}.pdf" and document.read_bytes() == _Trickle.body
        assert not list((tmp_path / "raw").glob(".part-*"))
    finally:
        server.shutdown()
        server.server_close()


# --- the whole `jixiao run` killed mid-download ------------------------------------------------


def _sha256_named(raw: Path) -> list[Path]:
    import hashlib

    stored = [p for p in raw.glob("??/*") if p.is_file()]  # raw/ab/<sha256>.<ext>; manifests live in filings/
    assert stored
    return [p for p in stored if hashlib.sha256(p.read_bytes()).hexdigest() != p.stem]


def test_run_killed_mid_download_next_run_completes_without_redoing_work(tmp_path):
    from jixiao.samples.portal import StaticSiteHandler, build_site, serve_portal

    site = build_site(tmp_path / "site")
    suffixes = (".docx", ".pdf", ".doc", ".xlsx")
    # The slow document is chosen by what the run does, not guessed: the first document asked for once a
    # .docx has been served whole. Downloads from one host are serial, so which comes first is the crawler's.
    state = {"slow": True, "slow_path": None, "docx_served": 0}
    lock, released = threading.Lock(), threading.Event()

    class Trickling(StaticSiteHandler):
        def reply(self, status, body, ctype, headers=None):
            path = urlsplit(self.path).path
            document = status == 200 and path.lower().endswith(suffixes)
            with lock:
                if state["slow"] and document and state["slow_path"] is None and state["docx_served"]:
                    state["slow_path"] = path
                slow = state["slow"] and path == state["slow_path"]
            if not slow:
                super().reply(status, body, ctype, headers)
                if document and path.lower().endswith(".docx"):
                    with lock:
                        state["docx_served"] += 1
                return
            self.record(status)
            self.send_response(200)
            self.send_header("Content-Type", ctype or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body[: len(body) // 2])  # half of it, then held until the run is killed
                self.wfile.flush()
                released.wait(600)
                self.wfile.write(body[len(body) // 2:])
            except (BrokenPipeError, ConnectionResetError):
                pass

    from urllib.parse import urlsplit

    log: list = []
    base_url, stop = serve_portal(site.root, log=log, handler=Trickling)
    portal = site.portal(base_url)
    (tmp_path / "jixiao.toml").write_text(
        f'[[portal]]\nname = "sample"\nregion = "样例市"\nplatform = "trs"\nrate_limit = 50.0\n'
        f'start_urls = ["{portal.start_urls[0]}"]\n', encoding="utf-8")
    db, paths = tmp_path / "w.duckdb", Paths(tmp_path / "w.duckdb")
    env = {**os.environ, "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}
    try:
        run = Run("run", "--db", str(db), cwd=tmp_path, env=env)
        try:
            _wait(lambda: state["slow_path"] is not None, 600, "the slow download", run.proc)
            _wait(lambda: list(paths.raw.glob(".part-*")), 600, "bytes of the slow download on disk", run.proc)
            run.kill9()
        finally:
            released.set()
            run.cleanup()
        slow_path = state["slow_path"]
        before_kill = {hit.path for hit in log if hit.status == 200 and hit.path != slow_path}
        assert [path for path in before_kill if path.lower().endswith(".docx")], "documents finished before the kill"
        assert _sha256_named(paths.raw) == []  # every stored document is whole (named by its hash)

        state["slow"] = False
        mark = len(log)
        code, out = Run("run", "--db", str(db), cwd=tmp_path, env=env).finish()
        assert code == 0, out[-3000:]
    finally:
        stop()
    again = log[mark:]
    # Documents completed before the kill are only revalidated; the interrupted one is fetched whole.
    downloaded_again = {hit.path for hit in again if hit.status == 200 and hit.path.lower().endswith(
        (".docx", ".pdf", ".doc", ".xlsx"))}
    assert slow_path in downloaded_again
    assert not (downloaded_again - {slow_path}) & before_kill
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT filing_id, count(*) FROM filings_t GROUP BY 1").fetchall()
        docs = con.execute("SELECT count(*) FROM documents_t WHERE source_url LIKE ?", [f"%{slow_path}"]).fetchone()[0]
    assert len(rows) == len(site.report_titles) and all(n == 1 for _, n in rows)
    assert docs == 1
    assert _sha256_named(paths.raw) == []
