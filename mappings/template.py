"""A form's template order (``[template]`` in vocabulary.toml): where each item is printed.

Items are grouped in blocks by the key's first part (``three_public``, ``project``,
``public_funds``, ``procurement``); a block's first item is its heading (opener).
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.vocabulary import Item, load_vocabulary


def block_of(key: str) -> str:
    return key.split(".", 1)[0]


@dataclass(frozen=True)
class Template:
    form: str
    keys: tuple[str, ...]

    def index(self, key: str) -> int | None:
        return self.keys.index(key) if key in self.keys else None

    def block_at(self, index: int) -> str | None:
        return block_of(self.keys[index]) if 0 <= index < len(self.keys) else None

    def opener(self, block: str) -> str:
        return next(key for key in self.keys if block_of(key) == block)

    def is_opener(self, key: str) -> bool:
        return key in self.keys and self.opener(block_of(key)) == key

    def items(self, keys: tuple[str, ...] | list[str]) -> list[Item]:
        vocabulary = load_vocabulary()
        return [vocabulary.item(self.form, key) for key in keys]

    def block_items_after(self, index: int) -> list[Item]:
        """The items of ``index``'s block that the template prints after it."""
        block = self.block_at(index)
        return self.items([key for key in self.keys[index + 1 :] if block_of(key) == block])

    def openers_after(self, index: int) -> list[Item]:
        """The headings of the blocks still to come after ``index``."""
        current = self.block_at(index)
        return self.items([k for k in self.keys[index + 1 :] if self.is_opener(k) and block_of(k) != current])

    def between(self, after: int, before: int) -> tuple[str, ...]:
        return self.keys[after + 1 : before]


def template_of(form: str) -> Template:
    return Template(form, load_vocabulary().templates.get(form, ()))
