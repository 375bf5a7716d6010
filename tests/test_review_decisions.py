"""Decisions on flags (`jixiao review decide`) are data: they survive reprocess and rebuild, a false
alarm is never alerted, the views show them, and a team exchanges them as CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import warehouse
from core.paths import Paths
from jixiao.samples import sample_documents
from pipeline.load import ingest, rebuild, reprocess
from pipeline.settings import channels_of, settings
from warehouse.reviews import ReviewError, export_csv, import_csv, record

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
LUSONG = "株洲市芦淞区人民代表大会常务委员会"


class Receiver(BaseHTTPRequestHandler):
    bodies: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        type(self).bodies.append(self.rfile.read(length).decode("utf-8"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    handler = type("R", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, server.server_address[1]
    server.shutdown()


def webhook(tmp_path: Path, port: int, name: str) -> list:
    """The channels of a real config file naming one webhook."""
    config = tmp_path / f"{name}.toml"
    config.write_text(f'[[alert]]\ntype = "webhook"\nname = "{name}"\nurl = "http://127.0.0.1:{port}/hook"\n',
                      encoding="utf-8")
    return channels_of(settings(str(config)))


def flags(db: Path) -> dict[tuple[str, str], tuple]:
    _, rows = warehouse.query(db, """
        SELECT f.department, i.rule, i.fingerprint, i.decision, i.decided_by, i.review_note
        FROM inconsistencies i JOIN filings f USING (filing_id) ORDER BY ALL""")
    return {(r[0], r[1]): r[2:] for r in rows}


def test_a_false_alarm_is_kept_through_reprocess_and_rebuild_and_never_alerted(tmp_path, receiver):
    handler, port = receiver
    db = tmp_path / "jixiao.duckdb"
    ingest([sample_documents()], db)
    before = flags(db)
    alarm, confirmed = before[(LUSONG, "staffing_over_quota")][0], before[(LUSONG, "score_exceeds_max")][0]

    made = record(db, alarm[:12], "false_alarm", "张三", "编制数含借调人员，未超编")
    assert made.fingerprint == alarm and made.department == LUSONG
    record(db, confirmed, "confirmed", "李四")
    shown = flags(db)
    assert shown[(LUSONG, "staffing_over_quota")][1:] == ("false_alarm", "张三", "编制数含借调人员，未超编")
    assert shown[(LUSONG, "score_exceeds_max")][1:3] == ("confirmed", "李四")
    assert sum(1 for v in shown.values() if v[1] is None) == len(shown) - 2

    # Re-extracting everything keeps the decisions; the channel gets every flag but the false alarm.
    reprocess(db, force=True, channels=webhook(tmp_path, port, "ops"))
    assert flags(db) == shown
    assert len(handler.bodies) == 1
    assert "score_exceeds_max" in handler.bodies[0]
    sent = {fp for (fp,) in warehouse.query(db, "SELECT fingerprint FROM alerts WHERE status = 'sent'")[1]}
    assert alarm not in sent and confirmed in sent
    alertable = {fp for (fp,) in warehouse.query(db, "SELECT fingerprint FROM inconsistencies WHERE NOT needs_review")[1]}
    assert sent == alertable - {alarm}

    # Rebuild starts a new writer database from the raw store: decisions are not derived data.
    rebuild(db)
    assert flags(db) == shown
    # A channel that never sent anything still never hears of the false alarm, nor of it "resolved".
    reprocess(db, force=True, channels=webhook(tmp_path, port, "team"))
    assert len(handler.bodies) == 2
    sent_team = {fp for (fp,) in warehouse.query(
        db, "SELECT fingerprint FROM alerts WHERE channel = 'team' AND status = 'sent'")[1]}
    assert sent_team == alertable - {alarm}
    kinds = {k for (k,) in warehouse.query(db, f"SELECT kind FROM alerts WHERE fingerprint = '{alarm}'")[1]}
    assert "resolved" not in kinds

    # The log is in the state folder, beside the writer database.
    log = Paths(db).reviews
    assert log.exists() and len(list(csv.DictReader(log.open(encoding="utf-8-sig")))) == 2


def test_decisions_travel_as_csv_and_bad_ones_are_refused(tmp_path):
    first, second = tmp_path / "a" / "jixiao.duckdb", tmp_path / "b" / "jixiao.duckdb"
    for db in (first, second):
        ingest([sample_documents()], db)
    alarm = flags(first)[(LUSONG, "staffing_over_quota")][0]
    record(first, alarm, "fixed_by_unit", "王五", "单位已重新公开")
    exported = tmp_path / "decisions.csv"
    assert export_csv(first, exported) == 1
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    assert import_csv(second, exported) == 1
    assert import_csv(second, exported) == 0  # importing twice adds nothing
    assert flags(second)[(LUSONG, "staffing_over_quota")][1:] == ("fixed_by_unit", "王五", "单位已重新公开")

    with pytest.raises(ReviewError, match="decision must be one of confirmed, false_alarm, fixed_by_unit"):
        record(first, alarm, "wrong", "王五")
    with pytest.raises(ReviewError, match="no flag with fingerprint 00000000"):
        record(first, "00000000", "confirmed", "王五")
    with pytest.raises(ReviewError, match="at least 8 characters"):
        record(first, alarm[:4], "confirmed", "王五")
    done = subprocess.run([str(JIXIAO), "review", "decide", "deadbeef00", "false_alarm", "--by", "王五",
                           "--db", str(first)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no flag with fingerprint deadbeef00" in done.stderr
    shown = subprocess.run([str(JIXIAO), "query", "--db", str(first), "--format", "json",
                            "select decision from inconsistencies where decision is not null"],
                           capture_output=True, text=True, timeout=600)
    assert json.loads(shown.stdout) == [{"decision": "fixed_by_unit"}]
