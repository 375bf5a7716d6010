"""The bodies of ``jixiao review``: the queue, decisions on flags, accepting a wording."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

import warehouse
from jixiao.accept import AcceptError, add_synonym, suggest_item, user_vocabulary
from jixiao.cli_app import _fail, console
from warehouse.review_queue import KIND_LABEL, command_for, read_queue
from warehouse.reviews import DECISION_LABEL, ReviewError, export_csv, import_csv, record

NO_VOCABULARY = "no user vocabulary named: add [mapping] vocabulary = \"my-labels.toml\" to jixiao.toml, or pass --vocabulary FILE"


def _guarded(call):
    try:
        return call()
    except warehouse.WarehouseMissing as error:
        _fail(str(error))
    except warehouse.WarehouseBusy as error:
        _fail(f"{error}; try again when it has finished", code=3)
    except (ReviewError, AcceptError) as error:
        _fail(str(error))


def show_queue(db: Path, limit: int, config: Path | None) -> None:
    entries = _guarded(lambda: read_queue(db, limit))
    vocabulary = _guarded(lambda: user_vocabulary(config))
    if not entries:
        console.print("[green]nothing to review[/]: every label matched a synonym and every flag is decided")
        return
    console.print(f"[bold]review queue[/] of {db} (most frequent first)")
    for entry in entries:
        score = "" if entry.score is None else f" {entry.method or ''} {entry.score:g}".rstrip()
        taken = f" → {entry.item}" if entry.item else ""
        console.print(
            f"{entry.occurrences:>4}× in {entry.filings} filing(s)  {KIND_LABEL[entry.kind]}  "
            f"{escape(entry.form or '')}  [bold]{escape(entry.label.replace(chr(10), ''))}[/]{escape(taken)}{score}",
            soft_wrap=True,
        )
        console.print(f"      {escape(command_for(entry, vocabulary, suggest_item))}", soft_wrap=True, highlight=False)
    if vocabulary is None and any(e.acceptable for e in entries):
        console.print(f"[yellow]note:[/] {escape(NO_VOCABULARY)}", soft_wrap=True)


def decide(db: Path, fingerprint: str, decision: str, by: str, note: str) -> None:
    made = _guarded(lambda: record(db, fingerprint, decision, by, note))
    console.print(f"recorded: {made.fingerprint[:12]} {made.rule} ({escape(made.department)} {made.fiscal_year}) "
                  f"→ {made.decision} ({DECISION_LABEL[made.decision]}) by {escape(made.decided_by)}", soft_wrap=True)


def merge(db: Path, filing_id: str, by: str) -> None:
    from warehouse.unit_merges import accept as accept_merge

    made = _guarded(lambda: accept_merge(db, filing_id, by))
    console.print(f"merged: {escape(made.printed_name)} is now the unit of {escape(made.into_name)} "
                  f"({escape(made.into_place or 'no place printed')}), by {escape(made.decided_by)}", soft_wrap=True)


def exchange(db: Path, export_to: Path | None, import_from: Path | None) -> None:
    if import_from is not None:
        if not import_from.is_file():
            _fail(f"no such file: {import_from}")
        added = _guarded(lambda: import_csv(db, import_from))
        console.print(f"imported {added} new decision(s) from {import_from}")
    if export_to is not None:
        count = _guarded(lambda: export_csv(db, export_to))
        console.print(f"wrote {count} decision(s) to {export_to}")


def accept(label: str, item: str, vocabulary: Path | None, seen: str | None, config: Path | None) -> None:
    form, _, key = item.partition(".")
    if not key:
        _fail(f"--item must be FORM.ITEM, e.g. basic_data.public_funds.total, not {item!r}")
    target = vocabulary or _guarded(lambda: user_vocabulary(config))
    if target is None:
        _fail(NO_VOCABULARY)
    added = _guarded(lambda: add_synonym(target, form, key, label, seen))
    verb = "added" if added else "already in"
    console.print(f"{verb} {target}: {escape(label)} → {form}.{key}; "
                  "run `jixiao reprocess` to read the stored documents with it", soft_wrap=True)
