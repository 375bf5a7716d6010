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


def _known(con: duckdb.DuckDBPyConnection, except_filing: str, name: UnitName) -> list[Known]:
    """The filings ``resolve`` may compare with: the same place, or the same key where a place is missing."""
    rows = con.execute(
        "SELECT unit_id, printed_name, place, name_key, generic, budget_code FROM filing_units_t "
        "WHERE filing_id <> ? AND (place IS NOT DISTINCT FROM ? OR (name_key = ? AND (place IS NULL OR ? IS NULL)))",
        [except_filing, name.place, name.key, name.place],
    ).fetchall()
    return [Known(u, UnitName(p, pl, key, g), code) for u, p, pl, key, g, code in rows]


def assign_unit(con: duckdb.DuckDBPyConnection, fid: str, code: str | None, staffing_note: str | None,
                run_id: str, now: datetime) -> set[str]:
    """Give the just-loaded filing its unit; returns the units whose filings changed.

    Runs inside the load's transaction. A filing whose name, region and code are unchanged
    keeps its unit (and its review entry).
    """
    row = con.execute("SELECT department, region FROM filings_t WHERE filing_id = ?", [fid]).fetchall()
    department, region = row[0] if row else (None, None)
    old = con.execute(
        "SELECT unit_id, printed_name, region, budget_code FROM filing_units_t WHERE filing_id = ?", [fid]
    ).fetchall()
    old_unit = old[0][0] if old else None
    if old and old[0][1:] == (department, region, code):
        con.execute("UPDATE filing_units_t SET staffing_note = ? WHERE filing_id = ?", [staffing_note, fid])
        return {old_unit}
    affected = remove_filing(con, fid)
    if department:
        name = parse_name(department, region)
        decision = resolve(name, code, _known(con, fid, name))
        unit_id = decision.unit_id
        if unit_id is None:
            taken = {r[0] for r in con.execute("SELECT unit_id FROM units_t").fetchall()}
            unit_id = new_unit_id(name, taken)
            con.execute(
                "INSERT INTO units_t (unit_id, place, budget_code, created_at) VALUES (?, ?, ?, ?)",
                [unit_id, name.place, code, now],
            )
        con.execute(
            "INSERT INTO filing_units_t (filing_id, unit_id, printed_name, region, place, name_key, generic, "
            "budget_code, staffing_note, method, score, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [fid, unit_id, department, region, name.place, name.key, name.generic, code,
             staffing_note, decision.method, decision.score, run_id],
        )
        if decision.candidate:
            con.execute(
                "INSERT INTO unit_review_t (filing_id, unit_id, candidate_unit_id, score, reason, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [fid, unit_id, decision.candidate, decision.candidate_score, decision.reason, now],
            )
        affected.add(unit_id)
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
