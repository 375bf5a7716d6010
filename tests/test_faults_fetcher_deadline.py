"""The total download deadline holds against a server that trickles bytes.

A server sending 1 KB/s is never idle long enough for the read timeout; the fetcher checks
its deadline (and byte cap) on every network read, not once per 64 KB.
"""

from __future__ import annotations

import time

import pytest

from crawler import Fetcher, FetchError, RawStore
from tests.test_faults_network import _portal, _settings, serve  # noqa: F401  (fixture)



def test_trickling_server_hits_the_total_deadline(serve, tmp_path):  # noqa: F811
    """100 bytes every 0.1 s never trips the 1 s read timeout; the 1 s total deadline must."""

    def trickle(conn, n):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n"
                     b"Connection: close\r\n\r\n")
        for _ in range(60):  # 6 s, then the server gives up (short of its Content-Length)
            conn.sendall(b"x" * 100)
            time.sleep(0.1)

    server = serve(trickle)
    store = RawStore(tmp_path / "raw")
    with Fetcher(_settings(total_timeout=1, retries=0)) as fetcher, pytest.raises(FetchError) as error:
        fetcher.document(server.base + "slow.pdf", _portal(server), store, "pdf")
    assert error.value.kind == "timeout" and "download took over" in str(error.value), str(error.value)
    assert not [p for p in store.root.rglob("*") if p.is_file()]  # no partial document, no temp file
