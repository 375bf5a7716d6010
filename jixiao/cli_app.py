"""The ``jixiao`` app and what its commands share: one-line failures, logging, options, consoles."""

from __future__ import annotations

import os
import sys
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

    Exit codes: 0 all good, 1 internal error, 2 bad arguments or config,
    3 busy (another run or a locked database), 4 some filings failed,
    5 a portal was down, 6 disk full, permission denied or out of memory,
    7 the Prefect server does not answer, 130 interrupted.
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
    # The flow's own run logger stays at INFO: its line per filing is what the Prefect UI shows of a night.
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")


def _prefect_logs_to_file() -> None:
    """Prefect's records (its tracebacks, its lost-server warnings) go to our log file, not the
    terminal: a run whose server dies must end in one line. Call once Prefect is imported."""
    import logging

    files = [h for h in logging.getLogger("jixiao").handlers if isinstance(h, logging.FileHandler)]
    for name in ("", *(n for n in logging.root.manager.loggerDict if n.startswith(("prefect", "uvicorn")))):
        logger = logging.getLogger(name)
        consoles = [h for h in logger.handlers if type(h) is not logging.FileHandler
                    and isinstance(h, logging.StreamHandler)]
        for handler in consoles:
            logger.removeHandler(handler)
        if consoles or name == "":
            for handler in files:
                logger.addHandler(handler)
    # Prefect's API log worker writes its own failures straight to stderr unless this is off.
    logging.raiseExceptions = False


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


ConfigOption = typer.Option(None, "--config", help="Config file (default: ./jixiao.toml if present).")


def _channels_of(config: Optional[Path]) -> list:
    from pipeline.settings import channels_of, settings

    return channels_of(settings(str(config) if config else None))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
