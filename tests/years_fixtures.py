"""One budget unit's reports over several years, rendered from seed 000's forms into real .docx files.

Seed 000 is 岳阳市云溪区人大常委会's 2023 report. ``render_year`` keeps its text and its 基础数据表, re-dates it, renames the unit,
prints other numbers in its 基础数据表 and drops or changes the 预算编码, the way the same
unit's reports of other years look.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from core.records import Document, Extraction, Filing, RawTable
from extractors.textdump import parse_dump
from jixiao.samples import SEEDS
from jixiao.samples.render import render_docx

SEED = SEEDS / "000_d13cc6d6ccca30c6.txt"
SEED_NAME = "岳阳市云溪区人民代表大会常务委员会"
SEED_CODE = "107001"
REGION = "湖南省岳阳市"

# basic_data lines whose 上年决算数 seed 000 prints, with the seed's (上年决算数, 本年预算数, 本年决算数)
LINES = {
    "三公经费": ("1.38", "5", "0.13"),
    "3、公务接待": ("1.38", "5", "0.13"),
    "项目支出：": ("0", "164.03", "164.03"),
    "3、本级专项资金（一个专项一行）": ("0", "164.03", "164.03"),
    "公用经费：": ("80.86", "143.55", "108.46"),
    "其中：办公经费": ("0.87", "15.00", "11.07"),
    "水费、电费、差旅费": ("8.13", "19.20", "11.73"),
    "会议费、培训费": ("24.29", "24.53", "18.04"),
}

_YEAR = re.compile(r"20(2[2-4])")


def _years(text: str | None, year: int) -> str | None:
    # the seed's 2022 is the prior year, 2023 the fiscal year, 2024 the year it was written
    return _YEAR.sub(lambda m: str(year + int(m[1]) - 23), text) if text else text


def render_year(
    out: Path,
    year: int,
    name: str = SEED_NAME,
    lines: dict[str, tuple[str, str, str]] | None = None,
    authorized: str | None = None,
    code: str | None = SEED_CODE,
    file_name: str | None = None,
) -> Path:
    """Seed 000 as the unit's ``year`` report; ``lines`` sets (上年决算数, 本年预算数, 本年决算数) by label."""
    dump = parse_dump(SEED.read_text(encoding="utf-8"), SEED.name)

    def text(value: str | None) -> str | None:
        value = _years(value, year)
        if value:
            value = value.replace(SEED_NAME, name).replace(SEED_CODE, code or "")
        return value

    tables = []
    # Only the 基础数据表: python-docx takes seconds per large table, and the rules across years read it.
    for table in dump.tables[:1]:
        rows = [[text(cell) for cell in row] for row in table.rows]
        for row in rows:
            label = (row[0] or "").strip()
            if lines and label in lines:
                row[1:4] = list(lines[label])
            if authorized is not None and table.index == 0 and row[:2] == ["", "31"]:
                row[1:4] = [authorized, "31", f"{31 / float(authorized) * 100:.2f}%"]
        tables.append(RawTable(source=table.source, index=table.index, rows=rows, order=table.order))
    paragraphs = [replace(p, text=text(p.text)) for p in dump.paragraphs]
    extraction = Extraction(source=dump.source, doc_format="docx", tables=tables, paragraphs=paragraphs)
    return render_docx(extraction, out / (file_name or f"{name}{year}年度部门整体支出绩效自评报告.docx"))


def year_lines(prior: dict[str, str], final: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """Each line's 上年决算数 from ``prior`` and 本年决算数 from ``final`` (blank when absent)."""
    return {label: (prior.get(label, ""), LINES[label][1], final.get(label, "")) for label in LINES}


def filing(path: Path, filing_id: str, region: str = REGION) -> Filing:
    return Filing(filing_id=filing_id, source_url=f"http://127.0.0.1/{filing_id}", documents=[Document.from_path(path)],
                  region=region, fetched_at="2024-06-01T00:00:00Z")
