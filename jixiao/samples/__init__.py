"""The bundled sample reports: the five seed dumps and the .docx files rendered from them."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
SEEDS = SAMPLES / "seeds"
DOCS = SAMPLES / "docs"

# seed file -> the name a clerk would give the published report
SAMPLE_NAMES = {
    "000_d13cc6d6ccca30c6": "岳阳市云溪区人大常委会2023年度部门整体支出绩效自评报告",
    "001_cbe60655ee86d378": "岳阳市人大常委会2022年度部门整体支出绩效自评报告",
    "002_ac12c17dd3c15f90": "古丈县人大常委会办公室2022年度整体支出绩效自评报告",
    "003_2ebd7fdb74714a1e": "株洲市渌口区人大常委会2021年度部门整体支出绩效评价报告",
    "004_898f9e65b71aedec": "株洲市芦淞区人大常委会2023年度整体支出绩效自评报告",
}


def sample_documents() -> Path:
    """The folder of sample .docx reports, rendered from the seeds if not shipped."""
    if not any(DOCS.glob("*.docx")):
        render_sample_documents()
    return DOCS


def render_sample_documents(out: Path = DOCS) -> list[Path]:
    from jixiao.samples.render import render_seed

    return [render_seed(SEEDS / f"{stem}.txt", out / f"{name}.docx") for stem, name in SAMPLE_NAMES.items()]


def render_split_report(stem: str, out: Path) -> tuple[Path, Path]:
    """A seed published as two attachments: the narrative report and its forms (附件).

    Real articles often carry the report text and the forms as separate files; the checks
    must run across both.
    """
    from extractors.textdump import parse_dump
    from jixiao.samples.render import render_docx

    dump = parse_dump((SEEDS / f"{stem}.txt").read_text(encoding="utf-8"), stem)
    first_table = min(t.order for t in dump.tables)
    # the forms' title paragraphs travel with them
    titles_from = max((p.order for p in dump.paragraphs if p.order < first_table), default=first_table) - 1
    narrative = parse_dump("", f"{stem}-narrative")
    narrative.paragraphs = [p for p in dump.paragraphs if p.order < titles_from]
    forms = parse_dump("", f"{stem}-forms")
    forms.paragraphs = [p for p in dump.paragraphs if p.order >= titles_from]
    forms.tables = dump.tables
    name = SAMPLE_NAMES[stem]
    return (render_docx(narrative, out / f"{name}.docx"), render_docx(forms, out / f"{name}（附件：绩效评价表）.docx"))
