"""The schema's vocabulary: a table or a view with its columns and comments, and SQL quoting."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    constraint: str = ""  # e.g. NOT NULL, DEFAULT 0, CHECK (...); never PRIMARY KEY/UNIQUE


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self, name: str | None = None) -> str:
        cols = ",\n".join(
            f"    {quote(c.name)} {c.type}{(' ' + c.constraint) if c.constraint else ''}" for c in self.columns
        )
        return f"CREATE TABLE IF NOT EXISTS {quote(name or self.name)} (\n{cols}\n)"

    def comments(self) -> list[str]:
        out = [f"COMMENT ON TABLE {quote(self.name)} IS {literal(self.comment)}"]
        out += [
            f"COMMENT ON COLUMN {quote(self.name)}.{quote(c.name)} IS {literal(c.comment)}" for c in self.columns
        ]
        return out


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    columns: tuple[tuple[str, str], ...]  # (name, comment), in the order the SELECT yields them
    sql: str
    examples: tuple[tuple[str, str], ...] = ()  # (question, SQL) for the data dictionary
    # Computed once per publish into a table of the analysts' copy (which the view then reads):
    # for the wide views that aggregate every fact, seconds a query at national scale otherwise.
    materialised: bool = False

    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def ddl(self) -> str:
        return f"CREATE OR REPLACE VIEW {quote(self.name)} AS\n{self.sql.strip()}"

    @property
    def table(self) -> str:
        """The table holding the view's rows in a published copy, when ``materialised``."""
        return f"{self.name}_published"

    def comments(self) -> list[str]:
        out = [f"COMMENT ON VIEW {quote(self.name)} IS {literal(self.comment)}"]
        out += [f"COMMENT ON COLUMN {quote(self.name)}.{quote(n)} IS {literal(c)}" for n, c in self.columns]
        return out


# DuckDB reserves words such as "column": quote every identifier rather than keep a list.
def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def C(name: str, type_: str, comment: str, constraint: str = "") -> Column:
    return Column(name, type_, comment, constraint)


def check_in(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({quote(column)} IN ({', '.join(literal(v) for v in values)}))"


def columns_of(table: Table, names: list[str]) -> tuple[tuple[str, str], ...]:
    """(name, comment) of the named columns of a table, for a view that passes them through."""
    by_name = {c.name: c.comment for c in table.columns}
    return tuple((n, by_name[n]) for n in names)


FILING_ID = "Stable id of the filing: one published report (an article and all its attachments)."
RUN_ID = "Run (load id) that wrote this row; equals the filing's run_id (see runs)."
