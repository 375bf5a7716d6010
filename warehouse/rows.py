"""FilingResult -> one Arrow table per warehouse table (pure; no database)."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date, datetime, timezone
from pathlib import PurePath

import pyarrow as pa

from core.records import FilingResult, Flag
from core.regions import region_of
from warehouse import schema
from warehouse.schema import Table

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
    schema.PLACE_TYPE: pa.struct([
        ("file", pa.string()), ("sheet", pa.string()), ("page", pa.int32()), ("table", pa.int32()),
        ("row", pa.int32()), ("cell", pa.int32()), ("paragraph", pa.int32()), ("method", pa.string()),
    ]),
}


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type]) for c in table.columns])


def to_arrow(table: Table, rows: list[dict]) -> pa.Table:
    """Rows as dicts -> Arrow table with exactly the warehouse columns (missing keys are NULL)."""
    names = table.column_names()
    data = {name: [row.get(name) for row in rows] for name in names}
    return pa.Table.from_pydict(data, schema=arrow_schema(table))


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def parse_timestamp(text: str | None) -> datetime | None:
    """ISO text -> naive UTC; a naive input is taken to be UTC already."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def filing_doc_format(result: FilingResult) -> str | None:
    """Distinct formats of the documents, in reading order, comma-joined."""
    formats = [e.doc_format for e in result.extractions if e.doc_format]
    if not formats and result.doc_format:
        return result.doc_format
    if not formats:
        # A failed filing has no extractions; the file suffix is the best remaining hint.
        formats = [PurePath(d.name).suffix.lstrip(".").lower() for d in result.filing.all_documents]
        formats = [f for f in formats if f]
    return ",".join(dict.fromkeys(formats)) or None


def filing_rows(result: FilingResult, run_id: str, parser_version: str, now: datetime) -> dict[str, pa.Table]:
    """Every row the filing owns, keyed by table name."""
    filing, report = result.filing, result.report
    fid = filing.filing_id
    filings = [{
        "filing_id": fid,
        "source_url": filing.source_url,
        "portal": filing.portal,
        "department": filing.department or report.department,
        "region": region_of(filing.region, filing.department or report.department, filing.title),
        "fiscal_year": report.fiscal_year,
        "title": filing.title,
        "doc_format": filing_doc_format(result),
        "sha256": filing.sha256,
        "published_at": parse_date(filing.published_at),
        "fetched_at": parse_timestamp(filing.fetched_at),
        "status": result.status,
        "error": result.error,
        "grade": report.grade,
        "run_id": run_id,
        "parser_version": parser_version,
        "loaded_at": now,
    }]
    by_source = {}
    for extraction in result.extractions:
        by_source.setdefault(extraction.source, extraction)
    documents = []
    for doc in filing.all_documents:
        extraction = by_source.get(doc.name)
        documents.append({
            "filing_id": fid,
            "name": doc.name,
            "sha256": doc.sha256,
            "doc_format": extraction.doc_format if extraction else None,
            "source_url": doc.source_url,
            "status": "extracted" if extraction else "not_extracted",
            "error": None if extraction else result.error,
            "warnings": list(extraction.warnings) if extraction else [],
            "run_id": run_id,
        })
    facts = [
        {
            "filing_id": fid, "ordinal": i, "form": f.form, "subject": f.subject, "item": f.item,
            "column": f.column, "value": f.value, "unit": f.unit, "source_label": f.source_label,
            "match_score": f.match_score, "match_method": f.match_method, "location": f.location,
            "raw_value": f.raw_value, "inferred": f.inferred, "run_id": run_id,
        }
        for i, f in enumerate(report.facts)
    ]
    indicators = [
        {
            "filing_id": fid, "ordinal": i, "form": x.form, "subject": x.subject, "level1": x.level1,
            "level2": x.level2, "level3": x.level3, "target": x.target, "actual": x.actual,
            "max_score": x.max_score, "score": x.score, "note": x.note, "location": x.location, "run_id": run_id,
        }
        for i, x in enumerate(report.indicators)
    ]
    unmapped = [
        {"filing_id": fid, "form": u.form, "label": u.label, "location": u.location, "run_id": run_id}
        for u in report.unmapped
    ]
    flags = [flag_row(fid, g, run_id, now) for g in result.flags]
    rows = {
        schema.FILINGS_T.name: filings,
        schema.DOCUMENTS_T.name: documents,
        schema.FACTS_T.name: facts,
        schema.INDICATORS_T.name: indicators,
        schema.UNMAPPED_LABELS_T.name: unmapped,
        schema.INCONSISTENCIES_T.name: flags,
    }
    return {t.name: to_arrow(t, rows[t.name]) for t in schema.FILING_TABLES}


def flag_row(filing_id: str, flag: Flag, run_id: str, now: datetime) -> dict:
    return {
        "filing_id": filing_id, "rule": flag.rule, "severity": str(flag.severity), "message": flag.message,
        "expected": flag.expected, "actual": flag.actual, "subject": flag.subject,
        "location": flag.location_text, "detected_at": now, "run_id": run_id,
        "printed": flag.printed, "computed": flag.computed, "limit_value": flag.limit, "unit": flag.unit,
        "item": flag.item, "columns": list(flag.columns),
        "place": plain(flag.location) if flag.location else None,
        "evidence": json.dumps([plain(c) for c in flag.cells], ensure_ascii=False),
        "weakest_match": flag.weakest_match, "weakest_method": flag.weakest_method, "inferred": flag.inferred,
        "needs_review": flag.needs_review, "fingerprint": flag.fingerprint(filing_id),
    }


def plain(record) -> dict:
    """``dataclasses.asdict`` for the flat records of a flag (a Cell, its Location): the same dict
    without deep-copying every string, which made it most of a national load's row building."""
    return {f.name: plain(value) if is_dataclass(value := getattr(record, f.name)) else value
            for f in fields(record)}
