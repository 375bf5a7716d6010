"""The flags part of the schema: the internal inconsistencies_t table and its public view."""

from __future__ import annotations

from core.records import SEVERITIES
from warehouse.schema.model import FILING_ID, RUN_ID, C, Table, View, check_in, columns_of, quote

# One meaning for a flag's numbers, whatever the rule (checks.rules, core.records.Flag).
PRINTED = "The figure the report prints that the rule checks (a total, a rate, a score, a narrative figure)."
COMPUTED = ("What the rule derived from the other printed figures: the sum of the parts, the rate from "
            "its amounts, the form cell a narrative figure restates, the year a header should carry.")
LIMIT = "The bound the printed figure must not exceed (编制数, 全年预算数, 分值, 100), for exceed rules."
EXPECTED = "What actual should be by the rule: computed, or limit_value for a bound."
ACTUAL = "The figure the report printed (= printed)."
NEEDS_REVIEW = ("True when a compared fact was read below the confidence bar (fuzzy, positional, OCR, score "
                "under 90, or an inferred place): such a flag is stored as info and never alerted.")
PLACE_TYPE = ('STRUCT("file" VARCHAR, "sheet" VARCHAR, "page" INTEGER, "table" INTEGER, "row" INTEGER, '
              '"cell" INTEGER, "paragraph" INTEGER, "method" VARCHAR)')

INCONSISTENCIES_T = Table(
    "inconsistencies_t",
    "Flags raised by the consistency rules (SPEC §4); a reload replaces a filing's flags.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("rule", "VARCHAR", "Stable rule id, e.g. three_public_sum.", "NOT NULL"),
        C("severity", "VARCHAR", "error, warning or info.", "NOT NULL " + check_in("severity", SEVERITIES)),
        C("message", "VARCHAR", "Explanation in Chinese for a finance officer."),
        C("expected", "DOUBLE", EXPECTED),
        C("actual", "DOUBLE", ACTUAL),
        C("subject", "VARCHAR", "Project, narrative item or form the flag concerns; NULL for the whole form."),
        C("location", "VARCHAR", "Where the checked figure (and the figure it was held against) was read, "
                                 "as in facts.location; several joined by '; '."),
        C("detected_at", "TIMESTAMP", "When this flag was first raised for this filing (UTC); kept across reloads."),
        C("run_id", "VARCHAR", RUN_ID),
        C("printed", "DOUBLE", PRINTED),
        C("computed", "DOUBLE", COMPUTED),
        C("limit_value", "DOUBLE", LIMIT),
        C("unit", "VARCHAR", "Unit of printed/computed/limit_value/expected/actual: 万元, %, 人, 分, 年."),
        C("item", "VARCHAR", "Canonical item checked, e.g. project.special, staffing.control_rate."),
        C("columns", "VARCHAR[]", "Every column the same contradiction holds in, e.g. [budget, final]."),
        C("place", PLACE_TYPE, "Where the checked figure was read, as a record: file, sheet, page, table, row, "
                               "cell (column), paragraph (1-based), method (a lossy reading: pdf-lines, ocr)."),
        C("evidence", "JSON", "The figures compared, as printed: a list of {role, label, text, value, unit, column, "
                              "location, place, match_method, match_score, inferred}; role is printed, part, "
                              "limit or reference."),
        C("weakest_match", "DOUBLE", "The lowest match score (0-100) among the facts compared."),
        C("weakest_method", "VARCHAR", "Match method of that fact: exact, synonym, template, fuzzy, position, pattern, ocr+..."),
        C("inferred", "BOOLEAN", "True when a compared fact's place was inferred (template order, a section "
                                 "closed by a near-miss heading)."),
        C("needs_review", "BOOLEAN", NEEDS_REVIEW, "DEFAULT false"),
        C("fingerprint", "VARCHAR", "Stable id of the flag: sha256 of filing, rule, subject, item, printed and "
                                    "expected (2 decimals); review decisions and alerts key on it."),
    ),
)

# The first seven are SPEC §5's; columns are only ever added.
INCONSISTENCY_COLUMNS = [
    "filing_id", "rule", "severity", "message", "expected", "actual", "detected_at",
    "needs_review", "weakest_match", "location", "subject", "unit", "fingerprint",
    "printed", "computed", "limit_value", "item", "columns", "place", "evidence", "weakest_method", "inferred",
]

# The analysts' decision in force (``jixiao review decide``), from the reviews table.
REVIEW_COLUMNS = (
    ("decision", "The analysts' decision: confirmed (the report is wrong), false_alarm (never alerted again), "
                 "fixed_by_unit (the unit corrected it); NULL while nobody has decided."),
    ("decided_by", "Who decided."),
    ("decided_at", "When it was decided (UTC)."),
    ("review_note", "Why, in the analyst's words."),
)

INCONSISTENCIES = View(
    "inconsistencies",
    "Internal contradictions found in a filing, one row per flag (rules in SPEC §4).",
    columns_of(INCONSISTENCIES_T, INCONSISTENCY_COLUMNS) + REVIEW_COLUMNS,
    f"""
SELECT {", ".join("i." + quote(c) for c in INCONSISTENCY_COLUMNS)},
       r.decision, r.decided_by, r.decided_at, r.note AS review_note
FROM inconsistencies_t i
LEFT JOIN reviews r ON r.fingerprint = i.fingerprint
""",
    (
        ("Errors by rule", "SELECT rule, count(*) AS n FROM inconsistencies WHERE severity = 'error'\n"
                           "GROUP BY rule ORDER BY n DESC;"),
        ("Flags to review (inputs read below the confidence bar)",
         "SELECT filing_id, rule, message, weakest_match, weakest_method, location FROM inconsistencies\n"
         "WHERE needs_review ORDER BY weakest_match;"),
        ("Where a flag's figures were printed",
         "SELECT rule, printed, computed, limit_value, unit, place.file, place.page, place.table, place.row\n"
         "FROM inconsistencies WHERE NOT needs_review;"),
        ("Open flags: not yet decided, or confirmed",
         "SELECT filing_id, rule, message, decision FROM inconsistencies\n"
         "WHERE decision IS NULL OR decision = 'confirmed';"),
        ("Departments with the most errors",
         "SELECT f.department, f.fiscal_year, count(*) AS errors\n"
         "FROM inconsistencies i JOIN filings f USING (filing_id)\n"
         "WHERE i.severity = 'error' GROUP BY ALL ORDER BY errors DESC LIMIT 20;"),
    ),
)
