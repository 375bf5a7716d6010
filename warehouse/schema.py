"""The warehouse schema as data: tables, views and their comments in one place.

Everything else is generated from here: the DDL, the ``COMMENT ON`` statements that make
``duckdb_columns()`` self-documenting, and ``docs/warehouse.md``. The views are the public
interface (SPEC §5); the ``*_t`` tables behind them are free to change through migrations.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bump together with a new entry in warehouse.migrations.MIGRATIONS.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    constraint: str = ""  # e.g. NOT NULL, DEFAULT 0, CHECK (...); never PRIMARY KEY/UNIQUE


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self, name: str | None = None) -> str:
        cols = ",\n".join(
            f"    {quote(c.name)} {c.type}{(' ' + c.constraint) if c.constraint else ''}" for c in self.columns
        )
        return f"CREATE TABLE IF NOT EXISTS {quote(name or self.name)} (\n{cols}\n)"

    def comments(self) -> list[str]:
        out = [f"COMMENT ON TABLE {quote(self.name)} IS {literal(self.comment)}"]
        out += [
            f"COMMENT ON COLUMN {quote(self.name)}.{quote(c.name)} IS {literal(c.comment)}" for c in self.columns
        ]
        return out


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    columns: tuple[tuple[str, str], ...]  # (name, comment), in the order the SELECT yields them
    sql: str
    examples: tuple[tuple[str, str], ...] = ()  # (question, SQL) for the data dictionary

    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def ddl(self) -> str:
        return f"CREATE OR REPLACE VIEW {quote(self.name)} AS\n{self.sql.strip()}"

    def comments(self) -> list[str]:
        out = [f"COMMENT ON VIEW {quote(self.name)} IS {literal(self.comment)}"]
        out += [f"COMMENT ON COLUMN {quote(self.name)}.{quote(n)} IS {literal(c)}" for n, c in self.columns]
        return out


# DuckDB reserves words such as "column": quote every identifier rather than keep a list.
def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def C(name: str, type_: str, comment: str, constraint: str = "") -> Column:
    return Column(name, type_, comment, constraint)


def _check_in(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({quote(column)} IN ({', '.join(literal(v) for v in values)}))"


FILING_STATUSES = ("ok", "partial", "failed")
SEVERITIES = ("error", "warning", "info")
ALERT_KINDS = ("inconsistency", "resolved", "run_failed", "portal_down", "test")
ALERT_STATUSES = ("pending", "sent", "failed")

FILING_ID = "Stable id of the filing: one published report (an article and all its attachments)."
RUN_ID = "Run (load id) that wrote this row; equals the filing's run_id (see runs)."

# --- internal tables ---------------------------------------------------------------

FILINGS_T = Table(
    "filings_t",
    "One row per filing, replaced whenever its documents or the parser change.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("source_url", "VARCHAR", "Article URL on the portal, or the local path for files loaded by hand."),
        C("portal", "VARCHAR", "Portal key the filing was crawled from (NULL for local files)."),
        C("department", "VARCHAR", "Budget unit that filed the report (部门/单位)."),
        C("region", "VARCHAR", "Region of the portal (province / city / county)."),
        C("fiscal_year", "INTEGER", "Fiscal year the report assesses (not the publication year)."),
        C("title", "VARCHAR", "Article title as published."),
        C("doc_format", "VARCHAR", "Format(s) of its documents, comma-joined when several (docx, pdf, xls, html, ...)."),
        C("sha256", "VARCHAR", "Content hash over all its documents; a changed document changes it."),
        C("published_at", "DATE", "Publication date printed on the article page."),
        C("fetched_at", "TIMESTAMP", "When the crawler downloaded it (UTC)."),
        C("status", "VARCHAR", "ok: fully read; partial: read with gaps; failed: nothing usable (see error).",
          "NOT NULL " + _check_in("status", FILING_STATUSES)),
        C("error", "VARCHAR", "Why the filing failed or is partial; NULL when ok."),
        C("grade", "VARCHAR", "Self-assessed grade (评价等次) as printed, e.g. 优."),
        C("run_id", "VARCHAR", "Run that last loaded this filing (see runs)."),
        C("parser_version", "VARCHAR", "Parser version that produced these rows; a new version reloads the filing."),
        C("loaded_at", "TIMESTAMP", "When these rows were written (UTC)."),
    ),
)

FACTS_T = Table(
    "facts_t",
    "Every extracted number: (form, subject, item, column) -> value, unit, with its provenance.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("ordinal", "INTEGER", "Position of the fact in extraction order, for stable sorting."),
        C("form", "VARCHAR", "Form key: basic_data, overall_eval, project_eval, project_list, narrative.", "NOT NULL"),
        C("subject", "VARCHAR", "Project name for project_eval and project lines; NULL otherwise."),
        C("item", "VARCHAR", "Canonical item, e.g. three_public.total, funds.total, staffing.actual.", "NOT NULL"),
        C("column", "VARCHAR", "Canonical column, e.g. prior_final, budget, final, executed; NULL for single values."),
        C("value", "DOUBLE", "The number; NULL for a blank or a dash, never 0."),
        C("unit", "VARCHAR", "万元 for amounts, % for rates (100.0 = 100%), 人, 分, ㎡."),
        C("source_label", "VARCHAR", "The label as printed in the report."),
        C("match_score", "DOUBLE", "Confidence of the label match, 0-100."),
        C("match_method", "VARCHAR", "How the label was matched: exact, synonym, fuzzy, pattern, ocr+..."),
        C("location", "VARCHAR", "Where it was read: file, page/table/row/cell."),
        C("raw_value", "VARCHAR", "The cell or phrase text the value was parsed from."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

INDICATORS_T = Table(
    "indicators_t",
    "Performance indicators (绩效指标) rows of overall_eval and project_eval forms.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("ordinal", "INTEGER", "Position in extraction order."),
        C("form", "VARCHAR", "overall_eval or project_eval."),
        C("subject", "VARCHAR", "Project name for project_eval; NULL for overall_eval."),
        C("level1", "VARCHAR", "一级指标 (e.g. 产出指标)."),
        C("level2", "VARCHAR", "二级指标 (e.g. 数量指标)."),
        C("level3", "VARCHAR", "三级指标: the indicator itself."),
        C("target", "VARCHAR", "年度指标值 as printed (text: may hold ≥, %, words)."),
        C("actual", "VARCHAR", "实际完成值 as printed."),
        C("max_score", "DOUBLE", "分值."),
        C("score", "DOUBLE", "得分."),
        C("note", "VARCHAR", "偏差原因分析及改进措施, or other remarks."),
        C("location", "VARCHAR", "Where it was read: file, table, row."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

INCONSISTENCIES_T = Table(
    "inconsistencies_t",
    "Flags raised by the consistency rules (SPEC §4); a reload replaces a filing's flags.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("rule", "VARCHAR", "Stable rule id, e.g. three_public_sum.", "NOT NULL"),
        C("severity", "VARCHAR", "error, warning or info.", "NOT NULL " + _check_in("severity", SEVERITIES)),
        C("message", "VARCHAR", "Explanation in Chinese for a finance officer."),
        C("expected", "DOUBLE", "The value the rule computed."),
        C("actual", "DOUBLE", "The value the report printed."),
        C("subject", "VARCHAR", "Project or line the flag concerns, when not the whole filing."),
        C("location", "VARCHAR", "Where the contradicted figure was read."),
        C("detected_at", "TIMESTAMP", "When this flag was first raised for this filing (UTC); kept across reloads."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

UNMAPPED_LABELS_T = Table(
    "unmapped_labels_t",
    "Labels the mapper could not place on the canonical schema: the mapping team's to-do list.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("form", "VARCHAR", "Form the label was found in, when known."),
        C("label", "VARCHAR", "The label as printed.", "NOT NULL"),
        C("location", "VARCHAR", "Where it was found."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

DOCUMENTS_T = Table(
    "documents_t",
    "The files of each filing and how reading them went.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("name", "VARCHAR", "File name or attachment title as published.", "NOT NULL"),
        C("sha256", "VARCHAR", "Content hash of the file."),
        C("doc_format", "VARCHAR", "Detected format (docx, doc, wps, pdf, pdf-scanned, xlsx, xls, html)."),
        C("source_url", "VARCHAR", "Download URL of the file."),
        C("status", "VARCHAR", "extracted: the extractors read it; not_extracted: nothing came out of it."),
        C("error", "VARCHAR", "The filing's error when this file could not be read."),
        C("warnings", "VARCHAR[]", "Extractor warnings, e.g. pages routed to OCR."),
        C("run_id", "VARCHAR", RUN_ID),
    ),
)

RUNS = Table(
    "runs",
    "One row per pipeline run (load id): filter rows by run_id to the last complete run.",
    (
        C("run_id", "VARCHAR", "Run id: UTC start time plus a random suffix, sortable.", "NOT NULL"),
        C("kind", "VARCHAR", "What started it: nightly, local, backfill, ..."),
        C("started_at", "TIMESTAMP", "Start (UTC)."),
        C("finished_at", "TIMESTAMP", "End (UTC); NULL while running or after a crash."),
        C("status", "VARCHAR", "running until the flow finishes it (completed, failed, ...)."),
        C("unchanged", "INTEGER", "Filings seen in this run whose content and parser were unchanged.", "DEFAULT 0"),
        C("summary", "JSON", "Counts of the run (filings by status, facts, flags by rule, ...)."),
        C("error", "VARCHAR", "Why the run failed."),
    ),
)

SCHEMA_MIGRATIONS = Table(
    "schema_migrations",
    "Schema versions applied to this database file.",
    (
        C("version", "INTEGER", "Schema version.", "NOT NULL"),
        C("applied_at", "TIMESTAMP", "When it was applied (UTC)."),
        C("description", "VARCHAR", "What the version changed."),
    ),
)

ALERT_DELIVERIES = Table(
    "alert_deliveries",
    "Outbox of alerts: one row per (fingerprint, channel), delivered and retried by the alerts stage.",
    (
        C("fingerprint", "VARCHAR", "Stable id of what is alerted (e.g. filing + rule + subject).", "NOT NULL"),
        C("channel", "VARCHAR", "Delivery channel, e.g. email, webhook.", "NOT NULL"),
        C("kind", "VARCHAR", "inconsistency, resolved, run_failed, portal_down or test.",
          "NOT NULL " + _check_in("kind", ALERT_KINDS)),
        C("filing_id", "VARCHAR", "Filing concerned; NULL for run and portal alerts."),
        C("rule", "VARCHAR", "Rule id for inconsistency/resolved alerts."),
        C("status", "VARCHAR", "pending, sent or failed.",
          "NOT NULL DEFAULT 'pending' " + _check_in("status", ALERT_STATUSES)),
        C("attempts", "INTEGER", "Delivery attempts so far.", "NOT NULL DEFAULT 0"),
        C("last_error", "VARCHAR", "Error of the last failed attempt."),
        C("created_at", "TIMESTAMP", "When the alert was queued (UTC)."),
        C("sent_at", "TIMESTAMP", "When it was delivered (UTC)."),
        C("digest_id", "VARCHAR", "Digest message it was sent in, when alerts are batched."),
    ),
)

TABLES: tuple[Table, ...] = (
    FILINGS_T, FACTS_T, INDICATORS_T, INCONSISTENCIES_T, UNMAPPED_LABELS_T, DOCUMENTS_T,
    RUNS, SCHEMA_MIGRATIONS, ALERT_DELIVERIES,
)

# Tables whose rows belong to one filing and are replaced together by load_filing.
FILING_TABLES: tuple[Table, ...] = (
    FILINGS_T, DOCUMENTS_T, FACTS_T, INDICATORS_T, UNMAPPED_LABELS_T, INCONSISTENCIES_T,
)

# --- public views (SPEC §5 first; their names and columns are the contract) ---------------

_F = {
    "filing_id": FILING_ID,
    "department": "Budget unit that filed the report.",
    "region": "Region of the portal.",
    "fiscal_year": "Fiscal year the report assesses.",
}


def _cols(table: Table, names: list[str]) -> tuple[tuple[str, str], ...]:
    by_name = {c.name: c.comment for c in table.columns}
    return tuple((n, by_name[n]) for n in names)


FILINGS = View(
    "filings",
    "One row per published report (an article and its attachments), including failed ones.",
    _cols(FILINGS_T, [
        "filing_id", "source_url", "portal", "department", "region", "fiscal_year", "doc_format", "sha256",
        "published_at", "fetched_at", "status", "error", "grade",
    ]),
    """
SELECT filing_id, source_url, portal, department, region, fiscal_year, doc_format, sha256,
       published_at, fetched_at, status, error, grade
FROM filings_t
""",
    (
        ("Filings per fiscal year and status",
         "SELECT fiscal_year, status, count(*) AS n FROM filings GROUP BY ALL ORDER BY ALL;"),
        ("Failed filings and why",
         "SELECT department, source_url, error FROM filings WHERE status = 'failed';"),
    ),
)

FACTS = View(
    "facts",
    "Every extracted figure in canonical form: (form, subject, item, column) -> value, unit.",
    _cols(FACTS_T, [
        "filing_id", "form", "subject", "item", "column", "value", "unit", "source_label", "match_score",
        "location",
    ]),
    """
SELECT filing_id, form, subject, item, "column", value, unit, source_label, match_score, location
FROM facts_t
""",
    (
        ("三公经费 final by department and year (note: \"column\" must be quoted)",
         "SELECT f.department, f.fiscal_year, x.value AS three_public_final\n"
         "FROM facts x JOIN filings f USING (filing_id)\n"
         "WHERE x.form = 'basic_data' AND x.item = 'three_public.total' AND x.\"column\" = 'final'\n"
         "ORDER BY f.fiscal_year, f.department;"),
        ("Low-confidence label matches to review",
         "SELECT filing_id, source_label, item, match_score, location FROM facts\n"
         "WHERE match_score < 80 ORDER BY match_score;"),
    ),
)

INDICATORS = View(
    "indicators",
    "Performance indicators (绩效指标) of the overall and project self-assessment forms.",
    _cols(INDICATORS_T, [
        "filing_id", "form", "subject", "level1", "level2", "level3", "target", "actual", "max_score",
        "score", "note",
    ]),
    """
SELECT filing_id, form, subject, level1, level2, level3, target, actual, max_score, score, note
FROM indicators_t
""",
    (
        ("Indicators that lost points",
         "SELECT filing_id, subject, level3, target, actual, max_score, score FROM indicators\n"
         "WHERE score < max_score ORDER BY max_score - score DESC;"),
    ),
)

INCONSISTENCIES = View(
    "inconsistencies",
    "Internal contradictions found in a filing, one row per flag (rules in SPEC §4).",
    _cols(INCONSISTENCIES_T, ["filing_id", "rule", "severity", "message", "expected", "actual", "detected_at"]),
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

ALERTS = View(
    "alerts",
    "Alert deliveries with the filing they concern.",
    _cols(ALERT_DELIVERIES, ["fingerprint", "channel", "kind", "filing_id"])
    + (("department", _F["department"]), ("fiscal_year", _F["fiscal_year"]))
    + _cols(ALERT_DELIVERIES, [
        "rule", "status", "attempts", "last_error", "created_at", "sent_at", "digest_id",
    ]),
    """
SELECT a.fingerprint, a.channel, a.kind, a.filing_id, f.department, f.fiscal_year,
       a.rule, a.status, a.attempts, a.last_error, a.created_at, a.sent_at, a.digest_id
FROM alert_deliveries a
LEFT JOIN filings_t f ON f.filing_id = a.filing_id
""",
    (
        ("Undelivered alerts", "SELECT * FROM alerts WHERE status <> 'sent' ORDER BY created_at;"),
    ),
)

STAFFING = View(
    "staffing",
    "Staffing per filing: authorized vs actual headcount and control rate, reported and computed. "
    "Figures come from basic_data, or from the narrative when the form lacks them.",
    (
        ("filing_id", _F["filing_id"]),
        ("department", _F["department"]),
        ("region", _F["region"]),
        ("fiscal_year", _F["fiscal_year"]),
        ("authorized", "编制数 (人)."),
        ("actual", "实际在职人数 (人)."),
        ("reported_control_rate", "控制率 as printed, in percent (100.0 = 100%)."),
        ("computed_control_rate", "actual / authorized in percent, rounded to 2 decimals."),
        ("over_quota", "True when actual headcount exceeds the authorized headcount."),
    ),
    """
WITH s AS (
    SELECT filing_id,
           arg_min(value, ordinal) FILTER (WHERE form = 'basic_data' AND item = 'staffing.authorized') AS t_auth,
           arg_min(value, ordinal) FILTER (WHERE form = 'basic_data' AND item = 'staffing.actual') AS t_actual,
           arg_min(value, ordinal) FILTER (WHERE form = 'basic_data' AND item = 'staffing.control_rate') AS t_rate,
           arg_min(value, ordinal) FILTER (WHERE form = 'narrative' AND item = 'authorized_headcount') AS n_auth,
           arg_min(value, ordinal) FILTER (WHERE form = 'narrative' AND item = 'actual_headcount') AS n_actual
    FROM facts_t
    WHERE item IN ('staffing.authorized', 'staffing.actual', 'staffing.control_rate',
                   'authorized_headcount', 'actual_headcount')
    GROUP BY filing_id
), c AS (
    SELECT f.filing_id, f.department, f.region, f.fiscal_year,
           coalesce(s.t_auth, s.n_auth) AS authorized,
           coalesce(s.t_actual, s.n_actual) AS actual,
           s.t_rate AS reported_control_rate
    FROM filings_t f LEFT JOIN s ON s.filing_id = f.filing_id
)
SELECT filing_id, department, region, fiscal_year, authorized, actual, reported_control_rate,
       round(100.0 * actual / nullif(authorized, 0), 2) AS computed_control_rate,
       actual > authorized AS over_quota
FROM c
""",
    (
        ("Units over their staffing quota",
         "SELECT department, fiscal_year, authorized, actual, computed_control_rate\n"
         "FROM staffing WHERE over_quota ORDER BY computed_control_rate DESC;"),
        ("Misreported control rates",
         "SELECT * FROM staffing\n"
         "WHERE round(reported_control_rate) <> round(computed_control_rate);"),
    ),
)

COST_CONTROL = View(
    "cost_control",
    "Cost-control lines of basic_data (三公经费, 项目支出, 公用经费, ...) with prior-year final, "
    "budget and final side by side.",
    (
        ("filing_id", _F["filing_id"]),
        ("department", _F["department"]),
        ("region", _F["region"]),
        ("fiscal_year", _F["fiscal_year"]),
        ("item", "Canonical item, e.g. three_public.total, project.line."),
        ("subject", "Line label for project.line / public_funds.line; NULL otherwise."),
        ("source_label", "The label as printed (first occurrence)."),
        ("unit", "Unit of the amounts (万元)."),
        ("prior_final", "上年决算数."),
        ("budget", "本年预算数."),
        ("final", "本年决算数."),
        ("final_minus_budget", "final - budget: positive means overspent."),
        ("final_vs_prior", "final - prior_final: change on the previous year."),
    ),
    """
WITH l AS (
    SELECT filing_id, item, subject,
           arg_min(source_label, ordinal) AS source_label,
           arg_min(unit, ordinal) AS unit,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'prior_final') AS prior_final,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'budget') AS budget,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'final') AS final
    FROM facts_t
    WHERE form = 'basic_data' AND "column" IN ('prior_final', 'budget', 'final')
    GROUP BY filing_id, item, subject
)
SELECT l.filing_id, f.department, f.region, f.fiscal_year, l.item, l.subject, l.source_label, l.unit,
       l.prior_final, l.budget, l.final,
       round(l.final - l.budget, 2) AS final_minus_budget,
       round(l.final - l.prior_final, 2) AS final_vs_prior
FROM l JOIN filings_t f ON f.filing_id = l.filing_id
""",
    (
        ("三公经费 over budget",
         "SELECT department, fiscal_year, budget, final, final_minus_budget FROM cost_control\n"
         "WHERE item = 'three_public.total' AND final_minus_budget > 0;"),
    ),
)

FUND_EXECUTION = View(
    "fund_execution",
    "Budget execution per filing, form and project: fund rows of overall_eval and project_eval.",
    (
        ("filing_id", _F["filing_id"]),
        ("department", _F["department"]),
        ("fiscal_year", _F["fiscal_year"]),
        ("form", "overall_eval or project_eval."),
        ("subject", "Project name for project_eval; NULL for overall_eval."),
        ("item", "funds.total, or for projects funds.appropriation / funds.carryover / funds.other."),
        ("initial_budget", "年初预算数 (万元)."),
        ("full_year_budget", "全年预算数 (万元)."),
        ("executed", "全年执行数 (万元)."),
        ("reported_execution_rate", "执行率 as printed, in percent."),
        ("computed_execution_rate", "executed / full_year_budget in percent, rounded to 2 decimals."),
        ("max_score", "分值 of the fund row."),
        ("score", "得分 of the fund row."),
    ),
    """
WITH r AS (
    SELECT filing_id, form, subject, item,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'initial_budget') AS initial_budget,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'full_year_budget') AS full_year_budget,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'executed') AS executed,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'execution_rate') AS reported_execution_rate,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'max_score') AS max_score,
           arg_min(value, ordinal) FILTER (WHERE "column" = 'score') AS score
    FROM facts_t
    WHERE form IN ('overall_eval', 'project_eval') AND item LIKE 'funds.%'
    GROUP BY filing_id, form, subject, item
)
SELECT r.filing_id, f.department, f.fiscal_year, r.form, r.subject, r.item,
       r.initial_budget, r.full_year_budget, r.executed, r.reported_execution_rate,
       round(100.0 * r.executed / nullif(r.full_year_budget, 0), 2) AS computed_execution_rate,
       r.max_score, r.score
FROM r JOIN filings_t f ON f.filing_id = r.filing_id
""",
    (
        ("Projects executed below 90%",
         "SELECT department, fiscal_year, subject, full_year_budget, executed, computed_execution_rate\n"
         "FROM fund_execution\n"
         "WHERE form = 'project_eval' AND item = 'funds.total' AND computed_execution_rate < 90;"),
    ),
)

FILING_SUMMARY = View(
    "filing_summary",
    "One row per filing: what was read and what was flagged.",
    (
        ("filing_id", _F["filing_id"]),
        ("department", _F["department"]),
        ("region", _F["region"]),
        ("fiscal_year", _F["fiscal_year"]),
        ("status", "ok, partial or failed."),
        ("grade", "Self-assessed grade (评价等次)."),
        ("total_score", "综合得分 of overall_eval, when printed."),
        ("fact_count", "Facts extracted."),
        ("indicator_count", "Indicator rows extracted."),
        ("unmapped_label_count", "Labels left unmapped."),
        ("error_flags", "Flags of severity error."),
        ("warning_flags", "Flags of severity warning."),
        ("info_flags", "Flags of severity info."),
        ("run_id", "Run that last loaded the filing."),
    ),
    """
WITH fa AS (
    SELECT filing_id, count(*) AS n,
           arg_min(value, ordinal) FILTER (WHERE form = 'overall_eval' AND item = 'total_score') AS total_score
    FROM facts_t GROUP BY filing_id
), ind AS (
    SELECT filing_id, count(*) AS n FROM indicators_t GROUP BY filing_id
), un AS (
    SELECT filing_id, count(*) AS n FROM unmapped_labels_t GROUP BY filing_id
), fl AS (
    SELECT filing_id,
           count(*) FILTER (WHERE severity = 'error') AS errors,
           count(*) FILTER (WHERE severity = 'warning') AS warnings,
           count(*) FILTER (WHERE severity = 'info') AS infos
    FROM inconsistencies_t GROUP BY filing_id
)
SELECT f.filing_id, f.department, f.region, f.fiscal_year, f.status, f.grade, fa.total_score,
       coalesce(fa.n, 0) AS fact_count,
       coalesce(ind.n, 0) AS indicator_count,
       coalesce(un.n, 0) AS unmapped_label_count,
       coalesce(fl.errors, 0) AS error_flags,
       coalesce(fl.warnings, 0) AS warning_flags,
       coalesce(fl.infos, 0) AS info_flags,
       f.run_id
FROM filings_t f
LEFT JOIN fa ON fa.filing_id = f.filing_id
LEFT JOIN ind ON ind.filing_id = f.filing_id
LEFT JOIN un ON un.filing_id = f.filing_id
LEFT JOIN fl ON fl.filing_id = f.filing_id
""",
    (
        ("Overview of the latest data",
         "SELECT fiscal_year, count(*) AS filings, sum(error_flags) AS errors,\n"
         "       sum(unmapped_label_count) AS unmapped\n"
         "FROM filing_summary GROUP BY fiscal_year ORDER BY fiscal_year;"),
    ),
)

# SPEC §5 views first: the contract. The rest are conveniences built on the same tables.
SPEC_VIEWS: tuple[View, ...] = (FILINGS, FACTS, INDICATORS, INCONSISTENCIES)
VIEWS: tuple[View, ...] = SPEC_VIEWS + (ALERTS, STAFFING, COST_CONTROL, FUND_EXECUTION, FILING_SUMMARY)
PUBLIC_VIEWS: tuple[str, ...] = tuple(v.name for v in VIEWS)


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def table_ddl() -> list[str]:
    return [t.ddl() for t in TABLES]


def view_ddl() -> list[str]:
    return [v.ddl() for v in VIEWS]


def comment_statements() -> list[str]:
    out: list[str] = []
    for obj in (*TABLES, *VIEWS):
        out += obj.comments()
    return out
