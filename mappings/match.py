"""Printed label -> canonical item, within one form's vocabulary.

An exact normalised synonym wins outright. Otherwise rapidfuzz proposes, and the proposal
is accepted only above ``FUZZY_CUTOFF`` and ``FUZZY_MARGIN`` points clear of the best
candidate of any other item: ``⼀级指标`` scores 75 against both 一级指标 and 二级指标 before
normalisation, and a tie like that must go unmapped rather than to the first candidate.

Between the two, a synonym with one qualifier (``[qualifiers]`` of vocabulary.toml: 项目支出合计,
当年财政拨款资金, 年末实有人数) is a synonym match too, scored ``QUALIFIED_SCORE``: its reading
is as certain as the synonym's, where a fuzzy score cannot tell 非财政拨款 from 财政拨款.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from core.text import per_filing
from mappings.normalize import normalize_label
from mappings.vocabulary import Column, Item, Vocabulary, load_vocabulary

FUZZY_CUTOFF = 88.0
FUZZY_MARGIN = 6.0
PRIOR_YEAR = "上年"
QUALIFIED_SCORE = 95.0  # a synonym with a qualifier: certain (checks.rules.CONFIDENCE_BAR), below an exact synonym
# A label placed by the form itself, wording and place agreeing (a near-miss of the row the
# template prints next; a staffing header named by its keyword beside the other two): certain.
TEMPLATE_SCORE = 90.0
KEYWORD_SCORE = 70.0  # a header named by a word it contains (预算, 决算, 执行): below any fuzzy match


@dataclass(frozen=True)
class LabelMatch:
    key: str
    score: float
    method: str  # synonym, fuzzy


def _best_per_key(label: str, candidates: dict[str, tuple[str, ...]], floor: float) -> list[tuple[float, str]]:
    """Each key's best WRatio, best first; a score below ``floor`` reads as 0.

    ``floor`` is the cutoff less the margin: a lower score can neither be accepted nor come
    within the margin of an accepted one, so it need not be exact, and rapidfuzz's
    ``score_cutoff`` skips most of its work (the fuzzy scoring was the top of mapping's profile).
    """
    keys = [key for key, synonyms in candidates.items() if synonyms]
    owners = [key for key in keys for _ in candidates[key]]
    choices = [synonym for key in keys for synonym in candidates[key]]
    best = dict.fromkeys(keys, 0.0)
    for _, score, index in process.extract(label, choices, scorer=fuzz.WRatio, processor=None, limit=None,
                                           score_cutoff=floor):
        best[owners[index]] = max(best[owners[index]], score)
    return sorted(((score, key) for key, score in best.items()), reverse=True)


def match_normalized(
    label: str, candidates: dict[str, tuple[str, ...]], cutoff: float = FUZZY_CUTOFF
) -> LabelMatch | None:
    """Match a normalised label against ``{key: normalised synonyms}``."""
    if not label:
        return None
    for key, synonyms in candidates.items():
        if label in synonyms:
            return LabelMatch(key, 100.0, "synonym")
    qualified = {key for bare in load_vocabulary().unqualified(label) for key, synonyms in candidates.items()
                 if bare in synonyms}
    if len(qualified) == 1:
        return LabelMatch(qualified.pop(), QUALIFIED_SCORE, "synonym")
    scored = _best_per_key(label, candidates, max(0.0, cutoff - FUZZY_MARGIN))
    if not scored or scored[0][0] < cutoff:
        return None
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if scored[0][0] - runner_up < FUZZY_MARGIN:
        return None
    return LabelMatch(scored[0][1], round(scored[0][0], 1), "fuzzy")


@lru_cache(maxsize=64)
def _candidates(vocabulary: Vocabulary, form: str, layouts: tuple[str, ...] | None) -> dict[str, tuple[Item, tuple[str, ...]]]:
    return {i.key: (i, i.normalized) for i in vocabulary.items_for(form, layouts) if i.synonyms}


def _item_candidates(form: str, layouts: tuple[str, ...] | None) -> dict[str, tuple[Item, tuple[str, ...]]]:
    return _candidates(load_vocabulary(), form, layouts)


def match_item(label: str, form: str, layouts: tuple[str, ...] | None = None) -> tuple[Item, LabelMatch] | None:
    """The item a printed label names in ``form`` (only items of the given layouts)."""
    candidates = _item_candidates(form, layouts)
    found = match_normalized(normalize_label(label), {key: synonyms for key, (_, synonyms) in candidates.items()})
    if found is None:
        return None
    return candidates[found.key][0], found


def match_among(label: str, items: list[Item], cutoff: float = FUZZY_CUTOFF) -> tuple[Item, LabelMatch] | None:
    """The item among ``items`` a printed label names (a block of a form, the headings still to come)."""
    by_key = {i.key: i for i in items if i.synonyms}
    found = match_normalized(normalize_label(label), {key: i.normalized for key, i in by_key.items()}, cutoff)
    return (by_key[found.key], found) if found is not None else None


def match_column(label: str, form: str) -> tuple[Column, LabelMatch] | None:
    """The canonical column a header names; year-bearing headers are resolved by the caller."""
    return _match_column(load_vocabulary(), label, form)


@per_filing  # a filing's tables repeat their headers; keyed on the vocabulary, which a reload replaces
def _match_column(vocabulary: Vocabulary, label: str, form: str) -> tuple[Column, LabelMatch] | None:
    normalized = normalize_label(label)
    # 上年… names a prior-year column and nothing else; a prior-year column needs 上年
    prior = normalized.startswith(PRIOR_YEAR)
    columns = [c for c in vocabulary.columns_for(form) if c.normalized and c.normalized[0].startswith(PRIOR_YEAR) == prior]
    found = match_normalized(normalized, {c.key: c.normalized for c in columns}) or keyword_match(
        normalized, {c.key: c.keywords for c in columns}
    )
    if found is None:
        return None
    return next(c for c in columns if c.key == found.key), found


def keyword_match(label: str, keywords: dict[str, tuple[str, ...]]) -> LabelMatch | None:
    """The key whose longest keyword the label contains, when no other key's is as long."""
    hits = sorted(
        ((max(len(k) for k in words if k in label), key) for key, words in keywords.items() if any(k in label for k in words)),
        reverse=True,
    )
    if not hits or (len(hits) > 1 and hits[1][0] == hits[0][0]):
        return None
    return LabelMatch(hits[0][1], KEYWORD_SCORE, "keyword")
