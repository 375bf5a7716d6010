"""The public views (SPEC §5 first; their names and columns are the contract) and the conveniences."""

from __future__ import annotations

from warehouse.schema.inconsistencies import INCONSISTENCIES
from warehouse.schema.model import FILING_ID, View, columns_of
from warehouse.schema.tables import ALERT_DELIVERIES, FACTS_T, FILINGS_T, INDICATORS_T

COMMON_COMMENTS = {
    "filing_id": FILING_ID,
    "department": "Budget unit that filed the report.",
    "region": "Region, e.g. 湖南省株洲市芦淞区: the portal's configured region, else read from the unit's name "
              "(core/regions.py); the report's --region filters this column.",
    "fiscal_year": "Fiscal year the report assesses.",
}


FILINGS = View(
    "filings",
    "One row per published report (an article and its attachments), including failed ones.",
    columns_of(FILINGS_T, [
        "filing_id", "source_url", "portal", "department", "region", "fiscal_year", "doc_format", "sha256",
        "published_at", "fetched_at", "status", "error", "grade",
    ]) + (("unit_id", "Budget unit that filed it, one id whatever name it printed (see units); "
                      "NULL when the filing names no unit."),),
    """
SELECT f.filing_id, f.source_url, f.portal, f.department, f.region, f.fiscal_year, f.doc_format, f.sha256,
       f.published_at, f.fetched_at, f.status, f.error, f.grade, u.unit_id
FROM filings_t f LEFT JOIN filing_units_t u ON u.filing_id = f.filing_id
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
    columns_of(FACTS_T, [
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
    columns_of(INDICATORS_T, [
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

ALERTS = View(
    "alerts",
    "Alert deliveries with the filing they concern.",
    columns_of(ALERT_DELIVERIES, ["fingerprint", "channel", "kind", "filing_id"])
    + (("department", COMMON_COMMENTS["department"]), ("fiscal_year", COMMON_COMMENTS["fiscal_year"]))
    + columns_of(ALERT_DELIVERIES, [
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
        ("filing_id", COMMON_COMMENTS["filing_id"]),
        ("department", COMMON_COMMENTS["department"]),
        ("region", COMMON_COMMENTS["region"]),
        ("fiscal_year", COMMON_COMMENTS["fiscal_year"]),
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
    materialised=True,
)

COST_CONTROL = View(
    "cost_control",
    "Cost-control lines of basic_data (三公经费, 项目支出, 公用经费, ...) with prior-year final, "
    "budget and final side by side.",
    (
        ("filing_id", COMMON_COMMENTS["filing_id"]),
        ("department", COMMON_COMMENTS["department"]),
        ("region", COMMON_COMMENTS["region"]),
        ("fiscal_year", COMMON_COMMENTS["fiscal_year"]),
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
    materialised=True,
)

FUND_EXECUTION = View(
    "fund_execution",
    "Budget execution per filing, form and project: fund rows of overall_eval and project_eval.",
    (
        ("filing_id", COMMON_COMMENTS["filing_id"]),
        ("department", COMMON_COMMENTS["department"]),
        ("fiscal_year", COMMON_COMMENTS["fiscal_year"]),
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
    materialised=True,
)

FILING_SUMMARY = View(
    "filing_summary",
    "One row per filing: what was read and what was flagged.",
    (
        ("filing_id", COMMON_COMMENTS["filing_id"]),
        ("department", COMMON_COMMENTS["department"]),
        ("region", COMMON_COMMENTS["region"]),
        ("fiscal_year", COMMON_COMMENTS["fiscal_year"]),
        ("status", "ok, partial or failed."),
        ("grade", "Self-assessed grade (评价等次)."),
        ("total_score", "综合得分 of overall_eval, when printed."),
        ("fact_count", "Facts extracted."),
        ("indicator_count", "Indicator rows extracted."),
        ("unmapped_label_count", "Labels left unmapped."),
        ("error_flags", "Alertable flags of severity error: not awaiting review, not decided a false alarm."),
        ("warning_flags", "Alertable flags of severity warning (as error_flags)."),
        ("info_flags", "Alertable flags of severity info (as error_flags)."),
        ("review_flags", "Flags awaiting review (needs_review: shown as 待复核, never alerted), any severity."),
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
    -- what an alert would say: flags resting on uncertain readings or decided false alarms are not counted
    SELECT i.filing_id,
           count(*) FILTER (WHERE alertable AND severity = 'error') AS errors,
           count(*) FILTER (WHERE alertable AND severity = 'warning') AS warnings,
           count(*) FILTER (WHERE alertable AND severity = 'info') AS infos,
           count(*) FILTER (WHERE coalesce(needs_review, false)) AS reviews
    FROM (SELECT i.*, NOT coalesce(i.needs_review, false) AND r.fingerprint IS NULL AS alertable
          FROM inconsistencies_t i
          LEFT JOIN reviews r ON r.fingerprint = i.fingerprint AND r.decision = 'false_alarm') i
    GROUP BY i.filing_id
)
SELECT f.filing_id, f.department, f.region, f.fiscal_year, f.status, f.grade, fa.total_score,
       coalesce(fa.n, 0) AS fact_count,
       coalesce(ind.n, 0) AS indicator_count,
       coalesce(un.n, 0) AS unmapped_label_count,
       coalesce(fl.errors, 0) AS error_flags,
       coalesce(fl.warnings, 0) AS warning_flags,
       coalesce(fl.infos, 0) AS info_flags,
       coalesce(fl.reviews, 0) AS review_flags,
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
    materialised=True,
)

# SPEC §5 views first: the contract. The rest are conveniences built on the same tables.
SPEC_VIEWS: tuple[View, ...] = (FILINGS, FACTS, INDICATORS, INCONSISTENCIES)
VIEWS: tuple[View, ...] = SPEC_VIEWS + (ALERTS, STAFFING, COST_CONTROL, FUND_EXECUTION, FILING_SUMMARY)
PUBLIC_VIEWS: tuple[str, ...] = tuple(v.name for v in VIEWS)
