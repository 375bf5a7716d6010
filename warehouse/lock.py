"""One writer at a time: an OS file lock that names its holder."""

from __future__ import annotations

import fcntl
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import duckdb


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock or the database file."""

    def __init__(self, message: str, pid: int | None = None):
        super().__init__(message)
        self.pid = pid


class WarehouseMissing(FileNotFoundError):
    """No database file where one was expected."""


# The holder writes its PID just after taking the lock; a loser that looks in between
# sees an empty file. On a busy machine that gap can last a scheduler slice or more.
_PID_WAIT_SECONDS = 5.0


def _read_pid(handle) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None


def _holder_pid(handle) -> int | None:
    """The PID the holder wrote, waiting briefly for a holder that has not written it yet."""
    deadline = time.monotonic() + _PID_WAIT_SECONDS
    while (pid := _read_pid(handle)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


@contextmanager
def writer_lock(lock_path: Path | str) -> Iterator[Path]:
    """Hold an exclusive, non-blocking flock on ``lock_path`` or raise WarehouseBusy.

    The holder's PID is written into the file so the refusal can name it. The file is
    never deleted: unlinking a lock file lets a third process lock a fresh inode.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="ascii")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(handle)
            holder = f"PID {pid}" if pid else "an unknown process"
            raise WarehouseBusy(
                f"another jixiao run is writing (lock {path} held by {holder}); "
                "wait for it to finish or stop that process",
                pid,
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


_PID = re.compile(r"PID (\d+)")


def busy_from_duckdb(path: Path | str, error: Exception, mode: str) -> WarehouseBusy | None:
    """Translate DuckDB's lock conflict into WarehouseBusy; None for any other error."""
    text = str(error)
    if "lock" not in text.lower():
        return None
    match = _PID.search(text)
    pid = int(match.group(1)) if match else None
    holder = f"PID {pid}" if pid else "another process"
    return WarehouseBusy(f"cannot open {path} {mode}: it is held by {holder} ({text.splitlines()[0]})", pid)


def connect_writer(path: Path | str, mode: str) -> duckdb.DuckDBPyConnection:
    """A read-write connection; a lock held by another process is a WarehouseBusy naming it."""
    import duckdb

    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        busy = busy_from_duckdb(path, error, mode)
        if busy:
            raise busy from error
        raise
