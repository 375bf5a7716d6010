"""The last resort for bytes that no candidate encoding decodes strictly."""

from __future__ import annotations

from collections.abc import Sequence

from charset_normalizer import from_bytes

from core.records import ExtractionError


def decode_damaged(data: bytes, candidates: Sequence[str], reason: str) -> tuple[str, str, int | None]:
    """(text, encoding, replaced byte sequences; None when the encoding was detected).

    A few stray bytes (a file cut mid-character, a byte pasted from another encoding) must not
    lose the whole document: the candidate that fits best is used, the misfits replaced, when
    almost everything fits. Otherwise charset_normalizer guesses; ``reason`` when it cannot.
    """
    text, name = min(((data.decode(n, errors="replace"), n) for n in candidates),
                     key=lambda decoded: decoded[0].count("\ufffd"))
    replaced = text.count("\ufffd")
    if replaced <= max(3, len(text) // 200):
        return text, name, replaced
    best = from_bytes(data).best()
    if best is None:
        raise ExtractionError(reason, "no text encoding fits these bytes")
    return str(best), best.encoding, None


def replaced_warning(replaced: int, encoding: str) -> str:
    return f"{replaced} undecodable byte sequences in {encoding.removesuffix('-sig')} replaced by U+FFFD"
