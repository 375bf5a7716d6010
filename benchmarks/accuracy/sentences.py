"""The report's text: sentences stating the filing's figures in many clerks' phrasings.

Every figure written is recorded as a narrative truth fact (SPEC §3 narrative items), with the
value as printed: a plant may make the text disagree with its forms (``narrative_overrides``).
"""

from __future__ import annotations

from benchmarks.accuracy.layout import Builder, Printer, score_text


def narrative(b: Builder, forced: set[str]) -> None:
    """The report's sentences; each figure group is stated or not, ``forced`` ones always."""
    m, ch = b.model, b.choices
    yuan = ch.fixed("amount_unit") == "元"
    pr = Printer(ch, yuan)
    pr.style = "plain" if pr.style in ("fullwidth", "trailing_space") else pr.style
    unit = "元" if yuan else "万元"
    text = m.narrative_overrides

    def amount(item: str, cents: int) -> str:
        cents = text.get(item, cents)
        b.fact("narrative", item, None, cents / 100)
        return pr.amount(cents) + unit

    def stated(group: str) -> bool:
        return group in forced or ch.rng.random() < 0.75

    where = ch.fixed("department")
    title_dept = m.department if where in ("title", "cover") or ch.rng.random() < 0.5 else ""
    b.paragraph("附件1")
    b.paragraph(f"{title_dept}{m.year}年度部门整体支出绩效自评报告")
    if where == "cover":
        b.paragraph(f"部门(单位)名称：{m.department}")
    b.paragraph("一、部门（单位）基本情况")
    b.paragraph(f"（一）机构设置情况\n本单位内设机构{ch.rng.randint(3, 9)}个，主要承担本行政区域内相关工作职责。")
    if stated("staffing"):
        sentence = ch.pick("staffing", y=m.year, a="{a}", n="{n}").format(a=text.get("authorized_headcount", m.authorized),
                                              n=text.get("actual_headcount", m.actual))
        b.fact("narrative", "authorized_headcount", None, text.get("authorized_headcount", m.authorized))
        b.fact("narrative", "actual_headcount", None, text.get("actual_headcount", m.actual))
        b.paragraph("（二）人员编制情况\n" + sentence)
    b.paragraph("二、一般公共预算支出情况")
    parts = []
    if stated("budget"):
        parts.append(ch.pick("initial_budget", y=m.year, v=amount("initial_budget", m.funds["initial_budget"])))
        parts.append(ch.pick("full_year_budget", y=m.year, v=amount("full_year_budget", m.funds["full_year_budget"])))
    if stated("income"):
        if not any(f.item == "full_year_budget" for f in b.facts if f.form == "narrative"):
            parts.append(ch.pick("full_year_budget", y=m.year, v=amount("full_year_budget", m.funds["full_year_budget"])))
        parts.append(ch.pick("income").format(r=amount("revenue_current_year", m.revenue_current_year),
                                              c=amount("carryover_opening", m.carryover_opening)))
    if stated("final"):
        parts.append(ch.pick("final", y=m.year, v=amount("final", m.funds["executed"])))
    if stated("basic_project"):
        basic = text.get("basic", m.expenditure["basic"])
        share = basic * 100 / max(1, basic + m.expenditure["project"])
        parts.append(ch.pick("basic_project").format(
            b=amount("basic", m.expenditure["basic"]), p=amount("project", m.expenditure["project"]),
            bs=f"{share:.2f}", ps=f"{100 - share:.2f}"))
    b.paragraph("".join(parts) or "本年度支出情况详见附表。")
    if stated("public_funds"):
        b.paragraph("（一）基本支出情况\n基本支出用于保障机构正常运转。" +
                    ch.pick("public_funds").format(v=amount("public_funds", m.public_funds["total"]["final"])))
    if stated("three_public"):
        budget, final = m.three_public["total"]["budget"], m.three_public["total"]["final"]
        template = ch.pick("three_public", y=m.year, b="{b}", f="{f}", d="{d}")
        if "{d}" in template and final > budget:
            template = "“三公”经费预算{b}，决算{f}。"
        b.paragraph("（三）“三公”经费的使用和管理情况\n我单位严格贯彻中央八项规定精神，厉行节约。" + template.format(
            b=amount("three_public_budget", budget), f=amount("three_public_final", final),
            d=pr.amount(max(0, budget - final)) + unit))
    b.paragraph("三、政府性基金预算支出情况\n无。")
    b.paragraph("六、部门整体支出绩效情况")
    if stated("self_score"):
        score = text.get("self_score", m.printed_total)
        b.fact("narrative", "self_score", None, score / 10)
        b.paragraph(ch.pick("self_score").format(y=m.year, g=m.grade, s=score_text(score)))
    b.paragraph("七、存在的问题及原因分析\n预算编制的精细化程度有待提高，绩效目标设置有待进一步细化。")
    b.paragraph("八、下一步改进措施\n加强预算绩效管理，提高资金使用效益。")
