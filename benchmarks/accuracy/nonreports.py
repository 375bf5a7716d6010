"""Documents published beside the reports that are not reports: they must not be ingested.

A 部门预算公开 budget disclosure and a 部门决算公开 final-accounts disclosure (tables of
their own, with 三公 figures in sentences), a notice that carries the blank 基础数据表
template, and a tender notice for a third-party 绩效评价 agency (an article, no form).
"""

from __future__ import annotations

import random

from benchmarks.accuracy.model import CITIES, UNITS
from benchmarks.accuracy.truth import Truth
from core.records import Extraction, Paragraph, RawTable

KINDS = ("budget", "final_accounts", "notice", "tender")


def _extraction(source: str, blocks: list) -> Extraction:
    out = Extraction(source=source, doc_format="docx")
    for order, block in enumerate(blocks):
        if isinstance(block, str):
            out.paragraphs.append(Paragraph(text=block, source=source, order=order))
        else:
            width = max(len(r) for r in block)
            rows = [list(r) + [None] * (width - len(r)) for r in block]
            out.tables.append(RawTable(source=source, index=len(out.tables), rows=rows, order=order))
    return out


def draw(spec):
    from benchmarks.accuracy.generator import Drawn

    rng = random.Random(spec.seed)
    year = rng.choice((2022, 2023, 2024))
    city = rng.choice(sorted(CITIES))
    district = rng.choice(CITIES[city])
    dept = f"{city}{district}{rng.choice(UNITS)}"
    kind = spec.kind.split(":", 1)[1]
    total = rng.randint(30000, 300000) / 100
    basic = round(total * rng.uniform(0.5, 0.8), 2)
    three = rng.randint(100, 2000) / 100
    if kind == "budget":
        stem = f"{dept}{year}年部门预算公开"
        blocks = [stem, "第一部分 部门概况", f"一、部门职责\n{dept}负责本行政区域内相关工作。",
                  "第二部分 部门预算表", "收支预算总表", "单位：万元",
                  [["收入", None, "支出", None], ["项目", "预算数", "项目", "预算数"],
                   ["一般公共预算拨款收入", f"{total:.2f}", "一般公共服务支出", f"{total:.2f}"],
                   ["本年收入合计", f"{total:.2f}", "本年支出合计", f"{total:.2f}"]],
                  f"{year}年本部门收支预算总计{total:.2f}万元，其中基本支出{basic:.2f}万元，项目支出{total - basic:.2f}万元。",
                  f"{year}年“三公”经费预算数为{three:.2f}万元，其中公务接待费{three:.2f}万元。"]
    elif kind == "final_accounts":
        stem = f"{dept}{year - 1}年度部门决算公开"
        blocks = [stem, "第一部分 部门概况", "第二部分 部门决算表", "收入支出决算总表", "单位：万元",
                  [["收入", None, "支出", None], ["项目", "决算数", "项目", "决算数"],
                   ["一、一般公共预算财政拨款收入", f"{total:.2f}", "一、一般公共服务支出", f"{total:.2f}"],
                   ["本年收入合计", f"{total:.2f}", "本年支出合计", f"{total:.2f}"]],
                  "财政拨款“三公”经费支出决算表",
                  [["预算数", None, None, "决算数", None, None], ["合计", "因公出国（境）费", "公务接待费",
                                                                "合计", "因公出国（境）费", "公务接待费"],
                   [f"{three:.2f}", "0.00", f"{three:.2f}", f"{three:.2f}", "0.00", f"{three:.2f}"]],
                  f"{year - 1}年度收、支总计均为{total:.2f}万元。基本支出{basic:.2f}万元，项目支出{total - basic:.2f}万元。"]
    elif kind == "notice":
        stem = f"关于开展{year}年度部门整体支出绩效自评工作的通知"
        blocks = [stem, "各预算单位：", f"根据预算绩效管理有关规定，现就开展{year}年度部门整体支出绩效自评工作通知如下。",
                  "一、自评范围\n全区各预算部门（单位）。", "二、报送时间\n请于5月31日前报送自评报告及基础数据表。",
                  "附件：部门整体支出绩效评价基础数据表（样表）", "部门整体支出绩效评价基础数据表",
                  "填报单位：",
                  [["财政供养人员情况", "编制数", f"{year}年实际在职人数", "控制率"], ["", "", "", ""],
                   ["经费控制情况(万元)", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数"],
                   ["三公经费", "", "", ""], ["1、公务用车购置和维护经费", "", "", ""], ["其中：公车购置", "", "", ""],
                   ["公车运行维护", "", "", ""], ["2、出国经费", "", "", ""], ["3、公务接待", "", "", ""],
                   ["项目支出：", "", "", ""], ["1、业务工作经费", "", "", ""], ["2、运行维护经费", "", "", ""],
                   ["3、本级专项资金（一个专项一行）", "", "", ""], ["公用经费：", "", "", ""], ["其中：办公经费", "", "", ""],
                   ["水费、电费、差旅费", "", "", ""], ["会议费、培训费", "", "", ""], ["政府采购金额", "", "", ""]],
                  f"{city}{district}财政局", f"{year + 1}年4月10日"]
    else:
        stem = f"{dept}{year}年度部门整体支出绩效评价第三方机构服务采购公告"
        budget = rng.randint(5, 30)
        blocks = [stem, "项目概况", f"{dept}{year}年度部门整体支出绩效评价服务项目的潜在供应商应在政府采购网获取采购文件。",
                  f"一、项目基本情况\n预算金额：{budget}万元（人民币）。最高限价：{budget}万元。",
                  "二、采购需求\n对本部门年度整体支出开展绩效评价，出具部门整体支出绩效评价报告及基础数据表审核意见。",
                  "三、申请人的资格要求\n具有独立承担民事责任的能力。", f"联系人：张先生  联系电话：0731-8{rng.randint(1000000, 9999999)}"]
    extraction = _extraction(f"{stem}.{spec.doc_format}", blocks)
    truth = Truth(filing_id=spec.filing_id, split=spec.split, doc_format=spec.doc_format, kind=spec.kind,
                  is_report=False, department=dept)
    return Drawn(spec, [(stem, extraction)], False, truth, html_encoding="utf-8")
