"""Every filing's documents and metadata, kept in the raw store before processing.

The raw store holds documents by content hash; ``raw/filings/<filing_id>.json`` describes
each filing (where it came from, which documents). Together they let ``jixiao reprocess``
and ``jixiao rebuild`` redo everything without the network, even without the warehouse.
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
    os.replace(handle.name, folder / f"{filing.filing_id}.json")
    return archived


def _document(data: dict) -> Document:
    return Document(path=Path(data["path"]), name=data["name"], sha256=data["sha256"], source_url=data["source_url"])


def archived_count(store: RawStore) -> int:
    """How many filings the store describes (without reading them)."""
    folder = _manifest_dir(store)
    return sum(1 for _ in folder.glob("*.json")) if folder.is_dir() else 0


def archived_filings(store: RawStore) -> Iterator[Filing]:
    """Every filing the store describes, in a stable order; unreadable manifests are skipped."""
    for path in sorted(_manifest_dir(store).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["documents"] = [_document(d) for d in data["documents"]]
            data["inline_html"] = _document(data["inline_html"]) if data.get("inline_html") else None
            yield Filing(**data)
        except (ValueError, KeyError, TypeError):
            continue
