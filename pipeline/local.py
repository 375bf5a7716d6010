"""Filings from local files and folders (``jixiao ingest``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
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
    name = key.relative_to(root).as_posix()
    return Filing(
        filing_id=filing_id(name, documents),
        source_url=str(key.resolve()),  # readable for analysts; portal filings carry their URL
        documents=documents,
        portal="local",
        title=key.stem if key.is_file() else key.name,
        local_name=name if name != "." else None,  # a root that is one filing is known by content alone
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


def resolve_identities(filings: list[Filing], known: Iterable[Filing]) -> list[Filing]:
    """The ids of filings already loaded (``known``), found by content first, then by name.

    A file with the same name and content keeps its id; one renamed or moved inside the root
    keeps the id of the loaded filing with its content (a copy of a file still in place is a
    new filing: the name breaks the tie); one edited in place keeps the id of its name (a new
    version). Anything else is new, named by its path (and its content, should that id be
    another filing's already).
    """
    by_pair: dict[tuple[str, str], list[str]] = {}
    by_content: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for old in known:
        if old.portal != "local":
            continue
        # the id a new file of that name gets (manifests older than local_name: the id itself)
        name = filing_id(old.local_name, old.documents) if old.local_name else old.filing_id
        by_pair.setdefault((name, old.sha256), []).append(old.filing_id)
        by_content.setdefault(old.sha256, []).append(old.filing_id)
        by_name.setdefault(name, []).append(old.filing_id)
    known_ids = {fid for ids in by_content.values() for fid in ids}
    taken: set[str] = set()
    chosen: dict[int, str] = {}
    for index_of in (lambda f: by_pair.get((f.filing_id, f.sha256)), lambda f: by_content.get(f.sha256),
                     lambda f: by_name.get(f.filing_id)):
        for i, filing in enumerate(filings):
            candidates = [] if i in chosen else [c for c in index_of(filing) or () if c not in taken]
            if candidates:
                chosen[i] = candidates[0]
                taken.add(candidates[0])
    resolved = []
    for i, filing in enumerate(filings):
        fid = chosen.get(i, filing.filing_id)
        if i not in chosen and (fid in taken or fid in known_ids):
            fid = filing_id(f"{filing.local_name}@{filing.sha256}", filing.documents)
        taken.add(fid)
        resolved.append(replace(filing, filing_id=fid))
    return resolved
