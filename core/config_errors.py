"""One line for a config mistake: the file, the line, the table and the key, never a value.

tomllib keeps no line numbers, so the key's line is found again in the file's text: the
``[section]`` or the n-th ``[[section]]`` header, then the first ``key =`` under it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from pydantic import ValidationError

from core.alert_config import TYPES

_HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.\-]+)\s*\]\]?")
_KEY = re.compile(r"""^\s*["']?([\w\-]+)["']?\s*=""")


def key_line(text: str, section: str | None, index: int | None, key: str | None) -> int | None:
    """1-based line of ``key`` in ``[section]`` (or the ``index``-th ``[[section]]``), else of its header."""
    header_line, seen, inside = None, -1, section is None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            if inside and header_line is not None:
                break  # the table ended without the key
            if header.group(2) == section:
                seen += 1
                if index is None or seen == index:
                    inside, header_line = True, number
                    if key is None:
                        return number
            continue
        key_match = _KEY.match(line)
        if inside and key and key_match and key_match.group(1) == key:
            return number
    return header_line


def describe(error: ValidationError, known: Sequence[str] = ()) -> tuple[tuple, str]:
    """(location of the first problem, what is wrong with it) from a pydantic error.

    ``known``: the keys the table may hold, to suggest the one a misspelt key meant."""
    first = error.errors()[0]
    loc = tuple(part for part in first["loc"] if part != "__root__")
    kind, message = first["type"], first["msg"].removeprefix("Value error, ")
    # ("portal", 0, "max_pages"), ("alert", 1, "email", "to"), ("crawler", "retries"), ("portals",)
    tags = TYPES  # pydantic puts the tag of a tagged union in the location: not a key
    key = next((part for part in reversed(loc[1:]) if isinstance(part, str) and part not in tags), None)
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        key = key or (loc[0] if loc else None)
        close = difflib.get_close_matches(str(key), known, n=1)
        return loc, f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind in ("missing", "missing_keyword_argument", "missing_argument"):
        return loc, f"{key!r} is required"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return (*loc, "type"), f"type must be one of {', '.join(tags)}"
    if kind == "value_error" and key is None:
        return loc, message  # a check across keys, e.g. a password without a username
    return loc, f"{key!r}: {message}" if key else message

