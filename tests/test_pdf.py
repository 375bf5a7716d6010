"""PDF specifics: page-split tables, garbled fonts, rotation, damaged files, scale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.records import ExtractionError
from core.text import clean_text
from extractors import extract
from extractors import pdf as pdf_extractor
from extractors.pdf.pages import _cheap_view
from jixiao.samples.formats import rendered_fixtures
from jixiao.samples.pdfs import BORDERLESS_ROWS, pdf_encrypted, pdf_rotated, split_table_row

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fixtures(seeds):
    return rendered_fixtures(seeds)


@pytest.mark.parametrize("variant", ["plain", "header"])
def test_table_broken_across_a_page_is_one_table(fixtures, variant):
    extraction = extract(fixtures["split"][variant])
    assert len(extraction.tables) == 1
    rows = extraction.tables[0].rows
    assert rows[0] == ["项目名称", "预算数(万元)", "执行数(万元)", "执行率"]  # a repeated header is dropped
    assert rows[1:] == [split_table_row(r) for r in range(1, 41)]
    texts = [p.text for p in extraction.paragraphs]
    assert texts[0] == "部门整体支出绩效评价基础数据表" and texts[-1] == "表后说明:以上数据来自部门决算。"


def test_borderless_table_by_text_alignment(fixtures):
    extraction = extract(fixtures["borderless"][0])
    assert [t.method for t in extraction.tables] == ["pdf-text"]
    assert extraction.tables[0].rows == BORDERLESS_ROWS  # no title row, no empty rows
    assert [p.text for p in extraction.paragraphs] == ["部门整体支出绩效评价基础数据表", "说明:以上为部门决算数据。"]


def test_wrapped_cell_text_is_joined_and_side_labels_kept(fixtures):
    table = extract(fixtures["pdf"][0]).tables[0]
    flat = [cell for row in table.rows for cell in row if cell]
    # printed over three lines in a narrow column, one label
    assert "2023年实际在职人数" in flat
    assert "1、公务用车购置和维护经费" in flat
    assert table.rows[1][0] is None  # under the merged side label


def test_garbled_font_routes_page_to_ocr_with_warning(fixtures):
    import pdfplumber

    with pdfplumber.open(fixtures["garbled"][0]) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()  # the fixture really is garbled
    extraction = extract(fixtures["garbled"][0])
    assert any("garbled CJK text" in w and "OCR" in w for w in extraction.warnings)
    assert extraction.tables and all(t.method == "ocr" and t.low_confidence for t in extraction.tables)
    assert not any("(cid:" in (c or "") for t in extraction.tables for r in t.rows for c in r)
    assert extraction.tables[0].rows[1][1:4] == ["31", "31", "100.00%"]


def test_text_quality_score():
    assert pdf_extractor.text_quality("部门整体支出") == 1.0
    assert pdf_extractor.text_quality("(cid:12)(cid:13)(cid:14)") == 0.0
    assert pdf_extractor.text_quality("\ue001\ue002支出") == 0.5
    assert clean_text("⼀级指标⻘") == "一级指标青"  # Kangxi by NFKC, supplement by table


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_page_is_normalised(fixtures, tmp_path, degrees):
    upright = extract(fixtures["single"][0]).tables[0].rows
    rotated = extract(pdf_rotated(fixtures["single"][0], tmp_path / f"r{degrees}.pdf", degrees))
    assert rotated.tables[0].rows == upright
    assert any("rotated" in w for w in rotated.warnings)


def test_encrypted_pdf(fixtures, tmp_path):
    with pytest.raises(ExtractionError) as error:
        extract(pdf_encrypted(fixtures["single"][0], tmp_path / "locked.pdf"))
    assert error.value.reason == "encrypted"


def test_owner_password_only_pdf_reads(fixtures, tmp_path):
    locked = pdf_encrypted(fixtures["single"][0], tmp_path / "owner.pdf", user_password="")
    assert extract(locked).tables


def test_truncated_pdf(fixtures, tmp_path):
    data = fixtures["pdf"][3].read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(ExtractionError) as error:
        pdf_extractor.extract(cut, "cut.pdf")
    assert error.value.reason == "truncated"


def test_html_saved_as_pdf(tmp_path):
    page = tmp_path / "report.pdf"
    page.write_text("<html><body><p>404 页面不存在</p></body></html>", encoding="utf-8")
    with pytest.raises(ExtractionError) as error:
        pdf_extractor.extract(page, "report.pdf")
    assert error.value.reason == "not_a_pdf"
    # the dispatcher reads the bytes and hands it to the HTML reader instead
    assert extract(page).paragraphs[0].text == "404 页面不存在"


def test_garbage_after_header_is_a_parse_error(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    with pytest.raises(ExtractionError) as error:
        pdf_extractor.extract(junk, "junk.pdf")
    assert error.value.reason in ("parse_error", "not_a_pdf")


def test_ocr_unavailable_is_a_warning_not_silence(fixtures):
    """Without the OCR package a scanned page is reported, never silently empty."""
    code = (
        "import sys, json; sys.modules['rapidocr_onnxruntime'] = None\n"
        "from extractors import extract\n"
        f"e = extract({str(fixtures['scanned'][0])!r})\n"
        "print(json.dumps({'warnings': e.warnings, 'tables': len(e.tables), 'format': e.doc_format}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert any("OCR unavailable" in w for w in result["warnings"])


def test_table_finding_is_skipped_on_prose_pages(fixtures):
    """The pdfium pass sees no ruling and no columns on a page of prose: no table finding."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(fixtures["pdf"][3]))  # a report of prose only
    try:
        views = [_cheap_view(document, i) for i in range(len(document))]
    finally:
        document.close()
    assert views and all(paths == 0 and not columns for _, _, paths, columns in views)
    form_pages = pdfium.PdfDocument(str(fixtures["pdf"][0]))
    try:
        assert _cheap_view(form_pages, 0)[2] >= 4
    finally:
        form_pages.close()


_MEASURE = r"""
import json, re, sys, time
from pathlib import Path
from extractors.pdf import extract
start = time.perf_counter()
e = extract(Path(sys.argv[1]), "big.pdf")
# VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak (pytest's, OCR models)
peak = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "tables": len(e.tables), "rss_mb": peak}))
"""


def _measure(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_memory_stays_flat_on_200_pages(fixtures, tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = fixtures["pdf"][1]  # 44 pages of forms
    writer = PdfWriter()
    reader = PdfReader(str(source))
    while len(writer.pages) < 200:
        for page in reader.pages:
            writer.add_page(page)
    big = tmp_path / "big.pdf"
    with open(big, "wb") as handle:
        writer.write(handle)
    small = _measure(source)
    large = _measure(big)
    pages = len(writer.pages)
    print(f"\n{pages} pages in {large['seconds']:.1f} s ({pages / large['seconds']:.0f} pages/s), "
          f"peak RSS {large['rss_mb']:.0f} MB vs {small['rss_mb']:.0f} MB for {len(reader.pages)} pages")
    assert large["rss_mb"] < small["rss_mb"] * 1.6


def test_indicator_rows_cut_by_a_page_under_a_vertical_label_are_read_whole(tmp_path):
    """A page break cuts an indicator row while 绩效指标, printed one character per line, is
    merged down the left edge: the rest of the row on the next page is the same row (its
    merged label running on proves nothing either way)."""
    from core.records import Extraction, Paragraph, RawTable
    from jixiao.samples.formats import convert_files
    from jixiao.samples.render import render_docx
    from mappings import map_filing

    names = [f"第{k}项重点工作任务按期完成情况及群众反映问题办结情况" for k in range(1, 41)]
    rows = [["绩\n效\n指\n标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"]]
    rows += [["", "产出指标" if k == 0 else "", "数量指标", name, "≥95%", "96%", "2", "2", ""] for k, name in enumerate(names)]
    forms = Extraction(source="f.docx", doc_format="docx",
                       paragraphs=[Paragraph(text="部门整体支出绩效自评表", source="f.docx", order=0)])
    forms.tables.append(RawTable(source="f.docx", index=0, rows=rows, order=1))
    (pdf,) = convert_files([render_docx(forms, tmp_path / "f.docx")], "pdf", tmp_path / "pdf")
    report = map_filing([extract(pdf)])
    assert [clean_text(i.level3) for i in report.indicators] == names
    assert {i.score for i in report.indicators} == {2}


def _rows_over_pages(tmp_path, labels: list[str], values: list[list[str]]):
    """``labels`` and ``values`` as a Word table rendered to PDF by LibreOffice, long enough that
    pages cut rows; returns the table jixiao reads back."""
    from core.records import Extraction, Paragraph, RawTable
    from jixiao.samples.formats import convert_files
    from jixiao.samples.render import render_docx

    rows = [["项目", *[f"列{c}" for c in range(1, len(values[0]) + 1)]]]
    rows += [[label, *row] for label, row in zip(labels, values)]
    forms = Extraction(source="f.docx", doc_format="docx",
                       paragraphs=[Paragraph(text="部门整体支出绩效评价基础数据表", source="f.docx", order=0)])
    forms.tables.append(RawTable(source="f.docx", index=0, rows=rows, order=1))
    (pdf,) = convert_files([render_docx(forms, tmp_path / "f.docx")], "pdf", tmp_path / "pdf")
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 3  # the table runs over pages: rows are cut
    (table,) = extract(pdf).tables
    return table


def _amounts(count: int, columns: int) -> list[list[str]]:
    return [[f"{(k * 7919 + c * 104729) % 9000000 + 100000}.{k % 100:02d}" for c in range(columns)]
            for k in range(1, count + 1)]


def test_a_row_cut_by_a_page_with_an_enter_in_its_label_is_one_row(tmp_path):
    """Word and LibreOffice let a row break over a page. When the label was broken by an Enter
    (`公务用车\\n运行维护费`, a short line) and a number in the same row filled its narrow cell and
    runs on over the page, the piece on the next page is the rest of that row, not a row of its own."""
    from mappings.numbers import parse_number

    def wide(value: str) -> str:  # full-width digits, as some clerks type them: they wrap in narrow cells
        return value.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))

    values = _amounts(40, 7)
    table = _rows_over_pages(tmp_path, [f"第{k}项公务用车\n运行维护费" for k in range(1, 41)],
                             [list(map(wide, row)) for row in values])
    body = table.rows[1:]
    assert ["".join(row[0].split()) for row in body] == [f"第{k}项公务用车运行维护费" for k in range(1, 41)]
    assert [[parse_number(cell).value for cell in row[1:]] for row in body] == [[float(v) for v in row] for row in values]


def test_a_row_cut_after_its_colon_lead_in_with_thousands_separators_is_one_row(tmp_path):
    """`其中:` then an Enter, then the part's name (`其中:\\n当年财政拨款`), and amounts printed with
    thousands separators (`197,500.` + `00` over the page): a colon that leads into the rest of the
    label ends nothing, and a separator is part of the cut number."""
    from mappings.numbers import parse_number

    values = _amounts(40, 7)
    table = _rows_over_pages(tmp_path, [f"其中:\n第{k}项当年财政拨款" for k in range(1, 41)],
                             [[f"{float(v):,.2f}" for v in row] for row in values])
    body = table.rows[1:]
    assert ["".join(row[0].split()) for row in body] == [f"其中:第{k}项当年财政拨款" for k in range(1, 41)]
    assert [[parse_number(cell).value for cell in row[1:]] for row in body] == [[float(v) for v in row] for row in values]
