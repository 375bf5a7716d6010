"""Fixture builders for the fault suite (tests/test_faults*.py)."""
