"""What the speed benchmark records beside its figures (machine, versions, peak memory) and how
RESULTS.md is written from them."""

from __future__ import annotations

import os
import platform
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RssSampler(threading.Thread):
    """Peak resident memory of this process's children (the phase process and its workers)."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True, name="rss-sampler")
        import psutil

        self._root = psutil.Process()
        self._interval = interval
        self._halt = threading.Event()
        self._current: str | None = None
        self.peaks: dict[str, dict] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator:
        before = os.getloadavg()
        self._current = name
        self.peaks.setdefault(name, {"tree_mb": 0.0, "largest_process_mb": 0.0})
        try:
            yield lambda: {"before": before, "after": os.getloadavg()}
        finally:
            self._sample()
            self._current = None

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        import psutil

        name = self._current
        if name is None:
            return
        sizes = []
        for process in self._root.children(recursive=True):
            try:
                sizes.append(process.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        peak = self.peaks[name]
        peak["tree_mb"] = max(peak["tree_mb"], sum(sizes))
        peak["largest_process_mb"] = max(peak["largest_process_mb"], max(sizes, default=0.0))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)



def machine() -> dict:
    import psutil

    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1), "cpu": model,
        "os": platform.platform(), "python": platform.python_version(),
    }


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("jixiao", "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "openpyxl", "beautifulsoup4",
                 "lxml", "duckdb", "pyarrow", "pebble", "prefect", "distributed", "psutil"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    try:
        from pipeline.process import parser_version

        out["parser_version"] = parser_version()
    except Exception:  # the report is still worth writing without it
        out["parser_version"] = None
    out["libreoffice"] = _libreoffice_version()
    return out


def _libreoffice_version() -> str | None:
    import subprocess

    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        return None
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# --- the report ----------------------------------------------------------------------------


def fmt_value(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def verdict(metric: dict) -> str:
    return {True: "yes", False: "**no**", None: "—"}[metric["met"]]


def render_markdown(results: dict, notes: str | None = None) -> str:
    m, c, ph = results["metrics"], results["corpus"], results["phases"]
    lines = [
        "# jixiao benchmark results",
        "",
        f"Run {results['date']} with `.venv/bin/python -m benchmarks.run` (`make bench` / `jixiao bench`).",
        f"Machine: {results['machine']['nproc']} cores, {results['machine']['ram_gb']} GB RAM, "
        f"{results['machine']['cpu']}; {results['machine']['os']}, Python {results['machine']['python']}.",
        "",
        f"Corpus: {c['filings']} filings ({', '.join(f'{n} {k}' for k, n in c['formats'].items())}), "
        f"{c['pages_min']}–{c['pages_max']} pages, {c['pdf_pages']} PDF pages, {c['bytes'] / 2**20:.0f} MB; "
        f"generated in {c['generation'].get('total_s', 0):.0f} s and cached in `benchmarks/.corpus/`.",
        "",
        "| metric | value | unit | target | met? |",
        "|---|---:|---|---|---|",
    ]
    for key, metric in m.items():
        lines.append(f"| {key} | {fmt_value(metric['value'])} | {metric['unit']} | {metric['target']} | {verdict(metric)} |")
    if "formats" in ph:
        lines += _per_format(ph["formats"])
    one = ph["pipeline_1"]
    lines += [
        "",
        "## Runs",
        "",
        f"- Pipeline (1 worker): {one['statuses']} filings; rows loaded {one['rows']}; "
        f"load_filing total {one['load_filing_s']:.2f} s.",
        f"- Portal: {ph['portal']['sites']} loopback sites, {ph['portal']['files']} files; first run "
        f"{ph['portal']['first']}; re-run {ph['portal']['second']}; recheck run {ph['portal'].get('recheck')}.",
        *_scaleout_lines(ph.get("scaleout")),
        "- Load average (1/5/15 min) before/after each phase: "
        + "; ".join(f"{name} {_loads(ph[name].get('loadavg'))}" for name in ("baseline", "pipeline_1", "pipeline_2", "portal")),
        "",
        "## Method",
        "",
        *[f"- {key}: {text}" for key, text in results["method"].items()],
        "",
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in results["versions"].items()),
        "",
    ]
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines)


def _per_format(phase: dict) -> list[str]:
    when = (f" (measured {phase['date']} on a corpus of {phase['corpus']}, load average {phase['loadavg'][0]:.1f})"
            if "date" in phase else "")
    lines = ["", f"## Per format: process_filing vs the naive reader, same files{when}", "",
             f"Medians of {phase['rounds']} interleaved rounds; start-up apart: importing the pipeline took "
             f"{phase['imports_s']:.2f} s, the first file of each format is in the last two columns.", "",
             "| format | files | baseline s | pipeline s | ratio | CPU ratio | statuses | first file: baseline s | "
             "first file: pipeline s |", "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for fmt, e in phase["by_format"].items():
        statuses = ", ".join(f"{k} {v}" for k, v in e["statuses"].items())
        lines.append(f"| {fmt} | {e['files']} | {e['baseline_s']:.2f} | {e['pipeline_s']:.2f} | {e['ratio']:.2f} | "
                     f"{e['ratio_cpu']:.2f} | {statuses} | {e['first_file']['baseline_s']:.2f} | "
                     f"{e['first_file']['pipeline_s']:.2f} |")
    return lines


def _scaleout_lines(scaleout: dict | None) -> list[str]:
    if not scaleout:
        return []
    runs = lambda values: ", ".join(f"{v:.1f}" for v in values)  # noqa: E731
    return [
        f"- Dask cluster{' (' + scaleout['measured'] + ')' if scaleout.get('measured') else ''}: {scaleout['files']} files on {scaleout['sites']} loopback portals, {scaleout['rounds']} "
        f"rounds; `run --dask` {runs(scaleout['dask_runs_s'])} s, 2 local workers {runs(scaleout['local_runs_s'])} s "
        f"(CPU medians {scaleout.get('dask_cpu_s', 0):.1f} s and {scaleout.get('local_cpu_s', 0):.1f} s); "
        f"same rows {scaleout['same_rows']} ({scaleout['rows']}); a result is {scaleout['result_pickle_kb']:.0f} KB "
        f"pickled; processes added on the cluster by the runs {scaleout['processes_added_by_runs']}, left after "
        f"teardown {scaleout['processes_left_after_teardown']}.",
    ]


def _loads(loadavg) -> str:
    if not loadavg:
        return "?"
    if isinstance(loadavg, list):
        return ", ".join(_loads(one) for one in loadavg)
    return "/".join(f"{v:.1f}" for v in loadavg["before"]) + " → " + "/".join(f"{v:.1f}" for v in loadavg["after"])

