"""The same-output guard: what the production path reads from the bundled samples.

``readings()`` runs :func:`pipeline.process.process_filing` (what ``jixiao ingest`` runs per
filing) over the five sample .docx reports and the same seeds written as .xlsx and .html,
and reduces each result to its facts, indicators and flags. ``samples.json`` holds the
reading of the committed code; ``tests/test_golden.py`` compares against it.

When a change is meant to alter the readings, regenerate and commit the file with the
reason in the commit message::

    .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from core.records import Document, Filing, FilingResult

GOLDEN = Path(__file__).with_name("samples.json")
_NUMBER_DIGITS = 6  # floats compared to 6 decimals: a last-bit change of a sum is no change


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), _NUMBER_DIGITS)


def _documents(folder: Path) -> list[Path]:
    """The sample .docx files plus each seed as .xlsx and .html (written here, no LibreOffice)."""
    from jixiao.samples import SAMPLE_NAMES, SEEDS, sample_documents
    from jixiao.samples.formats import render_html, render_xlsx, seed_extraction

    docs = sorted(sample_documents().glob("*.docx"))
    for stem, name in SAMPLE_NAMES.items():
        extraction = seed_extraction(SEEDS / f"{stem}.txt")
        docs.append(render_xlsx(extraction, folder / f"{name}.xlsx"))
        html = folder / f"{name}.html"
        html.write_bytes(render_html(extraction, title=name))
        docs.append(html)
    return docs


def reading(result: FilingResult) -> dict:
    """The parts of a result the guard holds still."""
    report = result.report
    return {
        "status": result.status,
        "fiscal_year": report.fiscal_year,
        "facts": [
            [f.form, f.subject, f.item, f.column, _number(f.value), f.unit, f.inferred] for f in report.facts
        ],
        "indicators": [
            [x.form, x.subject, x.level1, x.level2, x.level3, x.target, x.actual, _number(x.max_score),
             _number(x.score)]
            for x in report.indicators
        ],
        "flags": [
            [g.rule, g.subject, g.item, str(g.severity), _number(g.printed), _number(g.computed),
             _number(g.limit), g.needs_review]
            for g in result.flags
        ],
    }


def readings() -> dict[str, dict]:
    """Document name -> its reading, each document processed as one filing."""
    from pipeline.process import process_filing

    out = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-golden-") as folder:
        for path in _documents(Path(folder)):
            document = Document.from_path(path)
            filing = Filing(filing_id=path.name, source_url=path.name, documents=[document],
                            portal="local", title=path.stem)
            out[path.name] = reading(process_filing(filing))
    return out


def dumps(data: dict) -> str:
    """One record a line, so a changed reading shows as a changed line in ``git diff``."""
    lines = ["{"]
    for n, (name, entry) in enumerate(sorted(data.items())):
        lines.append(f" {json.dumps(name, ensure_ascii=False)}: {{")
        scalars = [f'  "{key}": {json.dumps(entry[key], ensure_ascii=False)},' for key in ("status", "fiscal_year")]
        lines += scalars
        for k, key in enumerate(("facts", "indicators", "flags")):
            records = [f"   {json.dumps(r, ensure_ascii=False)}" for r in entry[key]]
            body = ",\n".join(records)
            lines.append(f'  "{key}": [\n{body}\n  ]' if records else f'  "{key}": []')
            lines[-1] += "," if k < 2 else ""
        lines.append(" }" + ("," if n < len(data) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def regenerate() -> Path:
    GOLDEN.write_text(dumps(readings()), encoding="utf-8")
    return GOLDEN
