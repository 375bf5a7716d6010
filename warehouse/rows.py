"""FilingResult -> one Arrow table per warehouse table (pure), and the one multi-row insert of plain rows."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime, timezone
from functools import cache
from pathlib import PurePath

import duckdb
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


FACT_FIELDS = ("form", "subject", "item", "column", "value", "unit", "source_label", "match_score", "match_method",
                "location", "raw_value", "inferred")
_INDICATOR_FIELDS = ("form", "subject", "level1", "level2", "level3", "target", "actual", "max_score", "score", "note",
                     "location")
_UNMAPPED_FIELDS = ("form", "label", "location")
Columns = dict[str, list]


def _owned(records: list, fields: tuple[str, ...], fid: str, run_id: str, ordinal: bool = True) -> Columns:
    """A filing's records as columns (no dict per row: a national year is 17 M of them)."""
    n = len(records)
    columns: Columns = {"filing_id": [fid] * n}
    if ordinal:
        columns["ordinal"] = list(range(n))
    columns.update({name: [getattr(r, name) for r in records] for name in fields})
    columns["run_id"] = [run_id] * n
    return columns


def _as_columns(rows: list[dict]) -> Columns:
    names = list(dict.fromkeys(name for row in rows for name in row))
    return {name: [row.get(name) for row in rows] for name in names}


def filing_columns(result: FilingResult, run_id: str, parser_version: str, now: datetime) -> dict[str, Columns]:
    """Every row the filing owns, as columns keyed by table name."""
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
    return {
        schema.FILINGS_T.name: _as_columns(filings),
        schema.DOCUMENTS_T.name: _as_columns(documents),
        schema.FACTS_T.name: _owned(report.facts, FACT_FIELDS, fid, run_id),
        schema.INDICATORS_T.name: _owned(report.indicators, _INDICATOR_FIELDS, fid, run_id),
        schema.UNMAPPED_LABELS_T.name: _owned(report.unmapped, _UNMAPPED_FIELDS, fid, run_id, ordinal=False),
        schema.INCONSISTENCIES_T.name: _as_columns([flag_row(fid, g, run_id, now) for g in result.flags]),
    }


def batch_rows(results: list[FilingResult], run_id: str, parser_version: str, now: datetime) -> dict[str, pa.Table]:
    """Every row the filings own, one Arrow table per warehouse table for the whole batch."""
    merged: dict[str, Columns] = {t.name: {name: [] for name in t.column_names()} for t in schema.FILING_TABLES}
    for result in results:
        for table, columns in filing_columns(result, run_id, parser_version, now).items():
            size = len(next(iter(columns.values()), []))
            for name, values in merged[table].items():
                values.extend(columns.get(name, [None] * size) if columns else [])
    return {t.name: pa.Table.from_pydict(merged[t.name], schema=arrow_schema(t)) for t in schema.FILING_TABLES}


def filing_rows(result: FilingResult, run_id: str, parser_version: str, now: datetime) -> dict[str, pa.Table]:
    """Every row the filing owns, keyed by table name."""
    return batch_rows([result], run_id, parser_version, now)


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
    return {name: plain(value) if hasattr(type(value), "__dataclass_fields__") else value
            for name in _field_names(type(record)) for value in (getattr(record, name),)}


@cache
def _field_names(record_type: type) -> tuple[str, ...]:
    # fields() walks the class each call: a national year asks for millions of records.
    return tuple(f.name for f in fields(record_type))


def insert_rows(con: duckdb.DuckDBPyConnection, table: Table, rows: list[dict]) -> None:
    """Rows (dicts: column -> value) into ``table`` as one Arrow insert (a VALUES list of a
    batch's rows took DuckDB longer to bind than the batch's facts took to insert)."""
    if not rows:
        return
    present = set().union(*rows)
    columns = [c for c in table.column_names() if c in present]
    staged = pa.Table.from_pydict({c: [row.get(c) for row in rows] for c in columns},
                                  schema=pa.schema([f for f in arrow_schema(table) if f.name in present]))
    con.register("_insert_rows", staged)
    con.execute(f"INSERT INTO {schema.quote(table.name)} BY NAME SELECT * FROM _insert_rows")
    # Not in a finally: an aborted transaction refuses unregister(); the next call replaces the view.
    con.unregister("_insert_rows")
