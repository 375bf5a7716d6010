"""Small typed records that pass between the stages.

Data flows one way: crawler -> Document -> extractors -> Extraction -> mappings ->
CanonicalReport -> checks -> Flag -> warehouse. No stage imports another stage's
internals; they share only these records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

# Re-exported: every record passed between stages is importable from here.
from core.flags import SEVERITIES, Cell, Flag, Severity, StoredFlag
from core.location import Location

__all__ = [
    "SEVERITIES", "CanonicalReport", "Cell", "Document", "Extraction", "ExtractionError", "Fact", "Filing",
    "FilingResult", "Flag", "HeaderYear", "Indicator", "Location", "Paragraph", "RawTable", "Severity",
    "FilingVersion", "StoredFlag", "UnitFiling", "UnmappedLabel", "sha256_file",
]


# --- input -------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One file of a filing, stored on disk (by content hash when it came from a portal)."""

    path: Path
    name: str  # the name as published (attachment title or file name), for display
    sha256: str
    source_url: str | None = None

    @classmethod
    def from_path(cls, path: Path | str, name: str | None = None, source_url: str | None = None) -> "Document":
        path = Path(path)
        return cls(path=path, name=name or path.name, sha256=sha256_file(path), source_url=source_url)


@dataclass
class Filing:
    """One published report: an article (or a local file/folder) and all its documents."""

    filing_id: str
    source_url: str
    documents: list[Document]
    portal: str | None = None
    region: str | None = None
    department: str | None = None  # from the portal listing, if known
    title: str | None = None
    published_at: str | None = None  # ISO date from the page, not the URL
    fetched_at: str | None = None
    inline_html: Document | None = None  # the article body when the report is published inline
    local_name: str | None = None  # a local filing's path inside the folder given to ingest

    @property
    def sha256(self) -> str:
        """Content hash over every document: a changed file changes the filing."""
        digest = hashlib.sha256()
        for doc in sorted(self.all_documents, key=lambda d: d.sha256):
            digest.update(doc.sha256.encode())
        return digest.hexdigest()

    @property
    def all_documents(self) -> list[Document]:
        return self.documents + ([self.inline_html] if self.inline_html else [])


# --- extraction ------------------------------------------------------------------


@dataclass
class RawTable:
    """A table as printed.

    ``rows`` is the layout grid: a merged cell's text sits at its top-left position and the
    positions it covers hold ``None``; an empty cell is ``''``. Line breaks inside a cell
    are kept (``'绩\\n效\\n指\\n标'``) for the mapper to join.
    """

    source: str  # document name
    index: int  # table number within the document, 0-based
    rows: list[list[str | None]]
    order: int = 0  # position among the document's blocks (paragraphs and tables)
    page: int | None = None  # 1-based, for paged formats
    sheet: str | None = None  # for spreadsheets
    method: str = "docx"  # how it was extracted: docx, pdf-lines, pdf-text, ocr, xlsx, html, ...
    low_confidence: bool = False  # OCR

    def place(self, row: int | None = None, col: int | None = None) -> "Location":
        """Where a cell is, 0-based ``row``/``col`` in, 1-based numbers out."""
        return Location(
            file=self.source, sheet=self.sheet, page=self.page, table=self.index + 1,
            row=None if row is None else row + 1, cell=None if col is None else col + 1,
            method=None if self.method in ("docx", "dump") else self.method,
        )

    def location(self, row: int | None = None, col: int | None = None) -> str:
        return str(self.place(row, col))

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: str
    order: int = 0
    page: int | None = None
    low_confidence: bool = False  # read by OCR: a digit may be misread

    def place(self) -> "Location":
        return Location(file=self.source, page=self.page, paragraph=self.order + 1,
                        method="ocr" if self.low_confidence else None)

    def location(self) -> str:
        return str(self.place())


@dataclass
class Extraction:
    """Everything one document yields, blocks in reading order."""

    source: str
    doc_format: str  # docx, doc, wps, pdf, pdf-scanned, xlsx, xls, html, ...
    tables: list[RawTable] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. "p.3: garbled CJK text, routed to OCR"


class ExtractionError(Exception):
    """A document that cannot be read; ``reason`` is a short class, e.g. ``encrypted``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# --- canonical facts ---------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    form: str  # basic_data, overall_eval, project_eval, project_list, narrative
    subject: str | None
    item: str  # e.g. three_public.total
    column: str | None  # e.g. budget, final, executed
    value: float | None  # NULL when the cell is blank or a dash, never 0
    unit: str | None  # 万元, %, 人, 分, ㎡
    source_label: str  # the label as printed
    match_score: float  # 0-100
    match_method: str  # exact, synonym, fuzzy, pattern, ocr+...
    location: str
    raw_value: str = ""
    # True when the fact's place was inferred (the form's template order, a section closed by a
    # near-miss heading) rather than read from a label that matched on its own.
    inferred: bool = False
    place: Location | None = None  # ``location`` as a record, when the mapper knows it


@dataclass(frozen=True)
class Indicator:
    form: str
    subject: str | None
    level1: str | None
    level2: str | None
    level3: str | None
    target: str | None
    actual: str | None
    max_score: float | None
    score: float | None
    note: str | None
    location: str


@dataclass(frozen=True)
class UnmappedLabel:
    form: str | None
    label: str
    location: str


@dataclass(frozen=True)
class HeaderYear:
    """A year printed in a form's column header, for the ``year_mismatch`` rule."""

    form: str
    label: str  # the header as printed, e.g. 2022年决算数
    year: int
    role: str  # current | prior
    location: str


@dataclass
class CanonicalReport:
    """What the mapper makes of one filing's extractions."""

    facts: list[Fact] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    unmapped: list[UnmappedLabel] = field(default_factory=list)
    header_years: list[HeaderYear] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)
    fiscal_year: int | None = None
    department: str | None = None
    grade: str | None = None
    budget_code: str | None = None  # 预算编码 when printed: the unit's identity across years
    staffing_note: str | None = None  # the narrative's reason for a change of 编制数, if it gives one


# --- outcome -------------------------------------------------------------------------


@dataclass
class FilingResult:
    filing: Filing
    status: str  # ok, partial, failed
    error: str | None = None
    report: CanonicalReport = field(default_factory=CanonicalReport)
    flags: list[Flag] = field(default_factory=list)
    extractions: list[Extraction] = field(default_factory=list)
    doc_format: str | None = None


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- across filings --------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFiling:
    """One filing of a budget unit as the rules across filings read it (its current version)."""

    filing_id: str
    fiscal_year: int | None
    department: str | None
    facts: tuple[Fact, ...] = ()
    staffing_note: str | None = None


@dataclass(frozen=True)
class FilingVersion:
    """One published version of a filing's documents and the facts read from it."""

    filing_id: str
    version: int
    sha256: str
    facts: tuple[Fact, ...] = ()
