"""One identity per budget unit: printed names, places and budget codes → ``unit_id``.

A filing's unit is found by its 预算编码 first, then by place (the region rule of
``core.regions``) + folded name (``unit_names.toml``: abbreviations, suffixes, generic
市/县/区 prefixes), then by rapidfuzz
within the same place with a cutoff and a margin. A merge that is not certain makes a new
unit and puts the candidate pair in ``unit_review_t``: never merged silently.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
from rapidfuzz import fuzz

from core.regions import split_region
from warehouse import schema
from warehouse.rows import insert_rows
from warehouse.unit_merges import merges

_RULES_FILE = Path(__file__).with_name("unit_names.toml")
_PUNCTUATION = re.compile(r"[\s()（）【】\[\]“”\"'·,，、:：;；.。-]")


@dataclass(frozen=True)
class NameRules:
    generic: tuple[str, ...]
    abbreviations: tuple[tuple[str, str], ...]
    strip: tuple[str, ...]
    cutoff: float
    margin: float
    review: float


@cache
def name_rules() -> NameRules:
    data = tomllib.loads(_RULES_FILE.read_text(encoding="utf-8"))
    fuzzy = data["fuzzy"]
    # Longest long form first, so 人民政府办公室 folds before 人民政府.
    abbreviations = sorted(data["abbreviations"].items(), key=lambda kv: -len(kv[0]))
    return NameRules(tuple(data["generic"]["prefixes"]), tuple(abbreviations), tuple(data["suffixes"]["strip"]),
                     fuzzy["cutoff"], fuzzy["margin"], fuzzy["review"])


@dataclass(frozen=True)
class UnitName:
    """A printed name as its place (the region rule's, e.g. 湖南省岳阳市云溪区) and its folded own name."""

    printed: str
    place: str | None
    key: str
    generic: str | None = None  # 市/县/区 printed without a place name the region could supply


def fold(name: str) -> str:
    """The unit's own name with abbreviations and non-distinguishing endings folded away."""
    rules = name_rules()
    for long, short in rules.abbreviations:
        name = name.replace(long, short)
    stripped = True
    while stripped:
        stripped = False
        for ending in rules.strip:
            if name.endswith(ending) and len(name) > len(ending):
                name, stripped = name[: -len(ending)], True
    return name


def clean(printed: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", printed))


def parse_name(printed: str, region: str | None = None) -> UnitName:
    """The identity of a printed unit name; ``region`` (the filing's) supplies a place not printed."""
    place, rest = split_region(clean(printed))
    generic = None
    if place is None:
        level = next((g for g in name_rules().generic if rest.startswith(g) and len(rest) > 2), None)
        if level:  # 市人大常委会: the city of the filing's region, if it names one
            rest = rest[len(level):]
            cut = (region or "").rfind(level)
            place = region[: cut + 1] if cut >= 0 else None
            generic = None if place else level
        else:
            place = region or None
    return UnitName(printed=printed.strip(), place=place, key=fold(rest), generic=generic)


# --- resolving one filing against the units known ----------------------------------------


@dataclass(frozen=True)
class Known:
    """A filing already assigned to a unit."""

    unit_id: str
    name: UnitName
    budget_code: str | None


@dataclass(frozen=True)
class Decision:
    unit_id: str | None  # None: found no unit for certain, make a new one
    method: str  # budget_code, name, fuzzy, new
    score: float
    candidate: str | None = None  # a unit it may be, for the review queue
    candidate_score: float | None = None
    reason: str | None = None


def resolve(name: UnitName, budget_code: str | None, known: list[Known]) -> Decision:
    rules = name_rules()
    if budget_code:
        coded = {k.unit_id for k in known if k.budget_code == budget_code and k.name.place == name.place}
        if len(coded) == 1:
            return Decision(coded.pop(), "budget_code", 100.0)
    # Two different codes are two units, however alike their names.
    conflicting = {k.unit_id for k in known if budget_code and k.budget_code and k.budget_code != budget_code}
    local = [k for k in known if k.unit_id not in conflicting and k.name.place == name.place]
    exact = {k.unit_id for k in local if k.name.key == name.key}
    if len(exact) == 1 and not name.generic:
        return Decision(exact.pop(), "name", 100.0)
    if len(exact) > 1:
        first = sorted(exact)[0]
        return Decision(None, "new", 0.0, first, 100.0, "同名单位不止一个")
    best: dict[str, float] = {}
    for k in local:
        best[k.unit_id] = max(best.get(k.unit_id, 0.0), fuzz.ratio(name.key, k.name.key))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked and not name.generic:
        top, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if score >= rules.cutoff and score - runner_up >= rules.margin:
            return Decision(top, "fuzzy", score)
        if score >= rules.review:
            reason = "名称相近" if score < rules.cutoff else "与多个单位名称相近"
            return Decision(None, "new", 0.0, top, score, reason)
    # The place was not printed (or the region did not say it): the same name elsewhere is only a candidate.
    loose = sorted({k.unit_id for k in known if k.unit_id not in conflicting and k.name.key == name.key
                    and (not name.place or not k.name.place)
                    and (not name.generic or (k.name.place or "").endswith(name.generic))})
    if loose:
        return Decision(None, "new", 0.0, loose[0], 100.0, "未印地名，同名单位")
    return Decision(None, "new", 0.0)


def new_unit_id(name: UnitName, taken: set[str]) -> str:
    seed = (name.place or "") + "|" + (name.generic or "") + "|" + name.key
    base = "u" + hashlib.sha256(seed.encode()).hexdigest()[:10]
    unit_id, n = base, 1
    while unit_id in taken:
        n += 1
        unit_id = f"{base}-{n}"
    return unit_id


# --- the warehouse side --------------------------------------------------------------------
# A batch of filings is assigned in memory, one filing after another exactly as one load per
# filing would (a filing sees the batch's earlier assignments and its later filings' old ones),
# over the rows of the batch's places read in one query; the result is written once.

_UNIT_ROW = ("filing_id", "unit_id", "printed_name", "region", "place", "name_key", "generic", "budget_code",
             "staffing_note", "method", "score", "run_id")
_REVIEW_ROW = ("filing_id", "unit_id", "candidate_unit_id", "score", "reason", "created_at")


@dataclass(frozen=True)
class Assignment:
    """What the load knows of a filing's unit: its 预算编码 and staffing note (None when not re-read)."""

    filing_id: str
    budget_code: str | None = None
    staffing_note: str | None = None


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _as_known(row: dict) -> Known:
    return Known(row["unit_id"], UnitName(row["printed_name"], row["place"], row["name_key"], row["generic"]),
                 row["budget_code"])


def _comparable(row: dict, name: UnitName) -> bool:
    """``resolve``'s candidates: the same place, or the same key where a place is missing."""
    return row["place"] == name.place or (row["name_key"] == name.key and (row["place"] is None or name.place is None))


def _as_merged(merged: dict[tuple[str | None, str], tuple[str | None, str]], name: UnitName) -> UnitName:
    """The name as the unit a curator merged it into (``jixiao review merge``), if any."""
    into = merged.get((name.place, name.key))
    return UnitName(name.printed, into[0], into[1]) if into else name


class _BatchUnits:
    """The units the batch can touch, in memory; ``write`` puts the outcome in the warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, entries: list[Assignment]):
        self.con = con
        fids = [e.filing_id for e in entries]
        self.filings = {fid: (d, r) for fid, d, r in con.execute(
            "SELECT filing_id, department, region FROM filings_t WHERE list_contains(?, filing_id)", [fids]).fetchall()}
        self.rows = {r["filing_id"]: r for r in _dicts(
            con, "SELECT * FROM filing_units_t WHERE list_contains(?, filing_id)", [fids])}
        self.reviews: dict[str, list[dict]] = {fid: [] for fid in fids}
        for review in _dicts(con, "SELECT * FROM unit_review_t WHERE list_contains(?, filing_id)", [fids]):
            self.reviews[review["filing_id"]].append(review)
        self.merges = merges(con)
        self.names = {fid: _as_merged(self.merges, parse_name(d, r)) for fid, (d, r) in self.filings.items() if d}
        places = sorted({n.place for n in self.names.values() if n.place})
        keys = sorted({n.key for n in self.names.values()})
        placeless = sorted({n.key for n in self.names.values() if not n.place})
        self.known = {r["filing_id"]: r for r in _dicts(
            con, "SELECT * FROM filing_units_t WHERE list_contains(?, place) OR list_contains(?, name_key) "
                 "OR (place IS NULL AND (? OR list_contains(?, name_key)))",
            [places, placeless, bool(placeless), keys])}
        self.known.update(self.rows)
        self.members = dict(con.execute(
            "SELECT unit_id, count(*) FROM filing_units_t WHERE list_contains(?, unit_id) GROUP BY unit_id",
            [sorted({r["unit_id"] for r in self.rows.values()})]).fetchall())
        bases = sorted({new_unit_id(n, set()) for n in self.names.values()})
        self.taken = {r[0] for r in con.execute(
            "SELECT unit_id FROM units_t WHERE list_contains(?, split_part(unit_id, '-', 1))", [bases]).fetchall()}
        self.created: dict[str, dict] = {}  # units made by the batch (and still there)
        self.dropped: set[str] = set()  # units emptied by the batch (some made again)

    def assign(self, entry: Assignment, run_id: str, now: datetime) -> set[str]:
        """One filing, as ``assign_unit`` of old: returns the units whose filings changed."""
        fid = entry.filing_id
        department, region = self.filings.get(fid, (None, None))
        old = self.rows.get(fid)
        if old and (old["printed_name"], old["region"], old["budget_code"]) == (department, region, entry.budget_code) \
                and (old["place"], old["name_key"]) not in self.merges:
            old["staffing_note"] = entry.staffing_note
            return {old["unit_id"]}
        affected = self._remove(fid)
        if not department:
            return affected
        name = self.names[fid]
        decision = resolve(name, entry.budget_code, [_as_known(r) for f, r in self.known.items()
                                                     if f != fid and _comparable(r, name)])
        unit_id = decision.unit_id
        if unit_id is None:
            unit_id = new_unit_id(name, self.taken)
            self.taken.add(unit_id)
            self.created[unit_id] = {"unit_id": unit_id, "place": name.place, "budget_code": entry.budget_code,
                                     "created_at": now}
        self.members[unit_id] = self.members.get(unit_id, 0) + 1
        row = dict(zip(_UNIT_ROW, (fid, unit_id, department, region, name.place, name.key, name.generic,
                                   entry.budget_code, entry.staffing_note, decision.method, decision.score, run_id)))
        self.rows[fid] = self.known[fid] = row
        if decision.candidate:
            self.reviews[fid].append(dict(zip(_REVIEW_ROW, (fid, unit_id, decision.candidate,
                                                            decision.candidate_score, decision.reason, now))))
        return affected | {unit_id}

    def _remove(self, fid: str) -> set[str]:
        self.reviews[fid] = []
        old = self.rows.pop(fid, None)
        if old is None:
            return set()
        self.known.pop(fid, None)
        unit_id = old["unit_id"]
        self.members[unit_id] -= 1
        if not self.members[unit_id]:  # as _drop_empty_units: the unit goes, and reviews naming it
            self.dropped.add(unit_id)
            self.taken.discard(unit_id)
            self.created.pop(unit_id, None)
            for fid_reviews in self.reviews.values():
                fid_reviews[:] = [r for r in fid_reviews if r["candidate_unit_id"] != unit_id]
        return {unit_id}

    def write(self) -> None:
        con, fids = self.con, list(self.reviews)
        con.execute("DELETE FROM filing_units_t WHERE list_contains(?, filing_id)", [fids])
        con.execute("DELETE FROM unit_review_t WHERE list_contains(?, filing_id) OR list_contains(?, candidate_unit_id)",
                    [fids, sorted(self.dropped)])
        con.execute("DELETE FROM units_t WHERE list_contains(?, unit_id)", [sorted(self.dropped)])
        insert_rows(con, schema.UNITS_T, list(self.created.values()))
        insert_rows(con, schema.FILING_UNITS_T, list(self.rows.values()))
        insert_rows(con, schema.UNIT_REVIEW_T, [r for reviews in self.reviews.values() for r in reviews])
        if self.dropped:
            _drop_empty_units(con)


def assign_units(con: duckdb.DuckDBPyConnection, entries: list[Assignment], run_id: str,
                 now: datetime) -> set[str]:
    """Give the just-loaded filings their units, in order; returns the units whose filings changed.

    Runs inside the load's transaction. A filing whose name, region and code are unchanged
    keeps its unit (and its review entry).
    """
    if not entries:
        return set()
    batch = _BatchUnits(con, entries)
    affected: set[str] = set()
    for entry in entries:
        affected |= batch.assign(entry, run_id, now)
    batch.write()
    return affected


def remove_filing(con: duckdb.DuckDBPyConnection, filing_id: str) -> set[str]:
    """Take the filing out of its unit (it is being re-read, or is no report); returns that unit."""
    old = con.execute("SELECT unit_id FROM filing_units_t WHERE filing_id = ?", [filing_id]).fetchall()
    con.execute("DELETE FROM filing_units_t WHERE filing_id = ?", [filing_id])
    con.execute("DELETE FROM unit_review_t WHERE filing_id = ?", [filing_id])
    if old:
        _drop_empty_units(con)
    return {old[0][0]} if old else set()


def _drop_empty_units(con: duckdb.DuckDBPyConnection) -> None:
    """A unit no filing belongs to any more is gone; review entries pointing at it with it."""
    con.execute("DELETE FROM units_t WHERE unit_id NOT IN (SELECT unit_id FROM filing_units_t)")
    con.execute("DELETE FROM unit_review_t WHERE candidate_unit_id NOT IN (SELECT unit_id FROM units_t)")


def unit_filing_ids(con: duckdb.DuckDBPyConnection, unit_ids: set[str]) -> list[str]:
    if not unit_ids:
        return []
    return [r[0] for r in con.execute(
        "SELECT filing_id FROM filing_units_t WHERE list_contains(?, unit_id) ORDER BY filing_id",
        [sorted(unit_ids)],
    ).fetchall()]
