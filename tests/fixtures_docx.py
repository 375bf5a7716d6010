"""Build small real .docx files holding the constructs that make naive readers lose data.

Bodies are written as WordprocessingML fragments and dropped into a python-docx default
document, so the package (styles, rels, content types) is what Word itself would open.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as new_docx
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NAMESPACES = {
    "w": W,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
}


# --- fragment builders ---------------------------------------------------------------


def run(text: str, hidden: bool = False) -> str:
    props = "<w:rPr><w:vanish/></w:rPr>" if hidden else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*content: str) -> str:
    """A paragraph; plain strings become runs, markup (starting with '<') is kept as is."""
    return "<w:p>" + "".join(part if part.startswith("<") else run(part) for part in content) + "</w:p>"


def cell(*content: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    body = "".join(part if part.startswith("<w:p") or part.startswith("<w:tbl") else para(part) for part in content)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body or para()}</w:tc>"


def row(*cells: str, before: int = 0, after: int = 0, props: str = "") -> str:
    if before:
        props += f'<w:gridBefore w:val="{before}"/>'
    if after:
        props += f'<w:gridAfter w:val="{after}"/>'
    return f"<w:tr>{f'<w:trPr>{props}</w:trPr>' if props else ''}{''.join(cells)}</w:tr>"


def table(columns: int, *rows: str) -> str:
    grid = "".join('<w:gridCol w:w="1500"/>' for _ in range(columns))
    props = '<w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>'
    return f"<w:tbl>{props}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def sdt(content: str) -> str:
    props = '<w:sdtPr><w:alias w:val="填报"/><w:id w:val="1"/></w:sdtPr>'
    return f"<w:sdt>{props}<w:sdtContent>{content}</w:sdtContent></w:sdt>"


def inserted(text: str) -> str:
    return f'<w:ins w:id="11" w:author="clerk" w:date="2024-03-01T00:00:00Z">{run(text)}</w:ins>'


def deleted(text: str) -> str:
    return (
        f'<w:del w:id="12" w:author="clerk" w:date="2024-03-01T00:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
    )


def smart_tag(text: str) -> str:
    return f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="unit">{run(text)}</w:smartTag>'


def text_box(*paragraph_texts: str) -> str:
    """An anchored text box as Word 2010+ writes it: a DrawingML choice and a VML fallback."""
    content = "<w:txbxContent>" + "".join(para(text) for text in paragraph_texts) + "</w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f'<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r>"
    )


# --- packages ------------------------------------------------------------------------


def docx_with_body(path: Path, *blocks: str) -> Path:
    """A real .docx whose body holds ``blocks`` (WordprocessingML fragments) before the section."""
    document = new_docx()
    body = document.element.body
    for child in list(body):
        if etree.QName(child).localname != "sectPr":
            body.remove(child)
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NAMESPACES.items())
    holder = etree.fromstring(f"<w:body {declarations}>{''.join(blocks)}</w:body>".encode())
    section = body[-1] if len(body) else None
    for element in list(holder):
        if section is not None:
            section.addprevious(element)
        else:
            body.append(element)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def replace_member(path: Path, member: str, write) -> Path:
    """Rewrite the package with ``member`` produced by ``write(handle)`` (streamed, deflated)."""
    original = path.with_suffix(".orig")
    shutil.move(path, original)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info.filename))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as handle:
            write(handle)
    original.unlink()
    return path


def zip_bomb_docx(path: Path, inflated_mb: int = 64) -> Path:
    """A few-KB .docx whose document.xml inflates to ``inflated_mb`` MB of empty paragraphs."""
    docx_with_body(path, para("正文"))
    head = f'<w:document xmlns:w="{W}"><w:body>'.encode()
    chunk = b"<w:p/>" * ((1 << 20) // 6)

    def write(handle) -> None:
        handle.write(head)
        written = 0
        while written < inflated_mb << 20:
            handle.write(chunk)
            written += len(chunk)
        handle.write(b"</w:body></w:document>")

    return replace_member(path, "word/document.xml", write)


def billion_laughs_docx(path: Path) -> Path:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{k} "{("&lol" + str(k - 1) + ";") * 10}">' for k in range(1, 10)
    ]
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{"".join(levels)}]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()
    docx_with_body(path, para("正文"))
    return replace_member(path, "word/document.xml", lambda handle: handle.write(xml))


def many_entries_docx(path: Path, extra: int = 2100) -> Path:
    docx_with_body(path, para("正文"))
    with zipfile.ZipFile(path, "a") as archive:
        for k in range(extra):
            archive.writestr(f"word/media/pad{k}.xml", "<a/>")
    return path


def traversal_docx(path: Path, member: str = "../../evil.xml") -> Path:
    docx_with_body(path, para("正文"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo(member), "<a/>")
    return path
