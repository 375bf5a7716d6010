"""The cell number parser: every example of PITFALLS §6, plus properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings.numbers import amount_unit_in, parse_number, to_wan

VALUES = [
    ("１，２３４.５６", 1234.56, None),
    ("1,234.56", 1234.56, None),
    ("100.00%", 100.0, "%"),
    ("100.00 %", 100.0, "%"),
    ("１００％", 100.0, "%"),
    ("98  ", 98.0, None),
    ("\u3000100%", 100.0, "%"),
    ("１，２３４.５\n６万元", 1234.56, "万元"),
    ("1, 2 3 4.5", 1234.5, None),
    ("1，234.5", 1234.5, None),
    ("－12.5", -12.5, None),
    ("−12.5", -12.5, None),
    ("-12.5", -12.5, None),
    ("(12.5)", -12.5, None),
    ("△12.5", -12.5, None),
    ("一千二百三十四", 1234.0, None),
    ("壹佰万", 1000000.0, None),
    ("一百二十三点四五", 123.45, None),
    ("一二三", 123.0, None),
    ("百分之九十五", 95.0, "%"),
    ("1.2万", 12000.0, None),
    ("10.00", 10.0, None),
    ("0", 0.0, None),
    ("0.00", 0.0, None),
    ("100分", 100.0, "分"),
    ("67人", 67.0, "人"),
    ("877.49万元", 877.49, "万元"),
    ("\u200b42", 42.0, None),
]


@pytest.mark.parametrize(("text", "value", "unit"), VALUES)
def test_values(text, value, unit):
    parsed = parse_number(text)
    assert parsed.value == pytest.approx(value)
    assert parsed.unit == unit
    assert parsed.is_percent == (unit == "%")
    assert parsed.raw == text


COMPARATORS = [
    ("≥90%", ">=", 90.0, "%"),
    ("≤877.49万元", "<=", 877.49, "万元"),
    (">=90", ">=", 90.0, None),
    ("≥ 90", ">=", 90.0, None),
    ("不低于95%", ">=", 95.0, "%"),
    ("不少于30次", ">=", 30.0, "次"),
    ("不超过100万元", "<=", 100.0, "万元"),
    ("\u3000\t≥98%", ">=", 98.0, "%"),
    ("90%以上", ">=", 90.0, "%"),
]


@pytest.mark.parametrize(("text", "op", "value", "unit"), COMPARATORS)
def test_comparators(text, op, value, unit):
    parsed = parse_number(text)
    assert (parsed.op, parsed.value, parsed.unit) == (op, value, unit)


@pytest.mark.parametrize(("text", "low", "high"), [("90%-95%", 90.0, 95.0), ("90~95%", 90.0, 95.0), ("4-6次", 4.0, 6.0)])
def test_ranges(text, low, high):
    parsed = parse_number(text)
    assert (parsed.op, parsed.value, parsed.high) == ("range", low, high)


NULLS = [
    ("", "blank"),
    ("   ", "blank"),
    ("\u3000", "blank"),
    (None, "blank"),
    ("—", "dash"),
    ("——", "dash"),
    ("\u3000——", "dash"),
    ("-", "dash"),
    ("--", "dash"),
    ("/", "not_applicable"),
    ("／", "not_applicable"),
    ("无", "not_applicable"),
    ("不适用", "not_applicable"),
    ("N/A", "not_applicable"),
    ("暂无", "not_applicable"),
    # float() accepts all of these; the strict parser must not
    ("nan", "parse_error"),
    ("NaN", "parse_error"),
    ("Infinity", "parse_error"),
    ("1_000", "parse_error"),
    ("12e3", "parse_error"),
    ("١٢٣", "parse_error"),
    ("12,34", "parse_error"),
    ("已完成", "parse_error"),
    ("全年预算数与执行数差额的原因是支付天然气借款6.03万。", "parse_error"),
]


@pytest.mark.parametrize(("text", "reason"), NULLS)
def test_nulls_are_never_zero(text, reason):
    parsed = parse_number(text)
    assert parsed.value is None
    assert parsed.null_reason == reason


def test_yuan_table_converts_to_wan():
    assert to_wan(parse_number("12,345.00"), "元") == pytest.approx(1.2345)
    assert to_wan(parse_number("12345元")) == pytest.approx(1.2345)  # the cell's unit wins
    assert to_wan(parse_number("1.5亿元")) == pytest.approx(15000.0)
    assert to_wan(parse_number("877.49")) == pytest.approx(877.49)
    assert to_wan(parse_number("——"), "元") is None


@pytest.mark.parametrize(
    ("caption", "unit"),
    [("单位：元", "元"), ("单位: 万元", "万元"), ("经费控制情况（万元）", "万元"), ("金额(元)", "元"), ("基础数据表", None)],
)
def test_amount_unit_in(caption, unit):
    assert amount_unit_in(caption) == unit


money = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(money)
def test_formatted_numbers_round_trip(value):
    for text in (f"{value:,.2f}", f"{value:.2f}", f"{value:.2f}%", f"{value:,.2f}万元"):
        assert parse_number(text).value == pytest.approx(float(value))


@given(money)
def test_full_width_round_trip(value):
    text = f"{value:,.2f}".translate(str.maketrans("0123456789,.-", "０１２３４５６７８９，．－"))
    assert parse_number(text).value == pytest.approx(float(value))


@given(st.text())
def test_never_nan_never_raises(text):
    parsed = parse_number(text)
    assert parsed.value is None or math.isfinite(parsed.value)
    assert (parsed.value is None) == (parsed.null_reason is not None)


@given(st.text(alphabet=" \t\n\u3000\xa0\u200b"))
def test_blank_is_never_zero(text):
    parsed = parse_number(text)
    assert parsed.value is None
    assert parsed.null_reason == "blank"
