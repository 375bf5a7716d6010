"""Reject hostile OOXML packages (.docx, .xlsx) before any XML parser sees them.

python-docx and openpyxl read whole zip members with no size limit, and libxml2's own
limits do not stop a 30 MB XML that inflates to 500 MB of DOM (PITFALLS 2.5). The checks
here only read the zip's central directory, so a bomb is turned away in milliseconds.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from core.records import ExtractionError
from extractors.sniff import ZIP_ERRORS


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2000
    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: float = 100.0
    # Small members may compress extremely well (empty styles, repeated markup): only a
    # large member with a bomb-like ratio is suspicious.
    ratio_min_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()

# The byte patterns of a DTD in the encodings an XML part may use. OOXML parts never carry
# a DTD, so any DOCTYPE is treated as an entity-expansion attempt.
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def check_zip(path: Path, kind: str = "ooxml", limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Raise ``ExtractionError`` (``zip_bomb`` or ``corrupt_<kind>``) for a package not safe to open."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except ZIP_ERRORS as error:
        raise ExtractionError(f"corrupt_{kind}", f"{path.name}: not a readable zip package ({error})") from error
    _check_members(path.name, members, limits)


def _check_members(name: str, members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(members) > limits.max_entries:
        raise ExtractionError("zip_bomb", f"{name}: {len(members)} zip entries (limit {limits.max_entries})")
    total = 0
    for member in members:
        if _unsafe_name(member.filename):
            raise ExtractionError("zip_bomb", f"{name}: unsafe member name {member.filename!r}")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise ExtractionError(
                "zip_bomb",
                f"{name}: member {member.filename!r} inflates {member.compress_size} -> "
                f"{member.file_size} bytes (ratio {ratio:.0f}, limit {limits.max_ratio:.0f})",
            )
        total += member.file_size
        if total > limits.max_total_bytes:
            raise ExtractionError(
                "zip_bomb",
                f"{name}: uncompressed size exceeds {limits.max_total_bytes} bytes",
            )


def _unsafe_name(filename: str) -> bool:
    normalised = filename.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in PurePosixPath(normalised).parts


def read_member(archive: zipfile.ZipFile, member: str, kind: str = "ooxml",
                limits: ZipLimits = DEFAULT_LIMITS) -> bytes:
    """A member's bytes, never more than the limit even when its header lies about its size."""
    try:
        with archive.open(member) as handle:
            data = handle.read(limits.max_total_bytes + 1)
    except KeyError as error:
        raise ExtractionError(f"corrupt_{kind}", f"missing part {member}") from error
    except ZIP_ERRORS as error:
        raise ExtractionError(f"corrupt_{kind}", f"unreadable part {member} ({error})") from error
    if len(data) > limits.max_total_bytes:
        raise ExtractionError("zip_bomb", f"part {member} inflates beyond {limits.max_total_bytes} bytes")
    return data


def parse_xml(data: bytes, part: str, kind: str = "ooxml") -> etree._Element:
    """Parse one package part with entities, DTDs, network and huge trees all off."""
    if any(marker in data for marker in _DTD_MARKERS):
        raise ExtractionError("hostile_xml", f"part {part} declares a DTD/entities, which OOXML never does")
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        message = str(error)
        if error.code == etree.ErrorTypes.ERR_NO_MEMORY:
            # libxml2 reports a failed malloc (the worker's memory cap) as "unknown error":
            # the file may be fine, so never call it corrupt.
            raise ExtractionError(
                "out_of_memory", f"part {part}: the XML parser ran out of memory ({len(data)} bytes of XML)"
            ) from error
        if "entity" in message.lower() or "amplification" in message.lower():
            raise ExtractionError("hostile_xml", f"part {part}: {message}") from error
        raise ExtractionError(f"corrupt_{kind}", f"part {part} is not well-formed XML ({message})") from error
    if root.getroottree().docinfo.doctype:
        raise ExtractionError("hostile_xml", f"part {part} carries a DOCTYPE")
    return root
