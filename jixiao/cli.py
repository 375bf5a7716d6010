"""The ``jixiao`` command line."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from jixiao.paths import DEFAULT_DB, Paths

app = typer.Typer(
    help="jixiao (绩效): crawl, extract, check and load performance self-assessment reports into DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
alerts_app = typer.Typer(help="Alert channels: send a test message, list what was sent.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")

console = Console()
err = Console(stderr=True)

DbOption = typer.Option(DEFAULT_DB, "--db", help="The analysts' DuckDB file (the pipeline's state sits beside it).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of tables.")


def _quiet_prefect(verbose: bool = False) -> None:
    """Prefect's own console noise stays out of the user's way unless asked for."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def print_summary(summary: dict, title: str = "jixiao run") -> None:
    table = Table(title=title, show_header=False, box=None)
    flags = summary.get("flags_by_rule") or {}
    for key, value in summary.items():
        if key == "flags_by_rule" or isinstance(value, dict):
            continue
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    for key, value in summary.items():
        if isinstance(value, dict) and key != "flags_by_rule" and value:
            console.print(f"[bold]{key.replace('_', ' ')}[/]: " + ", ".join(f"{k} {v}" for k, v in value.items()))
    if flags:
        rules = Table(title="flags by rule", show_header=True)
        rules.add_column("rule")
        rules.add_column("flags", justify="right")
        for rule, count in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0])):
            rules.add_row(rule, str(count))
        console.print(rules)


# --- one file, no database -------------------------------------------------------------


def _extract_or_exit(path: Path):
    import extractors
    from jixiao.records import ExtractionError

    if not path.exists():
        _fail(f"no such file: {path}")
    try:
        return extractors.extract(path)
    except ExtractionError as error:
        _fail(f"{path.name} cannot be read ({error.reason}): {error.detail}")


@app.command()
def tables(file: Path, as_json: bool = JsonOption) -> None:
    """Show the raw tables and narrative paragraphs extracted from one file, with locations."""
    extraction = _extract_or_exit(file)
    if as_json:
        print(json.dumps(asdict(extraction), ensure_ascii=False, indent=1, default=str))
        return
    console.print(f"[bold]{extraction.source}[/] ({extraction.doc_format}): "
                  f"{len(extraction.tables)} tables, {len(extraction.paragraphs)} paragraphs")
    for warning in extraction.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for raw in extraction.tables:
        grid = Table(title=raw.location(), show_lines=True, title_justify="left")
        grid.add_column("row", justify="right")
        for col in range(raw.width):
            grid.add_column(str(col + 1))
        for r, row in enumerate(raw.rows):
            grid.add_row(str(r + 1), *["·" if cell is None else cell for cell in row])
        console.print(grid)
    console.print("[bold]paragraphs[/]")
    for paragraph in extraction.paragraphs:
        console.print(f"[dim]{paragraph.location()}[/] {paragraph.text}")


@app.command()
def facts(file: Path, as_json: bool = JsonOption) -> None:
    """Show the canonical facts and inconsistency flags of one file, without a database."""
    import checks
    import mappings

    extraction = _extract_or_exit(file)
    report = mappings.map_filing([extraction])
    flags = checks.run_checks(report)
    if as_json:
        payload = {
            "fiscal_year": report.fiscal_year, "department": report.department, "grade": report.grade,
            "forms": sorted(report.forms), "facts": [asdict(f) for f in report.facts],
            "indicators": [asdict(i) for i in report.indicators], "unmapped": [asdict(u) for u in report.unmapped],
            "flags": [asdict(f) for f in flags],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    console.print(f"[bold]{report.department or '?'}[/] {report.fiscal_year or '?'}年度  "
                  f"forms: {', '.join(sorted(report.forms)) or 'none'}  grade: {report.grade or '-'}")
    console.print(f"[dim]locations are in {extraction.source}[/]")
    for form in dict.fromkeys(f.form for f in report.facts):
        console.print(_form_table(form, [f for f in report.facts if f.form == form], extraction.source))
    if report.indicators:
        console.print(f"{len(report.indicators)} indicator rows (see --json)")
    if report.unmapped:
        console.print(f"[yellow]{len(report.unmapped)} unmapped labels:[/] "
                      + "; ".join(u.label.replace("\n", "") for u in report.unmapped[:30]))
    _print_flags(flags, extraction.source)


def _form_table(form: str, form_facts, source: str) -> Table:
    """One row per (subject, item) with its columns side by side, as the form prints them."""
    columns = list(dict.fromkeys(f.column or "value" for f in form_facts))
    rows: dict[tuple, dict] = {}
    for fact in form_facts:
        row = rows.setdefault((fact.subject, fact.item), {"fact": fact, "values": {}, "score": fact.match_score})
        shown = "—" if fact.value is None else f"{fact.value:g}"
        row["values"][fact.column or "value"] = shown
        row["score"] = min(row["score"], fact.match_score)
    grid = Table(title=form, title_justify="left", show_lines=False)
    grid.add_column("item")
    grid.add_column("printed label", overflow="fold", max_width=24)
    for column in columns:
        grid.add_column(column, justify="right")
    grid.add_column("match", justify="right")
    grid.add_column("where", overflow="fold", max_width=22)
    for (subject, item), row in rows.items():
        fact = row["fact"]
        label = fact.source_label.replace("\n", "")
        grid.add_row(
            item + (f" [dim]{subject}[/]" if subject else ""), label,
            *[row["values"].get(c, "") for c in columns],
            f"{fact.match_method} {row['score']:.0f}", fact.location.removeprefix(source).strip(),
        )
    return grid


def _print_flags(flags, source: str = "") -> None:
    if not flags:
        console.print("[green]no inconsistencies[/]")
        return
    grid = Table(title="inconsistencies")
    for name in ("rule", "severity", "message", "expected", "actual", "where"):
        grid.add_column(name, overflow="fold")
    for flag in flags:
        grid.add_row(flag.rule, flag.severity, flag.message, _num(flag.expected), _num(flag.actual),
                     (flag.location or "").replace(source + " ", ""))
    console.print(grid)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# --- the pipeline ----------------------------------------------------------------------


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Report files, or folders of them."),
    db: Path = DbOption,
    filing_per_folder: bool = typer.Option(
        False, "--filing-per-folder", help="Each folder is one filing made of all its files."
    ),
    force: bool = typer.Option(False, "--force", help="Re-extract even unchanged files."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's logs."),
) -> None:
    """Ingest report files (or folders of them) into the DuckDB warehouse."""
    for path in paths:
        if not path.exists():
            _fail(f"no such file or folder: {path}")
    _quiet_prefect(verbose)
    from flows.ingest import ingest_flow

    outcome = _run_flow(lambda: ingest_flow([str(p) for p in paths], str(db), filing_per_folder, force))
    print_summary(outcome.summary, f"jixiao ingest → {db}")


def _run_flow(call):
    import warehouse

    try:
        return call()
    except warehouse.WarehouseBusy as error:
        _fail(str(error), code=3)


@app.command()
def labels(
    unmapped: bool = typer.Option(True, "--unmapped/--all", help="Only labels that matched nothing."),
    db: Path = DbOption,
    limit: int = typer.Option(50, help="How many labels to show."),
) -> None:
    """The printed labels that matched nothing, most frequent first."""
    import warehouse

    if not db.exists():
        _fail(f"no warehouse at {db}: run `jixiao ingest` or `jixiao demo` first")
    grid = Table(title=f"unmapped labels in {db}")
    for name in ("count", "form", "label"):
        grid.add_column(name)
    for label, form, count in warehouse.unmapped_labels(db, limit):
        grid.add_row(str(count), form or "", label.replace("\n", "⏎"))
    console.print(grid)


@app.command()
def demo(
    db: Path = DbOption,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's logs."),
) -> None:
    """Crawl the bundled sample portal (served on 127.0.0.1) into ./jixiao.duckdb."""
    _quiet_prefect(verbose)
    from jixiao.samples import sample_documents

    docs = sample_documents()
    from flows.ingest import ingest_flow

    outcome = _run_flow(lambda: ingest_flow([str(docs)], str(db), False, False))
    print_summary(outcome.summary, f"jixiao demo → {db}")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":
    sys.exit(main())
