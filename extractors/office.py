"""Legacy Word files (.doc, and Kingsoft .wps, which is .doc inside) via LibreOffice.

The file is converted to .docx by a headless ``soffice`` and read by ``extractors.docx``.
Each conversion gets its own LibreOffice profile: two ``soffice`` processes sharing one
profile make one of them exit without output and without a message. Converted files are
cached by content hash, so a nightly re-run does not pay ~2 s per document again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from core.records import Extraction, ExtractionError, sha256_file

CONVERT_TIMEOUT = 120  # seconds; a hung soffice must not block the nightly run

# LibreOffice filter names per target extension; the default filters for .doc and .pdf
# are fine, but xlsx needs the Calc filter name spelled out.
_FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "pdf": "pdf",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
}


def cache_dir() -> Path:
    folder = os.environ.get("JIXIAO_CACHE_DIR")
    path = Path(folder) if folder else Path(tempfile.gettempdir()) / "jixiao-cache"
    path = path / "converted"
    path.mkdir(parents=True, exist_ok=True)
    return path


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, to: str, *, cache: bool = True, timeout: float = CONVERT_TIMEOUT) -> Path:
    """``path`` converted to format ``to`` (docx, doc, pdf, xlsx); raises ExtractionError."""
    path = Path(path)
    key = sha256_file(path)
    target = cache_dir() / f"{key}.{to}"
    if cache and target.exists() and target.stat().st_size > 0:
        return target
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as work:
        work_dir = Path(work)
        # A plain ASCII name: soffice names its output after the input, and odd names
        # (spaces, CJK, leading dashes) are a needless risk on the command line.
        source = work_dir / f"in{path.suffix.lower() or '.bin'}"
        shutil.copyfile(path, source)
        out_dir = work_dir / "out"
        result = run_soffice([source], to, out_dir, work_dir / f"profile-{uuid.uuid4().hex}", timeout)
        produced = out_dir / f"{source.stem}.{to}"
        # Exit code 0 is no proof: soffice reports success for inputs it could not load.
        if not produced.exists() or produced.stat().st_size == 0:
            detail = (result.stderr or result.stdout or b"").decode("utf-8", "replace").strip()[-300:]
            raise ExtractionError("conversion_failed", f"soffice produced no {to} (exit {result.returncode}) {detail}")
        tmp = target.with_suffix(f".{uuid.uuid4().hex}.tmp")
        shutil.copyfile(produced, tmp)
        os.replace(tmp, target)  # atomic: a parallel run never sees a half-written file
    return target


# Process groups of the conversions running in this process, for ``kill_running``.
_RUNNING: set[int] = set()


def kill_running() -> None:
    """Kill every conversion this process started and has not finished (on SIGTERM of a
    worker past its timeout: soffice runs in its own session and would outlive it)."""
    for group in list(_RUNNING):
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _RUNNING.discard(group)


def run_soffice(inputs: list[Path], to: str, out_dir: Path, profile: Path, timeout: float,
                filter_spec: str | None = None) -> subprocess.CompletedProcess:
    """One headless soffice run converting ``inputs`` to ``to`` into ``out_dir``, with its own
    user profile (parallel runs on one profile fail). ``filter_spec`` overrides the export
    filter. Raises ExtractionError when soffice is missing or runs past ``timeout``."""
    binary = soffice_binary()
    if binary is None:
        raise ExtractionError("converter_missing", "LibreOffice (soffice) is not installed; see README setup")
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        filter_spec or _FILTERS.get(to, to),
        "--outdir",
        str(out_dir),
        *map(str, inputs),
    ]
    return _run_in_group(command, timeout)


def _run_in_group(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    # soffice forks (oosplash -> soffice.bin); killing only the parent leaves the child.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, stdin=subprocess.DEVNULL
    )
    _RUNNING.add(process.pid)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        raise ExtractionError("conversion_timeout", f"soffice took longer than {timeout:.1f} s") from error
    finally:
        _RUNNING.discard(process.pid)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def extract(path: Path, name: str) -> Extraction:
    from extractors import docx  # imported late: written in parallel, and heavy

    converted = convert(Path(path), "docx")
    extraction = docx.extract(converted, name)
    # A .wps is a .doc inside; only the published name tells them apart.
    is_wps = ".wps" in (Path(name).suffix.lower(), Path(path).suffix.lower())
    extraction.doc_format = "wps" if is_wps else "doc"
    return extraction
