"""The same facts, indicators and flags come out of the bundled samples as when samples.json
was written: a speed change must not change a reading. Meant changes regenerate the file
(``python -m tests.golden``, see tests/golden/__init__.py) and say why in the commit."""

import json

from tests.golden import GOLDEN, dumps, readings


def _changes(name: str, expected: dict, actual: dict) -> list[str]:
    out = []
    for key in ("status", "fiscal_year"):
        if expected[key] != actual[key]:
            out.append(f"{name}: {key} {expected[key]!r} -> {actual[key]!r}")
    for key in ("facts", "indicators", "flags"):
        gone = [r for r in expected[key] if r not in actual[key]]
        new = [r for r in actual[key] if r not in expected[key]]
        out += [f"{name}: {key} lost {r}" for r in gone[:5]] + [f"{name}: {key} new {r}" for r in new[:5]]
        if not gone and not new and expected[key] != actual[key]:
            out.append(f"{name}: {key} in a different order")
    return out


def test_samples_read_as_the_golden_file_says():
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    actual = json.loads(dumps(readings()))  # through JSON, as the file was: lists, not tuples
    assert sorted(actual) == sorted(expected), "the sample set changed: regenerate with python -m tests.golden"
    changes = [c for name in expected for c in _changes(name, expected[name], actual[name])]
    assert not changes, "readings changed (intended? python -m tests.golden):\n" + "\n".join(changes[:40])


def test_the_golden_file_holds_every_kind_of_record():
    """A guard over empty readings would pass whatever broke."""
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(expected) == 15
    for key in ("facts", "indicators", "flags"):
        assert sum(len(e[key]) for e in expected.values()) > 0, key
