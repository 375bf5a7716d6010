"""Text every stage reads the same way: bytes to str (one charset decoder) and str to clean text.

Decoding order: BOM, then the declared charsets (HTTP header, ``<meta charset>``), then UTF-8 and
GB18030 strictly, then the candidate with the fewest misfits when almost everything fits, then
charset_normalizer's guess. A declared gb2312 or gbk is read as gb18030, its superset: portals
declare gb2312 and send characters only GBK/GB18030 have (渌, 璟, 镕, 堃).
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from charset_normalizer import from_bytes

RADICALS_FILE = Path(__file__).with_name("radicals.csv")

_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "gb2312-80", "csgb2312", "cp936", "ms936", "euc-cn", "hz-gb-2312"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w\-:.]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w\-:.]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_FALLBACKS = ("utf-8", "gb18030")
FILING_TEXTS = 20_000  # distinct paragraphs and labels remembered while one filing is read
_DETECT_BYTES = 200_000  # charset_normalizer is slow on megabytes; the start tells the charset


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # byte sequences replaced by U+FFFD
    detected: bool = False  # the encoding is charset_normalizer's guess

    @property
    def damaged(self) -> bool:
        """Too much replaced to be the document: nothing decoded it and detection failed."""
        return self.replaced > max(3, len(self.text) // 200)


def codec_for(name: str | None) -> str | None:
    """A Python codec name for a declared charset; GB family -> gb18030; unknown -> None."""
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if codec in ("gb2312", "gbk") else codec


def charset_from_header(content_type: str | None) -> str | None:
    match = _HEADER.search(content_type or "")
    return codec_for(match.group(1)) if match else None


def charset_from_meta(data: bytes) -> str | None:
    match = _META.search(data[:8192])
    return codec_for(match.group(1).decode("ascii", "ignore")) if match else None


def decode(data: bytes, declared: Sequence[str | None] = (), fallbacks: Sequence[str] = _FALLBACKS) -> Decoded:
    """The text of ``data``; never raises: check ``damaged`` before trusting it."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return Decoded(text, codec, text.count("\ufffd"))
    candidates = list(dict.fromkeys(c for c in (*declared, *fallbacks) if c))
    for codec in candidates:
        try:
            return Decoded(data.decode(codec), codec)
        except (UnicodeDecodeError, LookupError):
            continue  # a wrong declaration is common: try the next witness
    # A few stray bytes (a file cut mid-character, a byte pasted from another encoding) must not
    # lose the whole document: the candidate that fits best, misfits replaced.
    best_fit = min((Decoded(t := data.decode(c, errors="replace"), c, t.count("\ufffd")) for c in candidates),
                   key=lambda decoded: decoded.replaced)
    if not best_fit.damaged:
        return best_fit
    guess = from_bytes(data[:_DETECT_BYTES]).best()
    if guess is not None:
        try:
            return Decoded(data.decode(guess.encoding), guess.encoding, detected=True)
        except (UnicodeDecodeError, LookupError):
            pass  # the guess fitted the start only
    return best_fit


def decode_html(data: bytes, content_type: str | None = None) -> Decoded:
    """An HTML page: the HTTP charset wins over ``<meta charset>`` (as browsers do)."""
    return decode(data, (charset_from_header(content_type), charset_from_meta(data)))


def replaced_warning(decoded: Decoded) -> str:
    return f"{decoded.replaced} undecodable byte sequences in {decoded.encoding.removesuffix('-sig')} replaced by U+FFFD"


@lru_cache(maxsize=1)
def radical_table() -> dict[int, str]:
    """CJK radical or stroke code point -> the unified ideograph (Unicode's Equivalent_Unified_Ideograph)."""
    rows = RADICALS_FILE.read_text(encoding="utf-8").splitlines()
    reader = csv.DictReader(line for line in rows if not line.startswith("#"))
    return {int(row["radical"], 16): chr(int(row["ideograph"], 16)) for row in reader}


@lru_cache(maxsize=1)
def _radicals() -> re.Pattern:
    return re.compile("[" + "".join(map(re.escape, map(chr, sorted(radical_table())))) + "]")


_FILING_CACHES: list = []


def per_filing(function):
    """``function`` (pure, of texts) remembered while one filing is read: its stages read each
    paragraph and label several times. ``forget_filing_texts`` empties every such cache."""
    cached = lru_cache(maxsize=FILING_TEXTS)(function)
    _FILING_CACHES.append(cached)
    return cached


@per_filing
def clean_text(text: str | None) -> str:
    """NFKC, radicals to ideographs, format characters (ZWSP, BOM, ...) dropped; spacing kept."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if _radicals().search(text):
        text = text.translate(radical_table())
    if text.isprintable():  # printable excludes every category C and Z character but the space: no Cf
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def forget_filing_texts() -> None:
    """Empty the text caches: what one filing remembered is not kept for the next."""
    for cached in _FILING_CACHES:
        cached.cache_clear()
