"""Commands that run the pipeline: ``ingest``, ``demo``, ``run``, ``serve``, ``reprocess``, ``rebuild``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from core.paths import Paths
from jixiao.cli_app import (
    ConfigOption,
    DbOption,
    VerboseOption,
    _channels_of,
    _fail,
    _prefect_logs_to_file,
    _quiet_prefect,
    _start_logging,
    _state,
    app,
    console,
    print_summary,
)

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


def _finish(outcome, title: str, next_steps: str | None = None) -> None:
    """The run's summary (JSON lines mode: one JSON object), what to do next, then its exit code."""
    from jixiao.errors import outcome_code
    from pipeline.crawl import DOWN_STATUSES

    if _state["log_format"] == "json":
        print(json.dumps({"event": "run", "run_id": outcome.run_id, **outcome.summary}, ensure_ascii=False,
                         default=str))
    elif not _state["quiet"] or outcome.summary.get("filings_failed"):
        print_summary(outcome.summary, title)
        if next_steps and not _state["quiet"]:
            console.print(next_steps, soft_wrap=True, highlight=False)
    raise typer.Exit(int(outcome_code(outcome.summary, DOWN_STATUSES)))


def _program() -> str:
    """How the user can run this command again: `jixiao` when that is on PATH, else the path they used."""
    import shutil

    invoked = Path(sys.argv[0])
    on_path = shutil.which("jixiao")
    if on_path and Path(on_path).resolve() == invoked.resolve():
        return "jixiao"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)




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
    jixiao = _program()
    _finish(outcome, f"jixiao demo → {db}", next_steps=(
        f"next: [bold]{jixiao} report --db {db}[/] (an HTML page: report.html) or "
        f"[bold]{jixiao} query \"select department, rule, message from inconsistencies join filings using (filing_id)\" --db {db}[/]"))


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
        from flows.crawl import nightly_flow

        _prefect_logs_to_file()
        outcome = nightly_flow(config_path, str(db), portal or None, force, dask)
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
