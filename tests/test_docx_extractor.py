import zipfile
from pathlib import Path

import pytest

import extractors
from extractors.docx import extract
from extractors.ooxml_guard import ZipLimits, check_zip
from extractors.textdump import parse_dump
from core.records import Extraction, ExtractionError, RawTable
from jixiao.samples.render import render_seed
from tests.conftest import seed_path
from tests.fixtures_docx import (
    billion_laughs_docx,
    cell,
    deleted,
    docx_with_body,
    inserted,
    many_entries_docx,
    para,
    row,
    run,
    sdt,
    smart_tag,
    table,
    text_box,
    traversal_docx,
    zip_bomb_docx,
)


def _same_grid(docx_rows: list[list[str | None]], dump_rows: list[list[str | None]]) -> None:
    """Equal cell by cell, except that the renderer may merge a dump's '' into the label above (None)."""
    assert len(docx_rows) == len(dump_rows)
    for r, (got, want) in enumerate(zip(docx_rows, dump_rows)):
        width = max(len(got), len(want))
        got = got + [None] * (width - len(got))
        want = want + [None] * (width - len(want))
        for c, (g, w) in enumerate(zip(got, want)):
            assert g == w or (w == "" and g is None), f"row {r} col {c}: {g!r} != {w!r}"


def _blocks(extraction: Extraction) -> list[tuple[int, str]]:
    return sorted([(p.order, "p") for p in extraction.paragraphs] + [(t.order, "t") for t in extraction.tables])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[int, tuple[Extraction, Extraction]]:
    """Seed number -> (docx extraction of the rendered seed, dump parse of the seed)."""
    out = {}
    for number in range(5):
        seed = seed_path(number)
        path = render_seed(seed, tmp_path_factory.mktemp("seeds") / f"{seed.stem}.docx")
        out[number] = (extract(path, path.name), parse_dump(seed.read_text(encoding="utf-8"), seed.name))
    return out


# --- seeds ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", range(5))
def test_seed_grids_match_dump(rendered, number):
    got, dump = rendered[number]
    assert got.doc_format == "docx"
    assert len(got.tables) == len(dump.tables)
    for table_got, table_dump in zip(got.tables, dump.tables):
        assert table_got.method == "docx"
        assert {len(r) for r in table_got.rows} == {table_got.width}
        _same_grid(table_got.rows, table_dump.rows)


@pytest.mark.parametrize("number", range(5))
def test_seed_paragraphs_and_block_order(rendered, number):
    got, dump = rendered[number]
    printed = [p for p in dump.paragraphs if p.text]
    assert [p.text for p in got.paragraphs] == [p.text for p in printed]
    dump_blocks = sorted([(p.order, "p") for p in printed] + [(t.order, "t") for t in dump.tables])
    assert [kind for _, kind in _blocks(got)] == [kind for _, kind in dump_blocks]
    assert [order for order, _ in _blocks(got)] == list(range(len(dump_blocks)))
    assert [t.index for t in got.tables] == list(range(len(got.tables)))


def test_seed_004_merged_cells_appear_once(rendered):
    got, _ = rendered[4]
    basic, overall = got.tables
    everything = [value for t in got.tables for r in t.rows for value in r if value]
    assert everything.count("绩\n效\n指\n标") == 1
    label_row = next(r for r in overall.rows if r[0] == "绩\n效\n指\n标")
    assert label_row[1:] == [None] * (overall.width - 1)  # spans the whole table
    # Rows under the vMerged side label have None in its column.
    start = next(i for i, r in enumerate(overall.rows) if r[1] == "产出指标\n\n(40分)")
    end = next(i for i, r in enumerate(overall.rows) if r[1] and r[1].startswith("效益指标"))
    assert end - start == 7
    assert all(r[1] is None for r in overall.rows[start + 1 : end])
    assert all(r[0] is None for r in overall.rows[start:end])
    # Horizontally merged cells: the unit name appears once, the rest of its row is None.
    assert overall.rows[0][1] == "株洲市芦淞区人民代表大会常务委员会\u3000"
    assert overall.rows[0][2:] == [None] * (overall.width - 2)
    assert everything.count("株洲市芦淞区人民代表大会常务委员会\u3000") == 1
    assert basic.rows[1][:4] == [None, "21", "35", "60%"]  # under the merged 财政供养人员情况 label


def test_seed_004_no_value_duplicated_across_a_row(rendered):
    got, dump = rendered[4]
    for table_got, table_dump in zip(got.tables, dump.tables):
        for r_got, r_dump in zip(table_got.rows, table_dump.rows):
            values = [v for v in r_got if v]
            assert len(values) == len([v for v in r_dump if v])


def test_dispatcher_routes_docx(tmp_path):
    path = render_seed(seed_path(2), tmp_path / "报告.docx")
    extraction = extractors.extract(path, "报告.docx")
    assert extraction.doc_format == "docx" and len(extraction.tables) == 1
    assert extraction.tables[0].source == "报告.docx"


# --- merges --------------------------------------------------------------------------


def _only_table(path: Path) -> RawTable:
    extraction = extract(path, path.name)
    assert len(extraction.tables) == 1
    return extraction.tables[0]


def test_colspan_header_appears_once(tmp_path):
    path = docx_with_body(
        tmp_path / "colspan.docx",
        table(
            4,
            row(cell("项目"), cell("资金（万元）", span=3)),
            row(cell("名称"), cell("年初预算数"), cell("全年预算数"), cell("执行数")),
            row(cell("代表履职经费"), cell("50.31"), cell(""), cell("50.31")),
        ),
    )
    assert _only_table(path).rows == [
        ["项目", "资金（万元）", None, None],
        ["名称", "年初预算数", "全年预算数", "执行数"],
        ["代表履职经费", "50.31", "", "50.31"],
    ]


def test_rowspan_label_is_top_left_only(tmp_path):
    path = docx_with_body(
        tmp_path / "rowspan.docx",
        table(
            3,
            row(cell("产出指标", vmerge="restart"), cell("数量指标"), cell("8")),
            row(cell(vmerge="continue"), cell("质量指标"), cell("6")),
            row(cell(vmerge="continue"), cell("时效指标"), cell("4")),
            row(cell("效益指标"), cell("社会效益"), cell("15")),
        ),
    )
    assert _only_table(path).rows == [
        ["产出指标", "数量指标", "8"],
        [None, "质量指标", "6"],
        [None, "时效指标", "4"],
        ["效益指标", "社会效益", "15"],
    ]


def test_merged_block_spanning_rows_and_columns(tmp_path):
    path = docx_with_body(
        tmp_path / "block.docx",
        table(
            3,
            row(cell("年度预算申请", span=2, vmerge="restart"), cell("962.51")),
            row(cell(span=2, vmerge="continue"), cell("982.60")),
        ),
    )
    assert _only_table(path).rows == [["年度预算申请", None, "962.51"], [None, None, "982.60"]]


def test_grid_before_and_after_are_padded(tmp_path):
    path = docx_with_body(
        tmp_path / "gridbefore.docx",
        table(
            3,
            row(cell("科目"), cell("预算"), cell("决算")),
            row(cell("80.00"), cell("79.50"), before=1),
            row(cell("合计"), cell("80.00"), after=1),
        ),
    )
    assert _only_table(path).rows == [["科目", "预算", "决算"], [None, "80.00", "79.50"], ["合计", "80.00", None]]


def test_short_row_is_padded_to_grid_width(tmp_path):
    path = docx_with_body(tmp_path / "short.docx", table(3, row(cell("a"), cell("b"), cell("c")), row(cell("d"))))
    assert _only_table(path).rows == [["a", "b", "c"], ["d", None, None]]


def test_cell_text_keeps_breaks_tabs_and_paragraphs(tmp_path):
    multi = '<w:p><w:r><w:t>绩</w:t><w:br/><w:t>效</w:t><w:tab/><w:t>x</w:t></w:r></w:p>'
    path = docx_with_body(
        tmp_path / "text.docx",
        table(2, row(cell(multi), cell(para("产出指标"), para("（40分）"), para()))),
    )
    assert _only_table(path).rows == [["绩\n效\tx", "产出指标\n（40分）"]]


def test_hostile_grid_span_is_capped(tmp_path):
    huge = '<w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr><w:p/></w:tc>'
    path = docx_with_body(tmp_path / "span.docx", table(2, row(cell("a"), huge)))
    assert len(_only_table(path).rows[0]) <= 1001


# --- nested tables, content controls, text boxes --------------------------------------


def test_nested_table_is_its_own_table_after_parent(tmp_path):
    inner = table(2, row(cell("内层"), cell("12.5")))
    path = docx_with_body(
        tmp_path / "nested.docx",
        para("附件3"),
        table(2, row(cell("执行率"), cell(para("100%"), inner, para()))),
        para("附件4"),
        table(1, row(cell("后表"))),
    )
    extraction = extract(path, path.name)
    outer, nested, after = extraction.tables
    assert outer.rows == [["执行率", "100%"]]
    assert nested.rows == [["内层", "12.5"]]
    assert (outer.index, nested.index, after.index) == (0, 1, 2)
    assert (outer.order, nested.order, after.order) == (1, 2, 4)
    assert [(p.text, p.order) for p in extraction.paragraphs] == [("附件3", 0), ("附件4", 3)]


def test_sdt_wrapped_cell_row_and_blocks_keep_alignment(tmp_path):
    path = docx_with_body(
        tmp_path / "sdt.docx",
        sdt(para("控件里的段落")),
        table(
            3,
            row(cell("项目"), cell("预算"), cell("决算")),
            row(cell("公用经费"), sdt(cell("74.46")), cell("74.46")),
            sdt(row(cell("办公经费"), cell("20.00"), cell(para(sdt(run("19.80")))))),
        ),
        sdt(table(1, row(cell("控件里的表")))),
    )
    extraction = extract(path, path.name)
    assert [p.text for p in extraction.paragraphs] == ["控件里的段落"]
    main, wrapped = extraction.tables
    assert main.rows == [["项目", "预算", "决算"], ["公用经费", "74.46", "74.46"], ["办公经费", "20.00", "19.80"]]
    assert wrapped.rows == [["控件里的表"]]


def test_tracked_changes_accepted_and_smart_tag_kept(tmp_path):
    old_props = '<w:tcPrChange w:id="5" w:author="a"><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange>'
    path = docx_with_body(
        tmp_path / "tracked.docx",
        para("预算数：", inserted("120.5"), deleted("99.0"), smart_tag("万元")),
        table(
            2,
            row(cell("执行数"), cell(para(deleted("99.0"), inserted("120.5")))),
            row(cell("作废行"), cell("1.0"), props='<w:del w:id="7" w:author="a"/>'),
            row(f"<w:tc><w:tcPr>{old_props}</w:tcPr>{para('得分')}</w:tc>", cell("98")),
        ),
        para('<w:moveFrom w:id="8" w:author="a">' + run("旧位置") + "</w:moveFrom>"),
        para('<w:moveTo w:id="9" w:author="a">' + run("新位置") + "</w:moveTo>"),
    )
    extraction = extract(path, path.name)
    assert [p.text for p in extraction.paragraphs] == ["预算数：120.5万元", "新位置"]
    assert extraction.tables[0].rows == [["执行数", "120.5"], ["得分", "98"]]


def test_text_box_paragraphs_emitted_once(tmp_path):
    path = docx_with_body(
        tmp_path / "textbox.docx",
        para("正文", text_box("文本框：自评得分98分", "第二行")),
        table(1, row(cell("表"))),
    )
    extraction = extract(path, path.name)
    assert [(p.text, p.order) for p in extraction.paragraphs] == [
        ("正文", 0),
        ("文本框：自评得分98分", 1),
        ("第二行", 2),
    ]
    assert extraction.tables[0].order == 3


def test_hidden_runs_dropped_bookmarks_ignored(tmp_path):
    bookmark = '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
    shown = '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>显示</w:t></w:r>'
    path = docx_with_body(
        tmp_path / "hidden.docx",
        para("可见文字", run("隐藏文字", hidden=True), shown),
        para("书签前", bookmark, "书签后"),
        para(run("整段隐藏", hidden=True)),
        table(1, row(cell(para("82.5", run("(旧)", hidden=True))))),
    )
    extraction = extract(path, path.name)
    assert [p.text for p in extraction.paragraphs] == ["可见文字显示", "书签前书签后"]
    assert extraction.tables[0].rows == [["82.5"]]


# --- hostile and broken packages ------------------------------------------------------


def _reason(path: Path) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(path, path.name)
    return caught.value.reason


def test_zip_bomb_rejected_before_parsing(tmp_path):
    path = zip_bomb_docx(tmp_path / "bomb.docx", inflated_mb=64)
    assert path.stat().st_size < 512 * 1024
    assert _reason(path) == "zip_bomb"  # the zip guard's reason: refused before any XML is parsed


def test_too_many_entries_rejected(tmp_path):
    assert _reason(many_entries_docx(tmp_path / "many.docx")) == "zip_bomb"


@pytest.mark.parametrize("member", ["../../evil.xml", "/etc/evil.xml", "word/../../evil.xml", "C:/evil.xml"])
def test_unsafe_member_names_rejected(tmp_path, member):
    assert _reason(traversal_docx(tmp_path / "traversal.docx", member)) == "zip_bomb"


def test_total_uncompressed_size_limit(tmp_path):
    path = docx_with_body(tmp_path / "plain.docx", para("正文"))
    check_zip(path, "docx")
    total = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    with pytest.raises(ExtractionError) as caught:
        check_zip(path, "docx", ZipLimits(max_total_bytes=total - 1))
    assert caught.value.reason == "zip_bomb" and "uncompressed size" in caught.value.detail


def test_billion_laughs_rejected_fast(tmp_path):
    assert _reason(billion_laughs_docx(tmp_path / "laughs.docx")) == "hostile_xml"  # refused, never expanded


def test_corrupt_packages(tmp_path):
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert _reason(garbage) == "corrupt_docx"

    good = render_seed(seed_path(2), tmp_path / "good.docx")
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert _reason(truncated) == "corrupt_docx"

    not_word = tmp_path / "book.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert _reason(not_word) == "corrupt_docx"

    broken_xml = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken_xml, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[:-40] if info.filename == "word/document.xml" else data)
    assert _reason(broken_xml) == "corrupt_docx"


# --- fixture realism -----------------------------------------------------------------


def test_fixtures_reproduce_the_python_docx_traps(tmp_path):
    """python-docx opens our fixtures and loses/duplicates exactly what PITFALLS 2.1/2.2 describe."""
    import docx

    path = docx_with_body(
        tmp_path / "traps.docx",
        para("预算数：", inserted("120.5"), deleted("99.0"), smart_tag("万元")),
        sdt(para("控件里的段落")),
        para("可见", run("隐藏", hidden=True)),
        table(3, row(cell("资金", span=2), cell("1.0"))),
    )
    document = docx.Document(str(path))
    assert [p.text for p in document.paragraphs] == ["预算数：", "可见隐藏"]
    assert [c.text for c in document.tables[0].rows[0].cells] == ["资金", "资金", "1.0"]
    extraction = extract(path, path.name)
    assert [p.text for p in extraction.paragraphs] == ["预算数：120.5万元", "控件里的段落", "可见"]
    assert extraction.tables[0].rows == [["资金", None, "1.0"]]


def test_vml_only_text_box_and_text_box_in_cell(tmp_path):
    box = "<w:txbxContent>" + para("旧版文本框") + "</w:txbxContent>"
    vml = f"<w:r><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></w:r>"
    path = docx_with_body(
        tmp_path / "vml.docx",
        para(vml),
        table(1, row(cell(para("单元格", text_box("格内文本框"))))),
    )
    extraction = extract(path, path.name)
    assert [(p.text, p.order) for p in extraction.paragraphs] == [("旧版文本框", 0), ("格内文本框", 2)]
    assert extraction.tables[0].rows == [["单元格"]] and extraction.tables[0].order == 1


def test_text_in_merged_away_cell_is_reported(tmp_path):
    path = docx_with_body(
        tmp_path / "stray.docx",
        table(2, row(cell("标签", vmerge="restart"), cell("1")), row(cell("残留", vmerge="continue"), cell("2"))),
    )
    extraction = extract(path, path.name)
    assert extraction.tables[0].rows == [["标签", "1"], [None, "2"]]
    assert len(extraction.warnings) == 1 and "残留" in extraction.warnings[0]
