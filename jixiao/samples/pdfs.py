"""PDF fixtures: scans, damaged files (no /ToUnicode, rotated, encrypted) and tables broken
across a page, made from real renders with pypdfium2, pypdf and python-docx."""

from __future__ import annotations

from pathlib import Path

# --- scanned PDF --------------------------------------------------------------------


def pdf_to_scanned(pdf: Path, out: Path, pages: list[int] | None = None, dpi: int = 200) -> Path:
    """An image-only PDF of ``pages`` (0-based) of ``pdf``, as a scanner would make it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        images = []
        for index in pages if pages is not None else range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            images.append(bitmap.to_pil().convert("L"))
            page.close()
    finally:
        document.close()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out


def pages_with(pdf: Path, needle: str) -> list[int]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        found = []
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            if needle in text:
                found.append(index)
            page.close()
        return found
    finally:
        document.close()


# --- damaged PDFs -----------------------------------------------------------------------


def pdf_without_tounicode(pdf: Path, out: Path) -> Path:
    """The same PDF with every font's /ToUnicode map removed: text extracts as (cid:N)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(str(pdf))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if NameObject("/ToUnicode") in font:
                del font[NameObject("/ToUnicode")]
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


def pdf_rotated(pdf: Path, out: Path, degrees: int, pages: list[int] | None = None) -> Path:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(pdf))
    writer = PdfWriter()
    for index in pages if pages is not None else range(len(reader.pages)):
        writer.add_page(reader.pages[index])
        writer.pages[-1].rotate(degrees)
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


def pdf_encrypted(pdf: Path, out: Path, user_password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-" + user_password, algorithm="AES-128")
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


# --- a table broken across a page -------------------------------------------------------


def split_table_docx(out: Path, rows: int = 40, repeat_header: bool = False, filler: int = 30) -> Path:
    """A report whose table starts low on page 1 and runs onto page 2."""
    from docx import Document as new_docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = new_docx()
    document.add_paragraph("部门整体支出绩效评价基础数据表")
    for i in range(filler):
        document.add_paragraph(f"说明第{i + 1}条：本段文字用来把表格推到页面下方。")
    table = document.add_table(rows=rows + 1, cols=4)
    table.style = "Table Grid"
    for c, text in enumerate(["项目名称", "预算数(万元)", "执行数(万元)", "执行率"]):
        table.cell(0, c).text = text
    for r in range(1, rows + 1):
        for c, text in enumerate(split_table_row(r)):
            table.cell(r, c).text = text
    if repeat_header:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    document.add_paragraph("表后说明：以上数据来自部门决算。")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


BORDERLESS_ROWS = [
    ["项目", "2022年决算数", "2023年预算数", "2023年决算数"],
    ["三公经费", "1.38", "5", "0.13"],
    ["公务接待", "1.38", "5", "0.13"],
    ["出国经费", "0", "0", "0"],
    ["公用经费", "80.86", "143.55", "108.46"],
]


def borderless_table_docx(out: Path) -> Path:
    """A form typed as a table without borders (Word's plain table style)."""
    from docx import Document as new_docx

    document = new_docx()
    document.add_paragraph("部门整体支出绩效评价基础数据表")
    table = document.add_table(rows=len(BORDERLESS_ROWS), cols=4)
    for r, row in enumerate(BORDERLESS_ROWS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("说明：以上为部门决算数据。")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


def split_table_row(r: int) -> list[str]:
    return [f"第{r}项专项资金", f"{r * 1.5:.2f}", f"{r * 1.25:.2f}", f"{r * 1.25 / (r * 1.5) * 100:.2f}%"]
