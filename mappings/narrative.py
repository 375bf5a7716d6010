"""Figures stated in the report's sentences (SPEC §3 narrative); patterns live in
``narrative_patterns.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from core.records import Fact, Paragraph

PATTERNS_FILE = Path(__file__).with_name("narrative_patterns.toml")

_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# Sentences end at full stops and semicolons; commas keep a "其中：…" list in one sentence.
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_UNIT_OF_KIND = {"money": "万元", "people": "人", "score": "分"}
_TO_WAN = {"亿元": Decimal(10000), "万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001")}


@dataclass(frozen=True)
class Pattern:
    item: str
    kind: str
    score: float
    regex: re.Pattern


@dataclass(frozen=True)
class _Hit:
    item: str
    score: float
    paragraph: int
    start: int  # where the label starts in the sentence's paragraph
    number_at: int
    value: float
    unit: str
    phrase: str
    raw: str


@lru_cache(maxsize=1)
def load_patterns(path: Path = PATTERNS_FILE) -> tuple[re.Pattern, list[Pattern]]:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    patterns = []
    for item, spec in config["items"].items():
        units = "|".join(map(re.escape, config["units"][spec["kind"]]))
        for entry in spec["patterns"]:
            regex = re.compile(
                f"(?P<label>{entry['label']}){config['joiner']}{_NUMBER}\\s*(?P<unit>{units})")
            patterns.append(Pattern(item, spec["kind"], float(entry["score"]), regex))
    return re.compile(config["project_context"]), patterns


def _sentences(text: str):
    start = 0
    for end in _SENTENCE_END.finditer(text):
        yield start, text[start:end.start()]
        start = end.end()
    yield start, text[start:]


def _value(number: str, unit: str, kind: str) -> float:
    value = Decimal(number.replace(",", ""))
    if kind == "money":
        value *= _TO_WAN[unit]
    return float(value)


def _hits(paragraphs: list[Paragraph]) -> list[_Hit]:
    project_context, patterns = load_patterns()
    hits = []
    for p_index, paragraph in enumerate(paragraphs):
        text = paragraph.text.translate(_FULL_WIDTH)
        for offset, sentence in _sentences(text):
            if project_context.search(sentence):
                continue
            for pattern in patterns:
                for m in pattern.regex.finditer(sentence):
                    hits.append(_Hit(
                        item=pattern.item, score=pattern.score, paragraph=p_index, start=offset + m.start(),
                        number_at=offset + m.start("number"),
                        value=_value(m["number"], m["unit"], pattern.kind), unit=_UNIT_OF_KIND[pattern.kind],
                        phrase=paragraph.text[offset + m.start():offset + m.end()].strip(),
                        raw=paragraph.text[offset + m.start("number"):offset + m.end()]))
    return hits


def extract_narrative(paragraphs: list[Paragraph]) -> list[Fact]:
    # A number belongs to the longest label that reaches it: `“三公”经费决算数为0.13万元`
    # is three_public_final, not the department's 决算数.
    owner: dict[tuple[int, int], _Hit] = {}
    for hit in _hits(paragraphs):
        key = (hit.paragraph, hit.number_at)
        best = owner.get(key)
        if best is None or (hit.start, -hit.score) < (best.start, -best.score):
            owner[key] = hit
    chosen: dict[str, _Hit] = {}
    for hit in sorted(owner.values(), key=lambda h: (-h.score, h.paragraph, h.start)):
        chosen.setdefault(hit.item, hit)
    facts = []
    for hit in sorted(chosen.values(), key=lambda h: (h.paragraph, h.start)):
        facts.append(Fact(
            form="narrative", subject=None, item=hit.item, column=None, value=hit.value, unit=hit.unit,
            source_label=hit.phrase, match_score=hit.score, match_method="pattern",
            location=paragraphs[hit.paragraph].location(), raw_value=hit.raw,
        ))
    return facts
