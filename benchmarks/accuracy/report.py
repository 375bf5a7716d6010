"""The accuracy figures as text: the console summary and the RESULTS.md / README sections."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
README = ROOT / "README.md"
START, END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
TARGET = 0.98


def _f(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _row(name: str, r: dict) -> str:
    return f"| {name} | {_f(r['recall'])} | {_f(r['precision'])} | {r['hit']} | {r['missed']} | {r['extra']} |"


def _headline(s: dict) -> list[str]:
    return [
        f"| facts recall / precision | {_f(s['facts']['recall'])} / {_f(s['facts']['precision'])} |",
        f"| flags recall / precision | {_f(s['flags']['recall'])} / {_f(s['flags']['precision'])} |",
        f"| false flags | {s['flags']['extra']} |",
        f"| alerted flags recall / precision | {_f(s['alerted']['recall'])} / {_f(s['alerted']['precision'])} |",
        f"| false alerts | {s['alerted']['extra']} |",
        f"| planted breaks raised only for review | {s['planted_only_in_review']} of {s['planted']} |",
        f"| non-reports ingested | {s['nonreports_ingested']} of {s['nonreports']} |",
        f"| reports not ingested | {s['reports_not_ingested']} of {s['reports']} |",
        f"| department name right | {s['department_right']}/{s['reports']} |",
        f"| fiscal year right | {s['fiscal_year_right']}/{s['reports']} |",
        f"| indicators recall | {_f(s['indicators']['recall'])} |",
    ]


_NONE = {"recall": None, "precision": None, "hit": 0, "missed": 0, "extra": 0}


def _flag_row(key: str, s: dict, by: str) -> str:
    """Every flag raised, then what would be alerted, then the planted breaks left in review."""
    raised, sent = s[f"flags_by_{by}"].get(key, _NONE), s[f"alerted_by_{by}"].get(key, _NONE)
    return (_row(key, raised) + f" {_f(sent['recall'])} | {_f(sent['precision'])} | {sent['hit']} | "
            f"{sent['missed']} | {sent['extra']} | {s[f'review_only_by_{by}'].get(key, 0)} |")


def _flag_rows(s: dict, by: str) -> list[str]:
    return [_flag_row(k, s, by) for k in sorted(set(s.get(f"flags_by_{by}", {})) | set(s.get(f"alerted_by_{by}", {})))]


def split_section(name: str, s: dict) -> list[str]:
    head = "| measure | value |\n|---|---|"
    table = "| {} | recall | precision | hit | missed | extra |\n|---|---:|---:|---:|---:|---:|"
    flags = ("| {} | recall | precision | hit | missed | extra | alerted recall | alerted precision | alerted hit | "
             "alerted missed | false alerts | only in review |\n|---|" + "---:|" * 11)
    lines = [f"### {name} ({s['filings']} filings: {s['reports']} reports, {s['nonreports']} non-reports)", "", head,
             *_headline(s), "", table.format("form"), *(_row(k, v) for k, v in s["facts_by_form"].items()), "",
             table.format("format"), *(_row(k, v) for k, v in s["facts_by_format"].items()), "",
             flags.format("rule"), *_flag_rows(s, "rule"), ""]
    if "flags_by_format" in s:
        lines += ["Flags by the format of the filing:", "", flags.format("format"), *_flag_rows(s, "format"), ""]
    return lines


def console(results: dict) -> str:
    lines = [f"accuracy benchmark (generator {results['generator_version']}, {results['filings_per_split']} filings "
             f"per split, formats {','.join(results['formats'])})", ""]
    for name, s in results["splits"].items():
        lines += split_section(name, s)
    return "\n".join(lines)


def _replace(text: str, block: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def keep_section(old: str, new: str) -> str:
    """``new`` RESULTS.md text with the accuracy section of ``old`` carried over."""
    found = re.search(re.escape(START) + ".*?" + re.escape(END), old, re.S)
    return _replace(new, found.group(0)) if found else new


def results_block(results: dict) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START, "## Accuracy (`jixiao bench --accuracy`)", "",
             f"Run {when}, generator `{results['generator_version']}`, {results['filings_per_split']} filings per split, "
             f"formats {', '.join(results['formats'])}. Each filing folder goes through `process_filing` as "
             "`jixiao ingest --filing-per-folder` builds it. A fact is (form, subject, item, column) with a value "
             "within 0.005 of the canonical one (blank cells are no fact; project subjects compare without "
             "numbering and spaces); a flag is scored per (filing, rule) twice: every flag raised, whatever its "
             "severity, and *alerted* flags, those an alert channel with `min_severity = \"warning\"` sends "
             "(`alerts.Filters.sends`: never a flag stored for review); a planted break raised *only for review* "
             "reaches no analyst. A filing is "
             "ingested when its status is ok or partial. **heldout** draws only variants kept out of tuning: it is "
             f"the predictor of unseen portals (target ≥ {TARGET} for facts and flags, 0 non-reports ingested).", ""]
    counts = results.get("variants", {})
    if counts:
        lines += ["| variants | dimensions | variants | of them heldout |", "|---|---:|---:|---:|",
                  *(f"| {k} | {v['dimensions']} | {v['variants']} | {v['heldout']} |" for k, v in counts.items()), ""]
    for name in ("heldout", "tune"):
        if name in results["splits"]:
            lines += split_section(name, results["splits"][name])
            seconds = results["splits"][name].get("seconds_by_format", {})
            lines += ["Seconds spent in `process_filing`, per format (info): "
                      + ", ".join(f"{k} {v}" for k, v in seconds.items()) + ".", ""]
    false_flags = results.get("tune_false_flags", [])
    if false_flags:
        lines += [f"False flags on the tune split ({len(false_flags)}; the first 25):", ""]
        lines += [f"- `{f['filing']}` ({f['kind']}) `{f['rule']}`{' **alerted**' if f.get('alerted') else ''}: "
                  f"{f['message']}" for f in false_flags[:25]]
        lines.append("")
    return "\n".join(lines + [END])


def readme_block(results: dict) -> str:
    lines = [START, "| accuracy (`jixiao bench --accuracy`) | heldout (predictor) | tune |", "|---|---|---|"]
    splits = results["splits"]
    measures = [
        ("facts recall / precision", lambda s: f"{_f(s['facts']['recall'])} / {_f(s['facts']['precision'])}"),
        ("flags recall / precision", lambda s: f"{_f(s['flags']['recall'])} / {_f(s['flags']['precision'])}"),
        ("alerted flags recall / precision",
         lambda s: f"{_f(s['alerted']['recall'])} / {_f(s['alerted']['precision'])}"),
        ("planted breaks raised only for review", lambda s: f"{s['planted_only_in_review']} of {s['planted']}"),
        ("non-reports ingested", lambda s: f"{s['nonreports_ingested']} of {s['nonreports']}"),
        ("department name right", lambda s: f"{s['department_right']}/{s['reports']}"),
    ]
    for label, cell in measures:
        lines.append(f"| {label} | " + " | ".join(cell(splits[n]) if n in splits else "—" for n in ("heldout", "tune")) + " |")
    return "\n".join(lines + ["", "Per form, format and rule: `benchmarks/RESULTS.md`.", END])


def write_results(results: dict, results_path: Path = RESULTS, readme_path: Path = README) -> None:
    old = results_path.read_text("utf-8") if results_path.exists() else "# jixiao benchmark results\n"
    results_path.write_text(_replace(old, results_block(results)), "utf-8")
    if readme_path.exists():
        readme_path.write_text(_replace(readme_path.read_text("utf-8"), readme_block(results)), "utf-8")
