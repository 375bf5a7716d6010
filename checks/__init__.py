"""Inconsistency checks (SPEC §4): one declaration per rule in ``checks.rules``, evaluated by
``checks.engine``.

Flags are records of what a filing says against itself; nothing is corrected. Every flag's
numbers mean the same (``core.records.Flag``): ``printed`` the figure checked, ``computed``
what the rule derived from the other figures, ``limit`` the bound it must not exceed.
"""

from __future__ import annotations

from checks import engine
from checks.rules import RULES
from core.records import CanonicalReport, Flag

__all__ = ["RULES", "run_checks"]


def run_checks(report: CanonicalReport) -> list[Flag]:
    return engine.run(report)
