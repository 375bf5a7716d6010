"""Fault suite, bad input: every broken or hostile file fails (or is partial) with a clear
reason, the run goes on, every other filing is loaded, nothing is half-written.

Files are built on the fly (tests/faults/builders.py); extraction runs for real, directly
through ``process_filing``, in the isolated worker pool, and in one real ``jixiao ingest``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from pipeline.local import filings_from_paths
from pipeline.process import IsolatedRunner, Limits, process_filing
from core.records import ExtractionError
from tests.faults import builders as B

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"



def _filing(path: Path):
    return filings_from_paths([path])[0]


def _facts(result) -> list[tuple]:
    return sorted((f.form, f.subject or "", f.item, f.column or "", f.value) for f in result.report.facts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The bad inputs, two good reports and the derived PDFs, built once."""
    root = tmp_path_factory.mktemp("faults")
    report = B.report_pdf(root / "pdf")
    files = B.bad_input_folder(root / "bad", report)
    good = B.good_reports(root / "bad")
    from jixiao.samples.formats import pdf_rotated, pdf_without_tounicode

    files["rotated"] = pdf_rotated(report, root / "bad" / "rotated.pdf", 90)
    files["many_pages"] = B.pdf_many_pages(root / "bad" / "many_pages.pdf", 300)
    files["hiding"] = B.docx_hiding_places(good[0], root / "bad" / "hiding.docx", "文本框里的说明：项目按期完成")
    files["spin_in_report"] = _append_spin_page(report, root / "bad" / "spin_in_report.pdf", root)
    files["cid"] = pdf_without_tounicode(B.pdf_form_page(report, root / "form.pdf"), root / "cid.pdf")
    return {"root": root, "report": report, "files": files, "good": good}


def _append_spin_page(report: Path, out: Path, root: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    spin = B.pdf_spinning_page(root / "spin_page.pdf")
    writer = PdfWriter(clone_from=PdfReader(str(report)))
    writer.add_page(PdfReader(str(spin)).pages[0])
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


# What each bad file must come to: (status, a pattern the recorded reason must match).
EXPECTED = {
    "empty": ("failed", r"empty file \(0 bytes\)"),
    "not_a_pdf": ("failed", r"no report content"),  # read as the HTML it is: a 404 page
    "spin": ("failed", r"drawn objects .*page skipped"),
    "zip_bomb": ("failed", r"zip_bomb: .*inflates"),
    "entities": ("failed", r"hostile_xml: .*DTD"),
    "meta_refresh": ("failed", r"no report content"),
    "truncated": ("failed", r"truncated: .*ends early"),
    "encrypted": ("failed", r"encrypted: .*needs a password"),
    "many_pages": ("failed", r"no report content"),  # 300 pages read, nothing to map: no page limit hit
}
READABLE = ("owner_only", "docx_is_html", "xls_is_html", "xls_is_gbk_tsv", "html_gbk_says_utf8", "rotated",
            "hiding")


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_bad_file_fails_with_a_clear_reason(corpus, fault):
    result = process_filing(_filing(corpus["files"][fault]))
    status, reason = EXPECTED[fault]
    assert result.status == status, result.error
    assert re.search(reason, result.error or ""), result.error
    assert not result.report.facts  # nothing half-read is passed on


@pytest.mark.parametrize("fault", READABLE)
def test_odd_but_readable_file_gives_the_same_facts_as_the_report(corpus, fault):
    """Owner-password-only PDF, a .docx/.xls that is HTML, GBK text named .xls, GBK that says
    UTF-8, rotated pages, figures hidden in content controls and tracked changes."""
    reference = process_filing(_filing(corpus["good"][0]))
    result = process_filing(_filing(corpus["files"][fault]))
    assert result.status == "ok", result.error
    assert len(result.report.facts) == len(reference.report.facts) > 20
    if fault in ("hiding", "owner_only", "rotated"):
        assert _facts(result) == _facts(reference)  # every figure, none lost, none invented
    else:  # HTML/text renderings of the seed: same items and values, column names may differ
        assert {f[4] for f in _facts(result)} == {f[4] for f in _facts(reference)}


def test_hidden_constructs_keep_text_box_and_drop_deleted_text(corpus):
    from extractors import extract

    extraction = extract(corpus["files"]["hiding"])
    assert any("文本框里的说明：项目按期完成" in p.text for p in extraction.paragraphs)
    cells = [c for t in extraction.tables for r in t.rows for c in r if c]
    assert cells and not any("987654" in c for c in cells)  # tracked deletions are not read as figures


def test_a_page_that_would_spin_is_skipped_and_the_rest_is_read(corpus):
    reference = process_filing(_filing(corpus["report"]))
    result = process_filing(_filing(corpus["files"]["spin_in_report"]))
    assert result.status == "partial"
    assert re.search(r"p\.\d+: \d+ drawn objects .*page skipped", result.error)
    assert _facts(result) == _facts(reference)


def test_fonts_without_tounicode_are_read_by_ocr_not_as_cid(corpus):
    result = process_filing(_filing(corpus["files"]["cid"]))
    assert result.status in ("ok", "partial"), result.error
    assert result.report.facts
    assert all(f.match_method.startswith("ocr+") for f in result.report.facts)  # marked low confidence
    assert not any("(cid:" in f.source_label for f in result.report.facts)


def test_every_extractor_error_is_an_extraction_error(corpus):
    from extractors import extract

    for fault in ("empty", "zip_bomb", "entities", "truncated", "encrypted"):
        with pytest.raises(ExtractionError):
            extract(corpus["files"][fault])


# --- the isolated worker pool: timeout, memory cap, converters ---------------------------



def test_worker_timeout_fails_the_filing_and_the_pool_goes_on(corpus, tmp_path):
    """Pages under the per-page cap that still take seconds each: the wall clock stops them."""
    slow = B.pdf_slow(tmp_path / "slow.pdf")
    with IsolatedRunner(Limits(timeout_s=10, workers=1)) as runner:
        bad = runner.result(_filing(slow), runner.submit(_filing(slow)))
        good = runner.result(_filing(corpus["good"][0]), runner.submit(_filing(corpus["good"][0])))
    assert bad.status == "failed" and bad.error.startswith("timeout: extraction took longer than 10 s")
    assert good.status == "ok" and good.report.facts


def test_worker_over_the_memory_cap_fails_its_filing_and_the_pool_goes_on(corpus, tmp_path):
    """A .docx that passes the zip guards (80 MB of XML, ratio < 100) yet builds a DOM of
    over 1 GB, under a cap 250 MB above what the worker starts with; then a good report
    in the same pool."""
    heavy = B.docx_heavy_dom(tmp_path / "heavy.docx", paragraphs=1_500_000)
    with IsolatedRunner(Limits(timeout_s=120, memory_mb=250, workers=1)) as runner:
        bad = runner.result(_filing(heavy), runner.submit(_filing(heavy)))
        good = runner.result(_filing(corpus["good"][0]), runner.submit(_filing(corpus["good"][0])))
    assert bad.status == "failed"
    # out of memory, named as such (it used to read "corrupt_docx: not well-formed XML")
    assert re.search(r"out_of_memory|MemoryError|worker died", bad.error), bad.error
    assert "corrupt" not in bad.error
    assert good.status == "ok" and good.report.facts


_MEASURE = r"""
import json, re, sys
from pathlib import Path
from extractors import extract
e = extract(Path(sys.argv[1]))
peak = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) // 1024
print(json.dumps({"peak_mb": peak, "warnings": e.warnings}))
"""


def test_a_giant_page_is_rendered_for_ocr_within_the_memory_cap(tmp_path):
    """A 14400 pt square 'scan': rendered at 200 dpi it took 16.9 GB; now scaled down."""
    giant = B.pdf_giant_page(tmp_path / "giant.pdf")
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(giant)], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["peak_mb"] < Limits().memory_mb, measured
    assert any("scanned page" in w for w in measured["warnings"])


def _soffice_under(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any(str(folder) in part for part in process.info["cmdline"] or []):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def test_a_converter_outliving_its_worker_is_killed(tmp_path, monkeypatch):
    """The worker is stopped at its timeout while soffice converts a .doc: soffice runs in
    its own session and used to go on as an orphan; now it goes down with the worker."""
    from extractors.office import convert

    from docx import Document as open_docx

    # long enough that converting it back takes LibreOffice well over the 1 s timeout
    long_report = B.good_reports(tmp_path / "good", 1)[0]
    document = open_docx(str(long_report))
    for k in range(6000):
        document.add_paragraph(f"第{k}段：本年度预算执行情况良好，各项支出均按规定使用。" * 3)
    document.save(str(long_report))
    doc = tmp_path / "report.doc"
    doc.write_bytes(convert(long_report, "doc").read_bytes())
    from extractors.sniff import sniff

    assert sniff(doc) == "doc"  # a long .doc's OLE2 directory lies past the first MB
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "cache"))  # no cached conversion
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # soffice's work dir, to find it by
    with IsolatedRunner(Limits(timeout_s=1, workers=1)) as runner:
        result = runner.result(_filing(doc), runner.submit(_filing(doc)))
        assert result.status == "failed" and result.error.startswith("timeout")
        deadline = time.monotonic() + 120  # a hang bound: returns as soon as soffice is gone
        while (left := _soffice_under(work)) and time.monotonic() < deadline:
            time.sleep(0.2)
    for process in left:
        process.kill()
    assert not left, [p.info["cmdline"] for p in left]


# --- one real `jixiao ingest` over all of it -----------------------------------------------


def test_real_ingest_run_over_bad_and_good_files(corpus, tmp_path):
    """The real CLI in its own process: every bad file is a failed/partial filing with its
    reason, both good reports are loaded whole, and the run exits 4 (some filings failed)."""
    folder = corpus["root"] / "bad"
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([str(JIXIAO), "ingest", str(folder), "--db", str(db)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 4, done.stdout[-3000:] + done.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT f.source_url, f.status, f.error, s.fact_count FROM filings f JOIN filing_summary s USING (filing_id)"
        ).fetchall()
    by_name = {Path(url).name: (status, error, facts) for url, status, error, facts in rows}
    expected_files = {p.name for p in folder.rglob("*") if p.is_file()}
    assert set(by_name) == expected_files  # every file is a filing; none lost, none twice
    for fault, path in corpus["files"].items():
        if path.parent != folder:
            continue
        status, error, facts = by_name[path.name]
        direct = process_filing(_filing(path))
        assert status == direct.status, (fault, error)
        assert facts == len(direct.report.facts), fault  # whole filings only
        if status != "ok":
            assert error, fault
    for good in corpus["good"]:
        status, error, facts = by_name[good.name]
        assert status == "ok" and facts == len(process_filing(_filing(good)).report.facts) > 20


def test_a_few_undecodable_bytes_do_not_lose_an_html_report(tmp_path):
    """A GBK page with two stray bytes (a cut character, a paste from another encoding) used
    to fail whole as 'undecodable_html'; now it is read, the replacement reported."""
    from extractors import extract

    page = bytearray(B.report_html("gbk", "gb2312"))
    good = tmp_path / "clean.html"
    good.write_bytes(bytes(page))
    for at in (len(page) // 3, len(page) // 2):
        page[at] = 0xFF
    damaged = tmp_path / "damaged.html"
    damaged.write_bytes(bytes(page))
    extraction = extract(damaged)
    assert any(re.match(r"[1-4] undecodable byte sequences in gb18030 replaced", w) for w in extraction.warnings)
    assert len(process_filing(_filing(damaged)).report.facts) == len(process_filing(_filing(good)).report.facts)
    noise = tmp_path / "noise.html"
    noise.write_bytes(b"<html><body>" + bytes(range(128, 256)) * 40 + b"</body></html>")
    with pytest.raises(ExtractionError):  # mostly undecodable is still refused, never mojibake facts
        extract(noise)
