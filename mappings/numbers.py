"""One strict parser for the numbers printed in form cells (PITFALLS §6).

Never ``float()`` on raw text: it accepts ``nan``, ``1_000`` and Arabic-Indic digits. The
text is cleaned, matched against a strict pattern and converted through ``Decimal``; a
blank or a dash is ``None`` with a reason, never 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


from mappings.normalize import clean_text


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None
    unit: str | None = None
    op: str | None = None  # >=, <=, >, <, range
    is_percent: bool = False
    null_reason: str | None = None  # blank, dash, not_applicable, parse_error
    raw: str = ""
    high: float | None = None  # upper end of a range (90%-95%)

    @property
    def ok(self) -> bool:
        return self.value is not None


# Amount units as multiples of 万元, the unit every amount is stored in.
WAN_FACTORS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal("1"),
    "亿元": Decimal("10000"),
}
UNITS = (
    "万元", "亿元", "千元", "元", "%", "‰", "人次", "人", "分", "㎡", "平方米", "m2", "m²",
    "次", "个", "件", "项", "天", "年", "月", "家", "批", "期", "部", "场", "篇", "辆", "台", "户", "所", "名",
)

_DASHES = {"—", "——", "-", "--", "---", "———", "─", "－", "ー", "―", "…", "……", "..."}
_NOT_APPLICABLE = {"/", "//", "\\", "无", "不适用", "N/A", "n/a", "NA", "暂无", "空", "-/-"}
_OPERATORS: list[tuple[str, str]] = [
    (">=", ">="), ("<=", "<="), ("≥", ">="), ("≤", "<="), ("≧", ">="), ("≦", "<="),
    ("大于等于", ">="), ("小于等于", "<="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("至少", ">="), ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("不大于", "<="),
    ("控制在", "<="), ("大于", ">"), ("小于", "<"), ("高于", ">"), ("低于", "<"), ("超过", ">"),
    (">", ">"), ("<", "<"),
]
_OPERATOR_SUFFIXES: list[tuple[str, str]] = [("以上", ">="), ("及以上", ">="), ("以下", "<="), ("以内", "<=")]
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# Thousands groups must be exact (1,234.56); 12,34 is rejected, not guessed.
_NUMBER = r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[-+]?\.[0-9]+"
_SINGLE = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT_ALT})?$")
_RANGE = re.compile(
    rf"^(?P<lo>{_NUMBER})\s*(?P<u1>{_UNIT_ALT})?\s*(?:-|~|至|到)\s*(?P<hi>{_NUMBER})\s*(?P<unit>{_UNIT_ALT})?$"
)
# 1.2万 / 3亿 as a count, the way sentences and OCR print large numbers (not 万元).
_MAGNITUDE = re.compile(rf"^(?P<num>{_NUMBER})(?P<mag>万|亿)(?P<unit>{_UNIT_ALT})?$")
_MAGNITUDES = {"万": Decimal(10000), "亿": Decimal(100000000)}
_ACCOUNTING_NEGATIVE = re.compile(rf"^(?:\((?P<paren>{_NUMBER})\)|△(?P<delta>{_NUMBER}))\s*(?P<unit>{_UNIT_ALT})?$")
_CHINESE_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]+$")
_DIGIT_BY_DIGIT = dict(zip("〇零一二三四五六七八九", "00123456789"))
_SPACES_IN_DIGITS = re.compile(r"(?<=[0-9,.])\s+(?=[0-9,.])")


def clean_number_text(text: str | None) -> str:
    """NFKC, no format characters, wrapped lines joined without a separator, outer space gone."""
    cleaned = clean_text(text).replace("\u3000", " ").replace("\xa0", " ")
    cleaned = re.sub(r"\s*[\r\n]+\s*", "", cleaned)  # a number wrapped over lines: 1,234.5\n6
    cleaned = cleaned.replace("−", "-").replace("–", "-").replace("﹪", "%")
    cleaned = _SPACES_IN_DIGITS.sub("", cleaned.strip())  # OCR: "1, 2 3 4.5"
    return cleaned


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("+", ""))


def _finish(value: Decimal, unit: str | None, raw: str, op: str | None = None, high: Decimal | None = None) -> ParsedNumber:
    return ParsedNumber(
        value=float(value),
        unit=unit,
        op=op,
        is_percent=unit == "%",
        raw=raw,
        high=float(high) if high is not None else None,
    )


def _split_operator(text: str) -> tuple[str | None, str]:
    for token, op in _OPERATORS:
        if text.startswith(token):
            return op, text[len(token):].strip()
    for token, op in _OPERATOR_SUFFIXES:
        if text.endswith(token):
            return op, text[: -len(token)].strip()
    return None, text


def _chinese_numeral(text: str) -> Decimal | None:
    if not _CHINESE_NUMERAL.match(text):
        return None
    import cn2an  # 1 s to import (its jieba-style tables): only when a cell is written in words

    try:
        return Decimal(str(cn2an.cn2an(text, "strict")))
    except (ValueError, KeyError, InvalidOperation):
        pass
    if all(ch in _DIGIT_BY_DIGIT for ch in text):  # 一二三: read digit by digit
        return Decimal("".join(_DIGIT_BY_DIGIT[ch] for ch in text))
    return None


def _parse_body(body: str, raw: str, op: str | None) -> ParsedNumber | None:
    if match := _SINGLE.match(body):
        return _finish(_decimal(match["num"]), match["unit"], raw, op)
    if match := _RANGE.match(body):
        unit = match["unit"] or match["u1"]
        return _finish(_decimal(match["lo"]), unit, raw, "range", _decimal(match["hi"]))
    if match := _MAGNITUDE.match(body):
        return _finish(_decimal(match["num"]) * _MAGNITUDES[match["mag"]], match["unit"], raw, op)
    if op is None and (match := _ACCOUNTING_NEGATIVE.match(body)):
        return _finish(-_decimal(match["paren"] or match["delta"]), match["unit"], raw)
    if body.startswith("百分之") and (value := _chinese_numeral(body[3:])) is not None:
        return _finish(value, "%", raw, op)
    for unit in ("", *UNITS):
        if unit and not body.endswith(unit):
            continue
        numeral = body[: len(body) - len(unit)] if unit else body
        if (value := _chinese_numeral(numeral)) is not None:
            return _finish(value, unit or None, raw, op)
    return None


def parse_number(text: str | None) -> ParsedNumber:
    """Parse one cell. Anything not clearly a number is ``None`` with ``null_reason``."""
    raw = text or ""
    cleaned = clean_number_text(text)
    if not cleaned:
        return ParsedNumber(None, null_reason="blank", raw=raw)
    flat = cleaned.replace(" ", "")
    if flat in _DASHES or set(flat) <= set("-—─―…."):
        return ParsedNumber(None, null_reason="dash", raw=raw)
    if flat in _NOT_APPLICABLE:
        return ParsedNumber(None, null_reason="not_applicable", raw=raw)
    op, body = _split_operator(cleaned)
    parsed = _parse_body(body.strip(), raw, op)
    if parsed is None or not _is_finite(parsed.value):
        return ParsedNumber(None, null_reason="parse_error", raw=raw)
    return parsed


def _is_finite(value: float | None) -> bool:
    return value is not None and value == value and value not in (float("inf"), float("-inf"))


def to_wan(parsed: ParsedNumber, default_unit: str | None = "万元") -> float | None:
    """An amount in 万元: the cell's own unit wins over the table's (``单位：元`` → ÷10000)."""
    if parsed.value is None:
        return None
    unit = parsed.unit if parsed.unit in WAN_FACTORS else default_unit
    factor = WAN_FACTORS.get(unit or "万元", Decimal(1))
    return float(Decimal(str(parsed.value)) * factor)


def amount_unit_in(text: str | None) -> str | None:
    """The amount unit a caption or header declares: ``单位：元``, ``（万元）``."""
    flat = unicodedata.normalize("NFKC", text or "").replace(" ", "").replace("\u3000", "")
    if match := re.search(r"单位[:：]?(万元|千元|亿元|元)", flat):
        return match[1]
    if match := re.search(r"\((万元|千元|亿元|元)\)", flat):
        return match[1]
    return None
