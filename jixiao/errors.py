"""What the command line says when something outside its control fails, and its exit codes.

Every failure becomes one line saying what failed and what to do, and an exit code a cron
wrapper can tell apart; the traceback goes to the log file only.
"""

from __future__ import annotations

import errno
import os
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: the log file has the traceback
    USAGE = 2  # bad arguments or config file (also what the argument parser uses)
    BUSY = 3  # another run holds the warehouse, or DuckDB's file is locked
    FILINGS_FAILED = 4  # the run finished but some filings could not be read
    PORTAL_DOWN = 5  # the run finished but a portal was down, blocked or unreadable
    ENVIRONMENT = 6  # disk full, permission denied, out of memory
    SERVER = 7  # the Prefect server named by PREFECT_API_URL, or the Dask cluster of --dask, cannot take the run
    INTERRUPTED = 130  # Ctrl-C or SIGTERM


KEPT = "filings finished before this are kept; run the command again to continue"
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DUCKDB_TEXT = {  # DuckDB reports OS failures as its own exceptions, text only
    "no space left": "disk full", "file too large": "disk full", "disk quota": "disk full",
    "permission denied": "permission denied",
}


def outcome_code(summary: dict, down_statuses: frozenset[str]) -> ExitCode:
    """The exit code of a run that finished: a portal down outranks failed filings."""
    if any(status in down_statuses for status in (summary.get("portal_status") or {}).values()):
        return ExitCode.PORTAL_DOWN
    if summary.get("filings_failed"):
        return ExitCode.FILINGS_FAILED
    return ExitCode.OK


def _os_error(error: OSError) -> tuple[ExitCode, str] | None:
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in _DISK_FULL:
        return ExitCode.ENVIRONMENT, f"disk full{where}: free space on that disk and run again; {KEPT}"
    if isinstance(error, PermissionError):
        return ExitCode.ENVIRONMENT, f"permission denied{where}: run as a user who may write there, or pick another --db"
    if isinstance(error, (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError)):
        return ExitCode.USAGE, f"{error.strerror or error}{where}"
    return None


def _server_error(error: BaseException) -> tuple[ExitCode, str] | None:
    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return None
    names = {type(e).__name__ for e in _chain(error)}
    text = " ".join(str(e) for e in _chain(error))
    if names & {"ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError"} or "reach API" in text:
        return ExitCode.SERVER, (f"the Prefect server at {url} does not answer: start it (prefect server start) "
                                 "or unset PREFECT_API_URL to run without it")
    return None


def _chain(error: BaseException):
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = error.__cause__ or error.__context__
        seen += 1


def classify(error: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one line for an exception that reached the command line."""
    import duckdb

    import warehouse
    from core.config import ConfigError
    from pipeline.load import ClusterError
    from warehouse.lock import busy_from_duckdb

    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, f"interrupted: {KEPT}"
    if isinstance(error, warehouse.WarehouseBusy):
        return ExitCode.BUSY, str(error)
    if isinstance(error, warehouse.WarehouseMissing):
        return ExitCode.USAGE, f"{error}: run `jixiao demo` or `jixiao ingest` first"
    if isinstance(error, ConfigError):
        return ExitCode.USAGE, str(error)
    if isinstance(error, ClusterError):
        return ExitCode.SERVER, str(error)
    if isinstance(error, MemoryError):
        return ExitCode.ENVIRONMENT, "out of memory: close other programs or lower the worker count, and run again"
    server = _server_error(error)
    if server:
        return server
    for cause in _chain(error):
        if isinstance(cause, OSError):
            known = _os_error(cause)
            if known:
                return known
        if isinstance(cause, duckdb.Error):
            busy = busy_from_duckdb("the database", cause, "for writing")
            if busy is not None and "conflicting lock" in str(cause).lower():
                return ExitCode.BUSY, str(busy) + "; wait for that process or stop it"
            text = str(cause).lower()
            for needle, what in _DUCKDB_TEXT.items():
                if needle in text:
                    line = str(cause).splitlines()[0]
                    remedy = "free space on that disk" if what == "disk full" else "fix the folder's permissions"
                    return ExitCode.ENVIRONMENT, f"{what}: the database could not be written ({line}); {remedy} " \
                                                 f"and run again; {KEPT}"
    return ExitCode.INTERNAL, f"internal error {type(error).__name__}: {error}"
