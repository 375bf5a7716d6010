"""Content-addressed raw store: ``raw/ab/<sha256>.<ext>``, never a server-supplied name."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

_EXT = re.compile(r"^[a-z0-9]{1,5}$")
STALE_PART_S = 6 * 3600  # far beyond any download's total_timeout: its writer is gone


class RawStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.swept = self.sweep_partial()

    def sweep_partial(self, older_than_s: float = STALE_PART_S) -> int:
        """Delete temp files of downloads killed mid-body (``kill -9`` skips our cleanup)."""
        cutoff = time.time() - older_than_s
        swept = 0
        for part in self.root.glob(".part-*") if self.root.is_dir() else ():
            try:
                if part.stat().st_mtime < cutoff:
                    part.unlink()
                    swept += 1
            except FileNotFoundError:
                pass
        return swept

    def path_for(self, sha256: str, ext: str | None) -> Path:
        ext = (ext or "bin").lower()
        ext = ext if _EXT.match(ext) else "bin"
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def put_chunks(self, chunks: Iterable[bytes], ext: str | None) -> tuple[Path, str, int]:
        """Write to a temp file, then rename into place: a crash never leaves half a document."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle = tempfile.NamedTemporaryFile(dir=self.root, prefix=".part-", delete=False)
        try:
            with handle:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
            sha256 = digest.hexdigest()
            path = self.path_for(sha256, ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return path, sha256, size

    def put_bytes(self, data: bytes, ext: str | None) -> tuple[Path, str, int]:
        return self.put_chunks([data], ext)
