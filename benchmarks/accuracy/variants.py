"""How many clerks render the same figure: every dimension of variation, as data.

Each dimension is a list of variants. The first variant of a dimension is the official
template's own form (the wording printed on the blank 附件 forms every unit fills in) and is
**shared** by both splits. Of the others, a third is **heldout** and the rest **tune**: the
variants are ranked by ``sha1("<dimension>|<variant>")`` and the first ``round(n / 3)`` of
that ranking (at least one when there are two or more) are heldout. The rule depends only on
the variant itself, so adding a variant never moves another dimension's variants; it may
move one variant of its own dimension (the generator version is bumped with any change).

A filing belongs to one split and draws only from the shared variants and its split's.
Label wordings carry where they were seen (``seeds/NNN`` = the real Hunan reports in
``shared/seeds``; a URL = a published report or form found with the search tool).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

SEED = "seeds"
LINCANG = "bongotimes.com/info/4561/1229214.html (临沧市 2023 部门决算: 部门整体支出绩效自评表)"
HONGHE = "www.hh.gov.cn/info/11481/1179592.htm (红河州 2024 项目支出绩效自评报告)"
BEIJING = "www.beijing.gov.cn/gongkai/caizheng/czzt/2021js (北京 2021 部门决算)"
CANGYUAN = "cangyuan.gov.cn/zfxxgk_cyx_czj/artview/959/335904.html (沧源 2024 部门决算)"
ZHASHUI = "219.145.244.73:88/html/zwgk/czysjs/118395.html (柞水 2020 部门决算)"
URUMQI = "upcchem.com/wlmqs/c119485/202501/b6ed714d8d334d43bcd1e201fd61491c.shtml (乌鲁木齐市政务服务中心 2023 决算说明)"
COMMON = "common in published 湘/滇/川 forms (template drift)"
QINGSHEN = "www.scqs.gov.cn/info/13206/211004.htm (青神县发展和改革局 2023 部门预算项目支出绩效自评表, 四川)"
DAYING = "dyxrmt.cn/article-157795-21.html (大英县司法局 2023 部门预算项目支出绩效自评表, 四川)"
YUEYANG = "www.yueyang.gov.cn/cgj/9886/9901/content_1560779.html (岳阳市城市管理监督指挥中心 2018 部门整体支出绩效评价自评报告)"
DUJI = "bigelectronix.com/zwgk/public/35/64546609.html (杜集区政府办 2021 “三公”经费支出决算表及说明)"
DOCZJ = "biz.doczj.com/doc/174893555.html (项目支出绩效自评表及填表说明: 年度指标值 / 全年实际值 / 未完成原因分析)"
NANZHANG = "www.hbnz.gov.cn/bmxz/bm/zsfwzx/fdzdgk/czgk/202010/t20201021_2291670.shtml (南漳县招商服务中心 2019 部门决算)"
HNJCY = "hwxxcm.com/html/.xwfbtzgg2018content_73938.html (湖南省人民检察院 2017 部门整体支出绩效评价报告)"


@dataclass(frozen=True)
class Variant:
    value: object
    source: str = COMMON


def _v(*values, source: str = COMMON) -> list[Variant]:
    return [Variant(v, source) for v in values]


# --- label wordings, per canonical item (the first is the template's) ---------------------
LABELS: dict[str, list[Variant]] = {
    "staffing.head": _v("财政供养人员情况", "财政供养人员情况（人）", "人员情况", "财政供养人员", source=SEED),
    "staffing.authorized": _v("编制数", "核定编制数", "编制人数", source=SEED) + _v("核定编制人数", "编制总数")
    + _v("人员编制", source=YUEYANG),
    "staffing.actual": _v("{y}年实际在职人数", "实际在职人数", "在岗在编人数", source=SEED)
    + _v("{y}年末实有人数", "实有在职人数", "年末在职人数") + _v("实有人数", source=YUEYANG),
    "staffing.control_rate": _v("控制率", "编制控制率", source=SEED) + _v("人员控制率", "人员编制控制率"),
    "cost.head": _v("经费控制情况(万元)", "经费控制情况", "经费控制情况（{unit}）", source=SEED) + _v("经费支出情况", "项目"),
    "three_public.total": _v("三公经费", "“三公”经费", source=SEED) + _v("“三公”经费合计", "三公经费支出", "\"三公\"经费"),
    "three_public.vehicles": _v("公务用车购置和维护经费", "公务用车购置及运行费", source=SEED)
    + _v("公务用车购置及运行维护费", source=CANGYUAN) + _v("公务用车购置和运行维护费", "公务用车费用"),
    "three_public.vehicle_purchase": _v("公车购置", "公务用车购置费", source=SEED) + _v("公务用车购置", "车辆购置"),
    "three_public.vehicle_operation": _v("公车运行维护", "公务用车运行维护费", source=SEED)
    + _v("公务用车运行费", "公车运行维护费", "车辆运行维护"),
    "three_public.overseas": _v("出国经费", "因公出国（境）费用", source=SEED) + _v("因公出国（境）费", source=BEIJING)
    + _v("出国（境）经费", "因公出国(境)经费"),
    "three_public.reception": _v("公务接待", "公务接待费", source=SEED) + _v("公务接待经费", "国内公务接待费"),
    "project.total": _v("项目支出", "项目支出：", source=SEED) + _v("项目支出合计", "项目经费支出", "项目支出总额"),
    "project.business": _v("业务工作经费", source=SEED) + _v("业务工作专项", "业务经费", "日常业务工作经费"),
    "project.operation": _v("运行维护经费", source=SEED) + _v("运行维护专项", "运行维护费用", "机关运行维护经费"),
    "project.special": _v("本级专项资金（一个专项一行）", "市级专项资金", "本级专项资金", source=SEED)
    + _v("县级专项资金", "区级专项资金（一个专项一行）", "专项资金"),
    "public_funds.total": _v("公用经费", "公用经费：", source=SEED) + _v("公用经费合计", "日常公用经费", "公用经费支出"),
    "public_funds.office": _v("办公经费", source=SEED) + _v("办公费", "办公费用", "办公经费支出"),
    "public_funds.utilities_travel": _v("水费、电费、差旅费", source=SEED) + _v("水电费、差旅费", "水电费及差旅费", "水费电费差旅费"),
    "public_funds.meetings_training": _v("会议费、培训费", source=SEED) + _v("会议费及培训费", "会议培训费", "会议费和培训费"),
    "procurement": _v("政府采购金额", source=SEED) + _v("政府采购", "政府采购支出", "政府采购合计"),
    "basic_budget_adjustment": _v("部门基本支出预算调整", source=SEED) + _v("基本支出预算调整", "部门基本支出调整", "基本支出调整数"),
    "buildings.head": _v("楼堂馆所控制情况\n（{y}年完工项目）", "楼堂馆所控制情况", source=SEED) + _v("楼堂馆所", "楼堂馆所建设情况"),
    # column headers
    "col.prior_final": _v("{p}年决算数", "上年决算数", source=SEED) + _v("{p}年决算", "上年决算", "上年实际数"),
    "col.budget": _v("{y}年预算数", "本年预算数", source=SEED) + _v("{y}年预算", "预算数", "本年预算")
    + _v("预 算 数", source=DUJI),
    "col.final": _v("{y}年决算数", "本年决算数", source=SEED) + _v("{y}年决算", "决算数", "本年实际数")
    + _v("决 算 数", source=DUJI),
    "col.initial_budget": _v("年初预算数", "年初\n预算数", source=SEED) + _v("年初批复预算", source=HONGHE)
    + _v("年初预算批复数", "年初预算"),
    "col.full_year_budget": _v("全年预算数", "全年\n预算数", "全年预算数（万元）", source=SEED)
    + _v("调整后预算数", source=HONGHE) + _v("全年预算", "全年预算批复数"),
    "col.executed": _v("全年执行数", "全年\n执行数", "全年执行数（万元）", source=SEED) + _v("全年实际执行数", "实际执行数", "执行数")
    + _v("预算执行数", source=QINGSHEN),
    "col.max_score": _v("分值", source=SEED) + _v("分 值", "权重分") + _v("权重", source=QINGSHEN),
    "col.execution_rate": _v("执行率", source=SEED) + _v("预算执行率", "执行率（%）", "资金执行率"),
    "col.score": _v("得分", source=SEED) + _v("得 分", "自评得分", "评分"),
    "funds.head": _v("年度预算申请\n(万元)", "年度预\n算申请\n（万元）", source=SEED) + _v("年度资金\n（万元）", "预算资金情况", "资金情况（万元）"),
    "project.funds.head": _v("项目资金\n（万元）", source=SEED) + _v("项目资金", "资金情况（万元）", "项目资金情况")
    + _v("年度预算数（万元）", "预算执行情况（10分）", source=QINGSHEN),
    "funds.total": _v("年度资金总额", "年度资金总额：", source=SEED) + _v("年度资金总量", "资金总额", "年度资金合计")
    + _v("总额", source=DAYING),
    "funds.appropriation": _v("其中：当年财政拨款", source=SEED) + _v("其中：财政拨款", "其中：本年财政拨款", "当年财政拨款资金")
    + _v("其中：财政资金", source=QINGSHEN),
    "funds.carryover": _v("上年结转资金", source=SEED) + _v("上年结余结转资金", "上年结转", "以前年度结转资金"),
    "funds.other": _v("其他资金", source=SEED) + _v("其他资金来源", "其它资金", "自筹及其他资金"),
    "revenue.head": _v("按收入性质分：", source=SEED) + _v("按收入性质分", "按资金来源分：", "收入性质"),
    "expenditure.head": _v("按支出性质分：", source=SEED) + _v("按支出性质分", "按支出用途分：", "支出性质"),
    "revenue.general_budget": _v("一般公共预算：", "其中：  一般公共预算：", source=SEED)
    + _v("一般公共预算拨款：", "一般公共预算财政拨款：", "财政拨款（一般公共预算）："),
    "revenue.gov_fund": _v("政府性基金拨款：", source=SEED) + _v("政府性基金预算拨款：", "政府性基金：", "政府性基金预算："),
    "revenue.special_account": _v("纳入专户管理的非税收入拨款：", source=SEED)
    + _v("纳入专户管理的非税收入：", "专户管理的非税收入拨款：", "财政专户管理资金："),
    "revenue.other": _v("其他资金", "其他资金：", source=SEED) + _v("其他收入：", "其它资金：", "其他来源资金："),
    "expenditure.basic": _v("其中:基本支出：", "其中：基本支出：", source=SEED) + _v("基本支出：", "其中：基本支出", "基本支出合计："),
    "expenditure.project": _v("项目支出：", source=SEED) + _v("项目支出", "项目支出合计：", "其中：项目支出："),
    "goals.head": _v("年度总体目标", source=SEED) + _v("年度绩效目标", "总体目标", "年度目标"),
    "indicators.head": _v("绩效指标", source=SEED) + _v("绩效\n指标", "年度绩效指标", "指标")
    + _v("绩效指标（90分）", source=QINGSHEN),
    "total_score": _v("总分", "绩效自评综合得分", source=SEED) + _v("综合得分", "自评总分", "合计得分")
    + _v("合计", source=QINGSHEN),
    "project.name": _v("项目支出名称", "项目支\n出名称", source=SEED) + _v("项目名称", "项目名称：", "预算项目名称"),
    "dept.cell": _v("预算部门名称", "市级预算部门名称", source=SEED) + _v("部门名称", "预算单位名称", "单位名称"),
    "dept.filled_by": _v("填报单位：", source=SEED) + _v("填报单位（盖章）：", "单位名称：", "编报单位："),
    "basic_data.title": _v("部门整体支出绩效评价基础数据表", "{y}年度部门整体支出绩效评价基础数据表", source=SEED)
    + _v("部门（单位）整体支出绩效评价基础数据表", "整体支出绩效评价基础数据表"),
    "overall_eval.title": _v("整体支出绩效自评表", "部门整体支出绩效自评表", source=SEED)
    + _v("{y}年度部门整体支出绩效自评表", source=LINCANG) + _v("部门（单位）整体支出绩效自评表"),
    "project_eval.title": _v("{y}年度项目支出绩效自评表", source=SEED) + _v("项目支出绩效自评表", source=LINCANG)
    + _v("{y}年度项目支出绩效自评表（一级项目）", "项目支出绩效自评情况表")
    + _v("部门预算项目支出绩效自评表（{y}年度）", source=QINGSHEN),
}

# --- layout and typography dimensions ------------------------------------------------------
DIMENSIONS: dict[str, list[Variant]] = {
    # numbering of the sub-lines of 三公 and 项目支出
    "numbering": _v("1、", "（一）", "(1)", "1.", "一、", "①", "", "1．", "（1）", source=SEED),
    # the 其中 prefix of the first sub-line
    "qizhong": _v("其中：", "其中:", "其中 ", "", "其中，"),
    # stray spaces / line breaks inside labels
    "label_noise": _v("none", "space", "ideographic_space", "line_break", "leading_spaces"),
    # a printed amount
    "number": _v("plain", "thousands", "fullwidth", "trimmed", "trailing_space"),
    # a blank cell
    "blank": _v("", "——", "/", "—", "－", "\u3000"),
    # 万元 or 元 (values ×10000) in the 基础数据表 and the evaluation tables
    "unit": _v("万元", "元", "万元", "元", source=COMMON),
    # one label column, or two: the sub-lines under a 其中 cell merged down the first column
    "label_columns": _v("one", "two", "two_vertical"),
    # the basic-data column set and order
    "basic_columns": _v("prior,budget,final", "prior,budget,final,remark", "budget,final", "budget,final,prior",
                        "budget,final,remark"),
    # the overall-eval structure block (按收入性质分 / 按支出性质分)
    "structure": _v("pairs", "merged", "inline", "merged_wide", "rows"),
    # the fund rows' columns
    "fund_columns": _v("initial,full,executed,max,rate,score", "initial,full,executed,max,rate,score,remark",
                       "full,executed,rate,max,score", "initial,full,executed,rate,max,score"),
    # 绩效指标 printed vertically or not
    "vertical": _v("vertical", "horizontal", "vertical_spaced"),
    # where the department is printed
    "department": _v("filled_by+cell", "cell", "title", "cover", "filled_by"),
    # year-bearing column headers or not
    "years": _v("years", "plain"),
    # a table broken over a page (the rest a table of its own, header repeated or not)
    "split_table": _v("none", "split_header", "split_plain", "none"),
    # the total-score row
    "total_row": _v("max_score", "score_only", "with_unit"),
    # the indicator block's columns after 三级指标, header cells joined by "|" (指标性质 = the
    # target's ≥/≤/=, 度量单位 = its unit, printed apart from its number)
    "indicator_columns": _v("年度指标值|实际完成值|分值|得分|偏差原因分析及改进措施", source=SEED)
    + _v("指标性质|指标值|度量单位|完成值|权重|得分|未完成原因分析", source=QINGSHEN)
    + _v("年度指标值|全年实际值|分值|得分|未完成原因分析", source=DOCZJ),
    # rate decimals
    "rate": _v("2", "0", "1"),
    # html encoding
    "html_encoding": _v("utf-8", "gbk"),
}

# --- narrative phrasings: {v} is the amount as printed with its unit --------------------
NARRATIVE: dict[str, list[Variant]] = {
    "final": _v("{y}年决算支出{v}。", "{y}年度全年支出合计{v}。", source=SEED)
    + _v("{y}年实际支出{v}。", "本年度共支出资金{v}。", "{y}年度部门支出决算数为{v}。", "全年执行数为{v}。"),
    "basic_project": _v("其中：基本支出{b}，项目支出{p}。", source=SEED)
    + _v("其中基本支出{b}、项目支出{p}。", "基本支出和项目支出分别为{b}、{p}。", "按支出性质分，基本支出{b}，项目支出{p}。",
         "基本支出{b}，占比{bs}%；项目支出{p}，占比{ps}%。", "用于基本支出{b}，用于项目支出{p}。",
         "其中{b}用于基本支出，{p}用于项目支出。", "其中：{b}为基本支出，{p}为项目支出。"),
    "full_year_budget": _v("{y}年全年预算数{v}。", source=SEED) + _v("全年预算数为{v}。", "调整后全年预算{v}。", "本年度全年预算{v}。"),
    "initial_budget": _v("年初预算数{v}。", source=SEED) + _v("{y}年年初预算批复{v}。", "年初批复预算{v}。", "年初预算为{v}。"),
    "income": _v("本年收入{r}，年初结转结余{c}。", source=SEED)
    + _v("其中本年收入{r}，年初结转和结余{c}。", "本年收入合计{r}，上年结转结余{c}。", source=URUMQI)
    + _v("年初结转结余{c}，本年收入{r}。"),
    "three_public": _v("{y}年初财政批复“三公”经费预算数为{b}，全年决算支出“三公”经费为{f}。", source=SEED)
    + _v("“三公”经费预算{b}，决算{f}。", "{y}年“三公”经费年初预算{b}，实际支出{f}。",
         "“三公”经费支出{f}，比预算{b}减少{d}。", "三公经费预算数{b}，决算数{f}。",
         "“三公”经费支出{f}（年初预算{b}）。")
    + _v("{y}年度一般公共预算财政拨款“三公”经费支出预算为{b}，支出决算为{f}。", source=DUJI),
    "public_funds": _v("公用经费支出{v}。", source=SEED) + _v("其中公用经费{v}。", "公用经费{v}，主要用于办公、水电、差旅等。",
                                                          "日常公用经费支出{v}。", "用于公用经费{v}。",
                                                          "{v}用于公用经费支出。"),
    "staffing": _v("核定编制数{a}人，在职人员{n}人。", source=SEED)
    + _v("编制数{a}人，实有人数{n}人。", "单位编制{a}名，年末实有在职人员{n}人。", "核定编制{a}人，实有在职{n}人。",
         "年末实有人数{n}人，编制数{a}人。", "单位共有编制{a}个、在职人员{n}名。")
    # 有人员编制N名 as HNJCY prints it; 实有人数N人 as YUEYANG's form and URUMQI's text print it
    + _v("{y}年末，本单位有人员编制{a}名，实有人数{n}人。", source=HNJCY)
    + _v("单位内有事业编制{a}名，现单位实有在职在编人员{n}名。", source=NANZHANG),
    "self_score": _v("经自评，{y}年度部门整体支出绩效评价结论为“{g}”，自查评分为{s}分。", source=SEED)
    + _v("自评得分{s}分，评价等次为“{g}”。", "综合自评得分{s}分，等次“{g}”。", "部门整体支出绩效自评得分为{s}分。"),
    "amount_unit": _v("万元", "元"),
}


def _rank(dimension: str, variant: Variant) -> str:
    return hashlib.sha1(f"{dimension}|{variant.value}".encode()).hexdigest()


@cache
def split_of(dimension: str) -> dict[str, tuple[Variant, ...]]:
    """``{"tune": …, "heldout": …}`` for one dimension, each with the shared template first."""
    variants = _table(dimension)
    shared, others = variants[0], variants[1:]
    ranked = sorted(range(len(others)), key=lambda i: _rank(dimension, others[i]))
    count = max(1, round(len(others) / 3)) if len(others) >= 2 else 0
    heldout = set(ranked[:count])
    return {
        "tune": (shared, *(v for i, v in enumerate(others) if i not in heldout)),
        "heldout": (shared, *(v for i, v in enumerate(others) if i in heldout)),
    }


def _table(dimension: str) -> list[Variant]:
    for table in (LABELS, DIMENSIONS, NARRATIVE):
        if dimension in table:
            return table[dimension]
    raise KeyError(dimension)


def all_dimensions() -> list[str]:
    return [*LABELS, *DIMENSIONS, *NARRATIVE]
