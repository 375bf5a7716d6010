"""The analysts' decisions on flags (``jixiao review``): read from the state folder's log on every open."""

from __future__ import annotations

from warehouse.schema.model import FILING_ID, C, Table, check_in

DECISIONS = ("confirmed", "false_alarm", "fixed_by_unit")

REVIEWS = Table(
    "reviews",
    "The decision in force per flag (confirmed, false_alarm, fixed_by_unit), keyed by the flag's fingerprint. "
    "Not derived data: rebuilt on every open from the state folder's reviews.csv, which rebuild and "
    "reprocess never touch; record decisions with `jixiao review decide`.",
    (
        C("fingerprint", "VARCHAR", "The flag's stable fingerprint (inconsistencies.fingerprint).", "NOT NULL"),
        C("decision", "VARCHAR", "confirmed: the unit's report is wrong; false_alarm: jixiao was wrong (never "
          "alerted again); fixed_by_unit: the unit corrected its report.", "NOT NULL " + check_in("decision", DECISIONS)),
        C("decided_by", "VARCHAR", "Who decided.", "NOT NULL"),
        C("decided_at", "TIMESTAMP", "When (UTC)."),
        C("note", "VARCHAR", "Why, in the analyst's words."),
        C("filing_id", "VARCHAR", FILING_ID),
        C("rule", "VARCHAR", "Rule of the flag when it was decided."),
    ),
)
