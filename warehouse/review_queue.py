"""The curator's queue (``jixiao review``, and the report's 待复核 section): what jixiao read without
being sure, most frequent wording first.

- labels matched fuzzily or placed by position (a wording the vocabulary lacks: accept it);
- labels read by OCR (the wording may be right, the scan is what to check);
- facts whose place was inferred from the form's template order (a section closed by a near-miss);
- labels that matched nothing;
- flags that rest on such inputs (``needs_review``) and have no decision yet.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from warehouse.migrations import existing_columns
from warehouse.publish import open_readonly

# How a fact's label was matched when jixiao was not sure of it (mappings' match methods).
UNSURE_METHODS = ("fuzzy", "position")
KIND_LABEL = {
    "wording": "近似匹配的标签",
    "ocr": "OCR 识别的标签",
    "inferred": "按表格顺序推定的位置",
    "unmapped": "未识别的标签",
    "flag": "待复核的问题",
}


@dataclass(frozen=True)
class QueueEntry:
    kind: str  # wording, ocr, inferred, unmapped, flag
    form: str | None
    label: str  # as printed; for a flag, its message
    item: str | None  # the item it was taken for (None: unmapped)
    method: str | None
    score: float | None  # lowest match score seen
    occurrences: int
    filings: int
    example: str | None  # a location (or the flag's fingerprint)

    @property
    def acceptable(self) -> bool:
        """A wording to add to the user vocabulary (the others need a look at the document)."""
        return self.kind in ("wording", "unmapped", "inferred") and self.form not in (None, "narrative")


def command_for(entry: QueueEntry, vocabulary: Path | None = None,
                suggest: Callable[[str | None, str], str | None] | None = None) -> str:
    """The command that settles the entry: accept a wording into the user vocabulary, decide a
    flag, or (OCR) look at the scan. ``suggest`` proposes an item for an unmapped label."""
    if entry.kind == "flag":
        return f"jixiao review decide {entry.example[:12]} confirmed|false_alarm|fixed_by_unit --by <name> --note '…'"
    if not entry.acceptable:
        return f"check the scan: {entry.example}"
    item = entry.item or (suggest(entry.form, entry.label) if suggest else None) or "<item>"
    words = ["jixiao", "review", "accept", entry.label.replace("\n", ""), "--item", f"{entry.form}.{item}"]
    if vocabulary is not None:
        words += ["--vocabulary", str(vocabulary)]
    return shlex.join(words)


def _fact_sql(columns: list[str], facts: str = "facts_t") -> str:
    inferred = "inferred" if "inferred" in columns else "false"
    return f"""
SELECT CASE WHEN match_method LIKE 'ocr+%' THEN 'ocr'
            WHEN list_contains(?, match_method) THEN 'wording'
            ELSE 'inferred' END AS kind,
       form, source_label, item, match_method, min(match_score), count(*), count(DISTINCT filing_id),
       min(location)
FROM {facts}
WHERE form <> 'narrative' AND source_label IS NOT NULL
  AND (match_method LIKE 'ocr+%' OR list_contains(?, match_method) OR {inferred})
GROUP BY ALL
"""


_UNMAPPED_SQL = """
SELECT 'unmapped', form, label, NULL, NULL, NULL, count(*), count(DISTINCT filing_id), min(location)
FROM {unmapped} GROUP BY form, label
"""

_FLAG_SQL = """
SELECT 'flag', NULL, i.message, i.rule, NULL, min(i.weakest_match), 1, 1, i.fingerprint
FROM {flags} i LEFT JOIN reviews r ON r.fingerprint = i.fingerprint
WHERE i.needs_review AND r.fingerprint IS NULL
GROUP BY i.fingerprint, i.message, i.rule
"""


def _scoped(table: str, filing_ids: list[str] | None) -> tuple[str, list]:
    """``table``, or only its rows of ``filing_ids`` (and the parameter that takes)."""
    if filing_ids is None:
        return table, []
    return f"(SELECT * FROM {table} WHERE list_contains(?, filing_id))", [filing_ids]


def queue(con: duckdb.DuckDBPyConnection, limit: int | None = None,
          filing_ids: list[str] | None = None) -> list[QueueEntry]:
    """Every entry (of ``filing_ids`` only, when given), the most frequent first (then the least certain)."""
    facts = existing_columns(con, "facts_t")
    (facts_from, facts_ids), (unmapped_from, unmapped_ids), (flags_from, flags_ids) = (
        _scoped(t, filing_ids) for t in ("facts_t", "unmapped_labels_t", "inconsistencies_t"))
    parts = [(_fact_sql(facts, facts_from), [list(UNSURE_METHODS), *facts_ids, list(UNSURE_METHODS)]),
             (_UNMAPPED_SQL.format(unmapped=unmapped_from), unmapped_ids)]
    if {"needs_review", "fingerprint", "weakest_match"} <= set(existing_columns(con, "inconsistencies_t")):
        parts.append((_FLAG_SQL.format(flags=flags_from), flags_ids))
    sql = " UNION ALL ".join(f"({p})" for p, _ in parts)
    params = [v for _, values in parts for v in values]
    rows = con.execute(
        f"SELECT * FROM ({sql}) q ORDER BY 7 DESC, 8 DESC, 6 NULLS FIRST, 3" + (f" LIMIT {int(limit)}" if limit else ""),
        params,
    ).fetchall()
    return [QueueEntry(*row) for row in rows]


def read_queue(db: Path | str, limit: int | None = None) -> list[QueueEntry]:
    con = open_readonly(db)
    try:
        return queue(con, limit)
    finally:
        con.close()
