"""The crawler's memory between runs (``crawl.sqlite3``): HTTP validators and loaded filings.

For each URL: ETag / Last-Modified of the last 200, the content hash and where the body is
(raw store path for documents; the body itself for list and article pages, which are small
and needed again to parse a 304). For each filing: the content hash last marked loaded. For
each article: its list entry and when its content was last verified loaded, so an unchanged
entry need not be fetched nightly.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    size INTEGER,
    content_type TEXT,
    path TEXT,
    body BLOB,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS filings (
    filing_id TEXT PRIMARY KEY,
    source_url TEXT,
    sha256 TEXT,
    loaded_at TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    listing TEXT,      -- title and date as the list page printed them
    kind TEXT,         -- report | not_report (its body said so)
    verified_at TEXT   -- last time its content was found loaded (or not a report); NULL until then
);
"""


@dataclass(frozen=True)
class CachedResponse:
    url: str
    final_url: str
    etag: str | None
    last_modified: str | None
    sha256: str
    size: int
    content_type: str | None
    path: Path | None
    body: bytes | None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class CrawlState:
    """Thread-safe: the flow may fetch articles from several threads."""

    def __init__(self, path: Path | str | None):
        self.path = Path(path) if path else None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def cached(self, url: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, final_url, etag, last_modified, sha256, size, content_type, path, body"
                " FROM http_cache WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return None
        return CachedResponse(*row[:7], Path(row[7]) if row[7] else None, row[8])

    def remember(self, cached: CachedResponse) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cached.url, cached.final_url, cached.etag, cached.last_modified, cached.sha256, cached.size,
                    cached.content_type, str(cached.path) if cached.path else None, cached.body, now_iso(),
                ),
            )

    def loaded_sha256(self, filing_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT sha256 FROM filings WHERE filing_id = ?", (filing_id,)).fetchone()
        return row[0] if row else None

    def mark_loaded(self, filing_id: str, source_url: str, sha256: str, verified: bool = True) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO filings VALUES (?, ?, ?, ?)", (filing_id, source_url, sha256, now_iso())
            )
            self._db.execute("UPDATE articles SET verified_at = ? WHERE url = ? AND listing IS NOT NULL",
                             (now_iso() if verified else None, source_url))

    def note_article(self, url: str, listing: str | None, kind: str, verified: bool) -> None:
        """The list entry an article was fetched under; ``listing=None`` forgets it (fetch again)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)",
                (url, listing, kind, now_iso() if verified and listing is not None else None),
            )

    def verified_since(self, url: str, listing: str, since: str) -> str | None:
        """The kind of this exact list entry if its content was verified at or after ``since``."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind FROM articles WHERE url = ? AND listing = ? AND verified_at >= ?", (url, listing, since)
            ).fetchone()
        return row[0] if row else None
