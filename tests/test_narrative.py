"""Figures stated in the seeds' sentences, and project paragraphs that must not leak."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from extractors.textdump import parse_dump
from core.records import Paragraph
from mappings.narrative import extract_narrative
from tests.conftest import seed_path

EXPECTED = {
    0: {"actual_headcount": 31, "final": 877.49, "basic": 713.46, "project": 164.03, "wages": 531.23,
        "goods_services": 99.91, "household_subsidies": 58.04, "capital": 0, "three_public_budget": 5,
        "three_public_final": 0.13, "self_score": 100},
    1: {"basic": 2559.6, "project": 1466.7},
    2: {"initial_budget": 557.93, "full_year_budget": 1061.69, "revenue_current_year": 889.68,
        "carryover_opening": 182.01, "final": 1061.69, "wages": 617.15, "goods_services": 388.75,
        "household_subsidies": 51.1, "capital": 4.69, "basic": 708.1, "self_score": 94.5},
    3: {"authorized_headcount": 24, "actual_headcount": 38, "full_year_budget": 997.36, "basic": 921.86,
        "wages": 589.05, "household_subsidies": 23.22, "goods_services": 309.6, "project": 75.5},
    4: {"authorized_headcount": 21, "actual_headcount": 35, "initial_budget": 962.51, "project": 70.27,
        "basic": 911.94, "personnel": 837.48, "public_funds": 74.46},
}


def narrative_of(seed: int) -> dict:
    extraction = parse_dump(seed_path(seed).read_text(), f"{seed:03d}.txt")
    return {f.item: f for f in extract_narrative(extraction.paragraphs)}


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_figures(seed):
    facts = narrative_of(seed)
    assert {item: f.value for item, f in facts.items()} == pytest.approx(EXPECTED[seed])
    for f in facts.values():
        assert (f.form, f.subject, f.column, f.match_method) == ("narrative", None, None, "pattern")
        assert f.unit == {"actual_headcount": "人", "authorized_headcount": "人", "self_score": "分"}.get(f.item, "万元")
        assert f.location.startswith(f"{seed:03d}.txt para ")
        assert f.raw_value in f.source_label


def test_seed_002_labels_as_printed():
    facts = narrative_of(2)
    assert facts["initial_budget"].source_label == "年初预算批复数557.93 万元"
    assert facts["revenue_current_year"].source_label == "本年收入合计数为889.68万元"


def test_project_paragraphs_do_not_leak():
    # seed 002: each project's 年初预算数 29.6/20/44…, 自评得分 93.5/94.5/95, 上年结转资金 187.9
    facts = narrative_of(2)
    assert facts["initial_budget"].value == 557.93
    assert facts["carryover_opening"].value == 182.01
    # projects 2 and 3 also score 94.5: only the closing department sentence may be the source
    assert facts["self_score"].location == "002.txt para 64"
    assert facts["self_score"].source_label == "自评得分为94.5 分"
    # seed 004: `年初预算资金55.80万元，项目年中执行调减…` belongs to 代表履职经费
    assert narrative_of(4)["initial_budget"].value == 962.51


def paragraphs(*texts: str) -> list[Paragraph]:
    return [Paragraph(text=t, source="x.docx", order=i) for i, t in enumerate(texts)]


def test_longer_label_owns_the_number():
    facts = extract_narrative(paragraphs("全年“三公”经费决算数为0.13万元，部门决算数877.49万元。"))
    assert [(f.item, f.value) for f in facts] == [("three_public_final", 0.13), ("final", 877.49)]


def test_units_and_number_formats():
    facts = extract_narrative(paragraphs("全年预算数 1,061.69 万，基本支出7081000元，项目支出0.01亿元。",
                                         "核定编制数21名，实际在职人员19名。"))
    values = {f.item: (f.value, f.unit) for f in facts}
    assert values == {"full_year_budget": (1061.69, "万元"), "basic": (708.1, "万元"), "project": (100, "万元"),
                      "authorized_headcount": (21, "人"), "actual_headcount": (19, "人")}


def test_first_department_statement_wins_and_better_wording_beats_looser():
    facts = extract_narrative(paragraphs(
        "2023年预算资金962.51万元。",
        "1、预算联网监督经费项目绩效自评综述：年初预算数20万元，执行数22.98万元，自评得分94.5分。",
        "单位年初预算数960万元，基本支出900万元。",
        "全年基本支出901万元。",
    ))
    values = {f.item: f.value for f in facts}
    assert values == {"initial_budget": 960, "basic": 900}
    assert {f.item: f.match_score for f in facts} == {"initial_budget": 100, "basic": 100}


def test_figures_without_unit_are_ignored():
    assert extract_narrative(paragraphs("基本支出占比92.4%，项目支出情况见附表2。")) == []


# Real phrasings (numbers and names changed), with where the wording was seen. Each row: the
# paragraphs, the fiscal year, the figures they must give — and nothing else.
PHRASINGS = [
    # 三公经费: noun, then 预算/决算 with words between; quoted in either place
    ("taojiang.gov.cn 2019 三公说明", 2019,
     ["2019年度“三公”经费财政拨款支出预算为44.52万元，2019年实际支出“三公经费”决算为22.62万元。"],
     {"three_public_budget": 44.52, "three_public_final": 22.62}),
    ("hlx.gov.cn 2020 三公说明: the prior year's figure after 比上年", 2020,
     ["2020年“三公”经费支出431万元，比上年累计支出433万元减少2万元，下降0.46%。"],
     {"three_public_final": 431}),
    ("hlx.gov.cn 2018: the budget in the clause after the 三公 figure", 2018,
     ["2018年度本部门一般公共预算财政拨款安排的“三公”经费支出2.05万元，年初预算为2.95万元，差值为0.9万元。"],
     {"three_public_final": 2.05, "three_public_budget": 2.95}),
    ("cqjb.gov.cn 2021 预算", 2021,
     ["2021年区本级一般公共预算中“三公”经费支出预算为4432万元，与2020年预算基本持平，其中：因公出国（境）费用39万元。"],
     {"three_public_budget": 4432}),
    ("ordoszxfztz.com 2022: last year's final and the change are not this year's", 2022,
     ["2022年度“三公”经费预算总计21.8万元，其中：因公出国（境）经费0万元。",
      "2021年度“三公”经费合计支出20.12万元。", "2022年度“三公”经费预算较2021年度增加1.68万元。"],
     {"three_public_budget": 21.8}),
    ("湛江 2017 三公说明", 2017, ["2017年本部门财政预算拨款“三公”经费支出合计35万元，比上年减少2.28万元。"],
     {"three_public_final": 35}),
    ("seed-like 三公 without quotes, bare 决算 in the next clause", None, ["三公经费预算5万元，决算0.13万元。"],
     {"three_public_budget": 5, "three_public_final": 0.13}),
    ("a 其中 part's 年初预算 is neither the 三公 one nor the department's", None,
     ["“三公”经费支出2.05万元，其中：公务接待费支出2.05万元，年初预算为2万元。"], {"three_public_final": 2.05}),
    # amounts in 元; a 基本支出预算 is a budget line, not 基本支出
    ("117.141.250.58 (广西) 2024 预算说明", 2024,
     ["基本支出预算 2476260.58 元，占一般公共预算支出的84.06%，同比减少 4966.66 元。",
      "2024年本年一般公共预算基本支出 2476260.58 元，较上年减少0.2%。其中：人员经费 2128270.5 元，公用经费 347990.08 元。"],
     {"basic": 247.626058, "personnel": 212.82705, "public_funds": 34.799008}),
    # 其中 chains with 经费支出 wordings
    ("hnnxzx.com 南县政协 2021 整体支出绩效评价报告", 2021,
     ["2、支出：799.12万元。其中：人员经费支出434.89万元，公用经费支出77.4万元，项目支出286.83万元。"],
     {"personnel": 434.89, "public_funds": 77.4, "project": 286.83}),
    ("nxjw.nanxian.gov.cn 南县财政局 2020", 2020, ["对本局2020年度机关整体支出开展了绩效评价，综合评分为97分。"],
     {"self_score": 97}),
    # headcounts
    ("hbnz.gov.cn 南漳 2019: the only kind of post stated is the unit's quota", 2019,
     ["中心内有事业编制25名。现单位实有在职在编人员16名，人事派遣人员5名，退休职工6名。"],
     {"authorized_headcount": 25, "actual_headcount": 16}),
    ("leiyang.gov.cn 耒阳四中 2021", 2021, ["我校属副科级事业单位，全额事业编制166个。实有全额在职人员166人，全额离退休人员51人。"],
     {"authorized_headcount": 166, "actual_headcount": 166}),
    ("two kinds of post in one paragraph: neither is the quota", None,
     ["核定行政编制10名、事业编制5名，实有在职人员14名。"], {"actual_headcount": 14}),
    ("beijing.gov.cn 文物局 2021", 2021, ["本局核定行政编制80人，共设办公室等12个内设机构。"], {"authorized_headcount": 80}),
    ("乌鲁木齐 政务服务中心 2023: 在职 beats 实有 (which counts retirees)", 2023,
     ["2023年度，实有人数11人，其中：在职人员10人，离休人员0人，退休人员1人。"], {"actual_headcount": 10}),
    ("yueyang.gov.cn 2018 自评报告 (人员编制 / 实有人数), written as a sentence", None, ["编制21人，实有21人。"],
     {"authorized_headcount": 21, "actual_headcount": 21}),
    ("nxjw.nanxian.gov.cn: staff counts of a part of the unit are no headcount", None,
     ["现有编制人员205人。其中，局机关在职113人、离休2人。", "编制外聘用人员3人，编制内人员16人。"], {}),
    ("Chinese numerals", None, ["本单位核定编制数二十一人，实际在职人员三十五人。"],
     {"authorized_headcount": 21, "actual_headcount": 35}),
    # revenue and the 本年 totals
    ("乌鲁木齐 政务服务中心 2023 决算说明", 2023,
     ["2023年度收入总计434.72万元，其中：本年收入合计434.16万元，使用非财政拨款结余0.00万元，年初结转和结余0.55万元。",
      "2023年度支出总计434.72万元，其中：本年支出合计434.16万元，结余分配0.00万元，年末结转和结余0.55万元。"],
     {"revenue_current_year": 434.16, "carryover_opening": 0.55, "final": 434.16}),
    # 分别为 lists and amount-first
    ("分别为, two items", None, ["基本支出和项目支出分别为713.46万元、164.03万元。"], {"basic": 713.46, "project": 164.03}),
    ("分别为, the 三公 head shared", 2023, ["2023年“三公”经费预算数、决算数分别为5万元、0.13万元。"],
     {"three_public_budget": 5, "three_public_final": 0.13}),
    ("分别为, 和 inside a label", None, ["工资福利支出、商品和服务支出分别为531.23万元和99.91万元。"],
     {"wages": 531.23, "goods_services": 99.91}),
    ("分别为, the 三公 head shared, 和 between", None, ["“三公”经费预算和决算分别为5万元和0.13万元。"],
     {"three_public_budget": 5, "three_public_final": 0.13}),
    ("分别为, three budget figures", None, ["年初预算数、全年预算数、决算数分别为557.93万元、1061.69万元、1061.69万元。"],
     {"initial_budget": 557.93, "full_year_budget": 1061.69, "final": 1061.69}),
    ("a bare 编制 among several kinds of post is no quota (seed 001)", None,
     ["核定市人大机关行政编制66名，市人大领导行政编制单列；核定机关后勤服务事业编制14名。"], {}),
    ("table-like headcount wording", None, ["人员编制21人，实有人数21人。"],
     {"authorized_headcount": 21, "actual_headcount": 21}),
    ("三公 budget 安排, final in the next clause with 全年", None, ["“三公”经费预算安排5万元，全年实际支出0.13万元。"],
     {"three_public_budget": 5, "three_public_final": 0.13}),
    ("自评结果", None, ["经评价，自评结果为94.5分，评价等级为优。"], {"self_score": 94.5}),
    ("分别为, one unit for both", None, ["编制数和在职人数分别为21、35人。"],
     {"authorized_headcount": 21, "actual_headcount": 35}),
    ("amount before noun", None, ["全年支出877.49万元，其中713.46万元用于基本支出，164.03万元用于项目支出。"],
     {"final": 877.49, "basic": 713.46, "project": 164.03}),
    ("dyrmt.com 2022 决算说明: 本年支出合计 and its 其中 parts, split by ；", 2022,
     ["2022年本年支出合计4143.91万元,其中:基本支出1140.27万元,占27.52%;项目支出3003.64万元,占72.48%。"],
     {"final": 4143.91, "basic": 1140.27, "project": 3003.64}),
    # shapes the accuracy benchmark's tune split prints
    ("实有在职, 年初预算批复, 共支出资金", 2023, ["核定编制30人，实有在职27人。", "2023年年初预算批复2160.32万元。", "本年度共支出资金1762.08万元。"],
     {"authorized_headcount": 30, "actual_headcount": 27, "initial_budget": 2160.32, "final": 1762.08}),
    ("a thousands comma is no clause end: the 三公 final in the next clause, in 元", 2023,
     ["2023年“三公”经费年初预算150,000.00元，实际支出137,400.00元。"],
     {"three_public_budget": 15, "three_public_final": 13.74}),
    ("a sentence broken over two paragraphs (a PDF line or page break)", None,
     ["全年预算数为2339.11万元。其中本年收入", "2126.28万元，年初结转和结余212.83万元。部门决算数为2339.11万元。"],
     {"full_year_budget": 2339.11, "revenue_current_year": 2126.28, "carryover_opening": 212.83, "final": 2339.11}),
    ("a 、 list and a dated follow-on clause of the 三公 topic", 2023,
     ["“三公”经费支出预算15万元、实际支出13.74万元。", "“三公”经费预算15万元，2022年实际支出12万元。"],
     {"three_public_budget": 15, "three_public_final": 13.74}),
    ("年末在职, 自评分, 年初部门预算, 人员支出 / 公用支出", 2023,
     ["核定编制30名，年末在职27名。", "自评分为95分。", "年初部门预算2160.32万元。", "人员支出1000万元，公用支出100万元。"],
     {"authorized_headcount": 30, "actual_headcount": 27, "self_score": 95, "initial_budget": 2160.32,
      "personnel": 1000, "public_funds": 100}),
    ("kmxd.gov.cn 寻甸文联 2022: the 支出决算 after the 三公 budget is the 三公 final, not the department's", 2022,
     ["2022年度一般公共预算财政拨款“三公”经费支出年初预算为12000.00元，支出决算为12,000.00元，完成年初预算的100%。"],
     {"three_public_budget": 1.2, "three_public_final": 1.2}),
    ("echeng.gov.cn 鄂城 2022: 万 alone, the prior year's total in the next sentence", 2022,
     ["2022年的“三公\"经费决算数合计为1000.86万，其中：因公出国（境）费0万元。", "2021年的三公经费决算数合计为807.95万。"],
     {"three_public_final": 1000.86}),
    ("lsz.gov.cn 凉山 2022: 支出总额, and a change against the budget", 2022,
     ["使用财政拨款安排“三公”经费支出总额为8,237.23万元，比年初预算增加1317.14万元。"], {"three_public_final": 8237.23}),
    ("117.141.250.58 (广西): `2024 年` with a space is a year too", 2024,
     ["2023 年基本支出 2476260.58 元。", "2024 年本年基本支出 2576260.58 元。"], {"basic": 257.626058}),
    ("hlx.gov.cn-like: the sentence's year far before the label", 2023,
     ["2022年度本部门一般公共预算财政拨款安排的“三公”经费支出2.05万元。"], {}),
    ("a date is no year the figure is of", 2023, ["2024年4月，按照要求组织开展自评，综合得分96分。"], {"self_score": 96}),
    ("a year compared with is not the sentence's year", 2023,
     ["2023年基本支出900万元，比2022年减少5万元，项目支出100万元。"], {"basic": 900, "project": 100}),
    ("cusdn.org.cn 人员编制情况说明", None, ["编制总数50人，实际在编人数45人。"],
     {"authorized_headcount": 50, "actual_headcount": 45}),
    # real 三公 说明 / 预算 / 决算 sentences (pages corpus), each a shape the patterns did not all read
    ("bbstxq.liuzhou.gov.cn 2018 三公说明: a sub-item's 支出决算 is no department final", 2018,
     ["2018年度一般公共预算财政拨款安排的“三公”经费预算54万元，其中：因公出国（境）费支出决算0万元；公务用车购置及运行费支出决算12万元；公务接待费支出决算42万元。"],
     {"three_public_budget": 54}),
    ("bbstxq.liuzhou.gov.cn 2018 三公说明: 决算支出, a change against the prior year, sub-items", 2018,
     ["2018年度一般公共预算财政拨款安排的“三公”经费决算支出51万元，与上年相比减少17万元，下降25.0%，其中：因公出国（境）费支出决算14万元，比上年增加14万元。"],
     {"three_public_final": 51}),
    ("hongxinbengye.com 衢江区 2016 三公说明: 预算安排 before the noun, 决算数 after it", 2016,
     ["衢江区2016年一般公共预算安排“三公”经费决算数2364万元，比上年决算数下降16.77 %。"], {"three_public_final": 2364}),
    ("xlyzsl.cn 清远市生态环境局 2019 三公说明: 完成预算…的", 2019,
     ["清远市生态环境局2019年度“三公”经费财政拨款支出决算为17.06万元，完成预算27万元的63.2%。其中：因公出国（境）费支出决算为7.8万元，完成预算10万元的78.0%。"],
     {"three_public_final": 17.06, "three_public_budget": 27}),
    ("longquan.gov.cn 2018: the noun in brackets after its parts", 2018,
     ["2018年龙泉市部门及乡镇政府，包括行政单位、事业单位和其他单位因公出国（境）经费、公务接待费、公车购置费，公车运行费（“三公”经费）决算总额2771万元，比上年下降1.8%。"],
     {"three_public_final": 2771}),
    ("117.141.250.58 梧州 2020 决算: 支出决算总额为, a spaced amount, 比预算增加", 2020,
     ["2020 年度一般公共预算财政拨款安排的“三公”经费支出决算总额为 5.48 万元，比预算增加 0 万元，比去年增加1.55 万元，增长 39.4%。"],
     {"three_public_final": 5.48}),
    ("117.141.250.58 2023 预算: 全口径安排“三公”经费支出预算 0元", 2023,
     ["2023 年单位预算全口径安排“三公”经费支出预算 0元，同比无变化。"], {"three_public_budget": 0}),
    ("117.141.250.58 2023 预算: 基本支出 and its 其中 parts over paragraphs, in 元", 2023,
     ["2023 年本年一般公共预算基本支出 911000.39 元，其中：", "人员经费 809961.19 元，主要包括：基本工资、津贴补贴、伙食补助费、绩效工资。",
      "公用经费 71339.2 元，主要包括：办公费、工会经费、其他商品服务和支出。"],
     {"basic": 91.100039, "personnel": 80.996119, "public_funds": 7.13392}),
    ("117.141.250.58 2024 预算: a numbered 项目支出 with its share and change", 2024,
     ["2. 项目支出 469500 元，占一般公共预算支出的 19.62%，同比增加 70100 元 ，增长 17.55%。"], {"project": 46.95}),
    ("quxian.gov.cn 渠县 2024 决算: 在职人员 among kinds of staff", 2024,
     ["人员概况：在职人员81人，专业技术人员57人、管理人员1人，工勤人员23人。"], {"actual_headcount": 81}),
    ("pl.kmrd.cn 盘龙区人大 2017: a bracketed gloss between label and amount", 2017,
     ["2017年部门经费预算7464053元，基本支出4566793元，其中工资福利支出（人员支出）3265013元，商品和服务支出（公用支出）843942元，对个人和家庭补助支出（人员支出）457838元；项目支出（专项工作经费支出）2897260元。"],
     {"basic": 456.6793, "wages": 326.5013, "goods_services": 84.3942, "household_subsidies": 45.7838, "project": 289.726}),
    ("hh.gov.cn 红河 2024: projects' counts and budgets are no department figure", 2024,
     ["2024年，红河州数据发展中心实施项目共15个，年初批复预算8个项目985万元（含1个年初结转结余项目50万元），调整预算后项目预算861.46万元，实际到位资金334.67万元。"],
     {}),
    ("taojiang.gov.cn 2019: a comparison without an amount", 2019, ["本年度“三公经费”决算数未超过2019年预算数。"], {}),
    # issue 11 (narrative2): real sentences from further pages (search tool, pages corpus), each a
    # figure of SPEC §3 narrative or a look-alike that is not one
    ("zqb.cyol.com 2016 中央决算: 三公 支出合计 in 亿元; a change against the budget is no budget", 2015,
     ["报告显示，2015年中央行政事业单位财政拨款的“三公”经费支出合计53.73亿元，比预算数减少9.43亿元。"],
     {"three_public_final": 537300}),
    ("zqb.cyol.com 2016: a 三公 part after `“三公”经费中` is no 三公 total", 2015,
     ["“三公”经费中，因公出国（境）经费17.44亿元，比预算数减少1.94亿元；公务用车购置及运行费30.87亿元，减少3.72亿元；公务接待费5.42亿元，减少3.77亿元。"],
     {}),
    ("zqb.cyol.com 2016: earlier years' 三公 totals", 2015, ["据了解，2013年中央“三公”经费合计70.15亿元，2014年为58.8亿元。"], {}),
    ("tengyi66.com 四川 省级决算: 三公 支出 in 亿元 with its 其中 parts", None,
     ["省级行政事业单位财政拨款“三公”经费支出4亿元，其中：因公出国（境）经费 0.3亿元；公务用车购置及运行费3亿元（公务用车购置费0.2亿元、公务用车运行维护费2.8亿元）；公务接待费0.7亿元。"],
     {"three_public_final": 40000}),
    ("tengyi66.com 四川: one fund's spending against its budget, a carry-forward", None,
     ["全省一般公共预算支出6796.6亿元，完成预算的92.7%，增长9.3%。", "收入总量减去支出总量后，省级结转资金218.4亿元。"], {}),
    ("pshycm.com 鹤山市水务局 2018: 支出预算合计, and the prior year's budget in a change", 2018,
     ["2018年“三公”经费支出预算合计24.75万元，比上年预算数减少4.65万元。"], {"three_public_budget": 24.75}),
    ("pshycm.com 鹤山市水务局 2018: one cost's 支出预算 is no 三公 budget", 2018,
     ["公务接待费支出预算16.55万元，比上年预算数减少4.65万元，原因：认真贯彻执行中央八项规定。"], {}),
    ("pshycm.com 鹤山市水务局 2018: the noun glossed in brackets before 支出合计", 2018,
     ["鹤山市水务局2018年用一般公共预算财政拨款数开支的出国（境）经费、车辆购置及运行费、公务接待费（简称“三公”经费）支出合计24.75万元。"],
     {"three_public_final": 24.75}),
    ("plpkl.com 2019 三公 预算: 安排 alone says neither budget nor final; a 机关运行经费 is no department figure", 2019,
     ["2019年本部门财政拨款安排“三公”经费29万元，比上年增加0.5万元，增长1.75%，其中：因公出国（境）费0万元，较上年无增减。",
      "2019年，本部门机关运行经费安排312.23万元，比上年增加15.18万元，增长5.11%。"], {}),
    ("mz.gov.cn 绵竹 2025 三公 预算: 预算总额为, the prior year's in the comparison", 2025,
     ["2025年全市行政单位（含参照公务员法管理的事业单位）、事业单位和其他单位使用财政拨款安排“三公”经费预算总额为1969万元，较2024年的2190万元减少221万元，下降10.1%；其中：因公出国（境）经费40万元，较上年持平。"],
     {"three_public_budget": 1969}),
    ("117.141.250.58 2023 决算 (upload1443): 上年结转和结余 is the opening carry-over; a change against last year's 决算数 is no final", 2023,
     ["8.上年结转和结余 8.02 万元，为以前年度支出预算因客观条件变化未执行完毕、结转到本年度按有关规定继续使用的资金。较 2022 年度决算数增加 0.78 万元，增长 10.8%。"],
     {"carryover_opening": 8.02}),
    ("117.141.250.58 2023 决算 (upload1443): 总支出 includes the year-end carry-over; 本年支出 is the final", 2023,
     ["（二）本单位 2023 年度总支出 125.08 万元，其中本年支出 116.12 万元，较 2022 年度决算数增加 19.68 万元。"],
     {"final": 116.12}),
    ("117.141.250.58 2023 决算 (upload1443): one kind of revenue and its change", 2023,
     ["5.经营收入 0.00 万，为事业单位在业务活动之外开展非独立核算经营活动取得的收入。较 2022 年度决算数增加 0.00 万元，增长 0%。"], {}),
    ("dyrmt.com article-159286 2023 决算: 基本支出 of one fund (below the bar), its 其中 parts over paragraphs", 2023,
     ["2023年一般公共预算财政拨款基本支出911.7万元，其中：", "人员经费489.18万元，主要包括：基本工资、津贴补贴、奖金、伙食补助费、绩效工资。",
      "公用经费46.89万元，主要包括：办公费、印刷费、咨询费、手续费、水费、电费。"],
     {"basic": 911.7, "personnel": 489.18, "public_funds": 46.89}),
    ("dyrmt.com article-159286: a 三公 final dated another year; its completion of budget is a percentage", 2023,
     ["2022年“三公”经费财政拨款支出决算为3.46万元，完成预算100%，较上年增加2.4万元，增长0.24%。"], {}),
    ("dyrmt.com article-159286: 三公 parts after `支出决算中`, each a cost's 支出决算", 2023,
     ["2023年“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算1.4万元，占0.02%；公务接待费支出决算0.28万元，占0.95%。",
      "1.因公出国（境）经费支出0万元，完成预算0%。"], {}),
    ("qianlima.com 2023 单位决算: 年末在职人员; a count of 内设机构 is no headcount", 2023,
     ["本单位设立 1 个内设机构，分别是：“一室两科”。", "本单位年末在职人员7人，其中行政人员3人。"], {"actual_headcount": 7}),
    ("jinriwen.com 盐湖区委统战部 2022 编制核查: two kinds of post, staff using one kind", 2022,
     ["1.核定编制情况：行政编制7名；工勤编制1名。", "2.实有人员情况：使用行政编制人员7人。"], {}),
    ("taushaann.com 2019 市本级 三公 预算: 支出安排的“三公”经费预算为; parts and a like-for-like change", 2019,
     ["2019年，市本级一般公共预算支出安排的“三公”经费预算为3328万元。其中，因公出国（境）费50万元，公务接待费478万元，公务用车购置及运行费2800万元。同口径比2018年减少830万元，下降20%。"],
     {"three_public_budget": 3328}),
    ("nankok.cn 区 预算执行: 公共财政预算支出 (the old name of 一般公共预算支出) is one fund's spending, no full-year budget", None,
     ["上半年，全区完成公共财政预算收入20348万元，为预算的55.3%，同比增长8.2%。", "上半年，完成公共财政预算支出83885万元，为预算的（包括本级预算和上级专项）69.5%，同比增长17%。"],
     {}),
    ("m.dybbs8.com 项目绩效评价 指引: the scale's 满分 / 总分 is no score", None,
     ["一级指标“项目绩效”，满分40分。", "“项目管理”（60分）和“项目绩效”（40分），总分100分。"], {}),
    ("kmxxf.com 天水市幼儿园 2017 决算: 核定人员编制, 实际正式教职工 among kinds of staff", 2017,
     ["核定人员编制71人，实际正式教职工62人，其中副高级职称4人，中级职称25人，初级职称23人，管理人员3人，退休职工28人。"],
     {"authorized_headcount": 71, "actual_headcount": 62}),
    ("kmxxf.com 天水市幼儿园 2017: 收入为 / 支出为 totals, 基本支出 and 项目支出 with shares", 2017,
     ["2017年度，本单位收入为1687.45万元，其中：财政拨款收入1516.64万元，占89.88%；事业收入170.81万元，占10.12%。",
      "2017年度，本单位支出为1942.57万元。其中：基本支出1121.09万元，占57.71%；项目支出821.48万元，占42.29%；经营支出0万元，占0%。"],
     {"basic": 1121.09, "project": 821.48}),
    ("kmxxf.com 天水市幼儿园 2017: one fund's 支出总计 and its completion of the budget", 2017,
     ["2017年度，本单位一般公共预算财政拨款支出总计1741.75万元，与上年相比减少53.7万元，降低2.99%；完成年初预算100%，决算数大于预算数55.93万元。"],
     {}),
    ("117.141.250.58 2021 决算 (upload1201): 总收入 / 本年收入, 上年结转和结余, 总支出 / 本年支出", 2021,
     ["（一）本单位2021年度总收入581.45万元，其中本年收入390.55万元，较2020年度决算数减少175.26万元，下降31%。",
      "1.一般公共预算财政拨款收入382.17万元，为市本级财政当年拨付的资金。",
      "3.上年结转和结余190.89万元，为以前年度支出预算因客观条件变化未执行完毕、结转到本年度按有关规定继续使用的资金。",
      "（二）本单位2021年度总支出581.45万元，其中本年支出480.71万元，较2020年度决算数减少90.49万元，下降15.8%。"],
     {"revenue_current_year": 390.55, "carryover_opening": 190.89, "final": 480.71}),
    ("dyrmt.com article-117135 2020 决算: 本年收入合计 / 本年支出合计 beat one fund's 支出决算数", 2020,
     ["2020年本年收入合计3765.66万元，其中：一般公共预算财政拨款收入1008.64万元，占26.79%；政府性基金预算财政拨款收入605.99万元，占16.09%。",
      "2020年本年支出合计4021.94万元，其中：基本支出2719.24万元，占67.61%；项目支出1302.70万元，占32.39%。",
      "2020年财政拨款收入总计1614.63万元，与2019年相比增加540.23万元，增长50.28%；财政拨款支出总计1870.91万元，与2019年相比增加633.43万元。",
      "2020年一般公共预算支出决算数为1264.92万元，完成预算59.7%。"],
     {"revenue_current_year": 3765.66, "final": 4021.94, "basic": 2719.24, "project": 1302.70}),
    ("dyrmt.com article-117135 2020: a 功能科目 (类/款/项) line's 支出决算 is no department final", 2020,
     ["1.社会保障和就业（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）：支出决算为67.64万元，完成预算89.53%，决算数小于预算数的主要原因是年初预算估算不足。"],
     {}),
    ("中新社 2024 (g.golangjump.com mirror) 中央决算: 本级支出 is no department final; 三公 支出合计 with its change", 2023,
     ["今年随同中央决算向全国人大常委会报送的项目绩效自评表的数量增长到716个，比上年增加17个。",
      "2023年，中央本级支出38219.48亿元；中央本级“三公”经费财政拨款支出合计38.72亿元，比2022年增加10.48亿元。"],
     {"three_public_final": 387200}),
    ("baiyin.jcy.gov.cn 白银市检察院 2020 决算: 预算编制单位 is no quota; 实有在职人数 with hired staff in brackets", 2020,
     ["白银市人民检察院是省级部门预算编制单位。编制人数89人，实有在职人数111人（含23名聘用制书记员）。"],
     {"authorized_headcount": 89, "actual_headcount": 111}),
    ("zjkwqfy.hebeicourt.gov.cn 2014: 三公经费开支 with its parts; a part's change against last year", 2014,
     ["我院2014年三公经费开支53.65万元，其中公务接待费 3.02万元，公务用车购置及运行维护费 50.63万元。",
      "公务接待支出 比去年减少9.21万元，公务用车购置及运行维护费比去年减少23.32万元。"],
     {"three_public_final": 53.65}),
    ("xuanzhou.gov.cn 宣州区审计局 2018 三公 预算: 支出预算为, the parts' 支出预算 and 支出", 2018,
     ["宣州区审计局2018年度“三公”经费支出预算为3.1万元。其中：公务接待费支出预算为3.1万元，公务用车购置及运行费支出预算为0万元。",
      "（一）公务接待费支出3.1万元，比上年减少0.2万元。"],
     {"three_public_budget": 3.1}),
    ("46840.cn 区 预算执行 1-5月: one fund's revenue and spending against the 年初预算 as percentages", None,
     ["1-5月，全区一般公共预算收入完成56033万元，完成年初预算的45.5%，同比增长28.1%。",
      "1-5月，全区一般公共预算支出98240万元，完成年初预算的48.99%。其中，全区民生支出80242万元，占到公共财政预算支出的81.68%。"],
     {}),
    ("hlx.gov.cn 2018 三公说明, its later sentence: a cost's 年初预算 after the cost's amount is no department budget", 2018,
     ["其中：因公出国（境）支出0万元，年初预算为0万元，差值为0万元；公务用车购置支出0万元，年初预算为0万元，差值为0万元；公务用车运行维护费支出0万元，年初预算为0.95万元，差值为0.95万元。"],
     {}),
    # branch narr: real sentences (search tool: pages and code corpora), each a figure of SPEC §3
    # narrative or a look-alike that is not one
    ("github Beyond-yan/cqjw 重庆市交通委员会 2018 预算: a 其中 list of a 一般公共预算 total (below the bar); 政府性基金预算支出 is no full-year budget", 2018,
     ["2018年一般公共预算财政拨款收入324970.32万元，一般公共预算财政拨款支出324970.32万元，比2017年减少145261.52万元。其中：基本支出61042.17万元，比2017年增加4824.58万元，主要原因是支出结构调整、公用经费定额调标等,主要用于保障在职人员工资福利及社会保险缴费;项目支出263928.15万元，比2017年减少150086.1万元，主要原因是支出结构调整、转移支付力度加大等导致资金来源减少。",
      "2018年政府性基金预算收入38610万元，政府性基金预算支出38610万元，比2017年增加18610万元，主要原因是铁路、民航等重点专项支出增加,主要用于铁路建设、民航发展、港口航道设施等项目。",
      "2018年“三公”经费预算2800.68万元,比2017年减少295.18万元。其中:因公出国(境)费用60万元,比2017年减少25.36万元。"],
     {"basic": 61042.17, "project": 263928.15, "three_public_budget": 2800.68}),
    ("github Beyond-yan/cqjw 2018 预算: 机关运行经费, 政府采购预算总额, the funds a 绩效目标 covers are no department figure", 2018,
     ["１.机关运行经费情况。2018年一般公共预算财政拨款运行经费16252.11万元，比上年增加654.94万元，主要原因为市级部门公用经费标准统一提高。",
      "２.政府采购情况。所属各预算单位政府采购预算总额6060.41万元，其中：政府采购货物预算4728.6万元、政府采购工程预算0万元、政府采购服务预算1331.81万元。",
      "３.绩效目标设置情况。2018年项目支出均实行了绩效目标管理，涉及一般公共预算当年财政拨款263928.15万元。"], {}),
    ("fcgggzy.cn 防城港市公共资源交易中心 2018 预算: 人员编制总数为, 实有在职人员总数", 2018,
     ["2018年我单位人员编制总数为15人,实有在职人员总数14人,实有离休人员0人,实有退休人员0人。具体情况如下:"],
     {"authorized_headcount": 15, "actual_headcount": 14}),
    ("fcgggzy.cn 2018 预算: posts by grade and 收入总预算 are no figure", 2018,
     ["按照人社局核定的岗位核算工资,目前套用核定的工资岗位为专技岗7人(其中:专技6级1人、专技十级2人、专技十一级1人、专技十二级3人);管理岗位4人(其中:管理八级2人,管理9级2人);工勤岗3人。",
      "2018年收入总预算317.6万元,同比增加8.25万元,同比增长2.8%。"], {}),
    ("npc.gov.cn 法制日报 2015 中央决算: the noun in brackets after its parts, 支出合计 in 亿元", 2014,
     ["法制日报北京6月28日讯 记者朱宁宁 国务院关于2014年中央决算的报告显示，2014年，中央行政事业单位财政拨款因公出国（境）经费、公务用车购置及运行费、公务接待费（“三公”经费）支出合计58.8亿元，比预算数减少12.71亿元。"],
     {"three_public_final": 588000}),
    ("npc.gov.cn 2015: the 三公 parts and their changes", 2014,
     ["其中：因公出国（境）经费16.2亿元，减少3.56亿元；公务用车购置及运行费35.99亿元（其中，公务用车购置费4亿元，公务用车运行维护费31.99亿元），减少5.28亿元；公务接待费6.61亿元，减少3.87亿元。"], {}),
    ("wanglu.net 2017 整体支出绩效自评: 自评得分 and its amount on the next PDF line", 2017,
     ["按照预算绩效管理要求,本部门对", "2017 年整体支出开展绩 效自评,自评得分", "90 分,存在的问题:一是年初编制项目资金 预算时对对象摸底不够准确,造成预算资金过大."],
     {"self_score": 90}),
    ("budgetofchina.com 宁夏机管局 2013 预算: 人员编制 with its kinds of post after 其中", 2013,
     ["自治区政府机关事务管理局属参公管理事业单位,现有人员编制115人,其中:参照公务员管理事业编制71人,事业编制44人。另有事业控制编制13人。"],
     {"authorized_headcount": 115}),
    ("budgetofchina.com 2013 预算: 收支总预算 and a change against last year's", 2013,
     ["机管局2013年收支总预算4,471.22万元,含区泾河源山庄管理处经费250万元,政府机关幼儿园经费537.31万元;比2012年预算增加755.18万元,增长20.32%。"], {}),
    ("fl.gov.cn 涪陵 镇 2024 三公 预算: 一般公共预算“三公”经费支出预算为; changes, and 编制 as a verb", 2024,
     ["按照市政府、区政府关于推进政府信息公开工作部署和要求,经汇总,2024年一般公共预算“三公”经费支出预算为14.01万元,其中:因公出国(境)费用0万元,公务用车运行维护费14.01万元,公务接待费0万元。与2023年预算相比增长16.75%,其中因公出国(境)费增加0万元,公务用车运行维护费增加2.01万元,原因是编制2024年三公经费预算时,因系统卡顿,公务用车预算编制修改后未能在系统中改变。"],
     {"three_public_budget": 14.01}),
    ("021fenlei.com 上海市嘉定区司法局 2017 三公: 支出年初预算为, 支出决算为, 完成预算的; the change is no final", 2017,
     ["上海市嘉定区司法局2017年度“三公”经费财政拨款支出年初预算为22.00万元,支出决算为8.77万元,完成预算的39.86%,其中:因公出国(境)费决算为0万元,完成预算的0%;公务用车购置及运行维护费支出决算为8.47万元,完成预算的60.50%;公务接待费支出决算为0.30万元,完成预算的3.75%。2017年度“三公”经费支出决算数小于预算数的主要原因:严格执行八项规定。",
      "2017年度“三公”经费财政拨款支出决算数比2016年度减少0.28万元,降低3.09%,其中:因公出国(境)费支出决算减少0万元,降低0%;公务用车购置及运行维护费支出决算减少0.29万元,降低3.31%。"],
     {"three_public_budget": 22, "three_public_final": 8.77}),
    ("gztopstudy.com 九华山风景区宗教事务局 2019 三公: 支出预算为 / 支出决算为; a cost against last year's 决算", 2019,
     ["九华山风景区宗教事务局2019年度一般公共预算财政拨款“三公”经费支出预算为18万元,支出决算为6.28万元,完成预算的34.89%,决算数小于预算数的主要原因是贯彻中央八项规定和省委省政府30条要求,避免不必要的开支。本次公布的“三公”经费决算为局本级决算数。",
      "1.公务接待费支出6.28万元,与2018年度决算相比,减少0.28万元,下降4.27%,下降的原因是严格执行公务接待相关制度。"],
     {"three_public_budget": 18, "three_public_final": 6.28}),
    ("ahhy.gov.cn 怀远县双桥集镇 2020 三公: a cost compared with the 年度预算 is no budget", 2020,
     ["1.因公出国(境)费支出0万元,与2020年度预算相比,增加0万元,原因是2020年度未安排因公出国(境)。",
      "2.公务接待费支出16.3万元, 与2020年度预算相比,增加1.5万元,增长10.14%,增长的原因是上级扶贫检查次数增加。"], {}),
    ("shouxian.gov.cn 寿县文物保护中心 2023 三公: the totals, then a cost's 预算 and its 支出决算", 2023,
     ["安徽省寿县文物保护中心2023年度一般公共预算财政拨款“三公”经费支出预算为3万元,支出决算为1.71万元,完成预算的43%,较上年减少1.29万元,下降43%。决算数小于预算数的主要原因是公务接待减少。",
      "1.公务接待费预算为1万元,支出决算为0.53万元,完成预算的47%;较上年减少0.47万元,下降47 %。"],
     {"three_public_budget": 3, "three_public_final": 1.71}),
    ("117.141.250.58 upload1284 2023 预算: 基本支出预算 is a budget line, 工资福利 / 商品和服务支出预算 are lines of it", 2023,
     ["1. 基本支出预算 881300.39 元,占一般公共预算支出的", "96.74%,同比减少 166271.4 元,下降 15.87 %。其中:",
      "工资福利支出预算 716052.51 元,占基本支出预算", "81.25%,同比减少 148979.48 元,下降 17.22%。",
      "2. 项目支出 29700 元,占一般公共预算支出的 3.26%,", "同比减少 13900 元 ,下降 31.88 %。其中:",
      "商品和服务支出预算 29700 元,占项目支出预算 100%,", "同比减少 13900 元 ,下降 31.88 %。"],
     {"project": 2.97}),
    ("dyrmt.com article-134188 决算: 功能科目 lines' 支出决算 after (款)(项)", 2023,
     ["一般公共服务(类)政府办公厅(室)及相关机构事务(款)(项):支出决算为441.72万元,完成预算100%,决算数与预算数持平。",
      "国防支出(类)国防动员(款)其他国防动员支出(项):支出决算为2万元,完成预算100%,决算数与预算数持平。"], {}),
    ("泉港区 2023 财政收支决算草案: fund totals, 完成预算数 as a percentage", 2023,
     ["1.收入情况。一般公共预算总收入1011746万元,完成预算数107.06%,增长10.87%,其中:一般公共预算收入243670万元,完成预算数100.69%,增长9.99%",
      "2.支出情况。一般公共预算支出371185万元(含上级补助收入、上年结转和一般债券安排的支出),增长2.1%。"], {}),
    ("shayang.gov.cn 沙洋县 2022 预算执行: 占调整预算的 a percentage, 收入总计 of a county", 2022,
     ["2022年,县级一般公共预算收入预计完成64000万元,占调整预算的100%,同比下降16.7%,其中:税收收入34000万元、非税收入30000万元。加上转移性收入486923万元,收入总计550923万元。"], {}),
    ("blkpk.com 2015 三公 说明: a cost's 决算, a payment 从年初结转和结余中列支", 2015,
     ["1、决算车辆运行维护费用2.94万元,比去年3.01万元少0.07万元,基本持平;",
      "3、公务接待费用4万元,接待74批(次)813人,同比去年1.05万元增加2.95万元,公务接待增加部分从年初结转和结余中列支。"], {}),
    ("zxj6827111-blip/GovBudgetChecker fixture: 上海市普陀区生态环境局 2025 部门决算 (joined PDF paragraphs): the totals; 功能科目 lines' 年初预算 / 支出决算 are no department figure", 2025,
     ["二、收入决算情况说明", "本年收入合计 4733.14 万元，其中：财政拨款收入 4733.14万元，占 100.00%。",
      "三、支出决算情况说明", "本年支出合计 4733.14 万元，其中：基本支出 3365.38 万元，占 71.10%；项目支出 1367.76 万元，占 28.90%。",
      "（一）一般公共预算财政拨款支出决算总体情况",
      "一般公共预算财政拨款支出 4733.14 万元，占本年支出合计的 100.00%。与 2024 年度相比，一般公共预算财政拨款支出增加 90.09 万元，增长 1.94%。主要原因：基本支出增加。",
      "（三）一般公共预算财政拨款支出决算具体情况",
      "一般公共预算财政拨款支出年初预算为 4628.17 万元，支出决算为 4733.14 万元，完成年初预算的 102.27%。决算数大于预算数的主要原因：因人员变动、职务职级变动、调标等因素，年中追加了基本经费；因工作需要，年中追加了项目经费。其中：",
      "1.社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项），主要用于支付机关本部及参公单位退休人员补贴、退休人员福利费。年初预算为 51.50 万元，支出决算为 51.98 万元。决算数大于预算数的主要原因：年中人员退休。",
      "9.节能环保支出（类）环境保护管理事务（款）行政运行（项），主要用于支付行政单位在职人员经费、公用经费的支出,包括在职人员工资、津补贴、上下班交通费补贴、办公经费、设备购置费、设备维护费等经费支出。年初预算为 1196.07 万元，支出决算为 1,293.60 万元。决算数大于预算数的主要原因：新进人员及政策性增资。",
      "六、一般公共预算财政拨款基本支出决算情况说明",
      "一般公共预算财政拨款基本支出 3365.38 万元。其中：人员经费 2949.02 万元，主要包括：基本工资、津贴补贴、伙食补助费、绩效工资、退休费、其他对个人和家庭的补助；公用经费 416.36 万元，主要包括：办公费、印刷费、咨询费、手续费、水费、电费、邮电费。",
      "（一）“三公”经费财政拨款支出决算总体情况说明。",
      "“三公”经费财政拨款支出年初预算为 21.00 万元，支出决算为 16.95 万元，完成预算的 80.71%，其中：因公出国（境）费决算为 0.00 万元，完成预算的 0.00%；公务用车购置及运行维护费支出决算为 16.95 万元，完成预算的 82.68%；公务接待费支出决算为 0.00 万元，完成预算的 0.00%。",
      "2025 年度“三公”经费财政拨款支出决算数比 2024 年度增加 5.07 万元，增长 42.68%，其中：因公出国（境）费支出决算为 0.00 万元，与 2024 年持平；公务用车购置及运行维护费支出决算增加 5.07 万元，增长 42.68%。"],
     {"revenue_current_year": 4733.14, "final": 4733.14, "basic": 3365.38, "project": 1367.76, "initial_budget": 4628.17,
      "personnel": 2949.02, "public_funds": 416.36, "three_public_budget": 21, "three_public_final": 16.95}),
    ("GovBudgetChecker fixture: 上海市普陀区生态环境局 2025 决算 as PDF lines: a 功能科目 line over lines, an amount opening a line is no heading", 2025,
     ["中追加了基本经费；因工作需要，年中追加了项目经费。其中：",
      "3.社会保障和就业支出（类）行政事业单位养老支出（款）", "机关事业单位基本养老保险缴费支出（项），主要用于支付",
      "机关事业单位在职人员基本养老保险缴费支出。年初预算为", "256.79 万元，支出决算为 229.67 万元。决算数小于预算数的",
      "主要原因：养老保险实际支出较预算小。", "6.社会保障和就业支出（类）抚恤（款）死亡抚恤（项），",
      "主要用于支付机关事业单位抚恤金支出。年初预算为 0 万元，", "支出决算为 10.77 万元，决算数大于预算数的主要原因：年",
      "中人员去世。", "六、一般公共预算财政拨款基本支出决算情况说明",
      "一般公共预算财政拨款基本支出 3365.38 万元。其中：人员", "经费 2949.02 万元，主要包括：基本工资、津贴补贴、伙食补助",
      "费、其他对个人和家庭的补助；公用经费 416.36 万元，主要包", "括：办公费、印刷费、咨询费、手续费、水费、电费、邮电费、"],
     {"basic": 3365.38, "personnel": 2949.02, "public_funds": 416.36}),
    ("GovBudgetChecker fixture: 上海市普陀区生态环境局 2025 决算: 项目 自评 average score, 机关运行经费, 政府采购 are no figure", 2025,
     ["绩效自评的2025年度项目28个，涉及预算金额1354.13万元，平均得分99.86分（其中，绩效评级为“优”的项目28个；绩效评级为“良”的项目0个）。",
      "机关运行经费支出185.41万元，比2024年度增加4.68 万元，增长 2.60%。主要原因是人员变动，导致福利费、其他交通费等增加。",
      "上海市普陀区生态环境局 2025 年度政府采购金额（以合同签订为准）为 372.34 万元，其中：货物采购金额 8.57 万元、工程采购金额 0.00 万元、服务采购金额 363.77 万元。",
      "截至 2025 年 12 月 31 日，上海市普陀区生态环境局部门共有车辆 9 辆，其中：应急保障用车 1 辆。单价 100 万元（含）以上设备（不含车辆）6 台（套）。"],
     {}),
    ("GovBudgetChecker fixture: 上海市普陀区文化和旅游局 2026 部门预算: 三公 预算数为; 机关运行经费预算, 政府采购预算, 项目预算资金 are no figure", 2026,
     ["2026年“三公”经费预算数为11.49万元，与2025年预算持平。其中：",
      "（二）公务用车购置及运行费9.38万元，与2025年预算持平，主要原因是厉行节约，严格按照规定执行“三公”经费。其中：公务用车购置费0万元，与2025年预算持平。",
      "2026年上海市普陀区文化和旅游局下属1家机关和1家参公事业单位财政拨款的机关运行经费预算为182.65万元。",
      "2026年本部门政府采购预算8536.39万元，其中：政府采购货物预算692.93万元、政府采购工程预算5269.82万元、政府采购服务预算2573.64万元。",
      "按照本区预算绩效管理工作的总体要求，本部门5个预算单位开展了2026年项目预算绩效目标编报工作，编报绩效目标的项目39个，涉及项目预算资金17521.98万元。"],
     {"three_public_budget": 11.49}),
    ("GovBudgetChecker fixture: 上海市普陀区建设和管理委员会 2026 部门预算: 收入预算 / 支出预算 by fund, a quoted 功能科目 line with a full-width comma", 2026,
     ["2026年，上海市普陀区建设和管理委员会收入预算328,661万元，其中：财政拨款收入328,661万元，比2025年预算增加115,649万元；事业收入0万元；事业单位经营收入0万元；其他收入0万元。",
      "支出预算328,661万元，其中：财政拨款支出预算328,661万元，比2025年预算增加115,649万元。财政拨款支出预算中，一般公共预算拨款支出预算49,376万元，比2025年预算减少5,965万元；政府性基金拨款支出预算279,285.70万元，比2025年预算增加119,614万元。",
      "14.“城乡社区支出（类）建设市场管理与监督（款）建设市场管理与监督（项）3，518.85万元，主要用于人员工资、办公经费、建筑材料监督检测、建筑工程安全质量专项检查等支出。"],
     {}),
    ("GovBudgetChecker tests (上海 决算 template): a 功能科目 line with its own amount, then its 年初预算 and 支出决算", 2025,
     ["三、支出决算情况说明",
      "1、一般公共服务支出（类）统计信息事务（款）专项普查活动（项）200.18 万元，主要用于：开展经济普查。年初预算为 256 万元，支出决算为 200.18 万元，",
      "完成年初预算的 78.20%。决算数小于预算数的主要原因：年中调减。"], {}),
    ("GovBudgetChecker fixture: 上海市普陀区石泉路街道 2025 决算: unnumbered 功能科目 lines (`“…（项）”200.18 万元`) after a numbered one, then the department's figures", 2025,
     ["（三）一般公共预算财政拨款支出决算具体情况",
      "6.“社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）”257.14 万元，主要用于：职业年金缴费。年初预算为 274.82 万元，支出决算为 245.53 万元，完成年初预算的 93.57%。",
      "“社会保障和就业支出（类）就业补助（款）公益性岗位补贴（项）”200.18 万元，主要用于：就业援助基地补贴和万人就业补贴。年初预算为 256 万元，支出决算为 200.18万元，完成年初预算的 78.20%。决算数小于预算数的主要原因：根据项目实际情况，年中调减项目预算。",
      "“社会保障和就业支出（类）抚恤（款）死亡抚恤（项）”177.17 万元，主要用于：发放机关事业单位干部死亡抚恤金。年初预算为 0 元，支出决算为 177.17 万元。决算数大于预算数的主要原因：抚恤为追加预算支出，未编制年初预算。",
      "8.“节能环保支出（类）污染减排（款）减排专项支出（项）”150 万元，主要用于：垃圾分类长效管理经费。年初预算为 0，支出决算为 150 万元。决算数大于预算数的主要原因：此项目为 2025 年追加预算，年初无预算。",
      "六、一般公共预算财政拨款基本支出决算情况说明",
      "一般公共预算财政拨款基本支出 14,206 万元。其中：人员经费 12,010.40 万元，主要包括：基本工资、津贴补贴、奖金、社保、职业年金、公积金、离退休补贴、福利费、活动费、其他对个人和家庭的补助；公用经费 2,195.60 万元，主要包括：办公费、印刷费、手续费、水费、电费。",
      "七、财政拨款“三公”经费支出决算情况说明",
      "“三公”经费财政拨款支出年初预算为 53.93 万元，支出决算为 37.35 万元，完成预算的 69.26%，其中：因公出国（境）费决算为 0 万元，完成预算的 0%；公务用车购置及运行维护费支出决算为 37.35 万元，完成预算的 71.28%；公务接待费支出决算为 1.53 万元，完成预算的 0%。",
      "2025 年度“三公”经费财政拨款支出决算数比 2024 年度减增加 21.90 万元，增长 141.75%，其中：因公出国（境）费支出决算 0 万元；公务用车购置及运行维护费支出决算增加 21.90 万元，增长 141.75%。",
      "2、公务用车购置及运行维护费支出 37.35 万元。其中：公务用车购置支出为 25 万元。主要用于新购一辆公车。"],
     {"basic": 14206, "personnel": 12010.40, "public_funds": 2195.60, "three_public_budget": 53.93, "three_public_final": 37.35}),
    ("GovBudgetChecker fixture: 石泉路街道 2025 决算 as PDF lines: an unnumbered 功能科目 line starts on its own line", 2025,
     ["的主要原因：正常预决算数浮动。", "“社会保障和就业支出（类）红十字事业（款）一般行", "政管理事务（项）”7.11 万元，主要用于：千万人帮万家帮",
      "困等红十字事业支出。年初预算为 8.30 万元，支出决算为 7.11", "万元，完成年初预算的 85.66%。决算数小于预算数的主要原因：", "红会日常运行经费节约。"],
     {}),
    ("GovBudgetChecker fixture: 石泉路街道 2025 决算: 项目 自评 平均得分, 机关运行经费, 政府采购 are no figure", 2025,
     ["年度项目48个，涉及预算金额4,974.93万元，平均得分99.22分（其中，绩效评级为“优”的项目48个；绩效评级为“良”的项目0个）。",
      "机关运行经费支出 627.04 万元，比 2024 年度减少 54.47 万元，下降 7.99%。主要原因是办公经费的节约。"], {}),
    ("GovBudgetChecker fixture: 上海市普陀区文化和旅游局 2025 决算, a department with 政府性基金: 本年支出合计 is the final, the 一般公共预算 one's 支出决算 is not", 2025,
     ["本年收入合计 26538.47 万元，其中：财政拨款收入 26538.47 万元，占 100%。",
      "本年支出合计 26538.47 万元，其中：基本支出 9800.36 万元，占 36.93%；项目支出 16738.11 万元，占 63.07%。",
      "（一）一般公共预算财政拨款支出决算总体情况",
      "一般公共预算财政拨款支出 24535.67 万元，占本年支出合计的 92.45%。与 2024 年度相比，一般公共预算财政拨款支出增加 6485.08 万元，增长 35.93%。主要原因：项目经费支出增加。",
      "（三）一般公共预算财政拨款支出决算具体情况",
      "一般公共预算财政拨款支出年初预算为 27780.16 万元，支出决算为 24535.67 万元，完成年初预算的 88.32%。决算数小于预算数的主要原因：部分项目经费调减。其中：",
      "12、文化旅游体育与传媒支出（类）其他文化旅游体育与传媒支出（款）文化产业发展专项支出（项）。主要用于：文化产业扶持支出。年初预算为 0 万元，支出决算 2349.56 万元。决算数大于预算数的主要原因：文化产业扶持资金功能科目代码调整。",
      "八、政府性基金预算财政拨款收入支出决算情况说明",
      "政府性基金预算财政拨款收入 2002.80 万元，支出收入 2002.80 万元，支出具体情况如下：",
      "1、文化旅游体育与传媒支出（类）旅游发展基金支出（款）地方旅游开发项目补助（项）。主要用于：旅游厕所质量提升工程。年初预算为 0 万元，支出决算为 2.80 万元。"],
     {"revenue_current_year": 26538.47, "final": 26538.47, "basic": 9800.36, "project": 16738.11, "initial_budget": 27780.16}),
    ("tlmhxx.com 人员编制情况说明 (示例表 as sentences): 编制总数, 实有人员", None,
     ["单位名称：XX单位，编制总数50人，实有人员45人，空缺人数5人。"], {"authorized_headcount": 50, "actual_headcount": 45}),
    ("tlmhxx.com 人员编制情况说明: 专业技术编制 is one kind of post among others, no quota", None,
     ["编制结构：行政编制30人；专业技术编制15人；工勤编制5人。", "岗位设置：管理岗10人、专业技术岗30人、工勤岗10人。"], {}),
    ("anthempetcare.com mirror of 池州市贵池区棠溪镇 2022 项目支出绩效自评表: a project's 预算资金", 2022,
     ["本项目共申请预算资金90万元。其中：30万元用于基建工程项目预算编制；30万元用于基建工程项目审计。", "本项目共完成预算资金89.97万元。"], {}),
    ("m.sdphhx.cn 2024: a rounded national count in 万人 is no headcount", None, ["截至2022年底，全国体制内人员总数约为4000万人。"], {}),
    # a sentence cut by a page break (the PDF extractor's paragraphs stop there): the words before the
    # break are the context of the labels after it
    ("page break inside a fund's name (the 一般公共预算支出 trap row's sentence)", None,
     ["2022年一般公共", "预算支出982.21万元，一般公共预算资金到位率100%。"], {}),
    ("page break after the fund scope (dyrmt.com article-159286 2023 决算's sentence): below the bar still", 2023,
     ["2023年一般公共预算财政拨款", "基本支出911.7万元，其中：人员经费489.18万元。"], {"basic": 911.7, "personnel": 489.18}),
    ("page break after a prior year (seed 002's project sentence shape): the project's figures stay out", None,
     ["代表履职经费项目年初", "预算数55.8万元，执行数50.31万元。"], {}),
    ("page break after another year: that year's figure is not this year's", 2023,
     ["本单位2022年", "基本支出900万元，2023年基本支出950万元。"], {"basic": 950}),
    ("a heading is no sentence cut short", 2023, ["二、上年结转情况", "年初结转12万元。"], {"carryover_opening": 12}),
    ("a public GitHub repository's 决算-extraction test, quoting a 决算 说明 by 功能 class: a category's 年初预算 and 支出决算", None,
     ["公安支出年初预算为232.02万元，支出决算为219.24万元，决算数小于预算数，主要原因是年中按实际需求调整预算。"], {}),
    ("a public GitHub repository's 2024 高职 自评 record (财务审计处): one indicator's 自评得分, a 生均 amount", 2023,
     ["本指标自评得分为：2分。2023年学校实际收到高职生均财政拨款经费12266.40万元（不含弹性学制），2022年全日制高职学生10222人，该指标得分＝12266.40万÷（10222人×1.2万/人）×2分＝2分。"],
     {}),
    ("GovBudgetChecker fixture: 上海市普陀区生态环境局 2025 决算 as PDF lines: 三公 totals and the department's totals over line breaks", 2025,
     ["（一）“三公”经费财政拨款支出决算总体情况说明。", "“三公”经费财政拨款支出年初预算为 21.00 万元，支出决算", "为 16.95 万元，完成预算的 80.71%，其中：因公出国（境）费决",
      "算为 0.00 万元，完成预算的 0.00%；公务用车购置及运行维护费", "支出决算为 16.95 万元，完成预算的 82.68%；公务接待费支出决", "算为 0.00 万元，完成预算的 0.00%。",
      "上海市普陀区生态环境局 2025 年度收入支出总计 4733.14", "万元。与 2024 年度相比，收入支出总计增加 90.09 万元，增长", "1.94%。主要原因：基本支出增加。",
      "本年收入合计 4733.14 万元，其中：财政拨款收入 4733.14", "万元，占 100.00%。", "本年支出合计 4733.14 万元，其中：基本支出 3365.38 万元，",
      "占 71.10%；项目支出 1367.76 万元，占 28.90%。"],
     {"three_public_budget": 21, "three_public_final": 16.95, "revenue_current_year": 4733.14, "final": 4733.14, "basic": 3365.38,
      "project": 1367.76}),
    ("GovBudgetChecker fixture: 上海市普陀区城市管理行政执法局 2026 预算: 三公 预算数为 with a change; a project's 经费预算金额 under 年度预算安排", 2026,
     ["一、2026年“三公”经费预算情况说明", "2026年“三公”经费预算数为114.22万元，比2025年预算增加27万元。其中：",
      "（二）公务用车购置及运行费113.76万元，比2025年预算增加27万元，主要原因公务用车购置费增加。其中：公务用车购置费75万元，比2025年预算增加27万元。",
      "2026年上海市普陀区城市管理行政执法局下属一家机关和一家行政执法机构财政拨款的机关运行经费预算为507.25万元。",
      "项目经费情况说明", "六、年度预算安排",
      "本年度拆违经费预算金额为349.80万元，分别用于拆违现场安全秩序维护第三方服务、普陀城管执法无人机巡查、重大应急拆违工程款。"],
     {"three_public_budget": 114.22}),
    # shapes of the same kinds (no one source): the generalisations above, each pinned
    ("an indicator's 自评得分 (部门整体 indicators' names) is no overall score; the 指标体系 is no indicator", 2023,
     ["“预算执行率”指标自评得分10分，“三公经费控制率”指标自评得分2分。", "按照部门整体支出绩效评价指标体系自评得分95分。"],
     {"self_score": 95}),
    ("a year or the department before 支出 names no category", 2023,
     ["本部门2023年支出决算为800万元。", "2023年度部门整体支出年初预算为900万元，全年预算为950万元。"],
     {"final": 800, "initial_budget": 900, "full_year_budget": 950}),
    ("实际支出 alone after the budget", 2023, ["2023年年初预算1200万元，实际支出1150.5万元。"], {"initial_budget": 1200, "final": 1150.5}),
    ("支出总额", 2023, ["本年支出总额为1150.5万元。"], {"final": 1150.5}),
    ("三公 预算数 then 执行数; 预算执行数", 2023, ["“三公”经费预算数为10万元，执行数为8.5万元。", "“三公”经费预算执行数8.5万元。"],
     {"three_public_budget": 10, "three_public_final": 8.5}),
    ("a cost's 决算数 / 支出决算 / 实际支出 is no department final", 2023,
     ["机关运行经费决算数12.3万元，会议费支出决算1.2万元，因公出国（境）实际支出0万元。"], {}),
    ("在编人员; 现有职工", 2023, ["核定编制20名，现有在编人员18名。", "单位现有职工25人。"], {"authorized_headcount": 20, "actual_headcount": 18}),
    ("年初结转 without 结余", 2023, ["年初结转资金12.5万元，本年收入800万元。"], {"carryover_opening": 12.5, "revenue_current_year": 800}),
    ("评价得分; a scale's 总分 is no score", 2023, ["评价指标体系总分100分。", "经评价，本部门整体支出绩效评价得分为92.5分。"], {"self_score": 92.5}),
    # branch narr2: sentence SHAPES (real pages from the search tool; numbers may be changed, wording kept)
    ("bjft.gov.cn 宛平环卫所 2020 决算: a headcount after one kind of post's quota is that kind's; 收、支总计 is no final", 2020,
     ["（二）人员构成情况", "行政编制0人，实有人数0人；事业编制82人，实有人数61人。", "二、收入支出决算总体情况说明",
      "2020年度收、支总计6260.90万元，比上年增加474.52万元，增长8.20%。",
      "2020年度本年收入合计6023.69万元，比上年增加418.47万元，增长7.47%，其中：财政拨款收入5505.38万元，占收入合计的91.40%；事业收入514.89万元，占收入合计的8.55%。"],
     {"revenue_current_year": 6023.69}),
    ("dyrmt.com article-133619-2 2022 决算: 收、支总计各是 two totals in one clause, and their changes", 2022,
     ["2022年度收、支总计各是4125.49,4143.91万元。与2021年相比，收、支总计各减少1267.86,2570.97万元，各下降23.51%、38.28%。"], {}),
    ("quxian.gov.cn 渠县农业综合技术服务中心 2024 决算: 收、支总计均为", 2024, ["2024年度收、支总计均为1523.26万元。"], {}),
    ("kmxd.gov.cn 寻甸县委统战部 2024 整体支出绩效自评: 在职人员编制 with its one kind of post after 其中, 在职实有", 2024,
     ["截止2024年12月统计，部门基本情况如下：在职人员编制12人，其中：行政编制12人。在职实有10人，其中："],
     {"authorized_headcount": 12, "actual_headcount": 10}),
    ("117.141.250.58 upload1218 2022 预算: a numbered 项目支出 of 0 元 and its 预算 line", 2022,
     ["2.项目支出 0元，同比减少 47600 元，下降 100%。下降原因是编外人员经费支出列入基本支出。其中：",
      "商品和服务支出预算 0元，同比减少 47600 元，下降 100%。"], {"project": 0}),
    ("scqs.gov.cn 青神县 2023 项目支出绩效自评表 as paragraphs: `(万元)` after a table-like line, a project's cells", 2023,
     ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "总额", "238.93", "251.89", "251.89", "100.00%",
      "年度预算数(万元) 年初预算 调整后预算数 预算执行数 总额 238.93 251.89 251.89 100.00%"], {}),
    ("hlx.gov.cn 2018/2020 三公说明: a cost's 支出, a bare 支出 after counts, a prior year's 累计支出", 2020,
     ["2020年公务接待24批次，210人次，支出2.05万元，较上年减少0.03万元，减少了1.44%。",
      "公务用车及运行维护费支出251万元，比上年累计支出285万元下降34万元，下降12%；公务用车购置支出56万元比上年增加56万元。"], {}),
    # the same shapes, pinned one by one (no one source): each a generalisation in narrative_patterns.toml
    ("the unit once, in brackets after the label (`年初预算数（万元）：1500`), a `；` list", 2023,
     ["年初预算数（万元）：1500.00；全年预算数（万元）：1600.00；全年执行数（万元）：1550.00。", "基本支出（万元）：1000，项目支出（万元）：550。"],
     {"initial_budget": 1500, "full_year_budget": 1600, "final": 1550, "basic": 1000, "project": 550}),
    ("a bracketed unit before a table row's numbers, or before a number with a unit or a percent of its own, is no figure", 2023,
     ["基本支出（万元） 1000 980 98%", "项目支出（万元）：98%", "公用经费（万元）：120 130"], {}),
    ("a spending verb between label and amount (`实际支出`, `实际使用`, `共支出`, `决算数`)", 2023,
     ["基本支出实际支出1000万元，项目支出实际使用550万元。", "公用经费决算数120万元，人员经费共支出880万元。"],
     {"basic": 1000, "project": 550, "public_funds": 120, "personnel": 880}),
    ("a budget verb between label and amount (`共安排`, `预算`) makes a budget line; a prior year's spending", 2023,
     ["项目支出共安排500万元，基本支出预算1000万元，公用经费支出预算120万元。", "2022年基本支出实际支出900万元。", "上年项目支出实际支出400万元。"], {}),
    ("the year or the department before a spending verb (`2023年共支出`, `本部门共支出`, `全年共完成支出`)", 2023,
     ["2023年度，本部门共支出1,550.00万元，其中基本支出1000万元。"], {"final": 1550, "basic": 1000}),
    ("the year before a bare 支出, and 完成支出", 2023, ["2023年共支出1550万元。", "全年共完成支出1550万元，预算执行率96.88%。"], {"final": 1550}),
    ("a spending figure followed by what it was spent on is that use's; another year's; a plan", 2023,
     ["2023年共支出0.5万元用于开展业务培训。", "本单位共支出2.5万元用于购置办公设备。", "2022年支出1400万元。", "2024年支出预算1700万元。"], {}),
    ("a 支出总计 (with the year-end carry-over) is no final; its 本年支出 is", 2023,
     ["本单位2023年度支出总计1600万元，其中本年支出1550万元，年末结转和结余50万元。"], {"final": 1550}),
    ("年初预算支出 is the initial budget, not the full-year one", 2023, ["年初预算支出1500万元。"], {"initial_budget": 1500}),
    ("a budget compared with after the 三公 figure is the 三公 one; after a cost's figure it is the cost's", 2023,
     ["“三公”经费支出3.2万元，较年初预算5万元减少1.8万元。", "公务接待费支出1万元，较年初预算2万元减少1万元。"],
     {"three_public_final": 3.2, "three_public_budget": 5}),
    ("the verb 得 alone before a score; an indicator's and a project's", 2023,
     ["“预算执行率”指标自评得10分。", "该项目自评得95分。", "部门整体支出绩效自评得93分，评价等级为优。"], {"self_score": 93}),
    ("评价共得分", 2023, ["整体支出绩效评价共得分93分。"], {"self_score": 93}),
    ("the unit in brackets after the number (`基本支出1000（万元）`); an unclosed or per-head unit is none", 2023,
     ["基本支出1000（万元），项目支出550(万元)。", "公用经费120（万元/年）。"], {"basic": 1000, "project": 550}),
    ("最终得分 / 总得分 without 自评: below the bar; a project's and an indicator's stay out", 2023,
     ["该项目最终得分90分。", "“预算执行率”指标总得分10分。", "经评价，最终得分95分，等级为优。"], {"self_score": 95}),
    ("the 三公 topic's 总预算 / 总支出", 2023, ["本部门“三公”经费总预算5万元，总支出3.2万元。"],
     {"three_public_budget": 5, "three_public_final": 3.2}),
    ("收入总计 / 支出总计 in a 、 list are no final", 2023, ["2023年收入总计1600万元、支出总计1550万元。"], {}),
    ("均为: one amount for each label of a list (a unit without 三公 spending says so)", 2023,
     ["2023年“三公”经费预算数与决算数均为0万元。", "年初预算数和全年预算数均为1600万元。"],
     {"three_public_budget": 0, "three_public_final": 0, "initial_budget": 1600, "full_year_budget": 1600}),
    ("均为 over labels that name no item, or a project's, or two years", 2023,
     ["2023年度收、支总计均为1523.26万元。", "该项目年初预算和执行数均为50万元。", "“三公”经费2023年和2022年均为0万元。"], {}),
    ("amount first: a label followed by another (`用于人员经费和公用经费`) is a sum, no one item's", 2023,
     ["其中1000万元用于人员经费和公用经费。", "550万元用于项目支出等。", "880万元用于人员经费，120万元用于公用经费。"],
     {"personnel": 880, "public_funds": 120}),
    ("的 between a spending item and its final word: the item's, not the department's", 2023,
     ["基本支出的决算数为1000万元。", "项目支出的年初预算为600万元。"], {"basic": 1000}),
    ("全年预算调整为", 2023, ["年初预算1500万元，全年预算调整为1600万元。"], {"initial_budget": 1500, "full_year_budget": 1600}),
    ("开支 before the 三公 noun", 2023, ["全年共开支“三公”经费3.2万元。"], {"three_public_final": 3.2}),
    ("a label opening with 年 takes the year printed before it: another year's 年度决算 / 年度支出 / 年度预算, 上年度, 以前年度", 2023,
     ["2022年度决算1400万元。", "2022年度支出1400万元，2022年度预算1450万元。", "上年度决算1400万元，以前年度支出1300万元。", "2024年度预算1700万元。"], {}),
    ("the same labels with the report's year", 2023, ["2023年度预算1600万元，2023年度决算1550万元。"],
     {"full_year_budget": 1600, "final": 1550}),
    ("实际执行 / 执行金额 / 决算总额 as the final, and after a spending item", 2023,
     ["全年实际执行1550万元，预算执行总额1550万元。", "项目支出实际执行550万元。"], {"final": 1550, "project": 550}),
    ("a project's or a cost's 决算总额, an indicator's or a project's 评价结果", 2023,
     ["项目决算总额50万元。", "会议费决算总额5万元。", "该指标评价结果为5分。", "该项目绩效评价结果为90分。"], {}),
    ("the 三公 ceiling (控制数) and 实际发生 after it; 自评成绩; 评价结果 (below the bar); 实际在编", 2023,
     ["“三公”经费控制数5万元，实际发生3.2万元。", "自评成绩95分。", "核定编制15名，实际在编14人。"],
     {"three_public_budget": 5, "three_public_final": 3.2, "self_score": 95, "authorized_headcount": 15, "actual_headcount": 14}),
    ("a unit declared in the paragraph (`（单位：万元）`) for the bare amounts after it, at most 90", 2023,
     ["（单位：万元）年初预算数：1500；全年预算数：1600；全年执行数：1550。", "单位：元。基本支出8123456.78，项目支出1000000。"],
     {"initial_budget": 1500, "full_year_budget": 1600, "final": 1550, "basic": 812.345678, "project": 100}),
    ("a declared unit over a table-like line: key and value pairs are read, a row of several numbers is not", 2023,
     ["单位：万元 年初预算数 1500 全年预算数 1600 执行率 93.75%", "单位：万元 基本支出 1000 980 98%", "单位：万元 项目支出 500（含结转）"],
     {"initial_budget": 1500, "full_year_budget": 1600}),
    ("bare amounts with no unit declared, or one after them, or of another year", 2023,
     ["年初预算数1500，全年预算数1600。", "基本支出1000，单位：万元。", "单位：万元。2022年基本支出900。"], {}),
    ("a headcount after a 其中 list of the quota's kinds is the unit's; one after each kind's quota is that kind's", 2023,
     ["核定编制15名，其中：行政编制10名，事业编制5名，实有人员14名。", "行政编制10名，实有人数9名，事业编制5名，实有人数5名。"],
     {"authorized_headcount": 15, "actual_headcount": 14}),
    ("a 预算收支 paragraph in the Hunan 自评 shape: 年初预算批复, 年中追加, 调整后全年预算数, 全年实际支出, its 其中 parts", 2023,
     ["（二）部门预算收支情况。2023年度，本部门年初预算批复1,523.45万元，年中追加112.30万元，调整后全年预算数1,635.75万元；全年实际支出1,598.21万元，预算执行率97.71%。其中：基本支出1,102.35万元，占总支出的68.97%；项目支出495.86万元，占31.03%。"],
     {"initial_budget": 1523.45, "full_year_budget": 1635.75, "final": 1598.21, "basic": 1102.35, "project": 495.86}),
    ("an indicator's paragraph (预算执行情况（20分）) states the budget figures, 全年执行, and the indicator's 得…分", 2023,
     ["（一）预算执行情况（20分）：年初预算1523.45万元，全年预算1635.75万元，全年执行1598.21万元，执行率97.71%，得19.5分。"],
     {"initial_budget": 1523.45, "full_year_budget": 1635.75, "final": 1598.21}),
    ("收入合计 after the year and the unit; 支出合计", 2023,
     ["2023年本单位收入合计1,635.75万元，其中一般公共预算财政拨款收入1,600万元，其他收入35.75万元；支出合计1,598.21万元。"],
     {"revenue_current_year": 1635.75, "final": 1598.21}),
    ("next year's plan and a project fund's use are no figure", 2023,
     ["下一步，2024年计划安排预算1,700万元，其中基本支出1,150万元。", "2024年部门预算安排“三公”经费10万元。",
      "项目资金使用情况：全年共安排项目资金495.86万元，实际支出480万元，执行率96.8%。"], {}),
    ("another unit as the subject of a spending verb (`下属单位共支出`, `各部门共支出`) is no department final", 2023,
     ["下属单位共支出50万元。", "所属二级单位共计支出50万元。", "各部门共支出5000万元。", "本局共支出1550万元。"], {"final": 1550}),
    ("a part of the unit opening the clause (`下属单位…`, `其中，二级单位…`) is no department figure", 2023,
     ["下属单位编制15人，实有人员14人。", "其中，二级单位实有人员14人。", "其中：下属单位基本支出100万元，项目支出50万元。", "2023年，所属单位实际支出300万元。"], {}),
    ("a part of the unit named as an object or in a gloss leaves the department's figures", 2023,
     ["本部门所属单位共3个，编制人数50人，实有人数48人。", "2023年度部门决算由机关本级和2个下属单位组成。本部门基本支出1000万元。"],
     {"authorized_headcount": 50, "actual_headcount": 48, "basic": 1000}),
    ("the label after the year: `2023年度部门预算安排资金…` is the budget as approved (below the bar)", 2023,
     ["2023年度部门预算安排资金1500万元。"], {"initial_budget": 1500}),
    ("预算安排 of another year, a full-year or added one, a category's, a project's, one fund's", 2023,
     ["2024年部门预算安排资金1700万元。", "全年预算安排1600万元。", "追加预算安排100万元。", "基本支出预算安排1000万元。",
      "该项目预算安排50万元。", "一般公共预算安排1400万元。"], {}),
    ("a budget and a final clause after a cost's name (`公用经费年初预算…，实际支出…`) are the cost's", 2023,
     ["公用经费年初预算130万元，实际支出120万元。", "会议费年初预算5万元，全年预算6万元，支出决算4万元。"], {}),
    ("an average (`人均公用经费`, `生均…`) is no total", 2023, ["人均公用经费1.2万元，人均基本支出10万元。"], {}),
    ("公用经费 after 其中 or in 基本支出中的, with what it was used for", 2023,
     ["其中公用经费120万元，主要用于办公费、水电费等。"], {"public_funds": 120}),
    ("a plan, a forecast, a target or a bound is no figure of the year", 2023,
     ["下年度预算1700万元。", "明年预算安排1700万元。", "拟安排“三公”经费预算5万元。", "预计全年支出1600万元，预计“三公”经费支出3万元。",
      "计划编制数20人。", "力争自评得分达到95分以上。", "目标值：自评得分90分。"], {}),
    ("按计划 / 计划财务科 / 绩效目标 are no plan", 2023,
     ["按计划完成，实际支出1550万元。", "计划财务科负责执行，全年预算数1600万元。", "部门整体支出绩效目标自评得分95分。"],
     {"final": 1550, "full_year_budget": 1600, "self_score": 95}),
    ("a class's 其他 sub-line (`其他商品和服务支出`, `其他资本性支出`) is no class total; a share is no amount", 2023,
     ["其他商品和服务支出30万元，其他对个人和家庭的补助支出5万元。", "其他资本性支出2万元，其他工资福利支出10万元。", "项目支出占总支出的35%，基本支出占65%。"], {}),
    ("under a heading naming the 三公 topic, bare budget and final words are the topic's; the next heading ends it", 2023,
     ["（三）“三公”经费情况。", "年初预算5万元，实际支出3.2万元。其中：公务接待费年初预算2万元，实际支出1.5万元。", "四、部门整体支出情况",
      "年初预算1500万元，实际支出1450万元。"],
     {"three_public_budget": 5, "three_public_final": 3.2, "initial_budget": 1500, "final": 1450}),
    ("a heading naming the topic and other costs gives it no bare words; a cost's name before a colon", 2023,
     ["三、“三公”经费及会议费、培训费支出情况", "培训费：年初预算3万元，实际支出2万元。"], {}),
    ("a 部门整体 indicator's formula states the figures it divides; a budget word right before a spending item makes a budget line", 2023,
     ["“三公经费”控制率=“三公经费”实际支出数3.2万元/“三公经费”预算安排数5万元×100%=64%。",
      "公用经费控制率=预算安排公用经费130万元，实际支出公用经费120万元。", "年初预算基本支出1000万元。"],
     {"three_public_final": 3.2, "three_public_budget": 5, "public_funds": 120}),
    ("a bare 合计 / 共计 after 基本支出 and 项目支出 that is their sum is the final (below the bar)", 2023,
     ["基本支出1000万元、项目支出550万元，合计1550万元。"], {"basic": 1000, "project": 550, "final": 1550}),
    ("a 合计 that is not the parts' sum, one after a budget, or after one part only, is no final", 2023,
     ["基本支出1000万元，项目支出550万元，合计1600万元。", "年初预算中基本支出1000万元，项目支出500万元，合计1500万元。"],
     {"basic": 1000, "project": 550}),
    ("a bare 得分 opening its clause after 自评/评价 is the self score (below the bar); 自评为, 自评结论", 2023,
     ["经综合评价，得分95分，等级为优。", "部门整体支出绩效自评为95分。", "自评结论：95分，优。"], {"self_score": 95}),
    ("a dimension's, an indicator's, a project's bare 得分, and a 得分 with no 自评/评价 before it, are no self score", 2023,
     ["经评价，产出数量得分20分。", "经评价，预算执行率指标得分10分。", "经评价，该项目得分90分。", "得分95分。", "按照部门整体支出绩效评价指标体系，总分100分。"], {}),
    ("`其中在职12人` after 实有 (the noun dropped): the in-service count beats 实有", 2023,
     ["实有人数14人，其中在职12人，退休2人。"], {"actual_headcount": 12}),
    ("a year between the 三公 noun and its budget or final word, judged like a year before the label", 2023,
     ["“三公”经费2023年度预算数为5万元，决算数为3.2万元。", "“三公”经费2022年度决算数为4万元。"],
     {"three_public_budget": 5, "three_public_final": 3.2}),
    ("wanglu.net 2017 自评 (PDF text): spaces inside CJK words (`绩 效`, `自评得 分`) do not break a label", 2017,
     ["按照预算绩效管理要求,本部门对2017 年整体支出开展绩 效自评,自评得 分 90 分。", "核定 编制 15 名，实有 人数 14 人。",
      "“三公” 经费 支出 3.2 万元，基本 支出1000万元。"],
     {"self_score": 90, "authorized_headcount": 15, "actual_headcount": 14, "three_public_final": 3.2, "basic": 1000}),
    ("words inside the initial budget's label (`年初部门预算批复数`, `年初下达预算`, `年初预算指标`), 全年预算指标", 2023,
     ["年初部门预算批复数1500万元，全年预算指标1600万元。", "年初下达预算1500万元。", "年初预算指标1500万元。", "年初批复部门预算1500万元。"],
     {"initial_budget": 1500, "full_year_budget": 1600}),
    ("a unit's name holding 计划 (卫生和计划生育局) is no plan; a headcount of party members is no staff count", 2017,
     ["县卫生和计划生育局核定编制15名，实有人员14人。", "其中在职12名党员。"], {"authorized_headcount": 15, "actual_headcount": 14}),
    ("a 部门基本情况 / 预算执行 paragraph in the Yunnan 决算 shape: 核定编制 with its kinds, 实有在编; 部门支出 after the year, a 其中 list in brackets", 2023,
     ["（一）部门基本情况。本部门为行政单位，内设股室6个，2023年末核定编制24人，其中行政编制20人、事业编制4人；实有在编人员22人，其中行政人员19人、事业人员3人；另有编外聘用人员5人。",
      "（二）部门预算及执行情况。2023年度部门收入预算1,200.00万元，其中：一般公共预算拨款1,150.00万元，其他收入50.00万元。2023年度部门支出1,180.56万元，其中：基本支出856.32万元（人员经费720.15万元，公用经费136.17万元），项目支出324.24万元。"],
     {"authorized_headcount": 24, "actual_headcount": 22, "final": 1180.56, "basic": 856.32, "personnel": 720.15, "public_funds": 136.17, "project": 324.24}),
    ("a 自评表 title declaring the unit, then its 资金总额 line as a paragraph", 2023,
     ["2023年部门整体支出绩效自评表（单位：万元）", "资金总额：年初预算数1200.00，全年预算数1210.00，全年执行数1180.56，执行率97.57%，得分9.76。"],
     {"initial_budget": 1200, "full_year_budget": 1210, "final": 1180.56}),
    ("部门支出 of another year, its 总计, its 预算", 2023, ["2022年度部门支出1,100万元。", "2023年度部门支出总计1200万元。", "2023年度部门支出预算1200万元。"], {}),
    ("the 湖北 整体支出绩效自评 template: 基本支出 / 项目支出 under their headings; `项目资金安排落实、总投入等情况分析` names no one project", 2023,
     ["二、部门整体支出管理及使用情况", "（一）基本支出", "2023年度基本支出1000.25万元，主要用于保障机构正常运转，其中人员经费880.10万元，日常公用经费120.15万元。",
      "（二）项目支出", "1.项目资金安排落实、总投入等情况分析", "2023年度项目支出550.30万元，共实施项目8个。", "2.项目资金实际使用情况分析",
      "项目资金到位550.30万元，实际支出548.00万元，执行率99.58%。"],
     {"basic": 1000.25, "personnel": 880.10, "public_funds": 120.15, "project": 550.30}),
    # sentences broken over PDF lines (each line a paragraph), in the shapes above
    ("a numbered paragraph holding sentences is no heading: the line after it continues its last sentence", 2023,
     ["（二）部门预算及执行情况。2023年度部门收入预算1,200.00万元。2023年", "度部门支出1,180.56万元，其中：基本支出856.32万元。"],
     {"final": 1180.56, "basic": 856.32}),
    ("a project's sentence over three lines: the project context reaches the last", None,
     ["代表履职经", "费项目年初", "预算数55.8万元，", "执行数50.31万元。"], {}),
    ("a numbered list item going on after a colon is no heading (`1.核定编制情况：行政` / `编制7名；…`)", 2022,
     ["1.核定编制情况：行政", "编制7名；工勤编制1名。"], {}),
    ("a number on the next line belongs to the label starting first (`“三公”经费预算` / `执行数8.5万元`)", 2023,
     ["“三公”经费预算", "执行数8.5万元。"], {"three_public_final": 8.5}),
    ("中新社 2024 中央决算's sentence broken after the 三公 noun: 支出合计 on the next line is the 三公 one", 2023,
     ["2023年，中央本级支出38219.48亿元；中央本级“三公”经费财政拨款", "支出合计38.72亿元，比2022年增加10.48亿元。"],
     {"three_public_final": 387200}),
    ("kinds of post counted over the lines of one paragraph (seed 001's sentence broken)", None,
     ["核定市人大机关行政编制66名，市人大领导行", "政编制单列；核定机关后勤服务事业编制14名。"], {}),
    ("a unit declared on an earlier line of the paragraph", 2023,
     ["（单位：万元）年初预算数：1500；全年预算数", "：1600；全年执行数：1550。"], {"initial_budget": 1500, "full_year_budget": 1600, "final": 1550}),
    ("a bare spending word opening the clause after the department's budget figure is the final (below the bar)", 2023,
     ["全年预算1600万元，执行1550万元，执行率96.88%。", "年初预算1500万元，支出1450万元。"],
     {"full_year_budget": 1600, "initial_budget": 1500, "final": 1550}),
    ("…after a category's, a cost's, a project's, the 三公's or another year's budget it is theirs; a rate or a change is no amount", 2023,
     ["公安支出年初预算232.02万元，支出219.24万元。", "公务接待费年初预算2万元，支出1.5万元。", "该项目年初预算50万元，支出48万元。",
      "2022年年初预算1400万元，支出1350万元。", "全年预算数1600万元，支出进度90%。"],
     {"full_year_budget": 1600}),
    ("the label in brackets after the amount (`1500万元（年初预算数）`); a label before the amount still owns it", 2023,
     ["1500万元（年初预算数）、1600万元（全年预算数）、1550万元（执行数）。", "人员经费880万元（基本支出），公用经费120万元（基本支出）。",
      "其中XX项目100万元（项目支出）。", "100万元（含结转）。"],
     {"initial_budget": 1500, "full_year_budget": 1600, "final": 1550, "personnel": 880, "public_funds": 120}),
    ("在职在编 without a noun after it", 2023, ["核定编制15名，在职在编14人。", "在岗职工14人，退休职工5人。"], {"authorized_headcount": 15, "actual_headcount": 14}),
    # traps
    ("一般公共预算支出 is spending of one fund, not the full-year budget", None,
     ["2022年一般公共预算支出982.21万元，一般公共预算资金到位率100%。"], {}),
    ("rounded amounts (约/近/余) would contradict the form", None, ["基本支出约700万元，项目支出近100万元，公用经费20余万元。"], {}),
    ("an amount-first verb never takes a number its own label holds", None, ["其中人员经费600万元为基本支出的84%。"],
     {"personnel": 600}),
    ("comparisons, prior years, shares", 2023,
     ["基本支出比上年减少5万元。上年决算数为800万元。2022年决算数850万元。项目支出占比7.6%。"], {}),
    ("a project's figures", None, ["代表履职经费项目年初预算数55.8万元，执行数50.31万元。"], {}),
    ("under a project heading", None, ["（1）代表履职经费", "年初预算资金55.80万元，实际支出50.31万元。"], {}),
    ("分别为 with more labels than amounts", None, ["基本支出、项目支出和人员经费分别为713.46万元、164.03万元。"], {}),
    ("分别为 followed by a rounded amount first (this raised IndexError before)", None, ["基本支出和项目支出分别为约713.46万元、164.03万元。"], {}),
]


@pytest.mark.parametrize("source, fiscal_year, texts, expected", PHRASINGS, ids=[row[0] for row in PHRASINGS])
def test_real_phrasings(source, fiscal_year, texts, expected):
    facts = extract_narrative(paragraphs(*texts), fiscal_year)
    assert {f.item: f.value for f in facts} == pytest.approx(expected)
    for f in facts:
        assert f.raw_value in f.source_label and f.match_method == "pattern"


def _to_yuan(text: str) -> str:
    return re.sub(r"(\d[\d,]*(?:\.\d+)?)\s*万元", lambda m: f"{Decimal(m[1].replace(',', '')) * 10000:,.2f}元", text)


def _broken_lines(texts: list[str]) -> list[str]:
    """Each paragraph longer than a heading broken once near its middle, not inside a number nor after a
    sentence end: how a PDF's lines come out."""
    lines = []
    for text in texts:
        cut = len(text) // 2
        while len(text) > 40 and cut < len(text) and (text[cut - 1].isdigit() or text[cut].isdigit() or text[cut - 1] in "。；;"):
            cut += 1
        lines += [text[:cut], text[cut:]] if len(text) > 40 and cut < len(text) else [text]
    return lines


# The same report printed another way gives the same figures: half-width punctuation, a space before the
# unit or 年, amounts in 元 with thousands separators, 万 for 万元, the unit in brackets, full-width digits,
# the 三公 noun quoted otherwise, 年 for 年度, a PDF's line breaks.
PRINTINGS = {
    "half-width punctuation": lambda texts: [t.replace("，", ",").replace("：", ":").replace("（", "(").replace("）", ")") for t in texts],
    "a space before the unit": lambda texts: [re.sub(r"(\d)(万元|元|人|名|分)", r"\1 \2", t) for t in texts],
    "a space before 年": lambda texts: [re.sub(r"(20\d\d)年", r"\1 年", t) for t in texts],
    "amounts in 元": lambda texts: [_to_yuan(t) for t in texts],
    "万 for 万元": lambda texts: [re.sub(r"(\d)万元", r"\1万", t) for t in texts],
    "the unit in brackets": lambda texts: [re.sub(r"(\d)\s*万元", r"\1（万元）", t) for t in texts],
    "full-width digits": lambda texts: [t.translate(str.maketrans("0123456789.", "０１２３４５６７８９．")) for t in texts],
    "三公 unquoted or in ASCII quotes": lambda texts: [t.replace("“三公”", "三公").replace("“三公经费”", '"三公经费"') for t in texts],
    "年 for 年度": lambda texts: [re.sub(r"(20\d\d)年度", r"\1年", t) for t in texts],
    "a space after each comma": lambda texts: [t.replace("，", "， ") for t in texts],
    "spaces around each paragraph": lambda texts: [f" {t} " for t in texts],
    "；for 。 inside a paragraph": lambda texts: [re.sub(r"。(?=.)", "；", t) for t in texts],
    "PDF line breaks": _broken_lines,
}


@pytest.mark.parametrize("printing", sorted(PRINTINGS))
def test_phrasings_printed_otherwise(printing):
    changed = []
    for source, fiscal_year, texts, expected in PHRASINGS:
        facts = {f.item: f.value for f in extract_narrative(paragraphs(*PRINTINGS[printing](list(texts))), fiscal_year)}
        if facts != pytest.approx(expected, abs=1e-4):
            changed.append((source, facts))
    assert not changed


def test_project_words_after_a_figure_lower_its_score():
    facts = extract_narrative(paragraphs("基本支出713.46万元，主要用于人大代表履职等项目。", "年初预算数20万元，用于代表履职项目。"))
    assert {f.item: (f.value, f.match_score) for f in facts} == {"basic": (713.46, 85), "initial_budget": (20, 85)}


def test_a_fund_scope_in_a_gloss_is_read_below_the_bar():
    facts = extract_narrative(paragraphs("基本支出（一般公共预算）700万元，项目支出（含结转）100万元。"))
    assert {f.item: (f.value, f.match_score) for f in facts} == {"basic": (700, 80), "project": (100, 100)}


def test_one_kind_of_funds_is_read_below_the_bar():
    # seed 001: `2022年一般公共预算项目支出为1466.7万元(项目支出实际为1496.7万元，…)`; the 三公 figures
    # are 财政拨款 figures on the form as well
    facts = extract_narrative(paragraphs("2022年一般公共预算项目支出为1466.7万元，基本支出2559.6万元。",
                                         "一般公共预算财政拨款“三公”经费支出2.05万元。"), 2022)
    assert {f.item: f.match_score for f in facts} == {"project": 80, "basic": 100, "three_public_final": 95}


def test_a_list_after_a_total_of_one_kind_of_funds_is_read_below_the_bar():
    # github Beyond-yan/cqjw 重庆市交通委员会 2018 预算; 117.141.250.58 2023 预算 (the list over paragraphs);
    # seed 004 (a 其中 inside the list); a 其中 of an all-funds total stays certain
    facts = extract_narrative(paragraphs(
        "一般公共预算财政拨款支出982.21万元。其中：项目支出70.27万元;基本支出911.94万元，其中：人员经费837.48万元。"), 2023)
    assert {f.item: f.match_score for f in facts} == {"project": 80, "basic": 80, "personnel": 80}
    facts = extract_narrative(paragraphs(
        "2023 年本年一般公共预算基本支出 911000.39 元，其中：", "人员经费 809961.19 元，主要包括：基本工资。",
        "公用经费 71339.2 元，主要包括：办公费。", "七、其他说明", "公用经费 80000 元。"), 2023)
    # a heading ends the list: the figure under it is certain (and, better scored, kept)
    assert [(f.item, f.value, f.match_score) for f in facts] == [
        ("basic", 91.100039, 80), ("personnel", 80.996119, 80), ("public_funds", 8, 100)]
    facts = extract_narrative(paragraphs(
        "本年收入合计3765.66万元，其中：一般公共预算财政拨款收入1008.64万元；本年支出合计4021.94万元，其中：基本支出2719.24万元。",
        "2020年本年支出合计4021.94万元，其中：", "项目支出1302.70万元。"), 2020)
    assert {f.item: f.match_score for f in facts} == {"revenue_current_year": 100, "final": 90, "basic": 100, "project": 100}


def test_a_budget_clause_goes_on_about_the_subject_before_it():
    # 上海市普陀区生态环境局 2025 决算: the 支出决算 is the 一般公共预算财政拨款 one, like its 年初预算
    facts = extract_narrative(paragraphs("一般公共预算财政拨款支出年初预算为 4628.17 万元，支出决算为 4733.14 万元，完成年初预算的 102.27%。"))
    assert {f.item: f.match_score for f in facts} == {"initial_budget": 80, "final": 80}
    facts = extract_narrative(paragraphs("2025年年初预算为 4628.17 万元，全年预算为 4700 万元，支出决算为 4733.14 万元。"), 2025)
    assert {f.item: f.match_score for f in facts} == {"initial_budget": 85, "full_year_budget": 90, "final": 90}


def test_ocr_sentences_rank_like_ocr_cells():
    # a scanned page's sentence may hold a misread digit: never certain enough to alert on
    ocr = [Paragraph(text="基本支出713.46万元。", source="x.pdf", order=0, page=2, low_confidence=True)]
    [fact] = extract_narrative(ocr)
    assert (fact.value, fact.match_method, fact.match_score) == (713.46, "ocr+pattern", 80)
    assert fact.location == "x.pdf p.2 para 1 [ocr]"


def test_fiscal_year_unknown_keeps_dated_figures():
    text = "2022年决算数850万元。"
    assert [f.value for f in extract_narrative(paragraphs(text))] == [850]
    assert extract_narrative(paragraphs(text), 2023) == []
