# The two commands of the README: `make demo` and `make test`.
.PHONY: setup demo test bench clean

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/jixiao demo

test: setup
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/jixiao bench

clean:
	rm -rf .venv jixiao.duckdb* .jixiao
