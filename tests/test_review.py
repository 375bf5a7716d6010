"""``jixiao review``: the queue of what jixiao read without being sure, and accepting a wording."""

from __future__ import annotations

import os
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

import warehouse
from jixiao.accept import AcceptError, add_synonym
from jixiao.samples import SEEDS
from pipeline.load import ingest
from tests.test_report import build_sample_warehouse
from warehouse.review_queue import command_for, read_queue
from warehouse.reviews import Decision, ReviewError, append_log, latest, read_log

ROOT = Path(__file__).resolve().parents[1]
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
# A loaded 2-core machine can take longer than Prefect's default 20 s to start its API.
PREFECT_PATIENCE = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}

# Seed 004 as another clerk printed it: two headings in wordings the vocabulary lacks.
VARIANT_WORDINGS = {"\t公用经费\n": "\t公用经费支出合计数\n", "\t政府采购金额\n": "\t政府集中采购资金额度\n"}


def variant_filing(folder: Path) -> Path:
    text = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    for printed, variant in VARIANT_WORDINGS.items():
        assert printed in text
        text = text.replace(printed, variant, 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "某区某局2023年度部门整体支出绩效自评报告.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def queue_db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("queue")
    return build_sample_warehouse(root, [variant_filing(root / "docs")])


def test_the_queue_lists_unsure_wordings_most_frequent_first(queue_db):
    entries = read_queue(queue_db)
    wordings = {(e.label, e.item): e for e in entries if e.kind == "wording"}
    entry = wordings[("公用经费支出合计数", "public_funds.total")]
    assert entry.form == "basic_data" and entry.method == "fuzzy" and entry.score < 100
    assert entry.occurrences == 3 and entry.filings == 1  # its three columns
    assert ("政府集中采购资金额度", "procurement") in wordings
    counts = [e.occurrences for e in entries]
    assert counts == sorted(counts, reverse=True)


def test_the_printed_command_accepts_the_wording_and_reprocess_applies_it(tmp_path):
    db = tmp_path / "jixiao.duckdb"
    ingest([variant_filing(tmp_path / "docs")], db)  # through the raw store, so reprocess can reread it
    config = tmp_path / "jixiao.toml"
    config.write_text('[mapping]\nvocabulary = "my-labels.toml"\n', encoding="utf-8")
    shown = subprocess.run([str(JIXIAO), "review", "--db", str(db), "--config", str(config)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert shown.returncode == 0, shown.stderr
    commands = [line.strip() for line in shown.stdout.splitlines() if line.strip().startswith("jixiao review accept")]
    wanted = next(c for c in commands if "公用经费支出合计数" in c)
    words = shlex.split(wanted)
    assert words[3:] == ["公用经费支出合计数", "--item", "basic_data.public_funds.total",
                         "--vocabulary", str(tmp_path / "my-labels.toml")]
    # The command as printed, run as is, writes the user vocabulary file...
    accepted = subprocess.run([str(JIXIAO), *words[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert accepted.returncode == 0, accepted.stderr
    data = tomllib.loads((tmp_path / "my-labels.toml").read_text(encoding="utf-8"))
    assert data["items"]["basic_data"]["public_funds.total"]["synonyms"] == ["公用经费支出合计数"]
    # ...and `jixiao reprocess` (no --force: the vocabulary is part of the parser version) applies it.
    again = subprocess.run([str(JIXIAO), "reprocess", "--db", str(db), "--config", str(config)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600, env=PREFECT_PATIENCE)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    _, rows = warehouse.query(db, "SELECT DISTINCT match_method, match_score FROM facts_t "
                                  "WHERE source_label = '公用经费支出合计数'")
    assert rows == [("synonym", 100.0)]
    labels = {e.label for e in read_queue(db)}
    assert "公用经费支出合计数" not in labels and "政府集中采购资金额度" in labels


def test_accepting_keeps_the_users_file_and_refuses_clashes(tmp_path):
    vocabulary = tmp_path / "labels.toml"
    vocabulary.write_text('# our own wordings\n[items.basic_data."three_public.total"]\nsynonyms = ["三公费用"]\n',
                          encoding="utf-8")
    assert add_synonym(vocabulary, "basic_data", "public_funds.total", "公用经费开支", seen="某局 2023 表1")
    assert not add_synonym(vocabulary, "basic_data", "public_funds.total", "公用经费开支")
    text = vocabulary.read_text(encoding="utf-8")
    assert text.startswith("# our own wordings\n")
    data = tomllib.loads(text)
    assert data["items"]["basic_data"]["three_public.total"]["synonyms"] == ["三公费用"]
    assert data["items"]["basic_data"]["public_funds.total"]["synonyms"] == ["公用经费开支"]
    assert data["seen"] == {"公用经费开支": "某局 2023 表1"}
    with pytest.raises(AcceptError, match="already a synonym of basic_data.three_public.total"):
        add_synonym(vocabulary, "basic_data", "public_funds.total", "三公经费")
    with pytest.raises(AcceptError, match="no item basic_data.nonsense"):
        add_synonym(vocabulary, "basic_data", "nonsense", "某某")


def test_accept_without_a_vocabulary_file_says_how_to_name_one(tmp_path):
    done = subprocess.run([str(JIXIAO), "review", "accept", "公用经费开支", "--item", "basic_data.public_funds.total"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert '[mapping] vocabulary = "my-labels.toml"' in done.stderr


# --- the decisions log ---------------------------------------------------------------------


def decision(fp: str, what: str, at: str, by: str = "张三") -> Decision:
    return Decision(fp, what, by, at, note="核对原件")


def test_the_latest_decision_per_flag_is_in_force_and_the_log_round_trips(tmp_path):
    log = tmp_path / "reviews.csv"
    append_log(log, [decision("a" * 64, "confirmed", "2026-12-01T10:00:00")])
    append_log(log, [decision("b" * 64, "false_alarm", "2026-12-01T11:00:00"),
                     decision("a" * 64, "fixed_by_unit", "2026-12-02T09:00:00", by="李四")])
    assert log.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it
    decisions = read_log(log)
    assert len(decisions) == 3
    current = latest(decisions)
    assert current["a" * 64].decision == "fixed_by_unit" and current["a" * 64].decided_by == "李四"
    assert current["b" * 64].decision == "false_alarm"


def test_a_malformed_log_line_is_a_clear_error(tmp_path):
    log = tmp_path / "reviews.csv"
    log.write_text("fingerprint,decision,decided_by\nabc,maybe,张三\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="line 2: decision 'maybe' is not one of confirmed, false_alarm"):
        read_log(log)
    assert read_log(log, strict=False) == []


def test_inferred_places_and_unmapped_labels_are_queued(tmp_path):
    """A line placed by the template order (synonym-matched, yet inferred) and a label that matched
    nothing, loaded through the warehouse as the pipeline loads them."""
    import dataclasses

    from tests.test_warehouse import PARSER, fact, make_result
    from warehouse import Warehouse, publish

    result = make_result(tmp_path)
    placed = dataclasses.replace(fact("public_funds.line", "final", 3.2, subject="物业管理费", label="物业管理费"),
                                 match_method="synonym", inferred=True)
    result = dataclasses.replace(result, report=dataclasses.replace(
        result.report, facts=[*result.report.facts, placed]))
    writer = tmp_path / "w.duckdb"
    with Warehouse.open(writer) as store:
        store.load_filing(result, store.start_run("test"), PARSER)
    db = publish(writer, tmp_path / "jixiao.duckdb")
    entries = {(e.kind, e.label): e for e in read_queue(db)}
    inferred = entries[("inferred", "物业管理费")]
    assert inferred.item == "public_funds.line" and inferred.acceptable
    unmapped = entries[("unmapped", "其他费用")]
    assert unmapped.form == "basic_data" and unmapped.item is None
    assert command_for(unmapped, suggest=lambda form, label: "public_funds.line") == \
        "jixiao review accept '其他费用' --item basic_data.public_funds.line"


def test_a_decision_while_a_run_writes_is_refused_and_nothing_is_logged(queue_db):
    from core.paths import Paths
    from warehouse import writer_lock

    _, rows = warehouse.query(queue_db, "SELECT fingerprint FROM inconsistencies LIMIT 1")
    paths = Paths(queue_db)
    with writer_lock(paths.lock):  # what a nightly run holds while it writes
        done = subprocess.run([str(JIXIAO), "review", "decide", rows[0][0][:12], "confirmed", "--by", "张三",
                               "--db", str(queue_db)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "another jixiao run is writing" in done.stderr and "try again when it has finished" in done.stderr
    assert not paths.reviews.exists()
