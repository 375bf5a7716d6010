"""Commands on the warehouse: ``labels``, ``alerts``, ``query``, ``unit``, ``report``, ``export``, ``review``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from jixiao.cli_app import (
    ConfigOption,
    DbOption,
    _channels_of,
    _fail,
    _num,
    alerts_app,
    app,
    console,
    review_app,
)


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


def _channels(config: Optional[Path]):
    channels = _channels_of(config)
    if not channels:
        _fail("no [[alert]] channels in the config file (see jixiao.example.toml)")
    return channels


@alerts_app.command("test")
def alerts_test(config: Optional[Path] = ConfigOption) -> None:
    """Send a test message to every configured channel and report each delivery."""
    import alerts

    failures = 0
    for name, ok, detail in alerts.send_test(_channels(config)):
        failures += not ok
        console.print(f"{'[green]ok[/]' if ok else '[red]FAILED[/]'}  {name}  {detail}")
    raise typer.Exit(1 if failures else 0)


@alerts_app.command("list")
def alerts_list(db: Path = DbOption, limit: int = typer.Option(50, help="How many deliveries.")) -> None:
    """Show what was sent (and what is still owed), newest first."""
    _query_and_print(db, "select * from alerts order by coalesce(sent_at, created_at) desc limit "
                     + str(int(limit)), "table")


def _query_and_print(db: Path, sql: str, fmt: str) -> None:
    import duckdb

    import warehouse
    from warehouse.report import QueryError, query_text

    try:
        print(query_text(db, sql, fmt))
    except warehouse.WarehouseMissing:
        _fail(f"no warehouse at {db}: run `jixiao demo` or `jixiao ingest` first")
    except (QueryError, duckdb.Error) as error:  # the user's SQL to fix: show DuckDB's message
        _fail(str(error))  # all of it: DuckDB's "Did you mean …" hint is on a later line


@app.command()
def query(
    sql: str,
    db: Path = DbOption,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Run a read-only SQL query against the warehouse views."""
    if fmt not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json")
    _query_and_print(db, sql, fmt)


@app.command()
def unit(name: str = typer.Argument(..., help="Part of a unit's name as printed, or its unit_id."),
         db: Path = DbOption) -> None:
    """One budget unit across years: its filings side by side, their versions and the flags across filings."""
    import warehouse
    from warehouse.timeline import FIGURES, find_units, unit_timeline

    try:
        con = warehouse.open_readonly(db)
    except warehouse.WarehouseMissing:
        _fail(f"no warehouse at {db}: run `jixiao demo` or `jixiao ingest` first")
    try:
        found = find_units(con, name)
        if len(found) != 1:
            for row in found:
                console.print(f"{row['unit_id']}  {escape(row['name'] or '')}  {row['region'] or ''}  "
                              f"{row['filing_count']} 份报告")
            _fail(f"no unit matches {name!r}" if not found else
                  f"{len(found)} units match {name!r}: give more of the name, or a unit_id above", code=1)
        timeline = unit_timeline(con, found[0]["unit_id"])
    finally:
        con.close()
    console.print(f"[bold]{escape(timeline.name)}[/]  {timeline.unit_id}  {timeline.region or ''}"
                  + (f"  预算编码 {timeline.budget_code}" if timeline.budget_code else ""))
    console.print("印过的名称: " + "；".join(escape(n) for n in timeline.names_seen))
    years = Table("年度", "报告", *(label for _, label in FIGURES), title="历年 years (较上年)")
    for row in timeline.years:
        cells = [f"{_num(row[c])} ({row[c + '_change']:+g})" if row[c + "_change"] is not None else _num(row[c])
                 for c, _ in FIGURES]
        years.add_row(str(row["fiscal_year"]), row["filing_id"], *cells)
    console.print(years)
    versions = Table("年度", "报告", "版本", "sha256", "抓取时间", "被替换时间", title="版本 versions")
    for v in timeline.versions:
        versions.add_row(str(v["fiscal_year"]), v["filing_id"], str(v["version"]), v["sha256"][:12],
                         str(v["fetched_at"] or ""), str(v["superseded_at"] or "当前"))
    console.print(versions)
    flags = Table("年度", "规则", "级别", "说明", title="跨年度与版本的问题 flags across filings")
    for f in timeline.flags:
        flags.add_row(str(f["fiscal_year"]), f["rule"], f["severity"], escape(f["message"]))
    console.print(flags if timeline.flags else "跨年度与版本的问题 flags across filings: 无 none")


def _timezone(config: Optional[Path]) -> str:
    """``[schedule] timezone`` of the config file (Asia/Shanghai without one): what readers' clocks show."""
    from core.config import ConfigError
    from pipeline.settings import settings

    try:
        return settings(str(config) if config else None).schedule.timezone
    except ConfigError as error:
        _fail(str(error), code=2)


@app.command()
def report(
    db: Path = DbOption,
    out: Path = typer.Option(Path("report.html"), "--out", help="The HTML file to write."),
    year: Optional[int] = typer.Option(None, "--year", help="Only filings of this fiscal year, e.g. 2023."),
    region: Optional[str] = typer.Option(None, "--region", help="Only filings whose region contains this, e.g. 湘西."),
    max_filings: int = typer.Option(200, "--max-filings", min=1, help="Filings listed per section, most serious first."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Write one self-contained HTML report (works offline) of the warehouse for analysts.

    Times are in the configured timezone ([schedule] timezone, default Asia/Shanghai: 北京时间).
    """
    import warehouse
    from warehouse.report import build_report

    tz = _timezone(config)
    try:
        path = build_report(db, out, year=year, region=region, max_filings=max_filings, tz=tz)
    except warehouse.WarehouseMissing:
        _fail(f"no warehouse at {db}: run `jixiao demo` or `jixiao ingest` first")
    console.print(f"wrote {path} — open it in a browser")


@app.command()
def export(
    fmt: str = typer.Option(..., "--format", help="parquet, csv or xlsx."),
    out: Path = typer.Option(..., "--out", help="Folder to write into (for xlsx also a .xlsx file name)."),
    db: Path = DbOption,
    config: Optional[Path] = ConfigOption,
    force: bool = typer.Option(False, "--force", help="Overwrite files of an earlier export."),
) -> None:
    """Write every public view to files: xlsx for a finance office (Chinese headers), CSV (UTF-8 with BOM), Parquet.

    Times are in the configured timezone ([schedule] timezone, default Asia/Shanghai).
    """
    import warehouse

    if fmt not in ("parquet", "csv", "xlsx"):
        _fail("--format must be parquet, csv or xlsx")
    tz = _timezone(config)
    try:
        written = warehouse.export(db, out, fmt, tz=tz, force=force)
    except warehouse.WarehouseMissing:
        _fail(f"no warehouse at {db}: run `jixiao demo` or `jixiao ingest` first")
    except (warehouse.ExportExists, ValueError) as error:
        _fail(str(error))
    for path in written or []:
        console.print(str(path))


# --- review ----------------------------------------------------------------------------


@review_app.callback()
def review(
    ctx: typer.Context,
    db: Path = DbOption,
    limit: int = typer.Option(50, help="How many queue entries to show."),
    export_to: Optional[Path] = typer.Option(None, "--export", help="Write every decision to this CSV (for a team)."),
    import_from: Optional[Path] = typer.Option(None, "--import", help="Add the decisions of a --export CSV."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """List the review queue, most frequent wording first, each with the command that settles it."""
    if ctx.invoked_subcommand:
        return
    from jixiao import review_cli

    if export_to or import_from:
        review_cli.exchange(db, export_to, import_from)
    else:
        review_cli.show_queue(db, limit, config)


@review_app.command("decide")
def review_decide(
    fingerprint: str = typer.Argument(..., help="The flag's fingerprint (its first 12 characters will do)."),
    decision: str = typer.Argument(..., help="confirmed, false_alarm or fixed_by_unit."),
    by: str = typer.Option(..., "--by", help="Who decided."),
    note: str = typer.Option("", "--note", help="Why."),
    db: Path = DbOption,
) -> None:
    """Record a decision on a flag; a false_alarm is never alerted again. Survives reprocess and rebuild."""
    from jixiao import review_cli

    review_cli.decide(db, fingerprint, decision, by, note)


@review_app.command("merge")
def review_merge(
    filing_id: str = typer.Argument(..., help="The filing whose proposed unit merge you accept (unit_review.filing_id)."),
    by: str = typer.Option(..., "--by", help="Who decided."),
    db: Path = DbOption,
) -> None:
    """Accept the unit merge `unit_review` proposes for a filing: its unit joins the candidate unit.
    Kept in .jixiao/unit_merges.csv, so reprocess and rebuild keep it."""
    from jixiao import review_cli

    review_cli.merge(db, filing_id, by)


@review_app.command("accept")
def review_accept(
    label: str = typer.Argument(..., help="The wording as printed."),
    item: str = typer.Option(..., "--item", help="FORM.ITEM it means, e.g. basic_data.public_funds.total."),
    vocabulary: Optional[Path] = typer.Option(
        None, "--vocabulary", help="The user vocabulary file (default: [mapping] vocabulary of jixiao.toml)."),
    seen: Optional[str] = typer.Option(None, "--seen", help="Where the wording was printed (kept beside it)."),
    config: Optional[Path] = ConfigOption,
) -> None:
    """Add a printed wording to the user vocabulary; then `jixiao reprocess` reads the documents with it."""
    from jixiao import review_cli

    review_cli.accept(label, item, vocabulary, seen, config)
