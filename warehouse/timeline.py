"""One budget unit across years: its filings, their versions and the flags across filings.

Read from the public views (``units``, ``unit_years``, ``filing_versions``, ``inconsistencies``)
of the published warehouse, for ``jixiao unit NAME`` and the report's per-unit timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from checks.rules import ACROSS_RULES
from warehouse.units import parse_name

# unit_years columns shown side by side: (column, Chinese label)
FIGURES = (
    ("full_year_budget", "全年预算数"),
    ("executed", "全年执行数"),
    ("three_public_final", "“三公”经费决算数"),
    ("public_funds_final", "公用经费决算数"),
    ("authorized", "编制数"),
    ("actual", "实际在职人数"),
    ("total_score", "自评总分"),
)


@dataclass
class UnitTimeline:
    unit_id: str
    name: str
    region: str | None
    budget_code: str | None
    names_seen: list[str]
    years: list[dict] = field(default_factory=list)  # unit_years rows, oldest first
    versions: list[dict] = field(default_factory=list)  # filing_versions rows of its filings
    flags: list[dict] = field(default_factory=list)  # flags across filings on its filings


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def find_units(con: duckdb.DuckDBPyConnection, text: str) -> list[dict]:
    """Units whose id is ``text``, or one of whose printed names contains it or names the same place
    and folds to the same name (云溪区人大常委会 finds 岳阳市云溪区人民代表大会常务委员会)."""
    name = parse_name(text)
    return _rows(con, """
        SELECT DISTINCT u.unit_id, u.name, u.region, u.filing_count
        FROM units u, unnest(u.names_seen) AS s(seen)
        WHERE u.unit_id = ? OR contains(seen.name, ?) OR u.unit_id IN (
            SELECT unit_id FROM filing_units_t WHERE name_key = ? AND place IS NOT DISTINCT FROM ?)
        ORDER BY u.name, u.unit_id
    """, [text, text.strip(), name.key, name.place])


def unit_timeline(con: duckdb.DuckDBPyConnection, unit_id: str) -> UnitTimeline | None:
    units = _rows(con, "SELECT * FROM units WHERE unit_id = ?", [unit_id])
    if not units:
        return None
    unit = units[0]
    filings = "SELECT filing_id FROM filings WHERE unit_id = ?"
    return UnitTimeline(
        unit_id=unit_id, name=unit["name"], region=unit["region"], budget_code=unit["budget_code"],
        names_seen=[seen["name"] for seen in unit["names_seen"] or []],
        years=_rows(con, "SELECT * FROM unit_years WHERE unit_id = ? ORDER BY fiscal_year", [unit_id]),
        versions=_rows(con, f"""
            SELECT v.filing_id, f.fiscal_year, v.version, v.sha256, v.fetched_at, v.superseded_at, v.is_current
            FROM filing_versions v JOIN filings f USING (filing_id)
            WHERE v.filing_id IN ({filings}) ORDER BY f.fiscal_year, v.filing_id, v.version
        """, [unit_id]),
        flags=_rows(con, f"""
            SELECT i.filing_id, f.fiscal_year, i.rule, i.severity, i.message, i.needs_review
            FROM inconsistencies i JOIN filings f USING (filing_id)
            WHERE i.filing_id IN ({filings}) AND list_contains(?, i.rule)
            ORDER BY f.fiscal_year, i.rule, i.message
        """, [unit_id, list(ACROSS_RULES)]),
    )


def timelines(con: duckdb.DuckDBPyConnection, filing_ids: set[str] | None = None, limit: int = 200) -> list[UnitTimeline]:
    """Units that filed for more than one year or have flags across filings, most flags first."""
    # Only the units of ``filing_ids`` are read (a region's few among a national year's 140,000);
    # units_t, not the units view: the view names every unit first.
    scope = "" if filing_ids is None else \
        "WHERE u.unit_id IN (SELECT unit_id FROM filing_units_t WHERE list_contains(?, filing_id))"
    rows = con.execute(f"""
        SELECT u.unit_id, list(DISTINCT f.filing_id) AS filing_ids,
               count(DISTINCT f.fiscal_year) AS years,
               count(i.rule) FILTER (WHERE list_contains(?, i.rule)) AS flags
        FROM units_t u JOIN filings f USING (unit_id) LEFT JOIN inconsistencies i USING (filing_id)
        {scope}
        GROUP BY u.unit_id HAVING years > 1 OR flags > 0
        ORDER BY flags DESC, years DESC, u.unit_id
    """, [list(ACROSS_RULES)] + ([] if filing_ids is None else [sorted(filing_ids)])).fetchall()
    chosen = [unit_id for unit_id, ids, _, _ in rows if filing_ids is None or filing_ids & set(ids)]
    return [t for t in (unit_timeline(con, unit_id) for unit_id in chosen[:limit]) if t is not None]
