"""The label vocabulary (vocabulary.toml) as typed records, synonyms already normalised."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from core.config import ConfigError
from mappings.normalize import normalize_label

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
FORMS = ("basic_data", "overall_eval", "project_eval", "project_list")
NAME_ROLES = ("project_name", "department")
NAME_LABEL_LENGTH = 10
USER_VOCABULARY_ENV = "JIXIAO_VOCABULARY"  # set by use_user_vocabulary from jixiao.toml's [mapping] vocabulary


class VocabularyError(ConfigError):
    """A user vocabulary file that cannot be merged: the message names the file and the problem."""


@dataclass(frozen=True)
class Item:
    form: str
    key: str
    layout: str  # over, cols, pair, total, line
    unit: str | None
    synonyms: tuple[str, ...]  # as written in the file
    section: str | None = None
    keywords: tuple[str, ...] = ()  # words that name it where the template expects it

    @cached_property  # the vocabulary is read once; its labels are matched millions of times
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
    keywords: tuple[str, ...] = ()  # words a header of unknown wording names this column by

    @cached_property  # the vocabulary is read once; its labels are matched millions of times
    def normalized(self) -> tuple[str, ...]:
        return tuple(normalize_label(s) for s in self.synonyms)


@dataclass(frozen=True, eq=False)  # hashed by identity: caches keyed on it follow a reload
class Vocabulary:
    items: tuple[Item, ...]
    columns: tuple[Column, ...]
    structure: dict[str, frozenset[str]]  # role -> normalised labels
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # form -> item keys in printed order
    seen: dict[str, str] = field(default_factory=dict)  # synonym as written -> where it was printed
    subtotals: frozenset[str] = frozenset()  # normalised labels of rows that sum the lines above
    # Words printed before or after a synonym that leave what it names unchanged (项目支出合计)
    qualifier_prefixes: tuple[str, ...] = ()
    qualifier_suffixes: tuple[str, ...] = ()
    equivalents: tuple[tuple[str, str], ...] = ()  # (printed, as the vocabulary writes it): 费用 → 费

    def unqualified(self, label: str) -> list[str]:
        """A normalised label without one qualifier at either end, or with one equivalent
        wording written the vocabulary's way: the synonym it may be."""
        bare = [label[len(q):] for q in self.qualifier_prefixes if label.startswith(q)]
        bare += [label[: -len(q)] for q in self.qualifier_suffixes if label.endswith(q)]
        bare += [label.replace(printed, written) for printed, written in self.equivalents if printed in label]
        return [b for b in bare if b and b != label]

    def items_for(self, form: str, layouts: tuple[str, ...] | None = None) -> list[Item]:
        return [i for i in self.items if i.form == form and (layouts is None or i.layout in layouts)]

    def item(self, form: str, key: str) -> Item:
        return next(i for i in self.items if i.form == form and i.key == key)

    def columns_for(self, form: str) -> list[Column]:
        return [c for c in self.columns if form in c.forms]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def structure_role(self, label: str) -> str | None:
        """The organising role of a normalised label (department, goals, ...), if any.

        A short label ending in a name label names the same thing (预算项目名称, 主管部门名称).
        """
        exact = next((role for role, labels in self.structure.items() if label in labels), None)
        if exact or len(label) > NAME_LABEL_LENGTH:
            return exact
        return next(
            (role for role in NAME_ROLES for known in self.structure.get(role, ()) if label.endswith(known)), None
        )


def toml_to_vocabulary(data: dict) -> Vocabulary:
    items = tuple(
        Item(
            form=form,
            key=key,
            layout=spec["layout"],
            unit=spec.get("unit"),
            synonyms=tuple(spec.get("synonyms", [])),
            section=spec.get("section"),
            keywords=tuple(spec.get("keywords", [])),
        )
        for form, entries in data["items"].items()
        for key, spec in entries.items()
    )
    columns = tuple(
        Column(
            key=key, forms=tuple(spec["forms"]), unit=spec.get("unit"), synonyms=tuple(spec["synonyms"]),
            keywords=tuple(spec.get("keywords", [])),
        )
        for key, spec in data["columns"].items()
    )
    structure = {role: frozenset(normalize_label(s) for s in labels) for role, labels in data["structure"].items()}
    templates = {form: tuple(keys) for form, keys in data.get("template", {}).items()}
    seen = dict(data.get("seen", {}))
    subtotals = frozenset(normalize_label(s) for s in data.get("subtotals", {}).get("labels", []))
    qualifiers = data.get("qualifiers", {})
    return Vocabulary(
        items=items, columns=columns, structure=structure, templates=templates, seen=seen, subtotals=subtotals,
        qualifier_prefixes=tuple(qualifiers.get("prefixes", [])), qualifier_suffixes=tuple(qualifiers.get("suffixes", [])),
        equivalents=tuple((normalize_label(a), normalize_label(b)) for a, b in qualifiers.get("equivalents", [])),
    )


def _merge(data: dict, user: dict, source: str) -> dict:
    """``user`` (a file of the same format) over the bundled ``data``: synonyms, structure labels, seen."""
    unknown = set(user) - {"items", "columns", "structure", "seen"}
    if unknown:
        raise VocabularyError(f"{source}: only [items], [columns], [structure] and [seen] can be extended, not {sorted(unknown)}")
    merged = copy.deepcopy(data)
    for form, entries in (user.get("items") or {}).items():
        for key, spec in (entries or {}).items():
            if key not in merged["items"].get(form, {}):
                raise VocabularyError(f"{source}: no item {form}.{key} in the bundled vocabulary")
            merged["items"][form][key].setdefault("synonyms", []).extend(_labels(spec, f"{source}: {form}.{key}"))
    for key, spec in (user.get("columns") or {}).items():
        if key not in merged["columns"]:
            raise VocabularyError(f"{source}: no column {key} in the bundled vocabulary")
        merged["columns"][key]["synonyms"].extend(_labels(spec, f"{source}: columns.{key}"))
    for role, labels in (user.get("structure") or {}).items():
        if role not in merged["structure"] or not isinstance(labels, list):
            raise VocabularyError(f"{source}: [structure] {role} must be a list under a known role")
        merged["structure"][role].extend(str(label) for label in labels)
    merged.setdefault("seen", {}).update({str(k): str(v) for k, v in (user.get("seen") or {}).items()})
    return merged


def _labels(spec: object, where: str) -> list[str]:
    if not isinstance(spec, dict) or set(spec) - {"synonyms"} or not isinstance(spec.get("synonyms", []), list):
        raise VocabularyError(f"{where}: only synonyms = [...] can be added")
    return [str(label) for label in spec.get("synonyms", [])]


def clashes(vocabulary: Vocabulary) -> list[str]:
    """Normalised labels claimed by two items of one form (or two columns), as messages."""
    found = []
    for form in FORMS:
        owners: dict[str, str] = {}
        for item in vocabulary.items_for(form):
            for label in item.normalized:
                if owners.setdefault(label, item.key) != item.key:
                    found.append(f"{label!r} names both {form}.{owners[label]} and {form}.{item.key}")
        columns: dict[str, str] = {}
        for column in vocabulary.columns_for(form):
            for label in column.normalized:
                if columns.setdefault(label, column.key) != column.key:
                    found.append(f"{label!r} names both columns {columns[label]} and {column.key} in {form}")
    return found


def user_vocabulary_file() -> Path | None:
    named = os.environ.get(USER_VOCABULARY_ENV)
    return Path(named) if named else None


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled vocabulary, with the user's file (``[mapping] vocabulary``) merged over it."""
    data = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    user = user_vocabulary_file()
    if user is None:
        return toml_to_vocabulary(data)
    try:
        extra = tomllib.loads(user.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VocabularyError(f"{user}: the vocabulary file named in [mapping] vocabulary does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise VocabularyError(f"{user}: not a valid TOML vocabulary: {error}") from None
    vocabulary = toml_to_vocabulary(_merge(data, extra, str(user)))
    if problems := clashes(vocabulary):
        raise VocabularyError(f"{user}: " + "; ".join(problems))
    return vocabulary


def use_user_vocabulary(path: Path | None) -> Vocabulary:
    """Merge ``path`` over the bundled vocabulary from now on (checked now, so a bad file fails early).

    Kept in the environment, so the extraction workers this process starts read it too.
    """
    if path is None:
        os.environ.pop(USER_VOCABULARY_ENV, None)
    else:
        os.environ[USER_VOCABULARY_ENV] = str(Path(path).resolve())
    load_vocabulary.cache_clear()
    return load_vocabulary()
