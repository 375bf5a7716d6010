"""What the report shows, read from the published warehouse's views."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from core.clock import DEFAULT_TIMEZONE, zone_label
from core.records import Severity, StoredFlag
from warehouse.flags import read_flags
from warehouse.report.formatting import local_text, describe_place, fmt_num, humanize_location, source_href
from warehouse.review_queue import queue
from warehouse.timeline import timelines

CLOSED_DECISIONS = ("false_alarm", "fixed_by_unit")
QUEUE_LIMIT = 100  # the review queue's most frequent entries
MAX_FILINGS = 200  # per section: a province's 10,000 filings would make a page no browser opens
DEFAULT_LABELS = ("填报数", "核对值")


def _number(text: str) -> float | None:
    try:
        return round(float(text.replace(",", "").rstrip("%")), 6)
    except ValueError:
        return None


def declared_rules() -> dict:
    """Rule id -> its declaration (``checks.rules``): title, labels of its numbers, unit."""
    try:
        from checks.rules import RULES
    except ImportError:  # the report must still render from a bare warehouse file
        return {}
    return dict(RULES)


@dataclass
class FlagView:
    """A stored flag as the report prints it."""

    stored: StoredFlag
    rule_declaration: object | None  # checks.rules.Rule, when the rule is still declared
    document: str | None  # the filing's own file: places in it are shown without its name
    opens: str | None = None  # the stored copy (a path) or the portal URL of the checked figure's file
    review: dict | None = None  # the decision in force: decision, decided_by, decided_at, note

    def __getattr__(self, name: str):
        # rule, severity, message, subject, needs_review, expected, actual, cells, …: the Flag's own
        if name in ("stored", "rule_declaration", "document", "opens", "review"):
            raise AttributeError(name)
        return getattr(self.stored.flag, name)

    @property
    def title(self) -> str:
        return getattr(self.rule_declaration, "title", None) or self.stored.flag.rule

    @property
    def fingerprint(self) -> str:
        return self.stored.fingerprint

    @property
    def closed(self) -> bool:
        """Decided as not the unit's error to chase: a false alarm, or fixed by the unit."""
        return bool(self.review) and self.review["decision"] in CLOSED_DECISIONS

    @property
    def labels(self) -> tuple[str, str]:
        return getattr(self.rule_declaration, "labels", None) or DEFAULT_LABELS

    @property
    def detected_at(self) -> datetime | None:
        return self.stored.detected_at

    @property
    def unit(self) -> str:
        return self.stored.flag.unit or ""

    @property
    def location(self) -> str:
        """Where the checked figure and what it was held against are printed, in Chinese."""
        flag = self.stored.flag
        places = [flag.location] if flag.location else []
        places += [c.place for c in flag.cells if c.role not in ("part", "alternative") and c.place]
        if places:
            return "；".join(dict.fromkeys(describe_place(p, self.document) for p in places))
        return humanize_location(flag.location_text, self.document)

    @property
    def location_raw(self) -> str:
        return self.stored.flag.location_text or ""

    @property
    def evidence(self) -> list[str]:
        """Each compared cell as printed: ``区人大预算审查监督平台 39.80``."""
        shown = []
        for cell in self.stored.flag.cells:
            text = cell.text or fmt_num(cell.value)
            if cell.value is not None and cell.unit and cell.unit != "%" and _number(text) != round(cell.value, 6):
                text += f"（折合 {fmt_num(cell.value, cell.unit)}）"  # printed in another unit (元), shown as printed
            shown.append(f"{cell.label} {text}".strip())
        return list(dict.fromkeys(shown))

    @property
    def actual_text(self) -> str:
        return fmt_num(self.stored.flag.actual, self.unit)

    @property
    def expected_text(self) -> str:
        return fmt_num(self.stored.flag.expected, self.unit)

    @property
    def difference_text(self) -> str:
        actual, expected = self.stored.flag.actual, self.stored.flag.expected
        if actual is None or expected is None:
            return "—"
        diff = actual - expected
        sign = "+" if diff > 0 else ("−" if diff < 0 else "")
        return sign + fmt_num(abs(diff), self.unit)


@dataclass
class FilingCard:
    filing_id: str
    name: str
    department: str | None
    region: str | None
    fiscal_year: int | None
    status: str
    error: str | None
    grade: str | None
    total_score: float | None
    errors: int
    warnings: int
    infos: int
    source_url: str | None
    source_href: str | None
    document: str | None
    flags: list[FlagView] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # name, stored (a path), url (the portal's)

    @property
    def severity(self) -> str:
        return "error" if self.errors else ("warning" if self.warnings else "info")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [name]
    ).fetchall()[0][0])


def _of(filing_ids: list[str] | None, column: str = "filing_id") -> tuple[str, list]:
    """A WHERE clause keeping ``filing_ids`` (everything when None), and its parameters."""
    return ("", []) if filing_ids is None else (f"WHERE list_contains(?, {column})", [filing_ids])


def stored_documents(con: duckdb.DuckDBPyConnection, raw: Path | None,
                     filing_ids: list[str] | None = None) -> dict[tuple[str, str], str]:
    """(filing, document name) -> where to open it: the stored copy under ``raw``
    (``raw/ab/<sha256>.<ext>``), else the document's portal URL, else its local path."""
    if not _has_table(con, "documents_t"):
        return {}
    links = {}
    where, params = _of(filing_ids)
    for filing_id, name, sha256, url in con.execute(
            f"SELECT filing_id, name, sha256, source_url FROM documents_t {where}", params).fetchall():
        stored = next(iter(sorted((raw / sha256[:2]).glob(f"{sha256}.*"))), None) if raw and sha256 else None
        target = str(stored) if stored else url
        if target and source_href(target):
            links[(filing_id, name)] = target
    return links


def portal_url(url: str | None) -> str | None:
    """A web URL a reader can open later: not a loopback address (the demo's portal is gone once it stops)."""
    if not url or not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    host = (urlsplit(url).hostname or "").lower()
    return None if host in ("localhost", "::1") or host.startswith("127.") else url


def filing_documents(con: duckdb.DuckDBPyConnection, raw: Path | None,
                     filing_ids: list[str] | None = None) -> dict[str, list[dict]]:
    """filing -> its documents: the stored copy under ``raw`` and the portal URL, when there are."""
    if not _has_table(con, "documents_t"):
        return {}
    out: dict[str, list[dict]] = defaultdict(list)
    where, params = _of(filing_ids)
    for filing_id, name, sha256, url in con.execute(
            f"SELECT filing_id, name, sha256, source_url FROM documents_t {where} ORDER BY filing_id, name",
            params).fetchall():
        stored = next(iter(sorted((raw / sha256[:2]).glob(f"{sha256}.*"))), None) if raw and sha256 else None
        out[filing_id].append({"name": name, "stored": str(stored) if stored else None, "url": portal_url(url)})
    return out


def decisions(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """fingerprint -> the analysts' decision in force (``jixiao review decide``)."""
    if not _has_table(con, "reviews"):
        return {}
    return {row["fingerprint"]: row for row in _rows(
        con, "SELECT fingerprint, decision, decided_by, decided_at, note FROM reviews")}


def collect(con: duckdb.DuckDBPyConnection, year: int | None = None, region: str | None = None,
            raw: Path | None = None, tz: str = DEFAULT_TIMEZONE) -> dict:
    """Everything the report shows, read from the public views (plus flag locations);
    ``year`` and ``region`` (a part of the region's name) narrow it to some filings; ``raw`` is
    the state folder's document store, which flags link into."""
    rules = declared_rules()
    # The scope is chosen in SQL and every later read keeps to its filings: a region of a national
    # year is a few dozen filings among 140,000.
    scope = ([("s.fiscal_year = ?", year)] if year is not None else []) + \
        ([("contains(coalesce(s.region, ''), ?)", region)] if region else [])
    summary = _rows(con, f"""
        SELECT s.*, f.source_url, f.error
        FROM filing_summary s JOIN filings f USING (filing_id)
        {"WHERE " + " AND ".join(sql for sql, _ in scope) if scope else ""}
    """, [value for _, value in scope])
    ids = [row["filing_id"] for row in summary] if scope else None
    documents = stored_documents(con, raw, ids)
    documents_of = filing_documents(con, raw, ids)
    decided = decisions(con)
    # The filings view has no title; it names a filing whose department was not recognised.
    where, params = _of(ids)
    article_titles = dict(con.execute(f"SELECT filing_id, title FROM filings_t {where}", params).fetchall()) \
        if _has_table(con, "filings_t") else {}
    cards: dict[str, FilingCard] = {}
    for row in summary:
        document = Path(row["source_url"]).name if row["source_url"] else None
        title = article_titles.get(row["filing_id"])
        name = row["department"] or title or (Path(document).stem if document else row["filing_id"])
        cards[row["filing_id"]] = FilingCard(
            filing_id=row["filing_id"], name=name, department=row["department"],
            region=row["region"],
            fiscal_year=row["fiscal_year"], status=row["status"], error=row["error"], grade=row["grade"],
            total_score=row["total_score"], errors=row["error_flags"], warnings=row["warning_flags"],
            infos=row["info_flags"], source_url=row["source_url"], source_href=source_href(row["source_url"]),
            document=document, documents=documents_of.get(row["filing_id"], []),
        )
    for stored in read_flags(con, filing_ids=ids):
        card = cards.get(stored.filing_id)
        if card is not None:
            checked = stored.flag.location.file if stored.flag.location else None
            card.flags.append(FlagView(stored, rules.get(stored.flag.rule), card.document,
                                       documents.get((stored.filing_id, checked or "")),
                                       decided.get(stored.fingerprint)))

    flagged = sorted(
        (c for c in cards.values() if c.flags),
        key=lambda c: (-c.errors, -c.warnings, -c.infos, -(c.fiscal_year or 0), c.name),
    )
    all_cards = list(cards.values())
    by_status = Counter(c.status for c in all_cards)
    # Open flags: a false alarm or a flag the unit fixed is shown with its decision, not counted.
    by_severity = Counter(f.severity for c in all_cards for f in c.flags if not f.closed)

    by_rule: dict[str, dict] = {}
    for card in all_cards:
        for flag in card.flags:
            entry = by_rule.setdefault(flag.rule, {
                "rule": flag.rule, "title": flag.title, "severity": flag.severity, "flags": 0, "filings": set()})
            entry["flags"] += 1
            entry["filings"].add(card.filing_id)
            if Severity.rank_of(flag.severity) < Severity.rank_of(entry["severity"]):
                entry["severity"] = flag.severity
    by_rule_sorted = sorted(by_rule.values(), key=lambda e: (Severity.rank_of(e["severity"]), -e["flags"], e["rule"]))
    order = {c.filing_id: n for n, c in enumerate(flagged)}
    for entry in by_rule_sorted:
        # Each rule row links to its filings, in the order the filings are listed below.
        entry["filing_ids"] = sorted(entry["filings"], key=lambda fid: order.get(fid, len(order)))
        entry["filings"] = len(entry["filings"])

    return {
        "cards": all_cards,
        "flagged": flagged,
        "clean": sorted((c for c in all_cards if not c.flags and c.status != "failed"),
                        key=lambda c: (-(c.fiscal_year or 0), c.name)),
        "unread": sorted((c for c in all_cards if c.status != "ok"),
                         key=lambda c: (c.status != "failed", c.name)),
        "totals": {
            "filings": len(all_cards),
            "ok": by_status.get("ok", 0), "partial": by_status.get("partial", 0),
            "failed": by_status.get("failed", 0),
            "flagged": len(flagged),
            "facts": sum(r["fact_count"] for r in summary if r["filing_id"] in cards),
            "indicators": sum(r["indicator_count"] for r in summary if r["filing_id"] in cards),
            "unmapped": sum(r["unmapped_label_count"] for r in summary if r["filing_id"] in cards),
            "flags": sum(by_severity.values()),
            "closed": sum(1 for c in all_cards for f in c.flags if f.closed),
            "error": by_severity.get("error", 0), "warning": by_severity.get("warning", 0),
            "info": by_severity.get("info", 0),
        },
        "by_rule": by_rule_sorted,
        "by_region": _group(all_cards, lambda c: c.region or "（未注明）"),
        "queue": queue(con, QUEUE_LIMIT, ids) if _has_table(con, "facts_t") else [],
        "decided": sum(1 for c in all_cards for f in c.flags if f.review),
        "by_year": _group(all_cards, lambda c: f"{c.fiscal_year}年度" if c.fiscal_year else "（年度不明）",
                          key=lambda e: e["key"]),
        "last_run": _last_run(con, tz),
        "tz": tz, "zone": zone_label(tz),
        "staffing": [row for row in _rows(con, """
            SELECT filing_id, department, fiscal_year, authorized, actual, reported_control_rate,
                   computed_control_rate, over_quota
            FROM staffing WHERE computed_control_rate IS NOT NULL AND (? OR list_contains(?, filing_id))
            ORDER BY computed_control_rate DESC, department
        """, [ids is None, ids or []])],
        "execution": [row for row in _rows(con, """
            SELECT filing_id, department, fiscal_year, form, subject, full_year_budget, executed,
                   reported_execution_rate, computed_execution_rate
            FROM fund_execution
            WHERE item = 'funds.total' AND computed_execution_rate IS NOT NULL AND (? OR list_contains(?, filing_id))
            ORDER BY computed_execution_rate, department, subject
        """, [ids is None, ids or []])],
        "scope": " · ".join(part for part in (f"{year}年度" if year else "", region or "") if part),
        "timelines": timelines(con, set(cards)),
    }


def _group(cards: list[FilingCard], name, key=None) -> list[dict]:
    groups: dict[str, dict] = defaultdict(lambda: {"filings": 0, "flagged": 0, "error": 0, "warning": 0, "info": 0})
    for card in cards:
        entry = groups[name(card)]
        entry["filings"] += 1
        entry["flagged"] += bool(card.flags)
        entry["error"] += card.errors
        entry["warning"] += card.warnings
        entry["info"] += card.infos
    rows = [{"key": k, **v} for k, v in groups.items()]
    return sorted(rows, key=key or (lambda e: (-e["error"], -e["warning"], -e["info"], e["key"])))


def _last_run(con: duckdb.DuckDBPyConnection, tz: str) -> dict | None:
    runs = _rows(con, """
        SELECT run_id, kind, started_at, finished_at, status, summary, error
        FROM runs ORDER BY started_at DESC LIMIT 1
    """) if _has_table(con, "runs") else []
    if not runs:
        return None
    run = runs[0]
    try:
        run["summary"] = json.loads(run["summary"]) if run["summary"] else {}
    except (TypeError, ValueError):
        run["summary"] = {}
    run["started"] = local_text(run["started_at"], tz)
    run["finished"] = local_text(run["finished_at"], tz)
    return run
