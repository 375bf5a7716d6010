"""Filings from local files and folders (``jixiao ingest``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.records import Document, Filing

REPORT_SUFFIXES = {".docx", ".doc", ".wps", ".pdf", ".xls", ".xlsx", ".et", ".html", ".htm", ".txt"}


def _is_candidate(path: Path) -> bool:
    return (
        path.is_file()
        and not any(part.startswith(".") for part in path.parts if part not in (".", ".."))
        and path.suffix.lower() in REPORT_SUFFIXES
        and not path.name.startswith("~$")  # Word lock files
    )


def filing_id(name: str, documents: list[Document]) -> str:
    """From the filing's name relative to the ingested root (not its absolute path), so moving
    or renaming the downloads folder keeps every id; a root that is itself one filing has no
    name of its own there, so its documents' content stands in."""
    key = name if name != "." else "content:" + ",".join(sorted(d.sha256 for d in documents))
    return "file-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _filing(root: Path, key: Path, files: list[Path]) -> Filing:
    documents = [Document.from_path(f) for f in sorted(files)]
    return Filing(
        filing_id=filing_id(key.relative_to(root).as_posix(), documents),
        source_url=str(key.resolve()),  # readable for analysts; portal filings carry their URL
        documents=documents,
        portal="local",
        title=key.stem if key.is_file() else key.name,
    )


def filings_from_paths(paths: list[Path], filing_per_folder: bool = False) -> list[Filing]:
    """Each file is a filing; with ``filing_per_folder`` each folder's files make one filing.

    A file given by itself is named by its file name, a file found in a folder by its path
    inside that folder.
    """
    filings: list[Filing] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        if path.is_file():
            filings.append(_filing(path.parent, path, [path]))
            continue
        if not filing_per_folder:
            filings += [_filing(path, f, [f]) for f in sorted(path.rglob("*")) if _is_candidate(f)]
            continue
        folders = [path] + sorted(p for p in path.rglob("*") if p.is_dir() and not p.name.startswith("."))
        for folder in folders:
            files = [f for f in sorted(folder.iterdir()) if _is_candidate(f)]
            if files:
                filings.append(_filing(path, folder, files))
    return filings
