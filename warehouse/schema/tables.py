"""The internal ``*_t`` tables (free to change through migrations) and the bookkeeping tables."""

from __future__ import annotations

from warehouse.schema.inconsistencies import INCONSISTENCIES_T
from warehouse.schema.model import FILING_ID, RUN_ID, C, Table, check_in
from warehouse.schema.reviews import REVIEWS

FILING_STATUSES = ("ok", "partial", "failed")
ALERT_KINDS = ("inconsistency", "resolved", "run_failed", "portal_down", "test")
ALERT_STATUSES = ("pending", "sent", "failed")


FILINGS_T = Table(
    "filings_t",
    "One row per filing, replaced whenever its documents or the parser change.",
    (
        C("filing_id", "VARCHAR", FILING_ID, "NOT NULL"),
        C("source_url", "VARCHAR", "Article URL on the portal, or the local path for files loaded by hand."),
        C("portal", "VARCHAR", "Portal key the filing was crawled from (NULL for local files)."),
        C("department", "VARCHAR", "Budget unit that filed the report (部门/单位)."),
        C("region", "VARCHAR", "Region, e.g. 湖南省株洲市芦淞区: the portal's configured region, else read from the unit's name "
        "by the rule of core/regions.py (the report's --region filters this column)."),
        C("fiscal_year", "INTEGER", "Fiscal year the report assesses (not the publication year)."),
        C("title", "VARCHAR", "Article title as published."),
        C("doc_format", "VARCHAR", "Format(s) of its documents, comma-joined when several (docx, pdf, xls, html, ...)."),
        C("sha256", "VARCHAR", "Content hash over all its documents; a changed document changes it."),
        C("published_at", "DATE", "Publication date printed on the article page."),
        C("fetched_at", "TIMESTAMP", "When the crawler downloaded it (UTC)."),
        C("status", "VARCHAR", "ok: fully read; partial: read with gaps; failed: nothing usable (see error).",
          "NOT NULL " + check_in("status", FILING_STATUSES)),
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
        C("match_method", "VARCHAR", "How the label was matched: exact, synonym, template, fuzzy, position, pattern, ocr+..."),
        C("location", "VARCHAR", "Where it was read: file, page/table/row/cell."),
        C("raw_value", "VARCHAR", "The cell or phrase text the value was parsed from."),
        C("inferred", "BOOLEAN", "True when the fact's place was inferred (the form's template order, a section "
                                 "closed by a near-miss heading) rather than read from a label: `jixiao review` "
                                 "lists it.", "DEFAULT false"),
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
          "NOT NULL " + check_in("kind", ALERT_KINDS)),
        C("filing_id", "VARCHAR", "Filing concerned; NULL for run and portal alerts."),
        C("rule", "VARCHAR", "Rule id for inconsistency/resolved alerts."),
        C("status", "VARCHAR", "pending, sent or failed.",
          "NOT NULL DEFAULT 'pending' " + check_in("status", ALERT_STATUSES)),
        C("attempts", "INTEGER", "Delivery attempts so far.", "NOT NULL DEFAULT 0"),
        C("last_error", "VARCHAR", "Error of the last failed attempt."),
        C("created_at", "TIMESTAMP", "When the alert was queued (UTC)."),
        C("sent_at", "TIMESTAMP", "When it was delivered (UTC)."),
        C("digest_id", "VARCHAR", "Digest message it was sent in, when alerts are batched."),
    ),
)

TABLES: tuple[Table, ...] = (
    FILINGS_T, FACTS_T, INDICATORS_T, INCONSISTENCIES_T, UNMAPPED_LABELS_T, DOCUMENTS_T,
    RUNS, SCHEMA_MIGRATIONS, ALERT_DELIVERIES, REVIEWS,
)

# Tables whose rows belong to one filing and are replaced together by load_filing.
FILING_TABLES: tuple[Table, ...] = (
    FILINGS_T, DOCUMENTS_T, FACTS_T, INDICATORS_T, UNMAPPED_LABELS_T, INCONSISTENCIES_T,
)
