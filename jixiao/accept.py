"""``jixiao review accept``: a printed wording added to the user's vocabulary file.

The file has the format of ``mappings/vocabulary.toml`` (``[items.<form>."<item>"] synonyms``,
``[seen]`` saying where a wording was printed) and is named in ``jixiao.toml`` as
``[mapping] vocabulary = "my-labels.toml"``; it merges over the bundled vocabulary, and
``jixiao reprocess`` reads the stored documents again with it. tomlkit keeps the user's
comments and layout as they are.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from core.config import DEFAULT_CONFIG


class AcceptError(ValueError):
    """The wording cannot be added: unknown item, a clash, no vocabulary file named."""


def user_vocabulary(config: Path | None) -> Path | None:
    """The vocabulary file ``[mapping] vocabulary`` of the config names (relative to the config file)."""
    from core.config import ConfigError, load_config

    path = config or DEFAULT_CONFIG
    if config is None and not path.is_file():
        return None
    try:
        return load_config(path).vocabulary
    except ConfigError as error:
        raise AcceptError(str(error)) from None


def add_synonym(vocabulary: Path, form: str, item: str, label: str, seen: str | None = None) -> bool:
    """Append ``label`` to the item's synonyms; False when it is already there."""
    from mappings.normalize import normalize_label
    from mappings.vocabulary import load_vocabulary

    bundled = load_vocabulary()
    known = {(i.form, i.key) for i in bundled.items}
    if (form, item) not in known:
        raise AcceptError(f"no item {form}.{item} in the vocabulary (see mappings/vocabulary.toml)")
    wanted = normalize_label(label)
    if not wanted:
        raise AcceptError(f"{label!r} is empty once numbering and punctuation are removed")
    clash = next((i for i in bundled.items_for(form) if i.key != item and wanted in i.normalized), None)
    if clash is not None:
        raise AcceptError(f"{label!r} is already a synonym of {form}.{clash.key}")
    document = tomlkit.parse(vocabulary.read_text(encoding="utf-8")) if vocabulary.exists() else tomlkit.document()
    theirs = document.get("items", {}).get(form, {})
    mine = next((key for key, spec in theirs.items() if key != item
                 and any(normalize_label(s) == wanted for s in spec.get("synonyms", []))), None)
    if mine is not None:
        raise AcceptError(f"{label!r} is already a synonym of {form}.{mine} in {vocabulary}")
    items = document.setdefault("items", tomlkit.table(is_super_table=True))
    forms = items.setdefault(form, tomlkit.table(is_super_table=True))
    entry = forms.setdefault(item, tomlkit.table())
    synonyms = entry.setdefault("synonyms", tomlkit.array())
    if any(normalize_label(s) == wanted for s in synonyms):
        return False
    synonyms.append(label)
    if seen:
        document.setdefault("seen", tomlkit.table())[label] = seen
    vocabulary.parent.mkdir(parents=True, exist_ok=True)
    tmp = vocabulary.with_name(f".{vocabulary.name}.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(vocabulary)
    return True


def suggest_item(form: str | None, label: str) -> str | None:
    """The item whose synonyms a label is closest to, as a starting point for the curator."""
    from rapidfuzz import fuzz

    from mappings.normalize import normalize_label
    from mappings.vocabulary import load_vocabulary

    wanted = normalize_label(label)
    scored = [
        (max(fuzz.WRatio(wanted, s, processor=None) for s in i.normalized), i.key)
        for i in load_vocabulary().items_for(form or "") if i.synonyms
    ]
    return max(scored)[1] if wanted and scored else None
