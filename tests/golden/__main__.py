"""``python -m tests.golden``: rewrite samples.json from the current code."""

from tests.golden import regenerate

print(f"wrote {regenerate()}")
