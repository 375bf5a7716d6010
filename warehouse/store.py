"""The writer: one DuckDB connection that loads filings and records runs."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from core.paths import REVIEWS_LOG, UNIT_MERGES_LOG
from core.regions import region_of
from core.records import Filing, FilingResult
from warehouse import across, reads, schema
from warehouse.lock import connect_writer
from warehouse.migrations import migrate
from warehouse.publish import UNMAPPED_LABELS_SQL, publish
from warehouse import unit_merges
from warehouse.reviews import sync as sync_reviews
from warehouse.rows import batch_rows
from warehouse.schema import quote


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """First row of a query, with the result drained.

    DuckDB 2.0 refuses register()/unregister() while a result is only partly fetched, so
    never leave one behind with fetchone().
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _staged(table: str) -> str:
    return f"_load_{table}"


class Warehouse:
    """The pipeline's database; use ``Warehouse.open(path)`` as a context manager.

    Holds the one read-write connection (DuckDB allows one writing process); do all
    writes through it, sequentially.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self.con = con
        self.path = path
        self.migrated: list[int] = []
        self.non_reports: dict[str, Counter[str]] = {}  # run_id -> reason kind -> filings skipped

    @classmethod
    def open(cls, path: Path | str) -> "Warehouse":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = connect_writer(path, "for writing")
        warehouse = cls(con, path)
        try:
            warehouse.migrated = migrate(con)
            # The decisions log sits beside the writer database, in the state folder.
            sync_reviews(con, path.with_name(REVIEWS_LOG))
            unit_merges.sync(con, path.with_name(UNIT_MERGES_LOG))
        except BaseException:
            con.close()
            raise
        return warehouse

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def checkpoint(self) -> None:
        self.con.execute("CHECKPOINT")

    # --- runs ---------------------------------------------------------------------------

    def start_run(self, kind: str) -> str:
        now = utcnow()
        run_id = f"{now:%Y%m%dT%H%M%S}Z-{secrets.token_hex(3)}"
        self.con.execute(
            "INSERT INTO runs (run_id, kind, started_at, status, unchanged) VALUES (?, ?, ?, 'running', 0)",
            [run_id, kind, now],
        )
        self._in_transaction(lambda: across.adopt_unassigned(self.con, run_id, now))
        return run_id

    def _in_transaction(self, work) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            work()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def finish_run(self, run_id: str, status: str, summary: dict, error: str | None = None) -> None:
        """Close the run; stores the warehouse's own counts merged with the caller's ``summary``."""
        merged = {**self.summary(run_id), **summary}
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, summary = ?, error = ? WHERE run_id = ?",
            [utcnow(), status, json.dumps(merged, ensure_ascii=False, default=str), error, run_id],
        )

    def summary(self, run_id: str) -> dict:
        """Counts for the filings ``run_id`` loaded, flat so they print as one table.

        filings_ok / _partial / _failed / _unchanged, facts, indicators, unmapped_labels,
        flags (total), flags_by_rule and flags_by_severity ({key: number of flags}).
        """
        con = self.con
        by_status = dict(con.execute(
            "SELECT status, count(*) FROM filings_t WHERE run_id = ? GROUP BY status", [run_id]
        ).fetchall())
        unchanged = one(con, "SELECT unchanged FROM runs WHERE run_id = ?", [run_id])

        def count(table: str) -> int:
            return one(con, f"SELECT count(*) FROM {quote(table)} WHERE run_id = ?", [run_id])[0]

        def flags_by(column: str) -> dict[str, int]:
            return dict(con.execute(
                f"SELECT {quote(column)}, count(*) FROM inconsistencies_t WHERE run_id = ? "
                "GROUP BY 1 ORDER BY 2 DESC, 1",
                [run_id],
            ).fetchall())

        by_rule = flags_by("rule")
        non_reports = self.non_reports.get(run_id, Counter())
        return {
            "filings_ok": by_status.get("ok", 0),
            "filings_partial": by_status.get("partial", 0),
            "filings_failed": by_status.get("failed", 0),
            "filings_unchanged": (unchanged[0] or 0) if unchanged else 0,
            "non_reports": sum(non_reports.values()),
            "non_reports_by_reason": dict(non_reports.most_common()),
            "facts": count("facts_t"),
            "indicators": count("indicators_t"),
            "unmapped_labels": count("unmapped_labels_t"),
            "flags": sum(by_rule.values()),
            "flags_by_rule": by_rule,
            "flags_by_severity": flags_by("severity"),
        }

    # --- filings ------------------------------------------------------------------------

    def portal_statuses(self, portal: str) -> list[str]:
        """The portal's status in every crawl run so far, oldest first (for portal-down alerts)."""
        return reads.portal_statuses(self.con, portal)

    def filing_state(self, filing_id: str) -> tuple[str, str] | None:
        """(sha256, parser_version) stored for the filing, or None if it must be (re)processed.

        A failed filing reports None: its failure may have been passing (a converter
        timeout), and re-reading identical documents costs little; if it fails the same
        way, ``load_filing`` finds it unchanged and writes nothing.
        """
        row = one(self.con, "SELECT sha256, parser_version, status FROM filings_t WHERE filing_id = ?", [filing_id])
        return (row[0], row[1]) if row and row[2] != "failed" else None

    def filing_states(self) -> dict[str, tuple[str, str, str, str | None]]:
        """(sha256, parser_version, source_url, title) of every filing read, in one query (a run
        checks each filing it is given)."""
        return {fid: tuple(rest) for fid, *rest in self.con.execute(
            "SELECT filing_id, sha256, parser_version, source_url, title FROM filings_t WHERE status <> 'failed'"
        ).fetchall()}

    def mark_unchanged(self, run_id: str, filing: Filing | None = None,
                       listed: tuple[str | None, str | None] | None = None) -> None:
        """Count a filing the run skipped because its documents and parser are unchanged. Its
        listing as stored (``listed``: source_url, title) follows the portal's when the page moved
        or was renamed: the rows stay, the link and title analysts see are the current ones."""
        self.con.execute("UPDATE runs SET unchanged = unchanged + 1 WHERE run_id = ?", [run_id])
        if filing is None or listed is None:
            return
        if listed != (filing.source_url, filing.title if filing.title is not None else listed[1]):
            # the region read from a title follows the title (a configured one or the unit's name wins)
            [(department, title)] = self.con.execute(
                "SELECT department, title FROM filings_t WHERE filing_id = ?", [filing.filing_id]).fetchall()
            region = region_of(filing.region, filing.department or department, filing.title or title)
            self.con.execute("UPDATE filings_t SET source_url = ?, title = coalesce(?, title), region = ? "
                             "WHERE filing_id = ?", [filing.source_url, filing.title, region, filing.filing_id])

    def load_filing(self, result: FilingResult, run_id: str, parser_version: str) -> str:
        """Replace the filing's rows in every table in one transaction: 'loaded' or 'unchanged'.

        'unchanged' (nothing written) needs the same sha256, parser_version and status: a
        filing that failed before and reads now is loaded even from identical documents.
        """
        return self.load_filings([result], run_id, parser_version)[0]

    def load_filings(self, results: list[FilingResult], run_id: str, parser_version: str) -> list[str]:
        """``load_filing`` for many filings in one transaction (national scale): one Arrow insert
        per table and one delete per table instead of one per filing; returns each outcome.

        A kill leaves the whole batch out or in, never part of a filing; a filing whose
        documents, parser and status are unchanged is not written, as in ``load_filing``.
        """
        outcomes = [""] * len(results)
        changed: dict[str, tuple[int, FilingResult]] = {}
        stored = self._states([r.filing.filing_id for r in results])
        for number, result in enumerate(results):
            fid = result.filing.filing_id
            if result.status == "non_report":
                outcomes[number] = self._skip_non_report(result, run_id)
            elif stored.get(fid, ())[:3] == (result.filing.sha256, parser_version, result.status) and fid not in changed:
                self.mark_unchanged(run_id, result.filing, stored[fid][3:])
                outcomes[number] = "unchanged"
            else:
                if fid in changed:  # the same filing twice in one batch: the later reading wins
                    outcomes[changed[fid][0]] = "loaded"
                changed[fid] = (number, result)
        if not changed:
            return outcomes
        now = utcnow()
        batch = [result for _, result in changed.values()]
        rows = batch_rows(batch, run_id, parser_version, now)
        con, flags = self.con, schema.INCONSISTENCIES_T.name
        for table in schema.FILING_TABLES:
            con.register(_staged(table.name), rows[table.name])
        # Only filings already stored have rows to delete: a first load of a year deletes nothing.
        con.register("_load_ids", pa.table({"filing_id": [fid for fid in changed if fid in stored]},
                                           schema=pa.schema([("filing_id", pa.string())])))
        con.execute("BEGIN TRANSACTION")
        try:
            con.register(_staged(flags), self._keep_detected_at())
            across.before_load(con, batch, now)  # the versions being replaced are kept before their rows go
            for table in schema.FILING_TABLES:
                across_kept = " AND NOT list_contains(?, rule)" if table.name == flags else ""
                con.execute(f"DELETE FROM {quote(table.name)} WHERE filing_id IN (SELECT filing_id FROM _load_ids)"
                            + across_kept, [list(across.ACROSS_RULES)] if across_kept else [])
                con.execute(f"INSERT INTO {quote(table.name)} BY NAME SELECT * FROM {quote(_staged(table.name))}")
            across.after_load(con, batch, run_id, now)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for table in schema.FILING_TABLES:
                con.unregister(_staged(table.name))
            con.unregister("_load_ids")
        for number, _ in changed.values():
            outcomes[number] = "loaded"
        return outcomes

    def _states(self, filing_ids: list[str]) -> dict[str, tuple]:
        rows = self.con.execute(
            "SELECT filing_id, sha256, parser_version, status, source_url, title FROM filings_t"
            " WHERE list_contains(?, filing_id)",
            [filing_ids],
        ).fetchall()
        return {fid: tuple(rest) for fid, *rest in rows}

    def _keep_detected_at(self):
        """A flag raised again on reload keeps the time it was first detected."""
        return self.con.sql(
            """
            SELECT n.* REPLACE (coalesce(o.first_seen, n.detected_at) AS detected_at)
            FROM _load_inconsistencies_t n
            LEFT JOIN (
                SELECT filing_id, rule, subject, location, message, min(detected_at) AS first_seen
                FROM inconsistencies_t WHERE filing_id IN (SELECT filing_id FROM _load_ids)
                GROUP BY ALL
            ) o ON o.filing_id = n.filing_id AND o.rule = n.rule AND o.subject IS NOT DISTINCT FROM n.subject
               AND o.location IS NOT DISTINCT FROM n.location
               AND o.message IS NOT DISTINCT FROM n.message
            """
        ).to_arrow_table()

    def _skip_non_report(self, result: FilingResult, run_id: str) -> str:
        """Not a report: nothing loaded (rows of an earlier reading as a report removed), counted."""
        kind = (result.error or "non_report").split(":", 1)[0]
        self.non_reports.setdefault(run_id, Counter())[kind] += 1
        fid = result.filing.filing_id

        def remove() -> None:
            for table in schema.FILING_TABLES:
                self.con.execute(f"DELETE FROM {quote(table.name)} WHERE filing_id = ?", [fid])
            across.after_removal(self.con, fid, run_id, utcnow())

        self._in_transaction(remove)
        return "non_report"

    # --- reports ------------------------------------------------------------------------

    def unmapped_labels(self, limit: int = 50) -> list[tuple[str, str | None, int]]:
        """(label, form, count), most frequent first."""
        return self.con.execute(UNMAPPED_LABELS_SQL, [limit]).fetchall()

    def publish(self, published_path: Path | str) -> Path:
        """CHECKPOINT, close this writer and publish its file atomically."""
        self.checkpoint()
        self.close()
        return publish(self.path, published_path)
