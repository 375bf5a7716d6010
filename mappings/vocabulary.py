"""The label vocabulary (vocabulary.toml) as typed records, synonyms already normalised."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mappings.normalize import normalize_label

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
FORMS = ("basic_data", "overall_eval", "project_eval", "project_list")


@dataclass(frozen=True)
class Item:
    form: str
    key: str
    layout: str  # over, cols, pair, total, line
    unit: str | None
    synonyms: tuple[str, ...]  # as written in the file
    section: str | None = None

    @property
    def normalized(self) -> tuple[str, ...]:
        return tuple(normalize_label(s) for s in self.synonyms)

    @property
    def opens_section(self) -> bool:
        return self.section is not None and self.key.endswith(".total")


@dataclass(frozen=True)
class Column:
    key: str
    forms: tuple[str, ...]
    unit: str | None
    synonyms: tuple[str, ...]

    @property
    def normalized(self) -> tuple[str, ...]:
        return tuple(normalize_label(s) for s in self.synonyms)


@dataclass(frozen=True)
class Vocabulary:
    items: tuple[Item, ...]
    columns: tuple[Column, ...]
    structure: dict[str, frozenset[str]]  # role -> normalised labels
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # form -> item keys in printed order
    seen: dict[str, str] = field(default_factory=dict)  # synonym as written -> where it was printed

    def items_for(self, form: str, layouts: tuple[str, ...] | None = None) -> list[Item]:
        return [i for i in self.items if i.form == form and (layouts is None or i.layout in layouts)]

    def item(self, form: str, key: str) -> Item:
        return next(i for i in self.items if i.form == form and i.key == key)

    def columns_for(self, form: str) -> list[Column]:
        return [c for c in self.columns if form in c.forms]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def structure_role(self, label: str) -> str | None:
        """The organising role of a normalised label (department, goals, ...), if any."""
        return next((role for role, labels in self.structure.items() if label in labels), None)


def toml_to_vocabulary(data: dict) -> Vocabulary:
    items = tuple(
        Item(
            form=form,
            key=key,
            layout=spec["layout"],
            unit=spec.get("unit"),
            synonyms=tuple(spec.get("synonyms", [])),
            section=spec.get("section"),
        )
        for form, entries in data["items"].items()
        for key, spec in entries.items()
    )
    columns = tuple(
        Column(key=key, forms=tuple(spec["forms"]), unit=spec.get("unit"), synonyms=tuple(spec["synonyms"]))
        for key, spec in data["columns"].items()
    )
    structure = {role: frozenset(normalize_label(s) for s in labels) for role, labels in data["structure"].items()}
    templates = {form: tuple(keys) for form, keys in data.get("template", {}).items()}
    seen = dict(data.get("seen", {}))
    return Vocabulary(items=items, columns=columns, structure=structure, templates=templates, seen=seen)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    return toml_to_vocabulary(tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8")))
