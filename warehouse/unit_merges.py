"""Unit merges a curator accepted from the ``unit_review`` queue (``jixiao review merge``).

A merge says: the name folded to ``name_key`` at ``place`` is the unit known as ``into_key`` at
``into_place``. It is kept in the state folder's ``unit_merges.csv`` (which reprocess and rebuild
never touch), read into the ``unit_merges`` table whenever the writer opens, and applied by
``warehouse.units.assign_unit`` before a filing's unit is resolved.
"""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import duckdb

from core.paths import Paths
from warehouse.reviews import ReviewError, _writer, utcnow_text

TABLE = "unit_merges"


@dataclass(frozen=True)
class Merge:
    place: str
    name_key: str
    into_place: str
    into_key: str
    printed_name: str
    into_name: str
    decided_by: str
    decided_at: str


COLUMNS = tuple(f.name for f in fields(Merge))


def read_log(path: Path) -> list[Merge]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [Merge(**{c: row.get(c) or "" for c in COLUMNS}) for row in csv.DictReader(handle)]


def sync(con: duckdb.DuckDBPyConnection, log: Path) -> None:
    """The ``unit_merges`` table's rows: the accepted merges (the latest merge of a name wins)."""
    con.execute(f"DELETE FROM {TABLE}")
    latest = {(m.place, m.name_key): (m.into_place, m.into_key) for m in read_log(log)}
    if latest:
        con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)",
                        [(place or None, key, into_place or None, into_key)
                         for (place, key), (into_place, into_key) in latest.items()])


def merges(con: duckdb.DuckDBPyConnection) -> dict[tuple[str | None, str], tuple[str | None, str]]:
    """(place, name key) -> the (place, name key) a curator merged it into; read once per load
    batch (a handful of curated rows: a query per filing was a fifth of a national load)."""
    return {(place, key): (into_place, into_key) for place, key, into_place, into_key in con.execute(
        f"SELECT place, name_key, into_place, into_key FROM {TABLE}").fetchall()}


def accept(db: Path, filing_id: str, decided_by: str) -> Merge:
    """Accept the merge ``unit_review`` proposes for one filing: recorded, then applied to every
    filing that printed that name (and again by every later load, reprocess and rebuild)."""
    if not decided_by.strip():
        raise ReviewError("say who decided (--by)")
    paths = Paths(Path(db))
    with _writer(paths) as con:
        rows = con.execute(
            "SELECT u.place, u.name_key, u.printed_name, r.candidate_unit_id FROM unit_review_t r "
            "JOIN filing_units_t u USING (filing_id) WHERE r.filing_id = ?", [filing_id]).fetchall()
        if not rows:
            raise ReviewError(f"no unit merge proposed for filing {filing_id}: see "
                              "`jixiao query \"select * from unit_review\"`")
        place, key, printed, candidate = rows[0]
        into = con.execute(
            "SELECT place, name_key, printed_name FROM filing_units_t WHERE unit_id = ? "
            "GROUP BY ALL ORDER BY count(*) DESC, printed_name LIMIT 1", [candidate]).fetchall()
        if not into:
            raise ReviewError(f"the proposed unit {candidate} has no filings any more: reprocess, then look again")
        into_place, into_key, into_name = into[0]
        made = Merge(place or "", key, into_place or "", into_key, printed, into_name, decided_by.strip(),
                     utcnow_text())
        new = not paths.unit_merges.exists()
        with paths.unit_merges.open("a", newline="", encoding="utf-8-sig" if new else "utf-8") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(COLUMNS)
            writer.writerow(astuple(made))
        sync(con, paths.unit_merges)
        _apply(con, made)
    return made


def _apply(con: duckdb.DuckDBPyConnection, made: Merge) -> None:
    from datetime import datetime

    from warehouse.across import reassign_units  # here: across needs units, which needs this module

    filing_ids = [r[0] for r in con.execute(
        "SELECT filing_id FROM filing_units_t WHERE place IS NOT DISTINCT FROM ? AND name_key = ? ORDER BY 1",
        [made.place or None, made.name_key]).fetchall()]
    con.execute("BEGIN TRANSACTION")
    try:
        reassign_units(con, filing_ids, f"merge-{made.decided_at}", datetime.fromisoformat(made.decided_at))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
