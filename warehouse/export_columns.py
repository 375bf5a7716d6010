"""What an exported column is called in Chinese and how its numbers are shown (data, not code).

``kind`` decides the Excel number format: ``amount`` 万元 with two decimals, ``rate`` a percent
stored as 100.0 = 100 % (written as 1.0 with a % format so Excel computes with it), ``by_unit``
follows the row's ``unit`` column (facts.value, a flag's numbers), ``time`` a timestamp shown in
the configured timezone. Columns not listed keep their English name and Excel's General format.
"""

from __future__ import annotations

SHEETS: dict[str, str] = {
    "filings": "报告清单",
    "facts": "填报数据",
    "indicators": "绩效指标",
    "inconsistencies": "问题清单",
    "alerts": "告警记录",
    "staffing": "人员编制",
    "cost_control": "成本控制",
    "fund_execution": "预算执行",
    "filing_summary": "报告概况",
    "reviews": "复核记录",
    "units": "预算单位",
    "filing_versions": "报告版本",
    "unit_review": "单位合并待复核",
    "fact_versions": "各版本数据",
    "unit_years": "单位历年对比",
}

HEADERS: dict[str, str] = {
    "filing_id": "报告编号",
    "source_url": "原文地址",
    "portal": "来源网站",
    "department": "单位名称",
    "region": "地区",
    "fiscal_year": "年度",
    "doc_format": "文件格式",
    "sha256": "文件指纹",
    "published_at": "发布日期",
    "fetched_at": "抓取时间",
    "status": "状态",
    "error": "错误原因",
    "grade": "评价等次",
    "form": "表格",
    "subject": "项目/明细",
    "item": "指标项",
    "column": "栏目",
    "value": "数值",
    "unit": "单位",
    "source_label": "原表标签",
    "match_score": "匹配度",
    "match_method": "匹配方式",
    "location": "所在位置",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "max_score": "分值",
    "score": "得分",
    "note": "偏差原因及改进措施",
    "rule": "规则",
    "severity": "严重程度",
    "message": "说明",
    "expected": "核对值",
    "printed": "填报值",
    "computed": "计算值",
    "limit_value": "上限",
    "columns": "所在栏目",
    "place": "位置明细",
    "evidence": "比对依据",
    "weakest_method": "最低匹配方式",
    "inferred": "位置系推断",
    "detected_at": "发现时间",
    "needs_review": "需人工复核",
    "weakest_match": "最低匹配度",
    "fingerprint": "问题指纹",
    "decision": "复核结论",
    "decided_by": "复核人",
    "decided_at": "复核时间",
    "review_note": "复核备注",
    "channel": "告警渠道",
    "kind": "类型",
    "attempts": "发送次数",
    "last_error": "最近错误",
    "created_at": "生成时间",
    "sent_at": "发送时间",
    "digest_id": "汇总消息编号",
    "authorized": "编制数",
    "reported_control_rate": "填报控制率",
    "computed_control_rate": "计算控制率",
    "over_quota": "超编",
    "prior_final": "上年决算数",
    "budget": "本年预算数",
    "final": "本年决算数",
    "final_minus_budget": "决算减预算",
    "final_vs_prior": "决算较上年增减",
    "initial_budget": "年初预算数",
    "full_year_budget": "全年预算数",
    "executed": "全年执行数",
    "reported_execution_rate": "填报执行率",
    "computed_execution_rate": "计算执行率",
    "total_score": "自评总分",
    "fact_count": "数据条数",
    "indicator_count": "指标条数",
    "unmapped_label_count": "未识别标签数",
    "error_flags": "错误数",
    "warning_flags": "警示数",
    "info_flags": "提示数",
    "review_flags": "待复核数",
    "run_id": "运行批次",
    "unit_id": "单位编号",
    "name": "名称",
    "budget_code": "预算编码",
    "names_seen": "曾用名称",
    "version": "版本",
    "superseded_at": "被替换时间",
    "is_current": "当前版本",
    "filing_count": "报告数",
    "first_year": "最早年度",
    "last_year": "最近年度",
    "printed_name": "所印名称",
    "candidate_unit_id": "候选单位编号",
    "candidate_names": "候选单位名称",
    "reason": "原因",
    "previous_year": "上一年度",
    "three_public_final": "“三公”经费决算数",
    "public_funds_final": "公用经费决算数",
    "project_final": "项目支出决算数",
}
# unit_years: every headline figure has a year-over-year change beside it.
HEADERS |= {f"{name}_change": f"{HEADERS[name]}较上年增减" for name in (
    "full_year_budget", "executed", "three_public_final", "public_funds_final", "project_final", "authorized",
    "total_score")}
HEADERS["actual_change"] = "实际在职人数较上年增减"

# A column that means something else in one view.
VIEW_HEADERS: dict[tuple[str, str], str] = {
    ("staffing", "actual"): "实际在职人数",
    ("inconsistencies", "expected"): "应为",
    ("inconsistencies", "actual"): "实为（填报）",
    ("alerts", "status"): "发送状态",
    ("unit_years", "actual"): "实际在职人数",
    ("units", "region"): "所在地",
}

AMOUNTS = ("prior_final", "budget", "final", "final_minus_budget", "final_vs_prior", "initial_budget",
           "full_year_budget", "executed", "three_public_final", "public_funds_final", "project_final",
           "full_year_budget_change", "executed_change", "three_public_final_change", "public_funds_final_change",
           "project_final_change")
RATES = ("reported_control_rate", "computed_control_rate", "reported_execution_rate", "computed_execution_rate")
BY_UNIT = ("value", "expected", "actual", "printed", "computed", "limit_value")


def header(view: str, column: str) -> str:
    return VIEW_HEADERS.get((view, column)) or HEADERS.get(column, column)


def kind(view: str, column: str, column_type: str, columns: list[str]) -> str | None:
    if "TIMESTAMP" in column_type:
        return "time"
    if column_type == "DATE":
        return "date"
    if column in AMOUNTS:
        return "amount"
    if column in RATES:
        return "rate"
    if column in BY_UNIT and "unit" in columns and column_type == "DOUBLE":
        return "by_unit"
    return None
