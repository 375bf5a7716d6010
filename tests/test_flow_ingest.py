"""`ingest` end to end: real .docx files, real child processes, real DuckDB (no Prefect: plain Python)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from jixiao.samples import SAMPLE_NAMES, SEEDS, render_split_report
from jixiao.samples.render import render_docx
from extractors.textdump import parse_dump

pytestmark = pytest.mark.slow


def _render(stem: str, folder: Path, edit=lambda text: text) -> Path:
    text = edit((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"))
    return render_docx(parse_dump(text, stem), folder / f"{SAMPLE_NAMES[stem]}.docx")


@pytest.fixture()
def reports(tmp_path) -> Path:
    folder = tmp_path / "reports"
    for stem in SAMPLE_NAMES:
        _render(stem, folder)
    return folder


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            view: con.execute(f"select count(*) from {view}").fetchone()[0]
            for view in ("filings", "facts", "indicators", "inconsistencies")
        }


def _rows(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_ingest_twice_changes_nothing_and_an_edit_replaces_one_filing(reports, tmp_path):
    from pipeline.load import ingest

    db = tmp_path / "w.duckdb"
    first = ingest([reports], db)
    counts = _counts(db)
    assert counts["filings"] == 5
    assert counts["facts"] > 100
    assert first.summary["filings_ok"] + first.summary.get("filings_partial", 0) == 5
    before = _rows(db, "select filing_id, item, \"column\", value from facts order by all")
    [(edited_id,)] = _rows(db, "select filing_id from filings where source_url like '%芦淞%'")
    flags_of_others = f"select rule, message from inconsistencies where filing_id <> '{edited_id}' order by all"
    others_before = _rows(db, flags_of_others)

    second = ingest([reports], db)
    assert {status for _, status, _ in second.results} == {"unchanged"}
    assert _counts(db) == counts
    assert _rows(db, "select filing_id, item, \"column\", value from facts order by all") == before

    edited_stem = "004_898f9e65b71aedec"
    _render(edited_stem, reports, lambda text: text.replace("\t99.41\n", "\t99.42\n"))
    third = ingest([reports], db)
    statuses = sorted(status for _, status, _ in third.results)
    assert statuses.count("unchanged") == 4
    after = _rows(db, "select filing_id, item, \"column\", value from facts order by all")
    assert {row[0] for row in set(before) ^ set(after)} == {edited_id}
    assert _rows(db, "select value from facts where item = 'public_funds.total' and \"column\" = 'prior_final' "
                     "and filing_id in (select filing_id from filings where source_url like '%芦淞%')") == [(99.42,)]
    # the edit may add or clear a flag of that filing (the sums now differ by a cent); nothing else moves
    assert {k: v for k, v in _counts(db).items() if k != "inconsistencies"} == {
        k: v for k, v in counts.items() if k != "inconsistencies"}
    assert _rows(db, flags_of_others) == others_before


def test_a_broken_file_fails_its_filing_and_the_run_goes_on(reports, tmp_path):
    from pipeline.load import ingest

    (reports / "损坏的报告.docx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (reports / "网页.pdf").write_text("<html><body>404 Not Found</body></html>", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    outcome = ingest([reports], db)
    failed = dict(_rows(db, "select source_url, error from filings where status = 'failed'"))
    assert len(failed) == 2
    assert all(error for error in failed.values())
    assert _rows(db, "select count(*) from filings where status <> 'failed'") == [(5,)]
    assert outcome.summary["filings_failed"] == 2


def test_filing_per_folder_checks_across_files(tmp_path):
    """A report split over two files (narrative and forms) is one filing."""
    from pipeline.load import ingest

    article = tmp_path / "article"
    render_split_report("004_898f9e65b71aedec", article)
    db = tmp_path / "w.duckdb"
    ingest([tmp_path], db, filing_per_folder=True)
    assert _rows(db, "select count(*) from filings") == [(1,)]
    rules = {r for (r,) in _rows(db, "select rule from inconsistencies")}
    assert {"staffing_over_quota", "staffing_rate_misreported", "score_exceeds_max"} <= rules


def test_department_and_year_come_from_the_title_when_the_text_lacks_them(tmp_path):
    """Seed 003 never names its unit in the text; the published title does."""
    from pipeline.local import filings_from_paths
    from pipeline.process import process_filing

    stem = "003_2ebd7fdb74714a1e"
    path = _render(stem, tmp_path)
    result = process_filing(filings_from_paths([path])[0])
    assert result.report.department == "株洲市渌口区人大常委会"
    assert result.report.fiscal_year == 2021


def test_a_small_window_loads_while_filings_still_stream(reports, tmp_path):
    """With one filing in flight, each is loaded before the next is even read from the stream."""
    import warehouse
    from pipeline.load import load_filings
    from pipeline.local import filings_from_paths
    from pipeline.process import IsolatedRunner

    db = tmp_path / "w.duckdb"
    loaded_before_next: list[int] = []
    with warehouse.Warehouse.open(db) as store, IsolatedRunner() as runner:
        run_id = store.start_run("test")

        def stream():
            for filing in filings_from_paths([reports]):
                loaded_before_next.append(store.con.execute("select count(*) from filings_t").fetchone()[0])
                yield filing

        outcomes = load_filings(stream(), store, run_id, runner, window=1)
    assert sorted(status for _, status, _ in outcomes) == ["ok"] * 5
    assert loaded_before_next == [0, 1, 2, 3, 4]  # loading kept pace with the stream, not after it
    assert _counts(db)["filings"] == 5


def test_moving_the_folder_keeps_every_filing_id(reports, tmp_path):
    """A filing's id comes from its name inside the ingested folder, not the absolute path."""
    from pipeline.load import ingest

    db = tmp_path / "w.duckdb"
    ingest([reports], db)
    ids = _rows(db, "select filing_id from filings order by 1")
    (tmp_path / "下载").mkdir()
    moved = reports.rename(tmp_path / "下载" / "renamed")
    again = ingest([moved], db)
    assert {status for _, status, _ in again.results} == {"unchanged"}
    assert _rows(db, "select filing_id from filings order by 1") == ids


def test_a_file_renamed_or_moved_inside_the_root_is_the_same_filing_a_copy_is_another(reports, tmp_path):
    """Identity is content first, the name inside the root second: a rename or a move into a
    subfolder loads nothing twice, a copy beside its original is a filing of its own, a file
    edited in place is a new version of its filing, and a rebuild keeps both versions."""
    import shutil

    from pipeline.load import ingest, rebuild

    db = tmp_path / "w.duckdb"
    ingest([reports], db)
    ids = _rows(db, "select filing_id from filings_t order by 1")
    first, second = sorted(reports.glob("*.docx"))[:2]
    [(first_id,)] = _rows(db, f"select filing_id from filings_t where source_url = '{first.resolve()}'")
    (reports / "2023").mkdir()
    moved = first.rename(reports / "2023" / "改名后的报告.docx")
    shutil.copyfile(second, reports / "副本.docx")
    again = ingest([reports], db)
    assert sorted(status for _, status, _ in again.results) == ["ok"] + ["unchanged"] * 5  # the copy is new
    now = _rows(db, "select filing_id from filings_t order by 1")
    assert len(now) == 6 and set(ids) < set(now)

    stem = {name: stem for stem, name in SAMPLE_NAMES.items()}[first.stem]
    shutil.copyfile(_render(stem, tmp_path / "edited", lambda text: text.replace("\t", "\t1", 1)), moved)
    edited = ingest([reports], db)  # the moved file edited in place: a new version of the same filing
    assert dict((fid, status) for fid, status, _ in edited.results)[first_id] in ("ok", "partial")
    assert len(_rows(db, "select filing_id from filings_t")) == 6, "an edit replaces, never adds"
    assert _rows(db, f"select version from filing_versions_t where filing_id = '{first_id}' order by 1") == [
        (1,), (2,)]

    history = "select filing_id, version, form, item, \"column\", value from fact_versions order by all"
    before = _rows(db, history)
    rebuild(db)  # from the raw store: every version again, in order
    assert _rows(db, f"select version from filing_versions_t where filing_id = '{first_id}' order by 1") == [
        (1,), (2,)]
    assert _rows(db, history) == before
    assert len(_rows(db, "select filing_id from filings_t")) == 6


def test_parser_version_follows_code_not_comments_and_names_the_libraries():
    from pipeline.process import _code_digest, _library_versions

    code = b'def total(a, b):\n    """Sum."""\n    return a + b\n'
    commented = b'# why: the form adds them\ndef total(a, b):\n    """The sum, as printed."""\n\n    return a + b  # both\n'
    changed = b'def total(a, b):\n    """Sum."""\n    return a - b\n'
    assert _code_digest(code) == _code_digest(commented)
    assert _code_digest(code) != _code_digest(changed)
    libraries = _library_versions()
    assert all(f"{name}=" in libraries for name in ("pdfplumber", "python-docx", "rapidocr-onnxruntime"))


def test_a_terminal_gets_a_live_display_of_the_run(tmp_path):
    """On a terminal (a real pseudo-terminal here) the run shows filings done/total and failures."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    from jixiao.samples import sample_documents

    jixiao = Path(sys.executable).with_name("jixiao")

    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm"}
    proc = subprocess.Popen([str(jixiao), "ingest", str(sample_documents()), "--db", str(tmp_path / "w.duckdb")],
                            stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path, env=env)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    assert proc.wait(timeout=300) == 0
    reader.join(timeout=600)
    os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "filings" in screen and "5/5" in screen and "failed 0" in screen, screen[-3000:]
    assert " filing 1/5 " not in screen  # the per-line log is for pipes, not terminals


def test_a_moved_folder_of_unchanged_filings_updates_their_source_path(tmp_path):
    from pipeline.load import ingest

    old = tmp_path / "downloads" / "reports"
    _render("000_d13cc6d6ccca30c6", old)
    db = tmp_path / "w.duckdb"
    ingest([old], db)
    new = tmp_path / "archive" / "reports"
    new.parent.mkdir()
    old.rename(new)

    again = ingest([new], db)
    assert [status for _, status, _ in again.results] == ["unchanged"]
    [(url,)] = _rows(db, "select source_url from filings")
    assert url.startswith(str(new.resolve()))  # not the folder it was first ingested from
