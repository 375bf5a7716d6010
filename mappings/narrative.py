"""Figures stated in the report's sentences (SPEC §3 narrative). Placeholder until built."""

from __future__ import annotations

from jixiao.records import Fact, Paragraph


def extract_narrative(paragraphs: list[Paragraph]) -> list[Fact]:
    return []
