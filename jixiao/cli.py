"""The ``jixiao`` command line. The app and its shared plumbing are in ``jixiao.cli_app``; each group
of commands is a module of its own (``cli_files``, ``cli_runs``, ``cli_warehouse``), registered on import."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from jixiao import cli_files, cli_runs, cli_warehouse  # noqa: F401  (importing registers their commands)
from jixiao.cli_app import (
    _fail,
    app,
)


@app.command()
def bench(
    accuracy: bool = typer.Option(False, "--accuracy", help="Only the accuracy benchmark (facts, flags, non-reports)."),
    split: str = typer.Option("all", "--split", help="Accuracy split: tune (look at its misses), heldout "
                              "(the predictor: numbers only) or all."),
    formats: Optional[str] = typer.Option(None, "--formats", help="Accuracy formats, comma-separated "
                                          "(default: every format)."),
    filings: Optional[int] = typer.Option(None, "--filings", help="Filings per split (accuracy) or corpus size "
                                          "(speed)."),
    as_json: bool = typer.Option(False, "--json", help="Print the accuracy figures as JSON."),
    misses: Optional[Path] = typer.Option(None, "--misses", help="Write the tune split's missed and extra facts "
                                          "and flags to this JSON file."),
    workers: int = typer.Option(1, "--workers", help="Accuracy: filings scored in parallel processes."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Speed corpus seed."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Speed corpus folder (cached)."),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Speed corpus: longest document."),
    regenerate: bool = typer.Option(False, "--regenerate", help="Speed corpus: rebuild it first."),
    out: Optional[Path] = typer.Option(None, "--out", help="Speed benchmark: where RESULTS.md and results.json go."),
    work: Optional[Path] = typer.Option(None, "--work", help="Speed benchmark: scratch folder."),
    report_only: bool = typer.Option(False, "--report-only", help="Speed benchmark: rewrite RESULTS.md from "
                                     "results.json without measuring."),
    per_format: bool = typer.Option(False, "--per-format", help="Speed benchmark: only the per-format ratios "
                                    "(process_filing vs the naive reader; --formats chooses them)."),
) -> None:
    """Run the benchmarks (writes benchmarks/RESULTS.md): speed against a naive baseline, then accuracy on
    generated filings with known answers. ``--accuracy`` runs only the accuracy one."""
    from benchmarks.accuracy import generator
    from benchmarks.accuracy.run import DEFAULT_FILINGS
    from benchmarks.accuracy.run import main as run_accuracy

    if split not in ("tune", "heldout", "all"):
        _fail("--split must be tune, heldout or all")
    if misses is not None and split == "heldout":
        _fail("--misses is for the tune split only: the heldout split reports numbers, never its filings")
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip()) if formats else generator.FORMATS
    if not accuracy:
        from benchmarks.run import main as run_speed

        argv = [flag for flag, on in (("--regenerate", regenerate), ("--report-only", report_only),
                                      ("--per-format", per_format)) if on]
        if per_format and formats:
            argv += ["--formats", formats]
        for flag, value in (("--filings", filings), ("--seed", seed), ("--corpus", corpus),
                            ("--max-pages", max_pages), ("--out", out), ("--work", work)):
            if value is not None:
                argv += [flag, str(value)]
        code = run_speed(argv)
        if code or report_only or per_format:
            raise typer.Exit(code)
        filings = None  # the speed corpus size is not the accuracy one
    raise typer.Exit(run_accuracy(split=split, formats=chosen, filings=filings or DEFAULT_FILINGS,
                                  as_json=as_json, misses_file=misses, workers=max(1, workers)))


def main() -> None:  # pragma: no cover - console entry
    app()  # exits with the run's code


if __name__ == "__main__":
    sys.exit(main())
