"""Is a filing a self-assessment report at all? Decided from its content, not its article title.

A portal's 绩效 column also carries 部门预算/决算公开 disclosures, notices with a blank form
attached, and tender notices for a third-party evaluation agency. A filing is a report when
a self-assessment form holds figures, or when its documents print a report's own title.
"""

from __future__ import annotations

import re

from core.records import CanonicalReport, Extraction
from mappings.normalize import squash

FILLED_FORMS = ("basic_data", "overall_eval")
ALL_FORMS = ("basic_data", "overall_eval", "project_eval")
MIN_FIGURES = 2  # a form with fewer printed numbers than this is an empty template
TITLE_LENGTH = 80  # a title is a short paragraph; a sentence naming the report is not one

_OWN_TITLE = re.compile(r"(?:绩效(?:自评|评价)(?:工作)?(?:报告|情况(?:报告|说明)?)|自评报告)$")
_NOT_A_TITLE = re.compile(r"通知|模板|样表|样式|格式|参考|范本|公告|招标|采购|函$")
# What the documents say they are, in the order they are tried; a title-like paragraph decides.
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("tender_notice", "a tender notice for an evaluation agency",
     re.compile(r"(?:招标|采购|比选|磋商|询价|遴选|谈判|中标|成交)(?:公告|公示|文件|结果)|(?:第三方|中介|评价)机构")),
    ("budget_disclosure", "a 部门预算 disclosure", re.compile(r"预算(?:公开|信息公开|说明)|部门预算")),
    ("final_accounts_disclosure", "a 部门决算 disclosure", re.compile(r"决算(?:公开|信息公开|说明)|部门决算")),
    ("notice", "a notice", re.compile(r"通知|通告|工作方案|实施方案")),
)


def _paragraph_texts(extractions: list[Extraction]) -> list[str]:
    return [flat for e in extractions for p in e.paragraphs if (flat := squash(p.text))]


def _titles(texts: list[str]) -> list[str]:
    return [t for t in texts if len(t) <= TITLE_LENGTH]


def has_own_title(extractions: list[Extraction]) -> bool:
    """A paragraph that is a report's own title (…整体支出绩效自评报告), not a notice about one."""
    return any(_OWN_TITLE.search(t) and not _NOT_A_TITLE.search(t) for t in _titles(_paragraph_texts(extractions)))


def _figures(report: CanonicalReport, forms: tuple[str, ...]) -> int:
    return sum(1 for f in report.facts if f.form in forms and f.value is not None)


def non_report_reason(extractions: list[Extraction], report: CanonicalReport) -> str | None:
    """Why this filing is not a self-assessment report, or None when it is one.

    None too when nothing at all was read (the caller fails such a filing as unreadable).
    """
    if _figures(report, FILLED_FORMS) >= MIN_FIGURES:
        return None
    own_title = has_own_title(extractions)
    if own_title and _figures(report, ALL_FORMS + ("narrative", "project_list")) > 0:
        return None
    if set(ALL_FORMS) & report.forms and _figures(report, ALL_FORMS) < MIN_FIGURES:
        return "blank_template: the self-assessment forms are present but hold no figures"
    titles = _titles(_paragraph_texts(extractions)[:12])
    for kind, what, pattern in _KINDS:
        if found := next((t for t in titles if pattern.search(t)), None):
            return f"{kind}: {what} ({found[:40]}), no self-assessment form with figures"
    if own_title or _figures(report, ALL_FORMS) >= MIN_FIGURES:
        return None
    if report.facts:
        return "no_report: figures but neither a self-assessment form nor a report title"
    return None
