"""Which articles are performance self-assessment reports, judged by title and body text.

URLs say nothing (``t20240219_11373437.html``); list pages mix 部门预算, 部门决算, notices
and reports of every year, so the title decides first and the body settles the rest.
"""

from __future__ import annotations

import re

REPORT = re.compile(r"绩效自评|自评报告|整体支出绩效|绩效评价报告|绩效自评表|绩效评价自评")
WEAK = re.compile(r"绩效")
YEAR = re.compile(r"(19|20)\d{2}\s*年")
# Skip reasons, checked in order; a title with a report phrase is never skipped.
SKIP = (
    ("notice", re.compile(r"通知|公告|通告|公示|征求意见|招标|采购|会议|培训|工作方案|实施方案|办法")),
    ("budget", re.compile(r"预算")),
    ("final_accounts", re.compile(r"决算")),
)


def classify_title(title: str) -> str:
    """``report``, ``maybe`` (read the body to decide) or a skip reason."""
    if REPORT.search(title):
        return "notice" if SKIP[0][1].search(title) and "报告" not in title else "report"
    if WEAK.search(title):
        return "maybe"
    for reason, pattern in SKIP:
        if pattern.search(title):
            return reason
    return "other"


def is_self_assessment(title: str, body: str = "", attachment_names: tuple[str, ...] = ()) -> bool:
    """A self-assessment report: a report phrase in the title, or in a body or attachment name
    that names the year (an article titled just "古丈县财政局" whose attachment is the report)."""
    verdict = classify_title(title)
    if verdict == "report":
        return True
    if verdict not in ("maybe", "other"):
        return False
    head = body[:5000]
    if REPORT.search(head) and YEAR.search(title + head):
        return True
    return any(classify_title(name) == "report" and YEAR.search(title + name) for name in attachment_names)
