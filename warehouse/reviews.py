"""Analysts' decisions on flags: ``confirmed``, ``false_alarm`` or ``fixed_by_unit``, with who and why.

Decisions are not derived data: their record is an append-only CSV log in the state folder
(``core.paths.Paths.reviews``, beside the writer database), which ``rebuild`` and ``reprocess``
never touch. Every time the writer database is opened the log is read into the ``reviews``
table (the latest decision per fingerprint), so views, the report and the alerts see it; a
flag whose latest decision is ``false_alarm`` is never alerted again.
"""

from __future__ import annotations

import csv
import logging
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from core.paths import Paths
from warehouse.lock import WarehouseMissing, writer_lock
from warehouse.schema import DECISIONS, REVIEWS

log = logging.getLogger(__name__)

DECISION_LABEL = {"confirmed": "已确认", "false_alarm": "误报", "fixed_by_unit": "单位已更正"}
_MIN_PREFIX = 8


class ReviewError(ValueError):
    """A decision that cannot be recorded: unknown flag or decision, a malformed import file."""


@dataclass(frozen=True)
class Decision:
    fingerprint: str
    decision: str
    decided_by: str
    decided_at: str  # ISO 8601, UTC
    note: str = ""
    filing_id: str = ""
    rule: str = ""
    department: str = ""
    fiscal_year: str = ""
    message: str = ""


LOG_COLUMNS = tuple(f.name for f in fields(Decision))


def utcnow_text() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def read_log(path: Path, strict: bool = True) -> list[Decision]:
    """Every decision recorded in ``path``, in the order written; an absent file is none.

    ``strict=False`` (a writer run reading the log) skips a malformed line with a warning
    rather than stopping the night's run over a hand edit.
    """
    if not path.exists():
        return []
    decisions = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                decisions.append(_decision(row, f"{path} line {number}"))
            except ReviewError as error:
                if strict:
                    raise
                log.warning("review decision skipped: %s", error)
    return decisions


def _decision(row: dict, where: str) -> Decision:
    missing = [c for c in ("fingerprint", "decision", "decided_by") if not (row.get(c) or "").strip()]
    if missing:
        raise ReviewError(f"{where}: {', '.join(missing)} missing")
    if row["decision"].strip() not in DECISIONS:
        raise ReviewError(f"{where}: decision {row['decision']!r} is not one of {', '.join(DECISIONS)}")
    values = {c: (row.get(c) or "").strip() for c in LOG_COLUMNS}
    values["decided_at"] = values["decided_at"] or utcnow_text()
    try:
        datetime.fromisoformat(values["decided_at"])
    except ValueError:
        raise ReviewError(f"{where}: decided_at {values['decided_at']!r} is not a date and time") from None
    return Decision(**values)


def append_log(path: Path, decisions: list[Decision]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8-sig" if new else "utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(LOG_COLUMNS)
        writer.writerows(astuple(d) for d in decisions)


def latest(decisions: list[Decision]) -> dict[str, Decision]:
    """The decision in force per fingerprint: the latest ``decided_at``, the later line on a tie."""
    current: dict[str, Decision] = {}
    for decision in decisions:
        held = current.get(decision.fingerprint)
        if held is None or decision.decided_at >= held.decided_at:
            current[decision.fingerprint] = decision
    return current


def sync(con: duckdb.DuckDBPyConnection, log: Path) -> int:
    """Replace the ``reviews`` table's rows with the decisions in force; returns how many."""
    rows = [
        (d.fingerprint, d.decision, d.decided_by, datetime.fromisoformat(d.decided_at), d.note or None,
         d.filing_id or None, d.rule or None)
        for d in latest(read_log(log, strict=False)).values()
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {REVIEWS.name}")
        if rows:
            con.executemany(
                f"INSERT INTO {REVIEWS.name} (fingerprint, decision, decided_by, decided_at, note, filing_id, rule) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def _find_flag(con: duckdb.DuckDBPyConnection, prefix: str) -> tuple:
    prefix = prefix.strip().lower()
    if len(prefix) < _MIN_PREFIX:
        raise ReviewError(f"give at least {_MIN_PREFIX} characters of the flag's fingerprint (see `jixiao review`)")
    rows = con.execute(
        "SELECT DISTINCT i.fingerprint, i.filing_id, i.rule, f.department, f.fiscal_year, i.message "
        "FROM inconsistencies_t i LEFT JOIN filings_t f ON f.filing_id = i.filing_id "
        "WHERE starts_with(i.fingerprint, ?)",
        [prefix],
    ).fetchall()
    if not rows:
        raise ReviewError(f"no flag with fingerprint {prefix}… in the warehouse")
    if len({r[0] for r in rows}) > 1:
        raise ReviewError(f"fingerprint {prefix}… names {len(rows)} flags: give more characters")
    return rows[0]


def record(db: Path, fingerprint: str, decision: str, decided_by: str, note: str = "") -> Decision:
    """Log a decision on one flag (a unique fingerprint prefix will do) and publish it."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not decided_by.strip():
        raise ReviewError("say who decided (--by)")
    paths = Paths(Path(db))
    with _writer(paths) as con:
        fp, filing_id, rule, department, year, message = _find_flag(con, fingerprint)
        made = Decision(fp, decision, decided_by.strip(), utcnow_text(), note.strip(), filing_id, rule,
                        department or "", "" if year is None else str(year), message or "")
        append_log(paths.reviews, [made])
        sync(con, paths.reviews)
    return made


def import_csv(db: Path, source: Path) -> int:
    """Add a team's decisions (a ``review --export`` file); returns how many were new."""
    paths = Paths(Path(db))
    incoming = read_log(source)
    if not incoming:
        raise ReviewError(f"{source}: no decisions in it")
    with _writer(paths):
        known = set(read_log(paths.reviews))
        new = [d for d in incoming if d not in known]
        append_log(paths.reviews, new)
    return len(new)


def export_csv(db: Path, target: Path) -> int:
    """Every decision in force, with its flag's context, as a CSV another analyst can import."""
    if not Path(db).exists():
        raise WarehouseMissing(f"no warehouse at {db}: run `jixiao demo` or `jixiao ingest` first")
    decisions = list(latest(read_log(Paths(Path(db)).reviews)).values())
    tmp = target.with_name(f".{target.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(LOG_COLUMNS)
        writer.writerows(astuple(d) for d in decisions)
    tmp.replace(target)
    return len(decisions)


@contextmanager
def _writer(paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    """The writer database under the run lock (a nightly run holding it: ``WarehouseBusy``),
    published on a clean exit with the log read into ``reviews``."""
    from warehouse.store import Warehouse

    if not paths.writer_db.exists():
        raise WarehouseMissing(f"no warehouse at {paths.writer_db}: run `jixiao demo` or `jixiao ingest` first")
    with writer_lock(paths.lock):
        store = Warehouse.open(paths.writer_db)
        try:
            yield store.con
            sync(store.con, paths.reviews)
        except BaseException:
            store.close()
            raise
        store.publish(paths.db)
