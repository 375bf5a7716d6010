"""The accuracy corpus: filings (one folder each), their truths, rendered in every format.

A filing is drawn from its index and split alone, so the same index always gives the same
filing. In every 14 filings: 6 planted inconsistencies each followed by its clean twin (the
same filing, consistent), 1 clean filing and 1 non-report document. The plants cycle through
the 17 rules, so the default 118 filings of a split plant every rule 3 times, each time in
another format (plants take the formats round robin on their own count, 17 and 8 being
coprime) and with its own layout draws. Scanned PDFs cost seconds of OCR each: they get a
small fixed share (the first plant with its twin, and the first clean filing, in every 120).
"""

from __future__ import annotations

import hashlib
from functools import cache
import json
import random
from dataclasses import dataclass
from pathlib import Path

from benchmarks.accuracy import files, layout, nonreports, sentences
from benchmarks.accuracy.model import author
from benchmarks.accuracy.plants import NEEDS, PLANTS, plant
from benchmarks.accuracy.truth import Truth
from core.records import Extraction

HERE = Path(__file__).resolve().parent
# Not under a dot-folder: local ingest skips hidden paths, as it does for a user.
DEFAULT_ROOT = HERE.parent / "accuracy-corpus"
FORMATS = files.FORMATS
CYCLE = ["plant", "twin"] * 3 + ["clean"] + ["plant", "twin"] * 3 + ["nonreport"]
RULE_ORDER = list(PLANTS)
# Layout choices a plant (and its twin) needs: the shared template's, so no split is favoured.
FORCED_CHOICES = {"three_public_sum": {"basic_columns": "prior,budget,final"}, "year_mismatch": {"years": "years"}}


@cache
def generator_version() -> str:
    """A hash of the generator's code and data: a change renders the corpus afresh. Taken once
    per process, so that it names the code that was loaded."""
    digest = hashlib.sha256()
    samples = HERE.parent.parent / "jixiao" / "samples"
    for path in sorted([*HERE.glob("*.py"), samples / "render.py", samples / "formats.py"]):
        if path.name not in ("score.py", "report.py", "run.py", "__init__.py"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Spec:
    index: int
    split: str
    doc_format: str
    kind: str  # clean, plant:<rule>, twin:<rule>, nonreport:<what>

    @property
    def filing_id(self) -> str:
        return f"{self.split}-{self.index:03d}-{self.doc_format}"

    @property
    def seed(self) -> int:
        base = self.index - 1 if self.kind.startswith("twin") else self.index
        return int(hashlib.sha1(f"{self.split}|{base}".encode()).hexdigest()[:8], 16)


SCANNED_EVERY = 120
SCANNED_AT = {CYCLE.index("plant"), CYCLE.index("clean")}  # positions in each SCANNED_EVERY block


def _format(index: int, count: int, formats: tuple[str, ...]) -> str:
    """Round robin on ``count`` (a role's own counter) over the formats but scanned, which
    takes only the positions of ``SCANNED_AT``."""
    if "scanned" in formats and index % SCANNED_EVERY in SCANNED_AT:
        return "scanned"
    others = [f for f in formats if f != "scanned"] or ["scanned"]
    return others[count % len(others)]


def plan(split: str, count: int, formats: tuple[str, ...] = FORMATS) -> list[Spec]:
    specs: list[Spec] = []
    counters: dict[str, int] = {}
    nonreport_kinds = nonreports.KINDS
    for index in range(count):
        role = CYCLE[index % len(CYCLE)]
        if role == "twin":
            previous = specs[-1]
            specs.append(Spec(index, split, previous.doc_format, "twin:" + previous.kind.split(":", 1)[1]))
            continue
        seen = counters.get(role, 0)
        counters[role] = seen + 1
        doc_format = _format(index, seen + (0 if role == "plant" else 3 if role == "clean" else 5), formats)
        if role == "plant":
            kind = "plant:" + RULE_ORDER[seen % len(RULE_ORDER)]
        elif role == "nonreport":
            kind = "nonreport:" + nonreport_kinds[seen % len(nonreport_kinds)]
        else:
            kind = "clean"
        specs.append(Spec(index, split, doc_format, kind))
    return specs


@dataclass
class Drawn:
    """One filing before rendering: its documents as layout records, and its truth."""

    spec: Spec
    documents: list[tuple[str, Extraction]]  # (file stem, blocks); the forms' format per spec
    narrative_separate: bool
    truth: Truth
    html_encoding: str = "utf-8"


def draw(spec: Spec) -> Drawn:
    if spec.kind.startswith("nonreport"):
        return nonreports.draw(spec)
    rng = random.Random(spec.seed)
    model = author(spec.seed)
    rule = spec.kind.split(":", 1)[1] if ":" in spec.kind else None
    flags = plant(model, rule, random.Random(spec.seed + 1)) if spec.kind.startswith("plant") else []
    choices = layout.Choices(rng, spec.split)
    forced = NEEDS.get(rule, set()) if rule else set()
    choices.used.update(FORCED_CHOICES.get(rule, {}))  # the plant must be printed to be seen
    stem = f"{model.year}年度部门整体支出绩效自评报告"
    attachment = rng.random() < 0.35  # drawn always, so a filing's variants do not depend on its format
    separate = spec.doc_format in ("xlsx", "xls", "text", "scanned") or attachment
    report = layout.Builder(model, choices, f"{stem}.{spec.doc_format}")
    sentences.narrative(report, forced)
    forms = layout.Builder(model, choices, f"{stem}（附件）.{spec.doc_format}") if separate else report
    layout.basic_data(forms)
    layout.overall_eval(forms)
    for project in model.projects:
        layout.project_eval(forms, project)
    documents = [(stem, report.extraction())] + ([(f"{stem}（附件）", forms.extraction())] if separate else [])
    facts = report.facts + (forms.facts if separate else [])
    indicators = report.indicators + (forms.indicators if separate else [])
    truth = Truth(
        filing_id=spec.filing_id, split=spec.split, doc_format=spec.doc_format, kind=spec.kind, is_report=True,
        department=model.department, region=f"{model.city}{model.district}", fiscal_year=model.year,
        facts=facts, indicators=indicators, flags=flags, variants=dict(choices.used),
    )
    encoding = choices.fixed("html_encoding")
    return Drawn(spec, documents, separate, truth, html_encoding=encoding)


def corpus(split: str, count: int, formats: tuple[str, ...] = FORMATS, root: Path = DEFAULT_ROOT) -> tuple[Path, list[Truth]]:
    """The folders and truths of ``count`` filings of ``split``, rendered once and cached.

    Staging: a PDF filing is written as .docx first, then converted in one LibreOffice run.
    """
    base = root / generator_version() / split
    base.mkdir(parents=True, exist_ok=True)
    specs = plan(split, count, formats)
    missing = [s for s in specs if not (base / ".truth" / f"{s.filing_id}.json").exists()]
    if missing:
        drawns = [draw(s) for s in missing]
        # A filing with PDF staging that was interrupted left .docx behind: drawn afresh here.
        files.render(drawns, base)
        (base / ".truth").mkdir(exist_ok=True)
        for drawn in drawns:
            path = base / ".truth" / f"{drawn.spec.filing_id}.json"
            path.write_text(json.dumps(drawn.truth.to_json(), ensure_ascii=False), "utf-8")
    truths = [Truth.from_json(json.loads((base / ".truth" / f"{s.filing_id}.json").read_text("utf-8"))) for s in specs]
    return base, truths
