-- Tables of warehouse schema version 1, frozen as shipped (commit 'warehouse v1').
-- Used to test that older files migrate; never edit.

CREATE TABLE IF NOT EXISTS "filings_t" (
    "filing_id" VARCHAR NOT NULL,
    "source_url" VARCHAR,
    "portal" VARCHAR,
    "department" VARCHAR,
    "region" VARCHAR,
    "fiscal_year" INTEGER,
    "title" VARCHAR,
    "doc_format" VARCHAR,
    "sha256" VARCHAR,
    "published_at" DATE,
    "fetched_at" TIMESTAMP,
    "status" VARCHAR NOT NULL CHECK ("status" IN ('ok', 'partial', 'failed')),
    "error" VARCHAR,
    "grade" VARCHAR,
    "run_id" VARCHAR,
    "parser_version" VARCHAR,
    "loaded_at" TIMESTAMP
);

CREATE TABLE IF NOT EXISTS "facts_t" (
    "filing_id" VARCHAR NOT NULL,
    "ordinal" INTEGER,
    "form" VARCHAR NOT NULL,
    "subject" VARCHAR,
    "item" VARCHAR NOT NULL,
    "column" VARCHAR,
    "value" DOUBLE,
    "unit" VARCHAR,
    "source_label" VARCHAR,
    "match_score" DOUBLE,
    "match_method" VARCHAR,
    "location" VARCHAR,
    "raw_value" VARCHAR
);

CREATE TABLE IF NOT EXISTS "indicators_t" (
    "filing_id" VARCHAR NOT NULL,
    "ordinal" INTEGER,
    "form" VARCHAR,
    "subject" VARCHAR,
    "level1" VARCHAR,
    "level2" VARCHAR,
    "level3" VARCHAR,
    "target" VARCHAR,
    "actual" VARCHAR,
    "max_score" DOUBLE,
    "score" DOUBLE,
    "note" VARCHAR,
    "location" VARCHAR
);

CREATE TABLE IF NOT EXISTS "inconsistencies_t" (
    "filing_id" VARCHAR NOT NULL,
    "rule" VARCHAR NOT NULL,
    "severity" VARCHAR NOT NULL CHECK ("severity" IN ('error', 'warning', 'info')),
    "message" VARCHAR,
    "expected" DOUBLE,
    "actual" DOUBLE,
    "subject" VARCHAR,
    "location" VARCHAR,
    "detected_at" TIMESTAMP
);

CREATE TABLE IF NOT EXISTS "unmapped_labels_t" (
    "filing_id" VARCHAR NOT NULL,
    "form" VARCHAR,
    "label" VARCHAR NOT NULL,
    "location" VARCHAR
);

CREATE TABLE IF NOT EXISTS "documents_t" (
    "filing_id" VARCHAR NOT NULL,
    "name" VARCHAR NOT NULL,
    "sha256" VARCHAR,
    "doc_format" VARCHAR,
    "source_url" VARCHAR,
    "status" VARCHAR,
    "error" VARCHAR,
    "warnings" VARCHAR[]
);

CREATE TABLE IF NOT EXISTS "runs" (
    "run_id" VARCHAR NOT NULL,
    "kind" VARCHAR,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "status" VARCHAR,
    "unchanged" INTEGER DEFAULT 0,
    "summary" JSON,
    "error" VARCHAR
);

CREATE TABLE IF NOT EXISTS "schema_migrations" (
    "version" INTEGER NOT NULL,
    "applied_at" TIMESTAMP,
    "description" VARCHAR
);

CREATE TABLE IF NOT EXISTS "alert_deliveries" (
    "fingerprint" VARCHAR NOT NULL,
    "channel" VARCHAR NOT NULL,
    "kind" VARCHAR NOT NULL CHECK ("kind" IN ('inconsistency', 'resolved', 'run_failed', 'portal_down', 'test')),
    "filing_id" VARCHAR,
    "rule" VARCHAR,
    "status" VARCHAR NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'sent', 'failed')),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR,
    "created_at" TIMESTAMP,
    "sent_at" TIMESTAMP,
    "digest_id" VARCHAR
);
