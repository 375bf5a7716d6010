"""``reprocess`` streams the stored filings in committed batches: killed half-way (a real SIGKILL at
an observed point, after its first batch committed), run again, it does only the rest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import warehouse
from core.paths import Paths
from jixiao.samples import SAMPLE_NAMES, SEEDS
from mappings.vocabulary import USER_VOCABULARY_ENV
from pipeline.load import ingest, reprocess

ROOT = Path(__file__).resolve().parents[1]

# The child holds still inside ``on_loaded``, which runs once its batch is committed, until killed.
CHILD = """
import sys
from pathlib import Path
from pipeline.load import reprocess

def loaded(filing, outcome):
    print(filing.filing_id, flush=True)
    sys.stdin.readline()

reprocess(Path(sys.argv[1]), on_loaded=loaded, batch=2)
"""


def _versions(db: Path) -> dict[str, str]:
    with warehouse.Warehouse.open(Paths(db).writer_db) as store:
        return dict(store.con.execute("SELECT filing_id, parser_version FROM filings_t").fetchall())


def _facts(db: Path) -> dict[str, int]:
    _, rows = warehouse.query(db, "SELECT filing_id, count(*) FROM facts GROUP BY 1")
    return dict(rows)


def test_a_killed_reprocess_resumes_where_it_stopped(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    for stem in SAMPLE_NAMES:
        shutil.copy(SEEDS / f"{stem}.txt", folder / f"{stem}.txt")
    db = tmp_path / "jixiao.duckdb"
    ingest([folder], db)
    before = _versions(db)
    facts = _facts(db)
    assert len(before) == len(SAMPLE_NAMES) and len(set(before.values())) == 1 and all(facts.values())

    # A wording accepted into the user's vocabulary: a new parser version, so every filing is re-read.
    vocabulary = tmp_path / "my-labels.toml"
    vocabulary.write_text('[items.basic_data."public_funds.total"]\nsynonyms = ["公用经费支出合计数"]\n',
                          encoding="utf-8")
    env = {**os.environ, USER_VOCABULARY_ENV: str(vocabulary)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        first = child.stdout.readline().strip()
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the child and its extraction workers, nothing else
        child.wait()
    assert first in before, first

    killed = _versions(db)
    redone = {fid for fid, version in killed.items() if version != before[fid]}
    assert first in redone and len(redone) < len(SAMPLE_NAMES)
    assert set(killed) == set(before)

    # What was re-read is not read again: its stored documents may even be gone.
    for fid in redone:
        manifest = json.loads((Paths(db).raw / "filings" / f"{fid}.json").read_text(encoding="utf-8"))
        for document in manifest["documents"]:
            Path(document["path"]).unlink()
    monkeypatch.setenv(USER_VOCABULARY_ENV, str(vocabulary))
    outcome = reprocess(db)
    by_filing = {fid: status for fid, status, _ in outcome.results}
    assert {fid for fid, status in by_filing.items() if status == "unchanged"} == redone
    assert all(by_filing[fid] != "unchanged" for fid in set(before) - redone)
    after = _versions(db)
    assert len(set(after.values())) == 1 and set(after.values()) != set(before.values())
    assert _facts(db) == facts  # each filing whole: nothing lost, nothing twice
