"""The flags part of the schema: the internal inconsistencies_t table and its public view."""

from __future__ import annotations

from warehouse.schema.model import FILING_ID, RUN_ID, C, Table, View, check_in, columns_of

SEVERITIES = ("error", "warning", "info")

INCONSISTENCIES_T = Table(
    "inconsistencies_t",
    "Flags raised by the consistency rules (SPEC §4); a reload replaces a filing's flags.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("rule", "VARCHAR", "Stable rule id, e.g. three_public_sum.", "NOT NULL"),
        C("severity", "VARCHAR", "error, warning or info.", "NOT NULL " + check_in("severity", SEVERITIES)),
        C("message", "VARCHAR", "Explanation in Chinese for a finance officer."),
        C("expected", "DOUBLE", "The value the rule computed."),
        C("actual", "DOUBLE", "The value the report printed."),
        C("subject", "VARCHAR", "Project or line the flag concerns, when not the whole filing."),
        C("location", "VARCHAR", "Where the contradicted figure was read."),
        C("detected_at", "TIMESTAMP", "When this flag was first raised for this filing (UTC); kept across reloads."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

INCONSISTENCIES = View(
    "inconsistencies",
    "Internal contradictions found in a filing, one row per flag (rules in SPEC §4).",
    columns_of(INCONSISTENCIES_T, ["filing_id", "rule", "severity", "message", "expected", "actual", "detected_at"]),
    """
SELECT filing_id, rule, severity, message, expected, actual, detected_at
FROM inconsistencies_t
""",
    (
        ("Errors by rule", "SELECT rule, count(*) AS n FROM inconsistencies WHERE severity = 'error'\n"
                           "GROUP BY rule ORDER BY n DESC;"),
        ("Departments with the most errors",
         "SELECT f.department, f.fiscal_year, count(*) AS errors\n"
         "FROM inconsistencies i JOIN filings f USING (filing_id)\n"
         "WHERE i.severity = 'error' GROUP BY ALL ORDER BY errors DESC LIMIT 20;"),
    ),
)
