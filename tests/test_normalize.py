"""Label normalisation: printed variants reduce to the vocabulary's form, idempotently."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.text import radical_table
from mappings.normalize import is_filler, normalize_label, subject_label

CASES = [
    ("绩\n效\n指\n标", "绩效指标"),
    ("年度预\n算申请\n（万元）", "年度预算申请"),
    ("年度预\n\n算申请\n（万元）", "年度预算申请"),
    ("   1、公务用车购置和维护经费", "公务用车购置和维护经费"),
    ("       其中：公车购置", "公车购置"),
    ("其中:基本支出：", "基本支出"),
    ("  其中：  一般公共预算", "一般公共预算"),
    ("（一）部门职能职责", "部门职能职责"),
    ("(1)代表履职经费", "代表履职经费"),
    ("一、部门基本情况", "部门基本情况"),
    ("3、市级专项资金（一个专项一行）", "市级专项资金"),
    ("批复规模 \n（㎡）", "批复规模"),
    ("经费控制情况(万元)", "经费控制情况"),
    ("项目支出：", "项目支出"),
    ("公用经费：", "公用经费"),
    ("2023年实际在职人数", "实际在职人数"),
    ("2022年决算数", "决算数"),
    ("2023年度部门整体支出绩效自评报告", "部门整体支出绩效自评报告"),
    ('"三公"经费', "三公经费"),
    ("“三公”经费", "三公经费"),
    ("因公出国（境）费用", "因公出国(境)费用"),
    ("⼀级指标", "一级指标"),  # U+2F00 KANGXI RADICAL ONE
    ("⽀出", "支出"),  # U+2F40 KANGXI RADICAL BRANCH
    ("⻘年", "青年"),  # U+2ED8, which NFKC leaves alone
    ("基本\u200b支出", "基本支出"),
    ("部门基本支出预算调整 ", "部门基本支出预算调整"),
    ("项目支\n\n出名称", "项目支出名称"),
    ("产出指标\n\n(40分)", "产出指标"),
    ("效益指标\n\n（20分）\n\u3000", "效益指标"),
    ("（万元）", "(万元)"),  # a bracket alone is the label; keep it
]


@pytest.mark.parametrize(("printed", "normalized"), CASES)
def test_normalize_label(printed, normalized):
    assert normalize_label(printed) == normalized


@pytest.mark.parametrize(("printed", "_"), CASES)
def test_idempotent_on_examples(printed, _):
    once = normalize_label(printed)
    assert normalize_label(once) == once


labels = st.text(alphabet=st.sampled_from(list("一二三1234、.:：（）()其中年度2023 \n\u3000“”\"万元专项经费⼀⽀⻘")), max_size=24)


@given(labels)
def test_idempotent(text):
    once = normalize_label(text)
    assert normalize_label(once) == once


@given(st.text(max_size=30))
def test_idempotent_any_text(text):
    once = normalize_label(text)
    assert normalize_label(once) == once


def test_radical_blocks_map_to_ideographs():
    for code in list(range(0x2F00, 0x2FD6)) + list(radical_table()):
        label = normalize_label(chr(code))
        assert not 0x2E80 <= ord(label[0]) <= 0x2FDF, hex(code)
        assert unicodedata.name(label[0]).startswith("CJK"), hex(code)


def test_subject_keeps_quotes_drops_numbering():
    assert subject_label("1、“五行一月”专项经费") == "“五行一月”专项经费"
    assert subject_label("3、人大监督") == "人大监督"
    assert subject_label("区六届人大三次会议经费 ") == "区六届人大三次会议经费"


@pytest.mark.parametrize(("text", "filler"), [("……", True), ("...", True), ("——", True), ("公用经费", False), ("", False)])
def test_is_filler(text, filler):
    assert is_filler(text) is filler
