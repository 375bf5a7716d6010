"""Flags across filings: the warehouse hands a unit's filings to ``checks.across`` and stores the flags.

Re-evaluated inside the load of any filing of the unit (once per load batch), so a flag naming
two filings changes when either of them does. The flags live in ``inconsistencies_t`` with the later filing; a
flag raised again keeps its ``detected_at`` and run, so it is alerted once.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from checks import across
from checks.rules import ACROSS_RULES
from core.records import FilingResult, Flag, UnitFiling
from warehouse import schema
from warehouse.rows import flag_row
from warehouse.schema import quote
from warehouse.units import Assignment, assign_units, remove_filing, unit_filing_ids
from warehouse.versions import current_facts, record_versions, republications

__all__ = ["ACROSS_RULES", "adopt_unassigned", "after_load", "after_removal", "before_load", "reassign_units"]

_STAGED = "_load_across_flags"


def before_load(con: duckdb.DuckDBPyConnection, results: list[FilingResult], now: datetime) -> None:
    """Keep the versions being replaced (their facts) of the filings whose documents changed."""
    record_versions(con, results, now)


def after_load(con: duckdb.DuckDBPyConnection, results: list[FilingResult], run_id: str, now: datetime) -> None:
    """Give the batch's filings their units, then re-evaluate the cross-filing rules of the units touched,
    once for the batch: a unit's flags depend only on its filings as the batch leaves them."""
    entries = [Assignment(r.filing.filing_id, r.report.budget_code, r.report.staffing_note) for r in results]
    reevaluate(con, assign_units(con, entries, run_id, now), [e.filing_id for e in entries], run_id, now)


def adopt_unassigned(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    """Filings loaded before units were kept (an older warehouse) get theirs, by name and region;
    their budget code and staffing note come with their next reload. Returns how many."""
    rows = con.execute("""
        SELECT filing_id FROM filings_t f
        WHERE department IS NOT NULL AND NOT EXISTS (SELECT 1 FROM filing_units_t u WHERE u.filing_id = f.filing_id)
        ORDER BY fiscal_year, filing_id
    """).fetchall()
    entries = [Assignment(fid) for (fid,) in rows]
    reevaluate(con, assign_units(con, entries, run_id, now), [e.filing_id for e in entries], run_id, now)
    return len(rows)


def reassign_units(con: duckdb.DuckDBPyConnection, filing_ids: list[str], run_id: str, now: datetime) -> None:
    """Resolve these filings' units again (a curator merged their name into another unit's), keeping
    their budget code and staffing note; the rules across filings follow both units."""
    rows = con.execute("SELECT filing_id, unit_id, budget_code, staffing_note FROM filing_units_t "
                       "WHERE list_contains(?, filing_id) ORDER BY filing_id", [filing_ids]).fetchall()
    entries = [Assignment(fid, code, note) for fid, _, code, note in rows]
    units = assign_units(con, entries, run_id, now) | {unit for _, unit, _, _ in rows}
    reevaluate(con, units, [e.filing_id for e in entries], run_id, now)


def after_removal(con: duckdb.DuckDBPyConnection, filing_id: str, run_id: str, now: datetime) -> None:
    """The filing's rows were removed (it is no report): its unit's other filings are looked at again."""
    reevaluate(con, remove_filing(con, filing_id), [filing_id], run_id, now)


def reevaluate(con: duckdb.DuckDBPyConnection, units: set[str], filing_ids: list[str], run_id: str,
               now: datetime) -> None:
    if not units and not filing_ids:
        return
    filing_ids = sorted(set(unit_filing_ids(con, units)) | set(filing_ids))
    flags = unit_flags(con, units) + version_flags(con, filing_ids)
    store_flags(con, filing_ids, flags, run_id, now)


def unit_records(con: duckdb.DuckDBPyConnection, unit_ids: set[str]) -> dict[str, list[UnitFiling]]:
    """Each unit's filings as the rules read them, in one query for all the units; a unit with a
    single filing has nothing to compare, so its facts are not read (most of a national year)."""
    rows = con.execute(
        """
        SELECT u.unit_id, f.filing_id, f.fiscal_year, f.department, u.staffing_note
        FROM filing_units_t u JOIN filings_t f USING (filing_id)
        WHERE list_contains(?, u.unit_id) AND f.status <> 'failed'
        QUALIFY count(*) OVER (PARTITION BY u.unit_id) > 1
        ORDER BY f.fiscal_year, f.filing_id
        """,
        [sorted(unit_ids)],
    ).fetchall()
    facts = current_facts(con, [r[1] for r in rows]) if rows else {}
    out: dict[str, list[UnitFiling]] = {unit_id: [] for unit_id in unit_ids}
    for unit_id, fid, year, name, note in rows:
        out[unit_id].append(UnitFiling(fid, year, name, facts[fid], note))
    return out


def unit_flags(con: duckdb.DuckDBPyConnection, unit_ids: set[str]) -> list[tuple[str, Flag]]:
    records = unit_records(con, unit_ids) if unit_ids else {}
    return [pair for unit_id in sorted(unit_ids) for pair in across.check_unit(records[unit_id])]


def version_flags(con: duckdb.DuckDBPyConnection, filing_ids: list[str]) -> list[tuple[str, Flag]]:
    return [(previous.filing_id, flag) for previous, current in republications(con, filing_ids)
            for flag in across.republished(previous, current)]


def store_flags(con: duckdb.DuckDBPyConnection, filing_ids: list[str], flags: list[tuple[str, Flag]],
                run_id: str, now: datetime) -> None:
    """Replace the cross-filing flags of ``filing_ids``; one raised before keeps its detected_at and run."""
    stored = con.execute("SELECT count(*) FROM inconsistencies_t WHERE list_contains(?, filing_id) "
                         "AND list_contains(?, rule)", [filing_ids, list(ACROSS_RULES)]).fetchall()[0][0]
    if not flags and not stored:  # the usual case: nothing across filings, before or now
        return
    rows = [flag_row(fid, flag, run_id, now) for fid, flag in flags]
    columns = schema.INCONSISTENCIES_T.column_names()
    # Plain inserts rather than register(): an aborted load transaction refuses unregister().
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGED} AS SELECT * FROM inconsistencies_t LIMIT 0")
    if rows:
        con.executemany(
            f"INSERT INTO {_STAGED} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[row.get(c) for c in columns] for row in rows],
        )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _across_new AS
        SELECT n.* REPLACE (coalesce(o.first_seen, n.detected_at) AS detected_at,
                            coalesce(o.first_run, n.run_id) AS run_id)
        FROM {_STAGED} n
        LEFT JOIN (
            SELECT filing_id, rule, subject, message, min(detected_at) AS first_seen,
                   arg_min(run_id, detected_at) AS first_run
            FROM inconsistencies_t
            WHERE list_contains(?, filing_id) AND list_contains(?, rule)
            GROUP BY ALL
        ) o ON o.filing_id = n.filing_id AND o.rule = n.rule AND o.subject IS NOT DISTINCT FROM n.subject
           AND o.message IS NOT DISTINCT FROM n.message
        """,
        [filing_ids, list(ACROSS_RULES)],
    )
    con.execute("DELETE FROM inconsistencies_t WHERE list_contains(?, filing_id) AND list_contains(?, rule)",
                [filing_ids, list(ACROSS_RULES)])
    con.execute("INSERT INTO inconsistencies_t BY NAME SELECT * FROM _across_new")
    con.execute(f"DROP TABLE _across_new; DROP TABLE {_STAGED}")
