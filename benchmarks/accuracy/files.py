"""Write each generated filing as real files, one folder per filing, with the sample renderers.

Word-family formats start as .docx (``jixiao.samples.render``), spreadsheets as .xlsx and
inline articles as HTML (``jixiao.samples.formats``); LibreOffice then makes .pdf, .doc and
.xls in one run per target format for the whole corpus (``convert_files``). A .wps is the
.doc renamed, a scanned PDF the text PDF's pages rasterised (``pdf_to_scanned``), a text
export the workbook saved as tab-separated text (``render_tsv``). Spreadsheet and scanned
filings keep the report text as a Word file beside the forms, as units publish them.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from core.records import Extraction, RawTable

FORMATS = ("docx", "html", "xlsx", "pdf", "doc", "wps", "xls", "text", "scanned")
FAST = ("docx", "html", "xlsx")
_WORD = {"docx": None, "pdf": "pdf", "doc": "doc", "wps": "doc", "scanned": "pdf"}  # format -> conversion
_SHEET = {"xlsx": None, "xls": "xls", "text": "text"}


def _docx(documents, folder: Path) -> list[Path]:
    from jixiao.samples.render import render_docx

    return [render_docx(extraction, folder / f"{stem}.docx") for stem, extraction in documents]


def _html(drawn, folder: Path) -> Path:
    from jixiao.samples.formats import render_html

    merged = Extraction(source="article", doc_format="html")
    blocks = [b for _, e in drawn.documents for b in sorted([*e.paragraphs, *e.tables], key=lambda b: b.order)]
    for order, block in enumerate(blocks):  # one page: the documents' blocks one after another
        (merged.tables if isinstance(block, RawTable) else merged.paragraphs).append(replace(block, order=order))
    declared = "gb2312" if drawn.html_encoding == "gbk" else None
    path = folder / f"{drawn.documents[0][0]}.html"
    path.write_bytes(render_html(merged, title=drawn.documents[0][0], encoding=drawn.html_encoding, declared=declared))
    return path


def _xlsx(documents, folder: Path) -> list[Path]:
    from jixiao.samples.formats import render_xlsx

    return [render_xlsx(extraction, folder / f"{stem}.xlsx", hidden_row=False) for stem, extraction in documents]


def _sources(drawn, folder: Path) -> list[tuple[Path, str | None]]:
    """The files written directly, each with the conversion it still needs."""
    fmt = drawn.spec.doc_format
    tender = drawn.spec.kind == "nonreport:tender"
    if fmt == "html" or tender:
        _html(drawn, folder)  # a tender notice is an article with no attachment
        return []
    if fmt in _SHEET:
        if drawn.spec.kind.startswith("nonreport"):
            return [(p, _SHEET[fmt]) for p in _xlsx(drawn.documents, folder)]
        _docx(drawn.documents[:1], folder)  # the report text stays a Word file
        return [(p, _SHEET[fmt]) for p in _xlsx(drawn.documents[1:], folder)]
    if fmt == "scanned" and len(drawn.documents) > 1:
        _docx(drawn.documents[:1], folder)  # the report text is typed; the signed forms are scanned
        return [(p, "pdf") for p in _docx(drawn.documents[1:], folder)]
    return [(p, _WORD[fmt]) for p in _docx(drawn.documents, folder)]


def _convert(jobs: list[tuple[Path, str]], target: str, staging: Path) -> list[Path]:
    """Convert in one LibreOffice run; documents of different filings share names, so they
    are staged under unique ones and the results put back beside their sources."""
    from jixiao.samples.formats import convert_files

    shutil.rmtree(staging, ignore_errors=True)
    (staging / "in").mkdir(parents=True)
    staged = []
    for n, (source, _) in enumerate(jobs):
        staged.append(staging / "in" / f"{n:05d}{source.suffix}")
        shutil.copyfile(source, staged[-1])
    outputs = convert_files(staged, target, staging / "out")
    results = []
    for (source, _), output in zip(jobs, outputs):
        results.append(source.with_suffix(f".{target}"))
        shutil.move(str(output), results[-1])
        source.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return results


def _text_export(workbooks: list[Path], staging: Path) -> None:
    from jixiao.samples.formats import render_tsv

    # The sheets are exported as <stem>-<sheet>.txt: workbooks of different filings share
    # names, so they are staged under unique ones first.
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "in").mkdir(parents=True)
    numbered = {}
    for n, workbook in enumerate(workbooks):
        numbered[n] = staging / "in" / f"{n:05d}.xlsx"
        shutil.copyfile(workbook, numbered[n])
    for n, text in render_tsv(numbered, staging / "out").items():
        shutil.move(str(text), workbooks[n].with_suffix(".txt"))
        workbooks[n].unlink()
    shutil.rmtree(staging, ignore_errors=True)


def render(drawns: list, root: Path) -> None:
    """Write every filing's folder; LibreOffice runs once per target format."""
    from jixiao.samples.formats import pdf_to_scanned

    pending: dict[str, list[tuple[Path, str]]] = {}
    for drawn in drawns:
        folder = root / drawn.spec.filing_id
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for source, target in _sources(drawn, folder):
            if target:
                pending.setdefault(target, []).append((source, drawn.spec.doc_format))
    staging = root / ".staging"
    for target in ("pdf", "doc", "xls"):
        jobs = pending.get(target, [])
        if not jobs:
            continue
        for path, fmt in zip(_convert(jobs, target, staging), (fmt for _, fmt in jobs)):
            if fmt == "wps":
                path.rename(path.with_suffix(".wps"))  # WPS Writer's .wps is the Word 97 binary
            elif fmt == "scanned":
                scanned = path.with_suffix(".scan.pdf")
                pdf_to_scanned(path, scanned)
                path.unlink()
                scanned.rename(path)
    if pending.get("text"):
        _text_export([source for source, _ in pending["text"]], staging)
