"""Where jixiao keeps its files, all derived from the analysts' database path.

``jixiao.duckdb`` is the published, read-only-for-analysts copy. Everything the pipeline
owns sits in a state folder beside it (``.jixiao/`` for ``jixiao.duckdb``):

- ``writer.duckdb``   the pipeline's own database (one writer); published atomically
- ``raw/ab/abcd….ext`` downloaded documents, content-addressed, kept for reprocessing
- ``crawl.sqlite3``   the crawler's HTTP state (ETag, Last-Modified, seen articles)
- ``run.lock``        held by the one process that may write
- ``cache/``          converted files (LibreOffice) and OCR output, by content hash
- ``reviews.csv``     analysts' decisions on flags: not derived data, so rebuild never touches it
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("jixiao.duckdb")
# Beside the writer database: every writer run reads it into the ``reviews`` table.
REVIEWS_LOG = "reviews.csv"
# Beside it: unit merges a curator accepted (``jixiao review merge``), applied on every load.
UNIT_MERGES_LOG = "unit_merges.csv"


@dataclass(frozen=True)
class Paths:
    db: Path

    @property
    def state(self) -> Path:
        return self.db.parent / f".{self.db.stem}"

    @property
    def writer_db(self) -> Path:
        return self.state / "writer.duckdb"

    @property
    def raw(self) -> Path:
        return self.state / "raw"

    @property
    def crawl_state(self) -> Path:
        return self.state / "crawl.sqlite3"

    @property
    def lock(self) -> Path:
        return self.state / "run.lock"

    @property
    def reviews(self) -> Path:
        return self.state / REVIEWS_LOG

    @property
    def unit_merges(self) -> Path:
        return self.state / UNIT_MERGES_LOG

    @property
    def cache(self) -> Path:
        return self.state / "cache"

    @property
    def server_log(self) -> Path:
        return self.state / "prefect-server.log"

    def ensure(self) -> "Paths":
        for folder in (self.state, self.raw, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        return self
