"""Label normalisation: the printed label reduced to the form the vocabulary is written in.

``normalize_label`` is idempotent: normalising twice gives the same string, so a
normalised synonym in the vocabulary matches a normalised label from any table.
"""

from __future__ import annotations

import re

from core.text import clean_text, per_filing

# NFKC leaves these as they are; clerks and OCR use them interchangeably.
_PUNCTUATION = str.maketrans(
    {
        "“": "", "”": "", "‘": "", "’": "", '"': "", "'": "", "「": "", "」": "", "『": "", "』": "",
        "〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")", "[": "(", "]": ")",
        "−": "-", "–": "-", "﹣": "-",
    }
)

_CHINESE_ORDINAL = "一二三四五六七八九十百零〇"
# One numbering prefix: 1、 1. 1．(full-width dot is NFKC'd) （一） (1) 一、 ① 第一、
_NUMBERING = re.compile(
    rf"^(?:"
    rf"\(\s*[\d{_CHINESE_ORDINAL}]+\s*\)[、.]?"
    rf"|[\d]+\s*[、.](?!\d)"
    rf"|[{_CHINESE_ORDINAL}]+\s*[、.]"
    rf"|第[\d{_CHINESE_ORDINAL}]+[、.]?(?=\D)"
    rf"|[\u2460-\u2473]"
    rf")"
)
_LEAD_IN = re.compile(r"^(?:其中|包括|含)[:：,，、]?")  # 其中：, 其中， and 其中 alone are all printed
_YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}\s*年(?:度|末)?(?=\D)")  # 2023年度…, 2023年末实有人数
# A trailing bracket is a unit or a filling instruction, never part of the name:
# （万元）（一个专项一行）（㎡）(40分)（2023年完工项目）
_BRACKET_SUFFIX = re.compile(r"\([^()]*\)$")
_TRAILING_PUNCT = re.compile(r"[:：;；,，、.。]+$")
_WHITESPACE = re.compile(r"\s+")


@per_filing
def squash(text: str | None) -> str:
    """``clean_text`` without any whitespace: labels wrap and are spaced out at random."""
    return _WHITESPACE.sub("", clean_text(text))


def _strip_once(label: str) -> str:
    label = _TRAILING_PUNCT.sub("", label)
    label = _NUMBERING.sub("", label)
    label = _LEAD_IN.sub("", label)
    label = _YEAR_PREFIX.sub("", label)
    if _BRACKET_SUFFIX.search(label) and not label.startswith("("):
        label = _BRACKET_SUFFIX.sub("", label)
    return label


def _normalize_step(label: str) -> str:
    label = squash(label).translate(_PUNCTUATION).replace("其它", "其他")  # both are printed
    return _strip_once(label) or label


@per_filing  # every label of a table is matched against several forms and blocks
def normalize_label(text: str | None) -> str:
    """The vocabulary form of a printed label: a fixed point, so idempotent by construction.

    Steps repeat because one can expose another (removing a space lets NFKC compose a
    character; stripping 其中： exposes a numbering prefix).
    """
    label = text or ""
    for _ in range(32):
        following = _normalize_step(label)
        if following == label:
            break
        label = following
    return label


def subject_label(text: str | None) -> str:
    """A project name as printed, only spacing and numbering removed (quotes and full-width
    brackets kept: 维修（护）费 stays as the unit printed it)."""
    label = _TRAILING_PUNCT.sub("", _WHITESPACE.sub("", text or ""))
    flat = clean_text(label)  # the numbering is matched in its NFKC form (（一）, １、), cut from the printed one
    numbering = _NUMBERING.match(flat) if len(flat) == len(label) else None
    stripped = label[numbering.end():] if numbering else label
    return stripped or label


def is_filler(text: str | None) -> bool:
    """``……``, ``...``, dashes: rows a form prints to show where more lines could go."""
    flat = squash(text)
    return bool(flat) and all(ch in "….·-—_=~、." for ch in flat)
