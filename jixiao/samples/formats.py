"""Render a seed into every format portals publish, with the tools that make them.

The .docx from ``render.py`` is the master: LibreOffice turns it into .pdf and .doc (a .wps
is a renamed .doc), the scanned PDF is a PDF's pages rasterised and wrapped back as images.
.xlsx and .html are written from the same layout (the same merges as the .docx) so that
every format carries the same cells.
"""

from __future__ import annotations

import html as html_lib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from extractors.textdump import parse_dump
from core.records import Extraction, Paragraph, RawTable
from jixiao.samples.pdfs import (  # the fault tests import these from here too
    borderless_table_docx, pages_with, pdf_rotated, pdf_to_scanned, pdf_without_tounicode,
    split_table_docx,
)
from jixiao.samples.render import render_docx, row_spans, vertical_merges

_PERCENT = re.compile(r"^(-?\d+(?:\.(\d+))?)%$")
_DECIMAL = re.compile(r"^-?\d+\.(\d+)$")
_INTEGER = re.compile(r"^-?[1-9]\d{0,8}$|^0$")


@dataclass(frozen=True)
class Span:
    row: int
    col: int
    rows: int
    cols: int
    text: str


def seed_extraction(seed: Path) -> Extraction:
    return parse_dump(seed.read_text(encoding="utf-8"), seed.name)


def table_spans(table: RawTable) -> list[Span]:
    """The cells of ``table`` as the .docx renderer merges them (side labels, short rows)."""
    width = table.width
    vertical = vertical_merges(table)
    covered = {(r + k, c) for (r, c), n in vertical.items() for k in range(1, n)}
    spans = []
    for r, row in enumerate(table.rows):
        for c, cols, text in row_spans(row, width):
            if (r, c) not in covered:
                spans.append(Span(r, c, vertical.get((r, c), 1), cols, text))
    return spans


def blocks(extraction: Extraction) -> list[Paragraph | RawTable]:
    items = [(p.order, 0, p) for p in extraction.paragraphs] + [(t.order, 1, t) for t in extraction.tables]
    return [item for _, _, item in sorted(items, key=lambda x: (x[0], x[1]))]


# --- LibreOffice-made formats ------------------------------------------------------------


def render_docx_files(seeds: dict[int, Path], out_dir: Path) -> dict[int, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return {n: render_docx(seed_extraction(seed), out_dir / f"{n:03d}.docx") for n, seed in seeds.items()}


def convert_files(paths: list[Path], to: str, out_dir: Path, timeout: float = 300,
                  filter_spec: str | None = None) -> list[Path]:
    """Convert several files in one soffice run (one start-up instead of one per file).

    ``filter_spec`` overrides the export filter, e.g. a CSV filter writing one file per sheet
    (``<stem>-<sheet>.<to>``); the first output of each input is returned."""
    import subprocess
    import tempfile
    import uuid

    from extractors.office import run_soffice

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as profile:
        result = run_soffice(paths, to, out_dir, Path(profile) / uuid.uuid4().hex, timeout, filter_spec)
    outputs = [
        out_dir / f"{Path(p).stem}.{to}" if (out_dir / f"{Path(p).stem}.{to}").exists()
        else next(iter(sorted(out_dir.glob(f"{Path(p).stem}-*.{to}"))), out_dir / f"{Path(p).stem}.{to}")
        for p in paths
    ]
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:
        raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)
    return outputs


def docx_to_wps(doc: Path, out: Path) -> Path:
    """WPS Writer's .wps is the Word 97 binary with a different name."""
    shutil.copyfile(doc, out)
    return out


# --- spreadsheets --------------------------------------------------------------------


def _number_and_format(text: str) -> tuple[float | int, str] | None:
    match = _PERCENT.match(text)
    if match:
        decimals = len(match.group(2) or "")
        return float(match.group(1)) / 100, "0" + ("." + "0" * decimals if decimals else "") + "%"
    match = _DECIMAL.match(text)
    if match:
        return float(text), "0." + "0" * len(match.group(1))
    if _INTEGER.match(text):
        return int(text), "0"
    return None


def render_xlsx(extraction: Extraction, out: Path, *, text_numbers_every: int = 5, hidden_row: bool = True) -> Path:
    """One sheet per table with the paragraphs before it above; merges as in the .docx.

    Numbers are stored as numbers with the display format that prints them as in the
    report (1 shown as ``100.00%``), except every ``text_numbers_every``-th one, stored as
    text the way clerks paste them. A hidden row of junk checks that hidden rows are skipped.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    book.remove(book.active)
    pending: list[str] = []
    numbers = 0
    sheet_no = 0

    def new_sheet():
        nonlocal sheet_no
        sheet_no += 1
        return book.create_sheet(f"表{sheet_no}")

    for block in blocks(extraction):
        if not isinstance(block, RawTable):
            pending.append(block.text)
            continue
        sheet = new_sheet()
        row = 1
        for text in pending:
            sheet.cell(row=row, column=1, value=text)
            row += 1
        pending = []
        row += 1  # a blank row between the titles and the form
        top = row
        for span in table_spans(block):
            cell = sheet.cell(row=top + span.row, column=1 + span.col)
            value: object = span.text
            parsed = _number_and_format(span.text.strip())
            if parsed is not None:
                numbers += 1
                if numbers % text_numbers_every:
                    value, cell.number_format = parsed
            cell.value = value
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if span.rows > 1 or span.cols > 1:
                sheet.merge_cells(
                    start_row=top + span.row,
                    start_column=1 + span.col,
                    end_row=top + span.row + span.rows - 1,
                    end_column=span.col + span.cols,
                )
        for r in range(len(block.rows)):
            for c in range(block.width):
                sheet.cell(row=top + r, column=1 + c).border = border
        if hidden_row and sheet_no == 1:
            junk = top + len(block.rows) + 1
            sheet.cell(row=junk, column=1, value="隐藏行（不应读出）")
            sheet.cell(row=junk, column=2, value=999999)
            sheet.row_dimensions[junk].hidden = True
    if pending:
        sheet = book.worksheets[-1] if book.worksheets else new_sheet()
        row = sheet.max_row + 2
        for text in pending:
            sheet.cell(row=row, column=1, value=text)
            row += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(out))
    return out


# Tab-separated text, each sheet to its own file (LibreOffice ≥ 7.2), UTF-8, quoted cells.
TSV_FILTER = "txt:Text - txt - csv (StarCalc):9,34,76,1,,0,false,true,true,false,false,-1"  # as shown


def render_tsv(workbooks: dict[int, Path], out_dir: Path, encoding: str = "gbk") -> dict[int, Path]:
    """What a clerk's "Save as Text (Tab delimited)" of the workbook gives, still named .xls:
    LibreOffice exports every sheet as tab-separated text; the sheets follow one another,
    a blank line apart, re-encoded to ``encoding`` (GBK on older Windows)."""
    sheets_dir = out_dir / "sheets"
    convert_files(list(workbooks.values()), "txt", sheets_dir, filter_spec=TSV_FILTER)
    out = {}
    for n, workbook in workbooks.items():
        sheets = sorted(sheets_dir.glob(f"{workbook.stem}-*.txt"), key=lambda p: int(p.stem.rsplit("表", 1)[-1]))
        text = "\n".join(sheet.read_text(encoding="utf-8") for sheet in sheets)
        out[n] = out_dir / f"{n:03d}.xls"
        out[n].write_bytes(text.encode(encoding))
    return out


# --- HTML ----------------------------------------------------------------------------


def render_html(
    extraction: Extraction, *, title: str = "", encoding: str = "utf-8", declared: str | None = None, meta: bool = True
) -> bytes:
    """An article page whose body is the report: <p> paragraphs and <table>s with spans.

    ``declared`` is the charset the page claims: old CMSs say gb2312 and send GBK bytes.
    """
    parts = []
    for block in blocks(extraction):
        if not isinstance(block, RawTable):
            parts.append(f"<p>{html_lib.escape(block.text)}</p>")
            continue
        rows: dict[int, list[str]] = {r: [] for r in range(len(block.rows))}
        for span in table_spans(block):
            attrs = (f' rowspan="{span.rows}"' if span.rows > 1 else "") + (
                f' colspan="{span.cols}"' if span.cols > 1 else ""
            )
            text = "<br>".join(html_lib.escape(line) for line in span.text.split("\n"))
            rows[span.row].append(f"<td{attrs}>{text}</td>")
        body = "\n".join(f"<tr>{''.join(cells)}</tr>" for cells in rows.values())
        parts.append(f'<table border="1" cellspacing="0">\n{body}\n</table>')
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={declared or encoding}">' if meta else ""
    page = (
        f"<!DOCTYPE html>\n<html><head>{head}<title>{html_lib.escape(title)}</title></head>\n"
        f'<body><div class="header">首页 &gt; 政务公开 &gt; 绩效评价</div>\n'
        f'<div class="article">\n{chr(10).join(parts)}\n</div></body></html>\n'
    )
    return page.encode(encoding)


def render_all(seeds: dict[int, Path], out_dir: Path) -> dict[str, dict[int, Path]]:
    """Every format for every seed; LibreOffice runs once per target format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    docx = render_docx_files(seeds, out_dir / "docx")
    pdf = dict(zip(docx, convert_files(list(docx.values()), "pdf", out_dir / "pdf")))
    doc = dict(zip(docx, convert_files(list(docx.values()), "doc", out_dir / "doc")))
    wps_dir = out_dir / "wps"
    wps_dir.mkdir(exist_ok=True)
    wps = {n: docx_to_wps(path, wps_dir / f"{n:03d}.wps") for n, path in doc.items()}
    xlsx = {n: render_xlsx(seed_extraction(seed), out_dir / "xlsx" / f"{n:03d}.xlsx") for n, seed in seeds.items()}
    # A text export keeps hidden rows (it cannot hide them): export a workbook without one.
    plain = {n: render_xlsx(seed_extraction(seed), out_dir / "xlsx-plain" / f"{n:03d}.xlsx", hidden_row=False)
             for n, seed in seeds.items()}
    tsv = render_tsv(plain, out_dir / "tsv")
    html_dir = out_dir / "html"
    html_dir.mkdir(exist_ok=True)
    html = {}
    for n, seed in seeds.items():
        # Portals serve both: old CMSs claim gb2312 and send GBK, new ones UTF-8.
        encoding, declared = ("gbk", "gb2312") if n % 2 else ("utf-8", None)
        html[n] = html_dir / f"{n:03d}.html"
        html[n].write_bytes(render_html(seed_extraction(seed), title=seed.name, encoding=encoding, declared=declared))
    return {"docx": docx, "pdf": pdf, "doc": doc, "wps": wps, "xlsx": xlsx, "tsv": tsv, "html": html}


_RENDERED: dict[str, dict] = {}


def rendered_fixtures(seeds: dict[int, Path]) -> dict[str, dict]:
    """Every fixture format, rendered once per process (LibreOffice is ~2 s a run).

    Besides the five seeds in every format: ``split`` (a table broken across a page, with
    and without a repeated header), ``scanned`` (the basic-data page of seed 0 as an
    image-only PDF) and ``garbled`` (the same page with /ToUnicode stripped)."""
    if _RENDERED:
        return _RENDERED
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="jixiao-formats-"))
    out = render_all(seeds, root)
    split_dir = root / "split"
    docs = [
        split_table_docx(split_dir / "split_plain.docx", repeat_header=False),
        split_table_docx(split_dir / "split_header.docx", repeat_header=True),
        borderless_table_docx(split_dir / "borderless.docx"),
    ]
    plain, header, borderless = convert_files(docs, "pdf", split_dir)
    out["split"] = {"plain": plain, "header": header}
    out["borderless"] = {0: borderless}
    page = pages_with(out["pdf"][0], "三公经费")[0]
    single = pdf_rotated(out["pdf"][0], root / "basic_page.pdf", 0, pages=[page])
    out["single"] = {0: single}
    out["scanned"] = {0: pdf_to_scanned(single, root / "scanned.pdf")}
    out["garbled"] = {0: pdf_without_tounicode(single, root / "garbled.pdf")}
    out["root"] = {0: root}
    _RENDERED.update(out)
    return _RENDERED
