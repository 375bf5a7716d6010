"""Real broken and hostile files, built on the fly from the bundled sample reports.

Every builder writes a file and returns its path. Nothing is mocked: the files are what a
portal might really publish (an HTML error page saved as .pdf, a zip bomb, a page drawn
with a hundred thousand tiny rectangles, GBK bytes that claim to be UTF-8, ...).
"""

from __future__ import annotations

import random
import shutil
import zipfile
import zlib
from pathlib import Path

from jixiao.samples import SAMPLE_NAMES, SEEDS, sample_documents

GOOD_STEMS = ("004_898f9e65b71aedec", "000_d13cc6d6ccca30c6")


def good_reports(folder: Path, count: int = 2) -> list[Path]:
    """Copies of bundled sample .docx reports (real, complete reports)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for stem in GOOD_STEMS[:count]:
        source = sample_documents() / f"{SAMPLE_NAMES[stem]}.docx"
        out.append(Path(shutil.copyfile(source, folder / source.name)))
    return out


def seed_extraction(stem: str = GOOD_STEMS[0]):
    from extractors.textdump import parse_dump

    return parse_dump((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"), stem)


# --- PDF ------------------------------------------------------------------------------


def minimal_pdf(pages: list[bytes], box: tuple[int, int] = (595, 842)) -> bytes:
    """A valid PDF (xref and all) whose pages have the given content streams; Helvetica is /F1."""
    objects: list[bytes | None] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", None]
    font, pages_id = 1, 2
    kids = []
    streams: dict[bytes, int] = {}  # pages of the same content share one stream: a long file stays small
    for content in pages:
        if content not in streams:
            data = zlib.compress(content)
            objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
            streams[content] = len(objects)
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (pages_id, box[0], box[1], font, streams[content])
        )
        kids.append(len(objects))
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(objects), xref)
    return bytes(out)


def _text(line: str, y: int = 800) -> bytes:
    return b"BT /F1 12 Tf 72 %d Td (%s) Tj ET\n" % (y, line.encode("ascii"))


def _spinning_content(shapes: int) -> bytes:
    rects = b"".join(b"%d %d 1 1 re f\n" % (20 + i % 500, 100 + (i // 500) % 600) for i in range(shapes))
    lines = b"".join(
        b"%d %d m %d %d l S\n" % (20 + i % 500, 100 + (i // 500) % 600, 21 + i % 500, 100 + (i // 500) % 600)
        for i in range(shapes)
    )
    return _text("Table page") + rects + lines


def pdf_spinning_page(path: Path, shapes: int = 60_000) -> Path:
    """One page drawn with ``shapes`` tiny rects and as many tiny lines: pdfminer's layout
    pass alone takes ~10 s on it, table finding minutes."""
    path.write_bytes(minimal_pdf([_spinning_content(shapes)]))
    return path


def pdf_slow(path: Path, pages: int = 100) -> Path:
    """Pages under the per-page cap (24 000 objects each) that take seconds each, minutes in all:
    only a wall-clock timeout stops them."""
    path.write_bytes(minimal_pdf([_spinning_content(12_000)] * pages))
    return path


def pdf_many_pages(path: Path, pages: int = 300) -> Path:
    path.write_bytes(minimal_pdf([_text(f"Page {n} of a long appendix") for n in range(1, pages + 1)]))
    return path


def pdf_giant_page(path: Path) -> Path:
    """A 14400 pt square page (the PDF maximum) with no text: a 'scan' that goes to OCR.
    Rendered at 200 dpi it is a 40000 x 40000 bitmap (16.9 GB peak RSS before the cap)."""
    path.write_bytes(minimal_pdf([b"0 0 0 RG 5 w 100 100 m 14000 14000 l S 100 14000 m 14000 100 l S\n"],
                                 box=(14400, 14400)))
    return path


def report_pdf(folder: Path) -> Path:
    """A real report as PDF (LibreOffice, cached by content hash across runs)."""
    from extractors.office import convert

    folder.mkdir(parents=True, exist_ok=True)
    source = sample_documents() / f"{SAMPLE_NAMES[GOOD_STEMS[0]]}.docx"
    return Path(shutil.copyfile(convert(source, "pdf"), folder / "report.pdf"))


def pdf_form_page(report: Path, out: Path) -> Path:
    """The page of ``report`` holding the basic-data form (三公经费 ...), alone."""
    from jixiao.samples.formats import pages_with, pdf_rotated

    return pdf_rotated(report, out, 0, pages=[pages_with(report, "三公经费")[0]])


def pdf_truncated(report: Path, out: Path) -> Path:
    data = report.read_bytes()
    out.write_bytes(data[: len(data) // 3])
    return out


def html_named(path: Path, body: str = "<html><body><p>404 页面不存在</p></body></html>") -> Path:
    path.write_text(body, encoding="utf-8")
    return path


# --- OOXML ------------------------------------------------------------------------------


def docx_hiding_places(source: Path, out: Path, box_text: str) -> Path:
    """``source`` with every table cell's content in a content control (w:sdt), every run of
    the tables a tracked insertion (w:ins) next to a tracked deletion of junk digits, and a
    text box holding ``box_text``: a reader that drops any of them loses figures."""
    from lxml import etree

    from tests.fixtures_docx import W, para, text_box

    w = f"{{{W}}}"
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    root = etree.fromstring(members["word/document.xml"])
    for run in list(root.iter(f"{w}r")):
        if run.getparent() is None or next(run.iterancestors(f"{w}tbl"), None) is None:
            continue
        parent = run.getparent()
        ins = etree.Element(f"{w}ins", {f"{w}id": "1", f"{w}author": "clerk"})
        parent.replace(run, ins)
        ins.append(run)
        deleted = etree.fromstring(
            f'<w:del xmlns:w="{W}" w:id="2" w:author="clerk"><w:r><w:delText>987654</w:delText></w:r></w:del>'
        )
        ins.addnext(deleted)
    for cell in list(root.iter(f"{w}tc")):
        content = [child for child in cell if child.tag != f"{w}tcPr"]
        sdt = etree.SubElement(cell, f"{w}sdt")
        body = etree.SubElement(sdt, f"{w}sdtContent")
        for child in content:
            body.append(child)
    box = etree.fromstring(f'<w:body xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                           f'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                           f'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
                           f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
                           f'xmlns:v="urn:schemas-microsoft-com:vml">{para(text_box(box_text))}</w:body>')[0]
    body_element = root.find(f"{w}body")
    body_element.insert(0, box)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


def docx_heavy_dom(path: Path, paragraphs: int = 400_000) -> Path:
    """A .docx that passes every zip guard (ratio < 100, < 100 MB) yet builds a DOM of
    hundreds of MB: only the worker's memory cap stops it."""
    from tests.fixtures_docx import W, docx_with_body, para, replace_member

    docx_with_body(path, para("正文"))
    rng = random.Random(7)

    def write(handle) -> None:
        handle.write(f'<w:document xmlns:w="{W}"><w:body>'.encode())
        for start in range(0, paragraphs, 10_000):
            handle.write("".join(
                f"<w:p><w:r><w:t>{rng.getrandbits(40):x}</w:t></w:r></w:p>" for _ in range(10_000)).encode())
        handle.write(b"</w:body></w:document>")

    return replace_member(path, "word/document.xml", write)


# --- HTML, spreadsheets, text ---------------------------------------------------------------


def report_html(encoding: str = "utf-8", declared: str | None = None) -> bytes:
    from jixiao.samples.formats import render_html

    return render_html(seed_extraction(), title="芦淞区人大常委会2023年度整体支出绩效自评报告",
                       encoding=encoding, declared=declared)


def gbk_tsv(path: Path) -> Path:
    """The seed dump (tab-separated) in GBK, as a clerk's 'Save as .xls' of a text export."""
    text = (SEEDS / f"{GOOD_STEMS[0]}.txt").read_text(encoding="utf-8")
    path.write_bytes(text.encode("gb18030"))
    return path


META_REFRESH = b'<meta http-equiv="refresh" content="0; url=/a/b/c.html">\n'


def bad_input_folder(folder: Path, report: Path | None = None) -> dict[str, Path]:
    """Every cheap bad input of the issue in one folder, named by fault (for one real ingest run)."""
    from tests.fixtures_docx import billion_laughs_docx, zip_bomb_docx

    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    files["empty"] = folder / "empty.docx"
    files["empty"].write_bytes(b"")
    files["not_a_pdf"] = html_named(folder / "not_a_pdf.pdf")
    files["spin"] = pdf_spinning_page(folder / "spin.pdf")
    files["zip_bomb"] = zip_bomb_docx(folder / "zip_bomb.docx", inflated_mb=64)
    files["entities"] = billion_laughs_docx(folder / "entities.docx")
    files["docx_is_html"] = folder / "docx_is_html.docx"
    files["docx_is_html"].write_bytes(report_html())
    files["xls_is_html"] = folder / "xls_is_html.xls"
    files["xls_is_html"].write_bytes(report_html("gbk", "gb2312"))
    files["xls_is_gbk_tsv"] = gbk_tsv(folder / "xls_is_gbk_tsv.xls")
    files["html_gbk_says_utf8"] = folder / "html_gbk_says_utf8.html"
    files["html_gbk_says_utf8"].write_bytes(report_html("gbk", "utf-8"))
    files["meta_refresh"] = folder / "meta_refresh.html"
    files["meta_refresh"].write_bytes(META_REFRESH)
    if report is not None:
        files["truncated"] = pdf_truncated(report, folder / "truncated.pdf")
        from jixiao.samples.pdfs import pdf_encrypted

        files["encrypted"] = pdf_encrypted(report, folder / "encrypted.pdf")
        files["owner_only"] = pdf_encrypted(report, folder / "owner_only.pdf", user_password="")
    return files
