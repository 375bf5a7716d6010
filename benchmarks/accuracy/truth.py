"""The known answers of one generated filing: what a careful human reads from it."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Numbering, 其中, spaces and punctuation a subject may carry as printed (SPEC §3: numbering
# stripped); subjects compare after this.
_SUBJECT_NOISE = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|[①-⑩]|其中[:：]?)\s*")
_SPACE = re.compile(r"[\s\u3000]+")


def normal_subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    text = _SPACE.sub("", subject)
    while True:
        stripped = _SUBJECT_NOISE.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text.strip("：:") or None


@dataclass(frozen=True)
class TruthFact:
    form: str
    subject: str | None
    item: str
    column: str | None
    value: float  # canonical unit (万元, %, 人, 分, ㎡); blank cells are no fact

    @property
    def key(self) -> tuple:
        return (self.form, normal_subject(self.subject), self.item, self.column)


@dataclass(frozen=True)
class TruthIndicator:
    form: str
    subject: str | None
    level3: str
    max_score: float | None
    score: float | None


@dataclass(frozen=True)
class TruthFlag:
    rule: str
    subject: str | None = None  # informational: flags are scored per (filing, rule)


@dataclass
class Truth:
    filing_id: str  # also the folder name
    split: str  # tune | heldout
    doc_format: str
    kind: str  # clean | twin:<rule> | plant:<rule> | nonreport:<what>
    is_report: bool
    department: str | None = None
    region: str | None = None
    fiscal_year: int | None = None
    facts: list[TruthFact] = field(default_factory=list)
    indicators: list[TruthIndicator] = field(default_factory=list)
    flags: list[TruthFlag] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)  # dimension -> variant used (tune only shown)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Truth":
        data = dict(data)
        data["facts"] = [TruthFact(**f) for f in data["facts"]]
        data["indicators"] = [TruthIndicator(**i) for i in data["indicators"]]
        data["flags"] = [TruthFlag(**f) for f in data["flags"]]
        return cls(**data)


def save_truths(truths: list[Truth], path: Path) -> None:
    path.write_text(json.dumps([t.to_json() for t in truths], ensure_ascii=False, indent=1), "utf-8")


def load_truths(path: Path) -> list[Truth]:
    return [Truth.from_json(d) for d in json.loads(path.read_text("utf-8"))]
