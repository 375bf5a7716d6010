"""The stages composed for one filing, as plain functions (no Prefect here).

``process_filing`` runs extract -> map -> check for one filing and never raises: a broken
document becomes a recorded reason on the filing. ``IsolatedRunner`` runs it in child
processes with a memory cap and a wall-clock timeout, so no single file can take the run
down (a sync Prefect task cannot interrupt a parser spinning in C code).
"""

from __future__ import annotations

import ast
import ctypes
import functools
import hashlib
import os
import resource
import signal
from concurrent.futures import TimeoutError as FutureTimeout
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
from pebble import ProcessExpired, ProcessPool

import checks
import extractors
import mappings
from core.records import ExtractionError, Extraction, Filing, FilingResult
from core.text import forget_filing_texts
from mappings.vocabulary import user_vocabulary_file

_STAGE_CODE = ("extractors", "mappings", "checks", "core", "pipeline/process.py")
_DATA_SUFFIXES = {".toml", ".csv", ".sql", ".json", ".txt"}
# The libraries whose output is the extraction: a new version may read a file differently.
_EXTRACTION_LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "openpyxl", "xlrd",
                         "beautifulsoup4", "lxml", "rapidocr-onnxruntime", "onnxruntime")
_LIBREOFFICE_VERSION_FILES = ("/usr/lib/libreoffice/program/versionrc", "/opt/libreoffice/program/versionrc")


def _code_digest(source: bytes) -> bytes:
    """Python code as its syntax tree without docstrings: a comment or re-wrapped line changes nothing."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False).encode()


def _stage_files(root: Path) -> Iterator[Path]:
    for entry in _STAGE_CODE:
        path = root / entry
        yield from sorted(path.rglob("*")) if path.is_dir() else [path]


@functools.cache
def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _EXTRACTION_LIBRARIES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=-")
    for candidate in _LIBREOFFICE_VERSION_FILES:  # read, not run: `soffice --version` costs a second
        rc = Path(candidate)
        if rc.is_file():
            found.append("libreoffice=" + ";".join(
                line for line in rc.read_text(errors="replace").splitlines() if line.startswith(("buildid", "Vendor"))
            ))
            break
    return "\n".join(found)


def _stat_key(files: list[Path], root: Path) -> str:
    stats = hashlib.sha256(_library_versions().encode())
    for path in files:
        info = path.stat()
        stats.update(f"{path.relative_to(root).as_posix()}:{info.st_mtime_ns}:{info.st_size}\n".encode())
    return stats.hexdigest()


@functools.cache
def _bundled_digest() -> bytes:
    """The code and data part, remembered beside the bytecode by the files' sizes and times
    (parsing every module costs a third of a second a run; a stat costs nothing)."""
    root = Path(__file__).resolve().parent.parent
    files = [p for p in _stage_files(root) if p.is_file() and "__pycache__" not in p.parts
             and (p.suffix == ".py" or p.suffix in _DATA_SUFFIXES)]
    memo = Path(__file__).with_name("__pycache__") / "parser_version.txt"
    key = _stat_key(files, root)
    try:
        remembered_key, digest_hex = memo.read_text().split()
        if remembered_key == key:
            return bytes.fromhex(digest_hex)
    except (OSError, ValueError):
        pass
    digest = hashlib.sha256()
    for path in files:
        content = _code_digest(path.read_bytes()) if path.suffix == ".py" else path.read_bytes()
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + content)
    digest.update(_library_versions().encode())
    try:
        memo.parent.mkdir(exist_ok=True)
        memo.write_text(f"{key} {digest.hexdigest()}\n")
    except OSError:  # a read-only install computes it every run
        pass
    return digest.digest()


def parser_version() -> str:
    """A hash of what decides a filing's rows: the extraction, mapping and rule code (its syntax,
    not its comments), their data files, the extraction libraries' versions and the user vocabulary.

    Stored with every filing: when it changes, unchanged documents are re-extracted
    (``jixiao reprocess``), otherwise they are skipped.
    """
    digest = hashlib.sha256(_bundled_digest())
    if (user := user_vocabulary_file()) is not None and user.is_file():
        digest.update(user.read_bytes())  # the user's wordings change the reading as the bundled ones do
    return digest.hexdigest()[:16]


def _incomplete(extraction: Extraction) -> list[str]:
    # Extractors prefix a warning with "incomplete:" when content may be missing
    # (OCR unavailable, garbled pages): the filing is then partial, not ok.
    return [f"{extraction.source}: {w}" for w in extraction.warnings if w.startswith("incomplete")]


def process_filing(filing: Filing) -> FilingResult:
    forget_filing_texts()  # a worker reads thousands of filings: remember one filing's texts at a time
    extractions: list[Extraction] = []
    problems: list[str] = []
    for document in filing.all_documents:
        try:
            extractions.append(extractors.extract(document.path, document.name))
        except ExtractionError as error:
            problems.append(f"{document.name}: {error}")
        except Exception as error:  # a parser bug must fail this document, not the run
            problems.append(f"{document.name}: internal error {type(error).__name__}: {error}")
    formats = ",".join(sorted({e.doc_format for e in extractions})) or None
    if not extractions:
        return FilingResult(filing, "failed", "; ".join(problems) or "no documents", doc_format=formats)
    try:
        titles = (filing.title or "", *(Path(d.name).stem for d in filing.all_documents))
        report = mappings.map_filing(extractions, titles=titles)
        if reason := mappings.non_report_reason(extractions, report):
            # decided from the content: never loaded, never flagged
            return FilingResult(filing, "non_report", reason, doc_format=formats)
        flags = checks.run_checks(report)
    except Exception as error:
        return FilingResult(
            filing, "failed", f"mapping failed: {type(error).__name__}: {error}", extractions=extractions,
            doc_format=formats,
        )
    if not report.facts and not report.indicators:
        names = ", ".join(e.source for e in extractions)
        # Say why when the extractor knows content was skipped (a page over the caps, no OCR).
        skipped = [p for e in extractions for p in _incomplete(e)]
        return FilingResult(
            filing, "failed",
            "; ".join(problems + skipped + [f"no report content: {names} hold no forms or figures"]),
            report=report, flags=flags, doc_format=formats,
        )
    problems += [p for e in extractions for p in _incomplete(e)]
    status = "partial" if problems else "ok"
    return FilingResult(
        filing, status, "; ".join(problems) or None, report=report, flags=flags, extractions=[], doc_format=formats
    )


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 300.0
    memory_mb: int = 2048
    workers: int = max(1, min(4, os.cpu_count() or 1))


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent_pid: int) -> None:
    """SIGTERM this worker when the run that started it dies (kill -9, OOM killer): an orphan
    would otherwise go on extracting a long document for nobody."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the worker ends when it next talks to the pool
        return
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)


def _start_worker(memory_mb: int, parent_pid: int) -> None:
    _cap_memory(memory_mb)
    _die_with_parent(parent_pid)


def _cap_memory(memory_mb: int) -> None:
    """Allow each worker ``memory_mb`` beyond what it inherits from the forked parent.

    RLIMIT_AS counts address space, and a fork starts with the parent's: a fixed cap would
    shrink as a long-lived parent (``jixiao serve``) grows, until every worker fails.
    """
    inherited = psutil.Process().memory_info().vms
    limit = inherited + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # pebble stops a worker past its timeout with SIGTERM: take the converter processes it
    # started (their own sessions, so not killed with it) down too, or a hung soffice
    # outlives the filing and piles up night after night.
    signal.signal(signal.SIGTERM, _on_terminate)


def _on_terminate(signum, frame) -> None:
    from extractors import office

    office.kill_running()
    os._exit(128 + signum)


class IsolatedRunner:
    """A pool of child processes; each filing gets a timeout and the pool a memory cap."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._pool = ProcessPool(max_workers=limits.workers, initializer=_start_worker,
                                 initargs=(limits.memory_mb, os.getpid()))

    def start(self) -> None:
        """Start the worker processes now rather than at the first filing."""
        self._pool.schedule(os.getpid).result()

    def submit(self, filing: Filing):
        return self._pool.schedule(process_filing, args=(filing,), timeout=self.limits.timeout_s)

    def result(self, filing: Filing, future) -> FilingResult:
        try:
            return future.result()
        except FutureTimeout:
            reason = f"timeout: extraction took longer than {self.limits.timeout_s:.0f} s"
        except ProcessExpired as error:
            reason = f"worker died (exit code {error.exitcode}; memory cap {self.limits.memory_mb} MB)"
        except MemoryError:
            reason = f"out of memory (cap {self.limits.memory_mb} MB)"
        except Exception as error:
            reason = f"internal error {type(error).__name__}: {error}"
        return FilingResult(filing, "failed", reason)

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> "IsolatedRunner":
        return self

    def __exit__(self, *exc) -> None:
        self._pool.stop() if exc[0] else self.close()
