"""Where a figure was read, as a record (the facts' ``location`` text is its ``str``)."""

from __future__ import annotations

from dataclasses import dataclass


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
