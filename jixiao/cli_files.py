"""Commands on one file, no database: ``samples``, ``tables``, ``facts``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from jixiao.cli_app import (
    JsonOption,
    _fail,
    _num,
    app,
    console,
)

# --- one file, no database -------------------------------------------------------------


def _extract_or_exit(path: Path):
    import extractors
    from core.records import ExtractionError

    if not path.exists():
        _fail(f"no such file: {path}")
    try:
        return extractors.extract(path)
    except ExtractionError as error:
        _fail(f"{path.name} cannot be read ({error.reason}): {error.detail}", code=4)


@app.command()
def samples(
    out: Path = typer.Option(Path("samples"), "--out", help="Folder to write them into."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that differ."),
) -> None:
    """Write the five bundled sample reports (.docx, Hunan 2021-2023) into a folder to try jixiao on."""
    import filecmp
    import shutil

    from jixiao.samples import sample_documents

    sources = sorted(sample_documents().glob("*.docx"))
    clashes = [out / s.name for s in sources if (out / s.name).exists() and not filecmp.cmp(s, out / s.name, False)]
    if clashes and not force:
        _fail(f"{clashes[0]} exists and differs; pass --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, out / source.name)
        console.print(str(out / source.name), soft_wrap=True, highlight=False)


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
    from core.config import ConfigError
    from pipeline.settings import settings

    try:
        settings(None)  # ./jixiao.toml's [mapping] vocabulary, when there is one
    except ConfigError as error:
        _fail(str(error))
    extraction = _extract_or_exit(file)
    report = mappings.map_filing([extraction], titles=(file.stem,))
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
    for name in ("rule", "severity", "message", "printed", "computed", "limit", "where"):
        grid.add_column(name, overflow="fold")
    for flag in flags:
        grid.add_row(flag.rule, flag.severity, flag.message, _num(flag.printed), _num(flag.computed),
                     _num(flag.limit), (flag.location_text or "").replace(source + " ", ""))
    console.print(grid)
