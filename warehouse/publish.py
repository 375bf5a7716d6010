"""The analysts' side: publish a read-only snapshot, open it, query it (exports: ``warehouse.export``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.lock import WarehouseMissing, busy_from_duckdb, connect_writer
from warehouse.schema import VIEWS, literal, quote

UNMAPPED_LABELS_SQL = (
    "SELECT label, form, count(*) AS n FROM unmapped_labels_t GROUP BY label, form "
    "ORDER BY n DESC, label, form LIMIT ?"
)


def publish(writer_path: Path | str, published_path: Path | str) -> Path:
    """Copy the writer's database to ``published_path`` atomically.

    The copy goes to a temp file beside the target and is renamed over it: an analyst
    already connected keeps reading the old inode, new connections see the new file, and
    nobody ever opens a half-copied file. The writer must be closed (by this process or
    any other); it is reopened briefly to CHECKPOINT so no committed data sits in the WAL.
    The copy's wide views are materialised before the rename (``_materialise_views``).
    """
    writer_path, published_path = Path(writer_path), Path(published_path)
    if not writer_path.exists():
        raise WarehouseMissing(f"no writer database at {writer_path}: nothing to publish")
    con = connect_writer(writer_path, "to publish it")
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    published_path.parent.mkdir(parents=True, exist_ok=True)
    # Analysts open the snapshot read-only, which never writes a WAL; one left here came from
    # an accidental read-write open of the old file and must not be replayed into the new one.
    Path(f"{published_path}.wal").unlink(missing_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(writer_path, tmp)
        _materialise_views(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, published_path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(published_path.parent)
    return published_path


def _materialise_views(copy: Path) -> None:
    """Each ``materialised`` view of the copy becomes a table computed once here, which the view
    (same name, columns and comments) reads: the copy is read-only, so its rows cannot go stale,
    and a query no longer aggregates every fact of the year."""
    con = duckdb.connect(str(copy))
    try:
        present = {name for (name,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal").fetchall()}
        con.execute("BEGIN TRANSACTION")
        for view in VIEWS:
            if not view.materialised or view.name not in present:  # a database older than the view
                continue
            con.execute(f"CREATE OR REPLACE TABLE {quote(view.table)} AS SELECT * FROM {quote(view.name)}")
            con.execute(f"CREATE OR REPLACE VIEW {quote(view.name)} AS SELECT * FROM {quote(view.table)}")
            for statement in view.comments():
                con.execute(statement)
            con.execute(f"COMMENT ON TABLE {quote(view.table)} IS "
                        + literal(f"The rows of the view {view.name} as this copy was published (the view reads them)."))
            for column, comment in view.columns:
                con.execute(f"COMMENT ON COLUMN {quote(view.table)}.{quote(column)} IS {literal(comment)}")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the directory entry is on disk.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published warehouse."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(
            f"no warehouse at {path}: run the pipeline (`jixiao run` or `jixiao demo`) first, or pass the right --db"
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        busy = busy_from_duckdb(path, error, "read-only")
        if busy:
            raise busy from error
        raise


def query(path: Path | str, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one read-only query: (column names, rows)."""
    con = open_readonly(path)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()
    finally:
        con.close()


def unmapped_labels(path: Path | str, limit: int = 50) -> list[tuple[str, str | None, int]]:
    """(label, form, count) from a published warehouse, most frequent first."""
    con = open_readonly(path)
    try:
        return con.execute(UNMAPPED_LABELS_SQL, [limit]).fetchall()
    finally:
        con.close()
