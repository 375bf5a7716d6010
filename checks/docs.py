"""Generate docs/rules.md, every inconsistency rule as declared in ``checks.rules``.

Run ``python -m checks.docs`` after changing a declaration; a test fails while it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checks import rules as R
from checks.names import item_name

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def _terms(terms) -> str:
    return " + ".join(f"`{t}`" for t in terms)


def compares(decl: R.Comparison) -> str:
    """One declaration in words, with its terms as written in ``checks.rules``."""
    if isinstance(decl, R.Sum):
        relation = "≥" if decl.exceed_only else "="
        columns = ", ".join(c for c in decl.columns if c)
        where = f"{'/'.join(decl.forms)}" + (f" ({columns})" if columns else "")
        required = f" (always printed: {_terms(decl.required)})" if decl.required else ""
        rows = f" (a row of its own on every form, 0 if blank: {_terms(decl.printed_rows)})" if decl.printed_rows else ""
        return f"{where}: `{decl.total}` {relation} {_terms(decl.parts)}{required}{rows}"
    if isinstance(decl, R.Rate):
        return f"{'/'.join(decl.forms)}: `{decl.reported}` = `{decl.numerator}` ÷ `{decl.denominator}` × 100"
    if isinstance(decl, R.Exceed):
        return "; ".join(f"{form}: `{left}` ≤ `{right}`" for form, left, right in decl.sources) + (
            " (the first source that prints both)" if decl.first_only else "")
    if isinstance(decl, R.Restates):
        return f"narrative {item_name(decl.narrative_item)} (`{decl.narrative_item}`) = {decl.form} `{decl.term}`"
    if isinstance(decl, R.Across):
        bound = (f": a change of more than {float(decl.share * 100):g} % and at least {decl.at_least}"
                 if decl.share is not None else "")
        return f"across filings of one unit, `checks.across` `{decl.name}`{bound}"
    return f"`{decl.name}` ({type(decl).__name__.lower()} engine)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    lines = [
        "# Inconsistency rules",
        "",
        "Generated from `checks/rules.py` by `python -m checks.docs`; do not edit by hand.",
        "",
        "Every flag's numbers mean the same: `printed` (= `actual`) is the figure the report prints that",
        "the rule checks; `expected` is what it should be: `computed` from the other figures, or",
        "`limit_value` for a bound. A sum tolerates its tolerance per addend.",
        "",
        f"A flag is alerted only when every fact it compares was matched by {', '.join(R.CERTAIN_METHODS)}",
        f"with a score of at least {R.CONFIDENCE_BAR:g} and was not placed by inference; otherwise it is",
        "stored with severity `info` and `needs_review = true`, shown in the report and never alerted.",
        "A label printed as a synonym with one qualifier of `[qualifiers]` in mappings/vocabulary.toml",
        "(项目支出合计, 当年财政拨款资金, 年末实有人数), or with one of its equivalent wordings (办公费用 for",
        "办公费, 会议费和培训费 for 会议费、培训费), is a synonym match scored 95: certain, where a fuzzy",
        "score, however high, never is (非财政拨款 scores 89 against 财政拨款). Placements by the form",
        "itself are certain as well: a fund row, structure part or cost line whose wording is a",
        "near-miss of the very row the template prints next (年度资金总量 → 年度资金总额, 其他来源资金 →",
        "其他资金, 日常办公经费 → 办公经费 after 公用经费; not after a section's free lines, where more",
        "lines may come) is a `template` match scored 90, wording and order agreeing; so is each of the three",
        "staffing headers of one row named each by its own keyword (人员编制, 实有在编人数, 控制率);",
        "and a total row under",
        "the indicators whose label says nothing but a sum of scores (合计, 合计得分, 得分合计, 自评总分)",
        "is the total score (synonym, 95). A near-miss of a later row, or a row placed by order alone",
        "(`position`), stays an inferred place.",
        "A sum whose part was not read (its row read, not that column; or an always-printed part left",
        "blank) goes to review the same way; so does one whose part has a row of its own on every",
        "edition of the form (the 三公 lines) and none of it was read (read as another item, it would",
        "count as 0). Any other row the form leaves out counts as 0. A narrative figure",
        "that equals another cell of the forms (not the same figure in another form) puts its",
        "`narrative_table_mismatch` in review too (an `alternative` cell names that cell).",
        "",
        "A loose reading the form's own arithmetic confirms counts as certain (`checks/confirm.py`; the",
        "cell's `confirmed_by` names the rule): a total that two or more nonzero certain parts add up to",
        "within the tolerance, in any column (a fuzzy 三公 total row whose budget column adds up is",
        "confirmed in its final column too); the one loose nonzero part that a certain total and certain",
        "siblings leave room for; OCR'd figures under certain labels that add up to the cent; staffing",
        "counts under their own column labels that reproduce the printed control rate and differ. A",
        "single nonzero part equal to its total, zeros, two loose parts of one sum and a rate of a row",
        "whose three figures share one label confirm nothing.",
        "",
        "| rule | severity | 名称 | compares | unit | tolerance | printed / expected |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in R.RULES.values():
        what = "<br>".join(_cell(compares(d)) for d in rule.compares)
        printed, expected = rule.labels
        tolerant = any(isinstance(d, (R.Sum, R.Restates)) or (isinstance(d, R.Across) and d.name in R.ACROSS_TOLERANT)
                       for d in rule.compares)
        tolerance = (f"{rule.tolerance} per addend" if isinstance(rule.compares[0], R.Sum) else str(rule.tolerance)) \
            if tolerant else "—"
        lines.append(f"| `{rule.id}` | {rule.severity.value} | {rule.title} | {what} | {rule.unit or '—'} | "
                     f"{tolerance} | {printed} / {expected or '—'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    DOCS_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCS_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
