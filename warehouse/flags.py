"""Flags read back from the ``inconsistencies`` view as ``core.records`` records, for the
report and the alerts: one reader, so neither parses the warehouse's columns its own way."""

from __future__ import annotations

import json

import duckdb

from core.records import Cell, Flag, Location, StoredFlag

_COLUMNS = ("filing_id", "fingerprint", "detected_at", "rule", "severity", "message", "printed", "computed",
            "limit_value", "subject", "item", "columns", "unit", "place", "evidence", "weakest_match",
            "weakest_method", "inferred", "needs_review", "location")


def read_flags(con: duckdb.DuckDBPyConnection, *, certain_only: bool = False,
               filing_ids: list[str] | None = None) -> list[StoredFlag]:
    """Every flag in the warehouse (only those not stored for review with ``certain_only``; only
    those of ``filing_ids`` when given), the most serious first."""
    where = ["NOT coalesce(needs_review, false)"] if certain_only else []
    if filing_ids is not None:
        where.append("list_contains(?, filing_id)")
    cursor = con.execute(f"""
        SELECT {", ".join(f'"{c}"' for c in _COLUMNS)} FROM inconsistencies
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule, message, filing_id
    """, [] if filing_ids is None else [filing_ids])
    return [_stored(dict(zip(_COLUMNS, row))) for row in cursor.fetchall()]


def _location(record: dict | None) -> Location | None:
    if not record or not any(v is not None for v in record.values()):
        return None
    return Location(**{k: v for k, v in record.items() if k in Location.__dataclass_fields__})


def _cells(row: dict) -> tuple[Cell, ...]:
    cells = []
    for entry in json.loads(row["evidence"]) if row["evidence"] else []:
        entry = {k: v for k, v in entry.items() if k in Cell.__dataclass_fields__}
        cells.append(Cell(**{**entry, "place": _location(entry.get("place"))}))
    if not cells and row["location"]:  # written before flags carried evidence (schema 2)
        cells.append(Cell(role="printed", label="", text="", value=row["printed"], unit=row["unit"],
                          location=row["location"]))
    return tuple(cells)


def _stored(row: dict) -> StoredFlag:
    flag = Flag(
        rule=row["rule"], severity=row["severity"], message=row["message"], printed=row["printed"],
        computed=row["computed"], limit=row["limit_value"], subject=row["subject"], item=row["item"],
        columns=tuple(row["columns"] or ()), unit=row["unit"], location=_location(row["place"]),
        cells=_cells(row), weakest_match=row["weakest_match"], weakest_method=row["weakest_method"],
        inferred=bool(row["inferred"]), needs_review=bool(row["needs_review"]),
    )
    return StoredFlag(row["filing_id"], row["fingerprint"], flag, row["detected_at"])
