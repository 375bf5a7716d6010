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
from rich.markup import escape
from rich.table import Table
from typer.main import get_command

from core.paths import DEFAULT_DB, Paths

class _App(typer.Typer):
    """The Typer app whose every failure ends as one line and a documented exit code."""

    def __call__(self, *args, **kwargs):
        from typer._click.exceptions import ClickException  # Typer's own copy of click

        kwargs.setdefault("prog_name", "jixiao")
        try:
            code = get_command(self).main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            code = _report_failure(KeyboardInterrupt())
        except ClickException as error:  # a usage error: click's usage line and message
            error.show()
            code = error.exit_code
        except Exception as error:  # anything else: one line here, the traceback in the log
            code = _report_failure(error)
        except KeyboardInterrupt as error:
            code = _report_failure(error)
        sys.exit(code if isinstance(code, int) else 0)


app = _App(  # its help is the docstring of the options callback below
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
alerts_app = typer.Typer(help="Alert channels: send a test message, list what was sent.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
review_app = typer.Typer(
    help="The review queue (what jixiao read without being sure) and decisions on flags.",
    invoke_without_command=True,
)
app.add_typer(review_app, name="review")

# Piped output is for files and other programs: not squeezed to an imagined 80-column terminal.
console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 240)
err = Console(stderr=True)
_state: dict = {"log_file": None, "log_format": "text", "quiet": False, "log_path": None}

DbOption = typer.Option(DEFAULT_DB, "--db", help="The analysts' DuckDB file (the pipeline's state sits beside it).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of tables.")
VerboseOption = typer.Option(False, "--verbose", "-v", help="Debug detail in the log file (and Prefect's logs).")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"jixiao {version('jixiao')}")
        raise typer.Exit()


@app.callback()
def _options(
    log_file: Optional[Path] = typer.Option(
        None, "--log-file", help="Where details and tracebacks go (default: .jixiao/jixiao.log beside --db)."),
    log_format: str = typer.Option("text", "--log-format", help="text or json: the per-filing lines off a terminal."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display or per-filing lines."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """jixiao (绩效): crawl, extract, check and load performance self-assessment reports into DuckDB.

    Exit codes: 0 all good; 1 internal error; 2 bad arguments or config; 3 busy (another run or a
    locked database); 4 some filings failed; 5 a portal was down; 6 disk full, permission denied or
    out of memory; 7 the Prefect server does not answer; 130 interrupted.
    """
    if log_format not in ("text", "json"):
        raise typer.BadParameter("must be text or json", param_hint="--log-format")
    _state.update(log_file=log_file, log_format=log_format, quiet=quiet, log_path=None)


def _log_path(db: Path | None = None) -> Path:
    if db is None and _state.get("log_path"):
        return _state["log_path"]  # the file this command already writes
    return _state["log_file"] or Paths(db or DEFAULT_DB).state / "jixiao.log"


def _start_logging(db: Path | None = None, verbose: bool = False) -> None:
    """Details (and tracebacks) to the log file; created on the first record, not before."""
    import logging

    logger = logging.getLogger("jixiao")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False  # a library's console handler (Prefect's) must not print our tracebacks
    path = _log_path(db)
    _state["log_path"] = path
    if any(getattr(h, "baseFilename", None) == str(path.resolve()) for h in logger.handlers):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return  # no log file is no reason to fail the run; the one-line errors still show
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)


def _report_failure(error: BaseException) -> int:
    import logging

    from jixiao.errors import ExitCode, classify

    try:
        code, message = classify(error)
    except Exception:  # classifying must not become the failure
        code, message = ExitCode.INTERNAL, f"internal error {type(error).__name__}: {error}"
    _start_logging()
    logging.getLogger("jixiao").error("%s", message, exc_info=(type(error), error, error.__traceback__))
    err.print(f"[bold red]error:[/] {escape(message)}  [dim](details: {escape(str(_log_path()))})[/]", soft_wrap=True)
    return int(code)


def _quiet_prefect(verbose: bool = False) -> None:
    """Prefect's own console noise stays out of the user's way unless asked for."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")


def _fail(message: str, code: int = 2) -> None:
    # soft_wrap: one line a script can grep, whatever the terminal width; escape: "[[alert]]" is text.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
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
    from pipeline.settings import settings

    from core.config import ConfigError

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
    config: Optional[Path] = typer.Option(None, "--config", help="Config file for alert channels."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    verbose: bool = VerboseOption,
) -> None:
    """Ingest report files (or folders of them) into the DuckDB warehouse."""
    for path in paths:
        if not path.exists():
            _fail(f"no such file or folder: {path}")
    from pipeline.load import ingest as ingest_paths

    channels = _channels_of(config)
    with _progress(db, verbose) as progress, _engine(dask) as engine:
        outcome = ingest_paths(paths, db, filing_per_folder, force, channels, engine=engine, progress=progress)
    _finish(outcome, f"jixiao ingest → {db}")


def _channels_of(config: Optional[Path]) -> list:
    from pipeline.settings import channels_of, settings

    return channels_of(settings(str(config) if config else None))


def _progress(db: Path, verbose: bool = False):
    """The live display on a terminal, one line per filing elsewhere, nothing with -q."""
    import logging

    from pipeline.progress import LineProgress, LiveProgress, Progress

    _start_logging(db, verbose)
    if _state["quiet"]:
        return Progress()
    if console.is_terminal and _state["log_format"] == "text":
        return LiveProgress(console)
    lines = logging.getLogger("jixiao.progress")
    if not any(getattr(h, "stream", None) is sys.stdout for h in lines.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(
            "%(message)s" if _state["log_format"] == "json" else "%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        lines.addHandler(handler)
    return LineProgress(lines, as_json=_state["log_format"] == "json")


def _engine(dask: Optional[str]):
    from contextlib import nullcontext

    if not dask:
        return nullcontext(None)  # isolated child processes on this machine
    from pipeline.load import DaskEngine

    return DaskEngine(dask)


def _finish(outcome, title: str) -> None:
    """The run's summary (JSON lines mode: one JSON object), then its exit code."""
    from jixiao.errors import outcome_code
    from pipeline.crawl import DOWN_STATUSES

    if _state["log_format"] == "json":
        print(json.dumps({"event": "run", "run_id": outcome.run_id, **outcome.summary}, ensure_ascii=False,
                         default=str))
    elif not _state["quiet"] or outcome.summary.get("filings_failed"):
        print_summary(outcome.summary, title)
    raise typer.Exit(int(outcome_code(outcome.summary, DOWN_STATUSES)))


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


ConfigOption = typer.Option(None, "--config", help="Config file (default: ./jixiao.toml if present).")


@app.command()
def demo(
    db: Path = DbOption,
    config: Optional[Path] = ConfigOption,
    verbose: bool = VerboseOption,
) -> None:
    """Crawl the bundled sample portal (served on 127.0.0.1) into ./jixiao.duckdb."""
    from jixiao.demo import demo as run_demo
    from pipeline.settings import settings

    settings_ = settings(str(config) if config else None)
    with _progress(db, verbose) as progress:
        outcome = run_demo(db, settings_, progress=progress)
    if not _state["quiet"] and _state["log_format"] == "text":
        console.print(f"next: [bold]jixiao report --db {db}[/] or "
                      f"[bold]jixiao query \"select * from inconsistencies\"[/]")
    _finish(outcome, f"jixiao demo → {db}")


@app.command()
def run(
    portal: list[str] = typer.Option(None, "--portal", help="NAME=URL of a list page; repeatable. "
                                     "Without it, the portals of the config file."),
    db: Path = DbOption,
    config: Optional[Path] = ConfigOption,
    force: bool = typer.Option(
        False, "--force", help="Fetch every listed article now and re-extract even unchanged filings."
    ),
    dask: Optional[str] = typer.Option(None, "--dask", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    verbose: bool = VerboseOption,
) -> None:
    """One pass: crawl the portals, fetch, extract, map, check, load, alert.

    With PREFECT_API_URL set, the pass runs as the jixiao-nightly Prefect flow on that server
    (visible in its UI); otherwise as plain Python, no server needed.
    """
    from pipeline.crawl import crawl_and_load, with_portal_args
    from pipeline.settings import settings

    config_path = str(config) if config else None
    settings_ = with_portal_args(settings(config_path, required=not portal), portal)
    if os.environ.get("PREFECT_API_URL"):
        _quiet_prefect(verbose)
        _start_logging(db, verbose)
        from flows.crawl import nightly_flow, on_engine

        outcome = on_engine(nightly_flow, dask)(config_path, str(db), portal or None, force, dask)
    else:
        with _progress(db, verbose) as progress, _engine(dask) as engine:
            outcome = crawl_and_load(settings_, Paths(db), force=force, engine=engine, progress=progress)
    _finish(outcome, f"jixiao run → {db}")


@app.command()
def serve(
    db: Path = DbOption,
    config: Optional[Path] = ConfigOption,
    cron: Optional[str] = typer.Option(None, help="Override the config's schedule, e.g. '0 2 * * *'."),
    port: int = typer.Option(4200, help="Port of the Prefect server started when PREFECT_API_URL is unset."),
) -> None:
    """Run the nightly flow on its cron schedule (default 02:00 Asia/Shanghai) until stopped."""
    _quiet_prefect(False)
    from flows.serve import serve_nightly, start_local_server
    from pipeline.settings import settings  # no Prefect yet: the API URL must be set first

    schedule = settings(str(config) if config else None).schedule
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        log_path = Paths(db).server_log
        console.print(f"starting a Prefect server on http://127.0.0.1:{port} (UI and schedule; log {log_path}) …")
        server = start_local_server(port, log_path)
        os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    console.print(f"serving jixiao-nightly: cron '{cron or schedule.cron}' {schedule.timezone}; "
                  f"runs in the UI at {os.environ['PREFECT_API_URL'].removesuffix('/api')}; Ctrl-C stops")
    try:
        serve_nightly(str(config) if config else None, str(db), cron or schedule.cron, schedule.timezone)
    finally:
        if server is not None:
            import signal

            os.killpg(server.pid, signal.SIGTERM)  # its own group: the uvicorn it started goes too
            server.wait(timeout=60)


@app.command()
def reprocess(
    db: Path = DbOption,
    force: bool = typer.Option(False, "--force", help="Re-extract every stored filing, changed or not."),
    config: Optional[Path] = ConfigOption,
    verbose: bool = VerboseOption,
) -> None:
    """Re-extract the stored raw documents after a mapping or rule change (no network)."""
    from pipeline.load import reprocess as reprocess_store

    channels = _channels_of(config)
    with _progress(db, verbose) as progress:
        outcome = reprocess_store(db, force, channels, progress=progress)
    _finish(outcome, f"jixiao reprocess → {db}")


@app.command()
def rebuild(db: Path = DbOption, verbose: bool = VerboseOption) -> None:
    """Rebuild the whole warehouse from the raw store (after a crash or a broken database file)."""
    from pipeline.load import rebuild as rebuild_store

    with _progress(db, verbose) as progress:
        outcome = rebuild_store(db, progress=progress)
    _finish(outcome, f"jixiao rebuild → {db}")


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


@app.command()
def bench(
    accuracy: bool = typer.Option(False, "--accuracy", help="Only the accuracy benchmark (facts, flags, non-reports)."),
    split: str = typer.Option("all", "--split", help="Accuracy split: tune (look at its misses), heldout "
                              "(the predictor: numbers only) or all."),
    formats: Optional[str] = typer.Option(None, "--formats", help="Accuracy formats, comma-separated "
                                          "(default: every format)."),
    filings: Optional[int] = typer.Option(None, "--filings", help="Filings per split (accuracy) or corpus size "
                                          "(speed)."),
    as_json: bool = typer.Option(False, "--json", help="Print the accuracy figures as JSON."),
    misses: Optional[Path] = typer.Option(None, "--misses", help="Write the tune split's missed and extra facts "
                                          "and flags to this JSON file."),
    workers: int = typer.Option(1, "--workers", help="Accuracy: filings scored in parallel processes."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Speed corpus seed."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Speed corpus folder (cached)."),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Speed corpus: longest document."),
    regenerate: bool = typer.Option(False, "--regenerate", help="Speed corpus: rebuild it first."),
    out: Optional[Path] = typer.Option(None, "--out", help="Speed benchmark: where RESULTS.md and results.json go."),
    work: Optional[Path] = typer.Option(None, "--work", help="Speed benchmark: scratch folder."),
    report_only: bool = typer.Option(False, "--report-only", help="Speed benchmark: rewrite RESULTS.md from "
                                     "results.json without measuring."),
) -> None:
    """Run the benchmarks (writes benchmarks/RESULTS.md): speed against a naive baseline, then accuracy on
    generated filings with known answers. ``--accuracy`` runs only the accuracy one."""
    from benchmarks.accuracy import generator
    from benchmarks.accuracy.run import DEFAULT_FILINGS, main as run_accuracy

    if split not in ("tune", "heldout", "all"):
        _fail("--split must be tune, heldout or all")
    if misses is not None and split == "heldout":
        _fail("--misses is for the tune split only: the heldout split reports numbers, never its filings")
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip()) if formats else generator.FORMATS
    if not accuracy:
        from benchmarks.run import main as run_speed

        argv = [flag for flag, on in (("--regenerate", regenerate), ("--report-only", report_only)) if on]
        for flag, value in (("--filings", filings), ("--seed", seed), ("--corpus", corpus),
                            ("--max-pages", max_pages), ("--out", out), ("--work", work)):
            if value is not None:
                argv += [flag, str(value)]
        code = run_speed(argv)
        if code or report_only:
            raise typer.Exit(code)
        filings = None  # the speed corpus size is not the accuracy one
    raise typer.Exit(run_accuracy(split=split, formats=chosen, filings=filings or DEFAULT_FILINGS,
                                  as_json=as_json, misses_file=misses, workers=max(1, workers)))


def main() -> None:  # pragma: no cover - console entry
    app()  # exits with the run's code


if __name__ == "__main__":
    sys.exit(main())
