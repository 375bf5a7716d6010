# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint bench clean

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/jixiao demo

# ruff and the import contracts first: a broken layer fails in a second, not after the suite.
test: setup lint
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/lint-imports

bench: setup
	.venv/bin/jixiao bench

clean:
	rm -rf .venv jixiao.duckdb* .jixiao .ruff_cache .import_linter_cache
