"""Small typed records that pass between the stages.

Data flows one way: crawler -> Document -> extractors -> Extraction -> mappings ->
CanonicalReport -> checks -> Flag -> warehouse. No stage imports another stage's
internals; they share only these records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


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


@dataclass(frozen=True)
class Location:
    """Where a figure was read: file, then sheet/page, table, row and cell (column), or a
    paragraph of the prose; numbers are 1-based. ``method`` names a lossy reading (pdf-lines, ocr)."""

    file: str | None = None
    sheet: str | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    paragraph: int | None = None
    method: str | None = None

    def __str__(self) -> str:
        # The text form the facts' ``location`` column has always had.
        parts = [self.file] if self.file else []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.page:
            parts.append(f"p.{self.page}")
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.cell is not None:
            parts.append(f"col {self.cell}")
        if self.paragraph is not None:
            parts.append(f"para {self.paragraph}")
        if self.method:
            parts.append(f"[{self.method}]")
        return " ".join(parts)


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

    def place(self) -> "Location":
        return Location(file=self.source, page=self.page, paragraph=self.order + 1)

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


class Severity(StrEnum):
    """How serious a flag is; members are listed most serious first."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most serious."""
        return list(Severity).index(self)

    @property
    def label(self) -> str:
        """Its Chinese name, as the report, the alerts and the exports print it."""
        return {"error": "错误", "warning": "警示", "info": "提示"}[self.value]

    @classmethod
    def label_of(cls, name: str | None) -> str:
        return cls(name).label if name in cls._value2member_map_ else (name or "")

    @classmethod
    def rank_of(cls, name: str | None) -> int:
        """Rank of a severity name; unknown names sort after every known one."""
        return cls(name).rank if name in cls._value2member_map_ else len(cls)


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class Cell:
    """One printed figure a flag compared, as printed, with how sure its reading was."""

    role: str  # printed, part, limit, computed-from (numerator/denominator), reference
    label: str  # e.g. 专项资金本年决算数, 区人大预算审查监督平台
    text: str  # the cell as printed, e.g. 51.30 or 747,953.17 (empty when blank)
    value: float | None
    unit: str | None  # the fact's unit after conversion (万元)
    column: str | None = None
    location: str | None = None
    place: Location | None = None
    match_method: str | None = None
    match_score: float | None = None
    inferred: bool = False


@dataclass(frozen=True)
class Flag:
    """A contradiction a rule found.

    ``printed`` is the figure the report prints that the rule checks, ``computed`` what the
    rule derived from the other figures (a sum, a rate, the form cell a narrative restates,
    the year a header should carry) and ``limit`` the bound a figure must not exceed.
    """

    rule: str
    severity: str  # a Severity value
    message: str  # Chinese, for a finance officer
    printed: float | None = None
    computed: float | None = None
    limit: float | None = None
    subject: str | None = None
    item: str | None = None  # the canonical item checked, e.g. project.special
    columns: tuple[str, ...] = ()  # every column the same contradiction holds in
    unit: str | None = None
    location: Location | None = None  # where the checked figure was read
    cells: tuple[Cell, ...] = ()
    weakest_match: float | None = None  # lowest match score among the facts compared
    weakest_method: str | None = None  # its match method
    inferred: bool = False  # a compared fact's place was inferred
    needs_review: bool = False  # its inputs fall below the confidence bar: shown, never alerted

    @property
    def expected(self) -> float | None:
        """What ``actual`` should be by the rule: ``computed``, else ``limit``."""
        return self.computed if self.computed is not None else self.limit

    @property
    def actual(self) -> float | None:
        return self.printed

    @property
    def location_text(self) -> str | None:
        """Where the checked figure and what it was held against were read, as the facts print it."""
        texts = [str(self.location)] if self.location else []
        texts += [c.location or (str(c.place) if c.place else "") for c in self.cells if c.role != "part"]
        return "; ".join(dict.fromkeys(t for t in texts if t)) or None

    def fingerprint(self, filing_id: str) -> str:
        """Stable identity within a filing: the same contradiction with the same numbers."""
        parts = [filing_id, self.rule, self.subject or "", self.item or "",
                 _rounded(self.printed), _rounded(self.expected)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StoredFlag:
    """A flag as the warehouse keeps it: the filing it is about, its identity, when first raised."""

    filing_id: str
    fingerprint: str
    flag: Flag
    detected_at: datetime | None = None


def _rounded(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{float(value):.2f}"
    return "0.00" if text == "-0.00" else text


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
