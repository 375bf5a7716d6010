"""Every filing's documents and metadata, kept in the raw store before processing.

The raw store holds documents by content hash; ``raw/filings/<filing_id>.json`` describes
each filing (where it came from, which documents), and ``raw/filings/history/<filing_id>/``
its earlier versions (a manifest replaced by other documents is kept there). Together they let
``jixiao reprocess`` and ``jixiao rebuild`` redo everything without the network, even without
the warehouse, and a rebuild replays every version in order.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from crawler import RawStore
from core.records import Document, Filing


def _manifest_dir(store: RawStore) -> Path:
    return store.root / "filings"


def _stored(store: RawStore, document: Document) -> Document:
    """The document as a file in the store (copied there once if it came from elsewhere)."""
    if store.root in document.path.parents:
        return document
    ext = document.path.suffix.lstrip(".") or None
    target = store.path_for(document.sha256, ext)
    if not target.exists():
        with open(document.path, "rb") as handle:
            target, _, _ = store.put_chunks(iter(lambda: handle.read(1 << 20), b""), ext)
    return replace(document, path=target)


def archive_filing(store: RawStore, filing: Filing) -> Filing:
    """Copy the filing's documents into the store and write its manifest (atomically)."""
    archived = replace(
        filing,
        documents=[_stored(store, d) for d in filing.documents],
        inline_html=_stored(store, filing.inline_html) if filing.inline_html else None,
    )
    folder = _manifest_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(asdict(archived), ensure_ascii=False, default=str, indent=1)
    handle = tempfile.NamedTemporaryFile("w", dir=folder, prefix=".part-", delete=False, encoding="utf-8")
    with handle:
        handle.write(payload)
    target = folder / f"{filing.filing_id}.json"
    _keep_superseded(store, target, archived.sha256)
    os.replace(handle.name, target)
    return archived


def _history(store: RawStore, filing_id: str) -> list[Path]:
    return sorted((_manifest_dir(store) / "history" / filing_id).glob("*.json"))


def _keep_superseded(store: RawStore, target: Path, sha256: str) -> None:
    """The manifest about to be replaced by other documents goes to the filing's history, once."""
    old = _read(target) if target.exists() else None
    if old is None or old.sha256 == sha256:
        return
    kept = _history(store, old.filing_id)
    if any((f := _read(p)) is not None and f.sha256 == old.sha256 for p in kept):
        return  # already there (a rebuild replaying the versions)
    folder = _manifest_dir(store) / "history" / old.filing_id
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb", dir=folder, prefix=".part-", delete=False)
    with handle:
        handle.write(target.read_bytes())
    os.replace(handle.name, folder / f"{len(kept) + 1:04d}.json")


def _document(data: dict) -> Document:
    return Document(path=Path(data["path"]), name=data["name"], sha256=data["sha256"], source_url=data["source_url"])


def archived_count(store: RawStore, with_history: bool = False) -> int:
    """How many filings the store describes (without reading them); with their earlier versions."""
    folder = _manifest_dir(store)
    count = sum(1 for _ in folder.glob("*.json")) if folder.is_dir() else 0
    return count + (sum(1 for _ in folder.glob("history/*/*.json")) if with_history else 0)


def _read(path: Path) -> Filing | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["documents"] = [_document(d) for d in data["documents"]]
        data["inline_html"] = _document(data["inline_html"]) if data.get("inline_html") else None
        return Filing(**data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def archived_filings(store: RawStore, with_history: bool = False) -> Iterator[Filing]:
    """Every filing the store describes, in a stable order; unreadable manifests are skipped.

    ``with_history``: each filing's earlier versions first, oldest first (what a rebuild loads).
    """
    for path in sorted(_manifest_dir(store).glob("*.json")):
        current = _read(path)
        if current is None:
            continue
        if with_history:
            seen = {current.sha256}
            for old in map(_read, _history(store, current.filing_id)):
                if old is not None and old.sha256 not in seen:
                    seen.add(old.sha256)
                    yield old
        yield current
