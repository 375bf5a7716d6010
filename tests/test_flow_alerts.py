"""`jixiao demo` with a webhook configured delivers the seed inconsistencies once."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

pytestmark = pytest.mark.slow


class Receiver(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_demo_with_a_webhook_alerts_each_inconsistency_once(tmp_path):
    from jixiao.demo import demo
    from pipeline.settings import settings

    receiver = type("R", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "jixiao.toml"
    config.write_text(
        f'[[alert]]\ntype = "webhook"\nname = "ops"\nurl = "http://127.0.0.1:{server.server_address[1]}/hook"\n',
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    try:
        demo(db, settings(str(config)))
        assert len(receiver.bodies) == 1  # one digest for the run
        text = json.dumps(receiver.bodies[0], ensure_ascii=False)
        assert "staffing_over_quota" in text and "株洲市芦淞区人民代表大会常务委员会" in text
        assert "35" in text and "21" in text
        demo(db, settings(str(config)))
        assert len(receiver.bodies) == 1  # nothing new: no second message
    finally:
        server.shutdown()
    with duckdb.connect(str(db), read_only=True) as con:
        alertable = con.execute("select count(*) from inconsistencies where not needs_review").fetchone()[0]
        sent = con.execute("select count(*) from alerts where channel = 'ops' and status = 'sent'").fetchone()[0]
        review_sent = con.execute(
            "select count(*) from alerts a join inconsistencies i using (fingerprint) "
            "where a.channel = 'ops' and i.needs_review").fetchone()[0]
        filings = con.execute("select count(*) from filings").fetchone()[0]
    assert sent == alertable  # every certain flag once
    assert review_sent == 0  # a flag awaiting review is shown, never alerted
    assert filings == 5  # the second demo did not add filings


def test_a_portal_down_three_nights_in_a_row_is_alerted_once(tmp_path):
    import socket
    from dataclasses import replace

    from pipeline.crawl import crawl_and_load
    from core.config import Config, CrawlerSettings, PortalConfig
    from core.paths import Paths

    receiver = type("R", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as sock:  # a port nobody listens on: the portal is down
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    config = Config(
        portals=(PortalConfig(name="gone", start_urls=(f"http://127.0.0.1:{dead}/list/index.html",)),),
        crawler=replace(CrawlerSettings(), retries=0, connect_timeout=2.0),
        alerts_raw=({"type": "webhook", "name": "ops", "url": f"http://127.0.0.1:{server.server_address[1]}/"},),
    )
    paths = Paths(tmp_path / "w.duckdb")

    def night():
        return crawl_and_load(config, paths)

    try:
        for expected in (0, 0, 1, 1):  # nights 1-2: nothing; night 3: one notice; night 4: not again
            outcome = night()
            assert outcome.summary["portal_status"] == {"gone": "down"}
            notices = [b for b in receiver.bodies if b.get("kind") == "portal_down"]
            assert len(notices) == expected
    finally:
        server.shutdown()
    assert "gone" in json.dumps(notices[0], ensure_ascii=False)
    with duckdb.connect(str(paths.db), read_only=True) as con:  # recorded in the published copy
        assert con.execute("select count(*) from alerts where kind = 'portal_down' and status = 'sent'").fetchone() == (1,)
