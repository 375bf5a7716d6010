"""LibreOffice conversion (.doc/.wps), workbooks (.xlsx/.xls) and inline HTML specifics."""

from __future__ import annotations

import shutil
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import Workbook

from extractors import extract, office
from extractors import html as html_extractor
from extractors import spreadsheet
from extractors.sniff import sniff
from extractors.textdump import parse_dump
from core.records import ExtractionError
from core.text import decode_html
from jixiao.samples.formats import render_html, rendered_fixtures, seed_extraction


@pytest.fixture(scope="session")
def fixtures(seeds):
    return rendered_fixtures(seeds)


# --- .doc / .wps ---------------------------------------------------------------------


def test_two_conversions_at_once_both_succeed(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    sources = [fixtures["doc"][2], fixtures["doc"][3]]
    with ThreadPoolExecutor(2) as pool:
        outputs = list(pool.map(lambda p: office.convert(p, "docx", cache=False), sources))
    assert len(set(outputs)) == 2
    for out in outputs:
        with zipfile.ZipFile(out) as archive:
            assert "word/document.xml" in archive.namelist()


def test_conversion_is_cached_by_content(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    first = office.convert(fixtures["doc"][3], "docx")
    assert first.parent.parent == tmp_path
    renamed = tmp_path / "其他名字.wps"
    shutil.copyfile(fixtures["doc"][3], renamed)
    started = time.perf_counter()
    again = office.convert(renamed, "docx")  # same bytes, other name: no second soffice run
    assert again == first and time.perf_counter() - started < 0.5


def test_conversion_timeout_is_reported(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    with pytest.raises(ExtractionError) as error:
        office.convert(fixtures["doc"][1], "docx", cache=False, timeout=0.2)
    assert error.value.reason == "conversion_timeout"


def test_unconvertible_bytes_fail_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    bad = tmp_path / "bad.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ExtractionError) as error:
        office.convert(bad, "docx", cache=False)
    assert error.value.reason == "conversion_failed"


def test_wps_is_read_as_doc(fixtures):
    assert sniff(fixtures["wps"][0]) == "doc"
    extraction = extract(fixtures["wps"][0])
    assert extraction.doc_format == "wps" and extraction.tables


def test_doc_named_file_that_is_docx(fixtures, tmp_path):
    fake = tmp_path / "report.doc"
    shutil.copyfile(fixtures["docx"][2], fake)
    assert extract(fake).doc_format == "docx"



def test_a_document_ending_in_a_table_keeps_that_table_as_doc(tmp_path, monkeypatch):
    """A form printed last (the project 自评表 closing the attachment) survives .doc.

    LibreOffice writes a .doc from a document whose last block is a table with its text
    ending inside the table row, and reads that table back as one paragraph; Word and WPS
    always end a document with a paragraph mark, and so does the sample renderer."""
    from core.records import Extraction, Paragraph, RawTable
    from jixiao.samples.formats import convert_files
    from jixiao.samples.render import render_docx

    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "cache"))
    rows = [["项目名称", "办公楼维修改造", None], ["年度资金总额", "50.70", "10"], ["合计得分", "98", None]]
    forms = Extraction(source="forms.docx", doc_format="docx", paragraphs=[
        Paragraph(text="项目支出绩效自评表", source="forms.docx", order=0)])
    forms.tables.append(RawTable(source="forms.docx", index=0, rows=rows, order=1))
    docx = render_docx(forms, tmp_path / "forms.docx")
    (doc,) = convert_files([docx], "doc", tmp_path / "doc")
    extraction = extract(doc)
    assert [t.rows for t in extraction.tables] == [rows]
    assert not any("办公楼维修改造" in p.text for p in extraction.paragraphs)


# --- workbooks ----------------------------------------------------------------------


def test_xlsx_numbers_as_printed_merges_hidden_rows(fixtures):
    extraction = extract(fixtures["xlsx"][0])
    first = extraction.tables[0]
    assert first.sheet == "表1" and first.method == "xlsx"
    assert first.rows[0][:4] == ["财政供养人员情况", "编制数", "2023年实际在职人数", "控制率"]
    assert first.rows[1][:4] == [None, "31", "31", "100.00%"]  # merged label; 1 printed as 100.00%
    assert first.rows[0][4:] == [None, None, None]  # the last cell spans the form's width
    cells = [c for t in extraction.tables for row in t.rows for c in row if c]
    assert "隐藏行（不应读出）" not in cells and "999999" not in cells
    assert "164.03" in cells and "5" in cells
    assert extraction.paragraphs[1].text == "部门整体支出绩效评价基础数据表"


def test_number_formats():
    assert spreadsheet.number_to_text(1, "0.00%") == "100.00%"
    assert spreadsheet.number_to_text(0.7658, "0.00%") == "76.58%"
    assert spreadsheet.number_to_text(164.0, "0.00") == "164.00"
    assert spreadsheet.number_to_text(1234.5, "#,##0.00") == "1,234.50"
    assert spreadsheet.number_to_text(12.5, "0.00_ ") == "12.50"
    assert spreadsheet.number_to_text(3.0, "General") == "3"
    assert spreadsheet.number_to_text(0.13, None) == "0.13"
    assert spreadsheet.number_to_text(5, '0.00"万元"') == "5.00万元"


def test_formula_without_cached_value_is_noted(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "基础数据"
    sheet.append(["项目", "预算数", "决算数"])
    sheet.append(["三公经费", 5, 0.13])
    sheet.append(["公务接待", 5, "0.13"])  # a number stored as text
    sheet.append(["合计", "=B2+B3", "=C2+C3"])  # openpyxl has no calc engine: no cached value
    path = tmp_path / "formula.xlsx"
    book.save(path)
    extraction = extract(path)
    rows = extraction.tables[0].rows
    assert rows[2] == ["公务接待", "5", "0.13"]
    assert rows[3] == ["合计", "", ""]
    assert any("B4" in w and "no cached value" in w for w in extraction.warnings)


def test_a_border_without_sides_and_a_bordered_merge_over_plain_cells(tmp_path):
    """A stylesheet's empty <border/> has sides of None: the reader raised AttributeError on it."""
    from openpyxl.styles import Border, Side

    book = Workbook()
    sheet = book.active
    thin = Side(style="thin")
    for row in (["项目", "预算数", "决算数"], ["三公经费", 5, 4], ["公务接待", 2, 1]):
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["A5"], sheet["B5"] = "注", "单位：万元"
    sheet["A5"].border = Border()  # written as an empty <border/>
    sheet.merge_cells("B5:C5")
    path = tmp_path / "sides.xlsx"
    book.save(path)
    extraction = extract(path)
    assert [t.rows for t in extraction.tables] == [[["项目", "预算数", "决算数"], ["三公经费", "5", "4"],
                                                    ["公务接待", "2", "1"]]]
    assert extraction.paragraphs[0].text == "注 单位：万元"


def test_several_forms_on_one_sheet_and_several_sheets(tmp_path):
    book = Workbook()
    one = book.active
    one.title = "表一"
    one.append(["部门整体支出绩效评价基础数据表"])
    one.append([])
    one.append(["编制数", "实际在职人数", "控制率"])
    one.append([31, 31, 1])
    one.append([])
    one.append(["项目", "预算数"])
    one.append(["三公经费", 5])
    two = book.create_sheet("表二")
    two.append(["一级指标", "分值", "得分"])
    two.append(["产出指标", 50, 48])
    path = tmp_path / "forms.xlsx"
    book.save(path)
    extraction = extract(path)
    assert [(t.sheet, len(t.rows)) for t in extraction.tables] == [("表一", 2), ("表一", 2), ("表二", 2)]
    assert extraction.paragraphs[0].text == "部门整体支出绩效评价基础数据表"


def test_xls_reads_like_xlsx(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path))
    xls = office.convert(fixtures["xlsx"][0], "xls", cache=False)  # Calc writes real BIFF8
    assert sniff(xls) == "xls"
    from_xls = extract(xls)
    from_xlsx = extract(fixtures["xlsx"][0])
    assert from_xls.doc_format == "xls"
    assert [t.rows for t in from_xls.tables] == [t.rows for t in from_xlsx.tables]


def test_xls_that_is_html_or_gbk_text(seeds, tmp_path):
    html_xls = tmp_path / "export.xls"
    html_xls.write_bytes(render_html(seed_extraction(seeds[2]), encoding="gbk", declared="gb2312"))
    assert sniff(html_xls) == "html"
    assert extract(html_xls).tables
    tsv = tmp_path / "data.xls"
    tsv.write_bytes("\t项目\n\t预算数\n\n\t三公经费\n\t5\n".encode("gbk"))
    extraction = extract(tsv)
    assert extraction.tables[0].rows == [["项目", "预算数"], ["三公经费", "5"]]


def test_broken_xlsx(tmp_path):
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(ExtractionError):
        extract(broken)


# --- inline HTML --------------------------------------------------------------------


def test_html_gb2312_page_with_gbk_characters(seeds):
    # 渌 and 璟 are GBK, not GB2312: a strict gb2312 decode fails on such pages
    text = "<html><head><meta charset=gb2312></head><body><p>株洲市渌口区</p><table><tr><td>璟</td></tr></table></body></html>"
    extraction = html_extractor.html_to_extraction(decode_html(text.encode("gbk")).text, "a.html")
    assert extraction.paragraphs[0].text == "株洲市渌口区"
    assert extraction.tables[0].rows == [["璟"]]


def test_html_without_declared_charset(seeds, tmp_path):
    page = tmp_path / "nometa.html"
    page.write_bytes(render_html(seed_extraction(seeds[2]), encoding="gb18030", meta=False))
    expected = parse_dump(seeds[2].read_text(encoding="utf-8"))
    got = extract(page)

    def words(text):  # HTML collapses runs of spaces
        return " ".join(text.split())

    assert [p.text for p in got.paragraphs][1:] == [words(p.text) for p in expected.paragraphs if p.text.strip()]


def test_html_spans_to_grid():
    page = """<table>
      <tr><td rowspan="2">年度预算<br>申请</td><td colspan="2">资金</td><td>得分</td></tr>
      <tr><td>年初</td><td>全年</td><td>10</td></tr>
      <tr><td>合计</td><td colspan="3"><p>100</p></td></tr>
    </table>"""
    table = html_extractor.html_to_extraction(page, "t.html").tables[0]
    assert table.rows == [
        ["年度预算\n申请", "资金", None, "得分"],
        [None, "年初", "全年", "10"],
        ["合计", "100", None, None],
    ]


def test_layout_table_around_the_report_loses_nothing():
    page = """<html><body><table><tr><td>
      <p>部门整体支出绩效自评报告</p>
      <table border=1><tr><td>编制数</td><td>31</td></tr></table>
      <p>一、部门概况</p></td></tr></table></body></html>"""
    extraction = html_extractor.html_to_extraction(page, "a.html")
    assert [p.text for p in extraction.paragraphs] == ["部门整体支出绩效自评报告", "一、部门概况"]
    assert extraction.tables[0].rows == [["编制数", "31"]]
    assert extraction.paragraphs[1].order > extraction.tables[0].order > extraction.paragraphs[0].order
