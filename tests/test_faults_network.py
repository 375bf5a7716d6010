"""Fault suite, network: what tests/test_crawler*.py do not already cover, against raw
loopback sockets (a server that resets, trickles, lies about its length, answers 429, or
sits on another loopback address)."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from crawler import Fetcher, FetchError, RawStore
from core.config import CrawlerSettings, PortalConfig



class RawServer:
    """Accepts on ``host`` and hands each connection to ``behave(conn, n)``; counts them."""

    def __init__(self, behave, host: str = "127.0.0.1"):
        self.behave = behave
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.requests: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                request = conn.recv(65536)
                if request.startswith(b"GET /robots.txt"):
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                self.requests.append((time.monotonic(), request))
                self.behave(conn, len(self.requests))
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def serve():
    servers: list[RawServer] = []

    def start(behave, host: str = "127.0.0.1") -> RawServer:
        servers.append(RawServer(behave, host))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _settings(**kw) -> CrawlerSettings:
    base = dict(contact="https://example.org/t", connect_timeout=1, read_timeout=1, retries=2, backoff=0.05,
                max_retry_after=3)
    base.update(kw)
    return CrawlerSettings(**base)


def _portal(server: RawServer) -> PortalConfig:
    return PortalConfig("t", (server.base,), rate_limit=100.0)


def _ok(conn, body: bytes = b"<p>ok</p>") -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body) + body)


def test_connection_reset_is_retried_then_reported_down(serve):
    def reset(conn, n):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST

    server = serve(reset)
    with Fetcher(_settings()) as fetcher, pytest.raises(FetchError) as error:
        fetcher.page(server.base + "a.html", _portal(server))
    assert error.value.kind == "down"
    assert len(server.requests) == 3  # first try + 2 retries, then a clear error


def test_reset_once_then_served(serve):
    def flaky(conn, n):
        if n == 1:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            _ok(conn)

    server = serve(flaky)
    with Fetcher(_settings()) as fetcher:
        assert fetcher.page(server.base + "a.html", _portal(server)).body == b"<p>ok</p>"
    assert len(server.requests) == 2


def test_429_retry_after_is_waited_for(serve):
    def limited(conn, n):
        if n == 1:
            conn.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
        else:
            _ok(conn)

    server = serve(limited)
    with Fetcher(_settings()) as fetcher:
        assert fetcher.page(server.base + "a.html", _portal(server)).body == b"<p>ok</p>"
    (first, _), (second, _) = server.requests
    assert second - first >= 0.95  # the server's Retry-After, not the 0.05 s backoff


def test_body_over_the_limit_without_content_length_is_cut(serve, tmp_path):
    """No Content-Length (close-delimited): the bytes are counted while streaming."""

    def endless(conn, n):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n")
        for _ in range(400):
            conn.sendall(b"%PDF" + b"0" * 16380)

    server = serve(endless)
    store = RawStore(tmp_path / "raw")
    with Fetcher(_settings(max_download_mb=1)) as fetcher, pytest.raises(FetchError) as error:
        fetcher.document(server.base + "big.pdf", _portal(server), store, "pdf")
    assert error.value.kind == "too_large"
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_redirect_to_another_loopback_address_is_never_requested(serve):
    """127.0.0.2 is another host: refused before any request reaches it."""
    other = serve(lambda conn, n: _ok(conn, b"secret"), host="127.0.0.2")

    def redirect(conn, n):
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                     % (other.base + "internal").encode())

    server = serve(redirect)
    with Fetcher(_settings()) as fetcher, pytest.raises(FetchError) as error:
        fetcher.page(server.base + "a.html", _portal(server))
    assert error.value.kind == "not_allowed" and "127.0.0.2" in str(error.value)
    assert other.requests == []
    # and the same address is fetched when it is configured
    allowed = PortalConfig("t", (server.base,), allowed_hosts=(f"127.0.0.1:{server.port}", f"127.0.0.2:{other.port}"),
                           rate_limit=100.0)
    with Fetcher(_settings()) as fetcher:
        assert fetcher.page(server.base + "a.html", allowed).body == b"secret"


def test_endless_redirect_to_fresh_urls_stops(serve):
    """Not a two-URL loop (covered in test_crawler_fetcher) but a new URL every hop."""

    def onward(conn, n):
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /hop%d\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % n)

    server = serve(onward)
    with Fetcher(_settings()) as fetcher, pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.page(server.base + "start", _portal(server))
    assert len(server.requests) == 6
