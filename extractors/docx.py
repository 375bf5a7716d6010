"""Read a .docx into paragraphs and layout-grid tables, straight from the package XML.

python-docx is not used for reading: ``row.cells`` repeats merged cells, and paragraphs in
content controls, text boxes, tracked insertions and smartTags silently vanish from its
API (PITFALLS 2.1, 2.2). We parse ``word/document.xml`` ourselves after the zip guard,
normalise a private copy of the tree (accept revisions, unwrap wrappers, drop hidden
runs), then walk blocks in document order.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from core.records import Extraction, ExtractionError, Paragraph, RawTable
from extractors.ooxml_guard import check_zip, parse_xml, read_member
from extractors.sniff import ZIP_ERRORS

KIND = "docx"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
_DEFAULT_MAIN_PART = "word/document.xml"
# Any legitimate span fits in Word's 63-column limit; the cap stops a hostile
# gridSpan="1000000000" from allocating a giant row.
_MAX_SPAN = 1000

# Elements whose content is not printed after accepting all revisions: deleted text,
# the old side of moves and formatting changes (tcPrChange holds the *old* gridSpan/vMerge),
# duplicate renderings (mc:Fallback repeats mc:Choice), wrapper properties, ruby guide text.
_DROPPED = (
    "del", "moveFrom", "delText", "delInstrText",
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange",
    "tcPrChange", "trPrChange", "tblGridChange", "numberingChange",
    "sdtPr", "sdtEndPr", "smartTagPr", "customXmlPr", "rt",
)
# Wrappers whose children are printed as if the wrapper were not there.
_UNWRAPPED = ("ins", "moveTo", "sdt", "sdtContent", "smartTag", "customXml", "hyperlink", "fldSimple", "dir", "bdo")
_FALSE = {"0", "false", "off"}


@dataclass
class _Names:
    """Qualified tag names in the document's WordprocessingML namespace (transitional or strict).

    Each name is built once per document: the walk asks for them a few hundred thousand times."""

    ns: str
    _built: dict[str, str] = field(default_factory=dict, repr=False)

    def __call__(self, local: str) -> str:
        name = self._built.get(local)
        if name is None:
            name = self._built[local] = f"{{{self.ns}}}{local}"
        return name


def extract(path: Path, name: str) -> Extraction:
    check_zip(path, KIND)
    root = _load_main_part(path)
    w = _Names(etree.QName(root).namespace or "")
    body = root.find(w("body"))
    if body is None:
        raise ExtractionError("corrupt_docx", f"{name}: the document part has no body")
    normalise(root, w)
    walker = _Walker(name, w)
    walker.blocks(body)
    return Extraction(
        source=name, doc_format=KIND, tables=walker.tables, paragraphs=walker.paragraphs, warnings=walker.warnings
    )


# --- package -------------------------------------------------------------------------


def _load_main_part(path: Path) -> etree._Element:
    try:
        with zipfile.ZipFile(path) as archive:
            part = _main_part_name(archive)
            data = read_member(archive, part, KIND)
    except ZIP_ERRORS as error:
        raise ExtractionError("corrupt_docx", f"{path.name}: {error}") from error
    root = parse_xml(data, part, KIND)
    if etree.QName(root).localname != "document":
        raise ExtractionError("corrupt_docx", f"{path.name}: {part} is not a Word document part")
    return root


def _main_part_name(archive: zipfile.ZipFile) -> str:
    """The officeDocument target from the package relationships; generators may rename it."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = parse_xml(read_member(archive, "_rels/.rels", KIND), "_rels/.rels", KIND)
        for rel in rels.iter(f"{{{_PACKAGE_RELS}}}Relationship"):
            if rel.get("Type") in _OFFICE_DOCUMENT_RELS and rel.get("TargetMode") != "External":
                target = str(PurePosixPath(rel.get("Target", "").lstrip("/")))
                if target in names:
                    return target
    if _DEFAULT_MAIN_PART in names:
        return _DEFAULT_MAIN_PART
    raise ExtractionError("corrupt_docx", "no Word document part in the package")


# --- normalisation -------------------------------------------------------------------


def normalise(root: etree._Element, w: _Names) -> None:
    """Make the tree look as printed with all tracked changes accepted."""
    for marker in list(root.iter(w("del"))):
        row_props = marker.getparent()
        if row_props is not None and row_props.tag == w("trPr"):
            _remove(row_props.getparent())  # a deleted table row
    for marker in list(root.iter(w("cellDel"))):
        _remove(marker.getparent().getparent())  # tcPr -> tc
    for alternate in root.iter(f"{{{MC}}}AlternateContent"):
        choices = alternate.findall(f"{{{MC}}}Choice")
        for extra in choices[1:] + alternate.findall(f"{{{MC}}}Fallback"):
            _remove(extra)
    for element in list(root.iter(*(w(tag) for tag in _DROPPED))):
        _remove(element)
    for run in list(root.iter(w("r"))):
        if _hidden(run, w):
            _remove(run)
    for element in list(root.iter(*(w(tag) for tag in _UNWRAPPED), f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice")):
        _unwrap(element)


def _hidden(run: etree._Element, w: _Names) -> bool:
    vanish = run.find(f"{w('rPr')}/{w('vanish')}")
    return vanish is not None and vanish.get(w("val"), "true").lower() not in _FALSE


def _remove(element: etree._Element | None) -> None:
    if element is not None and element.getparent() is not None:
        element.getparent().remove(element)


def _unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    position = parent.index(element)
    parent[position : position + 1] = list(element)


# --- blocks --------------------------------------------------------------------------


@dataclass
class _Walker:
    """Emits paragraphs and tables in reading order with one shared ``order`` counter."""

    source: str
    w: _Names
    tables: list[RawTable] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    order: int = 0

    def blocks(self, container: etree._Element) -> None:
        for child in container:
            if child.tag == self.w("p"):
                self.paragraph(child)
            elif child.tag == self.w("tbl"):
                self.table(child)
            elif child.tag == self.w("altChunk"):
                self.warnings.append(f"{self.source}: embedded altChunk content not extracted")

    def paragraph(self, p: etree._Element) -> None:
        boxes: list[etree._Element] = []
        text = paragraph_text(p, self.w, boxes)
        if text.strip():
            self.paragraphs.append(Paragraph(text=text, source=self.source, order=self._next()))
        for box in boxes:
            self.blocks(box)  # a text box is printed next to the paragraph that anchors it

    def table(self, tbl: etree._Element) -> None:
        index = len(self.tables)
        layout = build_grid(tbl, self.w, f"{self.source} table {index + 1}")
        self.warnings.extend(layout.warnings)
        if layout.rows:
            self.tables.append(
                RawTable(source=self.source, index=index, rows=layout.rows, order=self._next(), method=KIND)
            )
        for nested in layout.nested:
            self.table(nested)
        for box in layout.boxes:
            self.blocks(box)

    def _next(self) -> int:
        self.order += 1
        return self.order - 1


# --- text ----------------------------------------------------------------------------


def paragraph_text(p: etree._Element, w: _Names, boxes: list[etree._Element]) -> str:
    """The paragraph as printed; text-box contents go to ``boxes`` instead of the text."""
    out: list[str] = []
    _collect(p, w, out, boxes)
    return "".join(out)


def _collect(element: etree._Element, w: _Names, out: list[str], boxes: list[etree._Element]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == w("t"):
            out.append(child.text or "")
        elif tag in (w("tab"), w("ptab")):
            out.append("\t")
        elif tag in (w("br"), w("cr")):
            out.append("\n")
        elif tag == w("noBreakHyphen"):
            out.append("-")
        elif tag == w("sym"):
            out.append(_symbol(child, w))
        elif tag == w("txbxContent"):
            boxes.append(child)
        elif tag in (w("pPr"), w("rPr"), w("instrText"), w("tbl")):
            continue  # properties hold tab stops, not text; field codes are not printed
        else:
            _collect(child, w, out, boxes)


def _symbol(sym: etree._Element, w: _Names) -> str:
    try:
        code = int(sym.get(w("char"), ""), 16)
    except ValueError:
        return ""
    # F000-F0FF are glyph slots of symbol fonts (Wingdings), not Unicode characters.
    return "" if 0xF000 <= code <= 0xF0FF or code <= 0 or code > 0x10FFFF else chr(code)


# --- tables --------------------------------------------------------------------------


@dataclass
class Layout:
    rows: list[list[str | None]]
    nested: list[etree._Element]
    boxes: list[etree._Element]
    warnings: list[str]


def build_grid(tbl: etree._Element, w: _Names, where: str) -> Layout:
    """One row per ``w:tr``, one position per grid column; merged cells appear once."""
    layout = Layout(rows=[], nested=[], boxes=[], warnings=[])
    vertical: set[int] = set()  # start columns of vertical merges still open
    tc_tag, props_tag = w("tc"), w("tcPr")
    for r, tr in enumerate(tbl.iterfind(w("tr"))):
        row: list[str | None] = [None] * _row_prop(tr, "gridBefore", w)
        for tc in tr.iterfind(tc_tag):
            col = len(row)
            span, vmerge, hmerge = _cell_props(tc.find(props_tag), w)
            text = _cell_text(tc, w, layout)
            if (vmerge == "continue" and col in vertical) or hmerge == "continue":
                row.extend([None] * span)
                if text.strip():
                    layout.warnings.append(
                        f"{where} row {r + 1} col {col + 1}: text in a merged-away cell dropped: {text!r}"
                    )
                continue
            row.append(text)
            row.extend([None] * (span - 1))
            if vmerge == "restart":
                vertical.add(col)
            else:
                vertical.discard(col)
        row.extend([None] * _row_prop(tr, "gridAfter", w))
        layout.rows.append(row)
    grid_columns = len(tbl.findall(f"{w('tblGrid')}/{w('gridCol')}"))
    width = max([grid_columns, *(len(row) for row in layout.rows)]) if layout.rows else 0
    for row in layout.rows:
        row.extend([None] * (width - len(row)))
    return layout


def _cell_text(tc: etree._Element, w: _Names, layout: Layout) -> str:
    """Paragraphs joined by newlines; a nested table is left out of its parent's text."""
    lines: list[str] = []
    for child in tc:
        if child.tag == w("p"):
            lines.append(paragraph_text(child, w, layout.boxes))
        elif child.tag == w("tbl"):
            layout.nested.append(child)
    # Word requires a paragraph after a nested table, and clerks leave empty ones; an
    # empty leading/trailing paragraph is not printed text.
    while lines and lines[-1] == "":
        lines.pop()
    while lines and lines[0] == "":
        lines.pop(0)
    return "\n".join(lines)


def _cell_props(props: etree._Element | None, w: _Names) -> tuple[int, str | None, str | None]:
    """A cell's grid span and its vMerge and hMerge values (see ``_merge_value``)."""
    if props is None:
        return 1, None, None
    return (_bounded_int(props.find(w("gridSpan")), w, default=1, low=1), _merge_value(props, "vMerge", w),
            _merge_value(props, "hMerge", w))


def _row_prop(tr: etree._Element, name: str, w: _Names) -> int:
    return _bounded_int(tr.find(f"{w('trPr')}/{w(name)}"), w, default=0, low=0)


def _bounded_int(element: etree._Element | None, w: _Names, default: int, low: int) -> int:
    if element is None:
        return default
    try:
        value = int(element.get(w("val"), default))
    except ValueError:
        return default
    return min(max(value, low), _MAX_SPAN)


def _merge_value(props: etree._Element | None, name: str, w: _Names) -> str | None:
    """``restart``/``continue`` for a merge marker, None without one (absent val means continue)."""
    if props is None:
        return None
    marker = props.find(w(name))
    if marker is None:
        return None
    return marker.get(w("val"), "continue")

