"""A flag and what it rests on: severity, the cells compared as printed, where they were read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.location import Location


class Severity(StrEnum):
    """How serious a flag is; members are listed most serious first."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most serious."""
        return list(Severity).index(self)

    @property
    def label(self) -> str:
        """Its Chinese name, as the report, the alerts and the exports print it."""
        return {"error": "错误", "warning": "警示", "info": "提示"}[self.value]

    @classmethod
    def label_of(cls, name: str | None) -> str:
        return cls(name).label if name in cls._value2member_map_ else (name or "")

    @classmethod
    def rank_of(cls, name: str | None) -> int:
        """Rank of a severity name; unknown names sort after every known one."""
        return cls(name).rank if name in cls._value2member_map_ else len(cls)


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class Cell:
    """One printed figure a flag compared, as printed, with how sure its reading was."""

    # printed, part, limit, computed-from (numerator/denominator), reference; alternative: another
    # cell holding the printed figure, which puts the flag in review
    role: str
    label: str  # e.g. 专项资金本年决算数, 区人大预算审查监督平台
    text: str  # the cell as printed, e.g. 51.30 or 747,953.17 (empty when blank)
    value: float | None
    unit: str | None  # the fact's unit after conversion (万元)
    column: str | None = None
    location: str | None = None
    place: Location | None = None
    match_method: str | None = None
    match_score: float | None = None
    inferred: bool = False
    # the rule whose identity, holding to the cent with figures read for certain, confirms this
    # reading although its label matched only loosely (checks.confirm)
    confirmed_by: str | None = None


@dataclass(frozen=True)
class Flag:
    """A contradiction a rule found.

    ``printed`` is the figure the report prints that the rule checks, ``computed`` what the
    rule derived from the other figures (a sum, a rate, the form cell a narrative restates,
    the year a header should carry) and ``limit`` the bound a figure must not exceed.
    """

    rule: str
    severity: str  # a Severity value
    message: str  # Chinese, for a finance officer
    printed: float | None = None
    computed: float | None = None
    limit: float | None = None
    subject: str | None = None
    item: str | None = None  # the canonical item checked, e.g. project.special
    columns: tuple[str, ...] = ()  # every column the same contradiction holds in
    unit: str | None = None
    location: Location | None = None  # where the checked figure was read
    cells: tuple[Cell, ...] = ()
    weakest_match: float | None = None  # lowest match score among the facts compared
    weakest_method: str | None = None  # its match method
    inferred: bool = False  # a compared fact's place was inferred
    needs_review: bool = False  # its inputs fall below the confidence bar: shown, never alerted

    @property
    def expected(self) -> float | None:
        """What ``actual`` should be by the rule: ``computed``, else ``limit``."""
        return self.computed if self.computed is not None else self.limit

    @property
    def actual(self) -> float | None:
        return self.printed

    @property
    def location_text(self) -> str | None:
        """Where the checked figure and what it was held against were read, as the facts print it."""
        texts = [str(self.location)] if self.location else []
        texts += [c.location or (str(c.place) if c.place else "") for c in self.cells if c.role not in ("part", "alternative")]
        return "; ".join(dict.fromkeys(t for t in texts if t)) or None

    def fingerprint(self, filing_id: str) -> str:
        """Stable identity within a filing: the same contradiction with the same numbers."""
        parts = [filing_id, self.rule, self.subject or "", self.item or "",
                 _rounded(self.printed), _rounded(self.expected)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StoredFlag:
    """A flag as the warehouse keeps it: the filing it is about, its identity, when first raised."""

    filing_id: str
    fingerprint: str
    flag: Flag
    detected_at: datetime | None = None


def _rounded(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{float(value):.2f}"
    return "0.00" if text == "-0.00" else text
