"""``jixiao query``: one read-only statement against the published warehouse, formatted."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

import duckdb

from warehouse.publish import query

QUERY_FORMATS = ("table", "csv", "json")


class QueryError(ValueError):
    """SQL that ``jixiao query`` will not run: it does not parse, or it is not one read."""


class ReadOnlyQueryError(QueryError):
    """A statement that would change the warehouse (or write files beside it)."""


_READ_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL"}


def run_query(db_path: Path | str, sql: str) -> tuple[list[str], list[tuple]]:
    """One read-only statement against the published warehouse: (columns, rows).

    Raises ``QueryError`` unless it is a single statement, ``ReadOnlyQueryError`` (a
    ``QueryError``) when it would write; the read-only connection of ``warehouse.query`` is
    the final guard. Errors of the query itself are ``duckdb.Error``.
    """
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.ParserException as error:
        raise QueryError(f"SQL does not parse: {error}") from error
    finally:
        parser.close()
    if len(statements) != 1:
        raise QueryError(f"give exactly one SQL statement, not {len(statements)}")
    kind = statements[0].type.name
    if kind not in _READ_STATEMENTS:
        raise ReadOnlyQueryError(
            f"jixiao query is read-only: {kind} statements are refused "
            "(the warehouse is written by the pipeline only; use `jixiao export` for files)"
        )
    try:
        return query(db_path, sql)
    except duckdb.InvalidInputException as error:
        if "read-only" in str(error):
            raise ReadOnlyQueryError(f"jixiao query is read-only: {error}") from error
        raise


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/Infinity
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_json_value(value), ensure_ascii=False)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two terminal cells.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = "table") -> str:
    """Rows as an aligned text table, CSV (with header) or JSON (a list of objects)."""
    rows = [tuple(r) for r in rows]
    if fmt == "json":
        records = [dict(zip(columns, (_json_value(v) for v in row))) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text_value(v) for v in row] for row in rows)
        return buffer.getvalue()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    cells = [["NULL" if v is None else _text_value(v).replace("\n", "⏎") for v in row] for row in rows]
    widths = [_width(c) for c in columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        padded = []
        for text, width, right in zip(values, widths, numeric):
            pad = " " * (width - _width(text))
            padded.append(pad + text if right else text + pad)
        return " | ".join(padded).rstrip()

    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows)
        and not all(isinstance(r[i], bool) for r in rows)
        for i in range(len(columns))
    ]
    out = [line(list(columns), [False] * len(columns)), "-+-".join("-" * w for w in widths)]
    out += [line(row, numeric) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def query_text(db_path: Path | str, sql: str, fmt: str = "table") -> str:
    """``jixiao query``: run one read-only statement and format its rows."""
    if fmt not in QUERY_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")
    columns, rows = run_query(db_path, sql)
    return format_rows(columns, rows, fmt)
