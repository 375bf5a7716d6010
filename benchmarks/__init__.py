"""The benchmark suite (``python -m benchmarks.run``); not part of the unit tests."""
