"""Per format: ``process_filing`` (extract, map, check) against the naive reader on the same files.

Both sides run in one fresh process. Start-up is timed on its own: the imports, then the first
file of each format once per side (the OCR model, LibreOffice's cache, the vocabulary). Then
each round times, format by format, both sides over the same files, the side that goes first
alternating from round to round, so a burst of other work on the shared machine lands on both.
The ratio of a format is the median over the rounds of pipeline seconds / baseline seconds
(wall and CPU). This is the marginal cost: what one more filing of that format costs.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

ROUNDS = 3
FILES_PER_FORMAT = 8
# A scanned file costs a minute or two of OCR a side and a pass: 8 of them, both sides, four
# passes, held a whole `make bench` past an hour and a half. Two show the ratio as well.
FILES_PER_FORMAT_AT_MOST = {"scanned": 2}


def pick(formats: dict[Path, str], per_format: int = FILES_PER_FORMAT) -> dict[str, list[Path]]:
    """Up to ``per_format`` files of each format, evenly spread over the corpus order."""
    by_format: dict[str, list[Path]] = {}
    for path, fmt in formats.items():
        by_format.setdefault(fmt, []).append(path)
    out = {}
    for fmt, paths in sorted(by_format.items()):
        count = min(per_format, FILES_PER_FORMAT_AT_MOST.get(fmt, per_format), len(paths))
        step = max(1, len(paths) / count)
        out[fmt] = [paths[int(k * step)] for k in range(count)]
    return out


def _timed(function) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_formats(files: dict[str, list[Path]], rounds: int = ROUNDS) -> dict:
    imports_s, _ = _timed(lambda: __import__("pipeline.process"))
    from benchmarks.baseline import read_file
    from pipeline.local import filings_from_paths
    from pipeline.process import process_filing

    filings = {fmt: [f for p in paths for f in filings_from_paths([p])] for fmt, paths in files.items()}
    statuses: dict[str, dict[str, int]] = {}

    def pipeline(fmt: str) -> None:
        for filing in filings[fmt]:
            status = process_filing(filing).status
            statuses.setdefault(fmt, {}).setdefault(status, 0)
            statuses[fmt][status] += 1

    def baseline(fmt: str) -> None:
        for path in files[fmt]:
            read_file(path, fmt)

    first = {fmt: {"baseline_s": _timed(lambda: read_file(paths[0], fmt))[0],
                   "pipeline_s": _timed(lambda: process_filing(filings[fmt][0]))[0]}
             for fmt, paths in files.items()}
    per_round: dict[str, list[dict]] = {fmt: [] for fmt in files}
    for number in range(rounds):
        for fmt in files:
            sides = [("baseline", baseline), ("pipeline", pipeline)]
            measured = {}
            for name, side in sides if number % 2 == 0 else sides[::-1]:
                measured[f"{name}_s"], measured[f"{name}_cpu_s"] = _timed(lambda: side(fmt))
            per_round[fmt].append(measured)
    out = {}
    for fmt, measured in per_round.items():
        out[fmt] = {
            "files": len(files[fmt]),
            "baseline_s": statistics.median(m["baseline_s"] for m in measured),
            "pipeline_s": statistics.median(m["pipeline_s"] for m in measured),
            "ratio": statistics.median(m["pipeline_s"] / m["baseline_s"] for m in measured),
            "ratio_cpu": statistics.median(m["pipeline_cpu_s"] / m["baseline_cpu_s"] for m in measured),
            "rounds": measured,
            "first_file": first[fmt],
            "statuses": {k: v // rounds for k, v in statuses.get(fmt, {}).items()},
        }
    return {"imports_s": imports_s, "rounds": rounds, "by_format": out}
