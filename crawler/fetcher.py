"""Polite HTTP for government portals.

Every request: only http/https to the portal's allowed hosts (checked again on each
redirect hop, followed by hand, at most 5), allowed by robots.txt (Protego, cached per
host; 4xx means no rules, 5xx or unreachable means stay out), spaced per host by the
portal's rate limit (or a longer robots ``Crawl-delay``), retried with exponential backoff
on timeouts, 429 and 5xx honouring a capped ``Retry-After``, streamed with a byte cap and a
total deadline, and conditional (ETag / Last-Modified) when a previous copy is known.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base

from crawler.headers import disposition_name, ext_from_headers, host_allowed, key_host, retry_after_seconds
from crawler.state import CachedResponse, CrawlState
from crawler.store import RawStore
from core.config import CrawlerSettings, PortalConfig
from core.text import decode_html

MAX_REDIRECTS = 5
BLOCKED_STATUSES = {403, 412, 521}  # WAF challenge pages (湘西 counties answer 412)
RETRY_STATUSES = {429, 500, 502, 503, 504}
ROBOTS_TTL = 24 * 3600


class FetchError(Exception):
    """A URL that could not be fetched; ``kind`` classifies it for the run summary.

    Kinds: blocked, robots, not_allowed, too_large, not_found, http, timeout, down, deferred.
    """

    def __init__(self, kind: str, url: str, detail: str = "", status: int | None = None):
        super().__init__(f"{kind}: {url}" + (f" ({detail})" if detail else ""))
        self.kind = kind
        self.url = url
        self.status = status


class _Retryable(Exception):
    def __init__(self, error: FetchError, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int  # 200, or 304 when the stored copy is still current
    content_type: str | None
    sha256: str
    size: int
    body: bytes | None = None  # pages
    path: Path | None = None  # documents, in the raw store
    filename: str | None = None  # from Content-Disposition, for display only
    previous_sha256: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def unchanged(self) -> bool:
        """The same bytes as last time, whether the server said 304 or sent them again."""
        return self.not_modified or self.sha256 == self.previous_sha256

    def text(self) -> str:
        return decode_html(self.body or b"", self.content_type).text


@dataclass
class _Raw:
    status: int
    final_url: str
    headers: httpx.Headers
    body: bytes | None = None
    path: Path | None = None
    sha256: str = ""
    size: int = 0
    location: str | None = None


class _WaitRetryAfter(wait_base):
    """Exponential backoff, or the server's ``Retry-After`` when it gave one."""

    def __init__(self, base: float, cap: float):
        self.base = base
        self.cap = cap

    def __call__(self, retry_state) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, self.cap)
        return min(self.base * 2 ** (retry_state.attempt_number - 1), self.cap)


class Fetcher:
    """One per run; safe to share between threads."""

    def __init__(
        self,
        settings: CrawlerSettings | None = None,
        state: CrawlState | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.settings = settings or CrawlerSettings()
        self.state = state or CrawlState(None)
        s = self.settings
        self.client = httpx.Client(
            headers={"User-Agent": s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
            follow_redirects=False,
            transport=transport,
            trust_env=False,  # a proxy from the environment must not see (or reroute) portal traffic
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._interval: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._robots: dict[str, tuple[float, Protego | None, str | None]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    # --- public --------------------------------------------------------------------

    def page(self, url: str, portal: PortalConfig) -> Response:
        """A list or article page, body in memory (kept in the state to parse after a 304)."""
        return self._get(url, portal, store=None, ext=None)

    def document(self, url: str, portal: PortalConfig, store: RawStore, ext: str | None = None) -> Response:
        """A document streamed into the raw store under its content hash."""
        return self._get(url, portal, store=store, ext=ext)

    # --- the request path ------------------------------------------------------------

    def _get(self, url: str, portal: PortalConfig, store: RawStore | None, ext: str | None) -> Response:
        cached = self.state.cached(url)
        usable = cached is not None and (
            cached.body is not None if store is None else bool(cached.path and cached.path.is_file())
        )
        headers = {}
        if usable and cached.etag:
            headers["If-None-Match"] = cached.etag
        if usable and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_allowed(current, portal)
            self._check_robots(current, portal)
            raw = self._request(current, portal, headers, store, ext)
            if raw.location is None:
                break
            current = raw.location
        else:
            raise FetchError("http", url, f"more than {MAX_REDIRECTS} redirects")
        if raw.status == 304:
            if not usable:
                raise FetchError("http", url, "304 without a stored copy")
            return Response(
                url, raw.final_url, 304, cached.content_type, cached.sha256, cached.size, cached.body, cached.path,
                previous_sha256=cached.sha256,
            )
        content_type = raw.headers.get("content-type")
        self.state.remember(
            CachedResponse(
                url=url, final_url=raw.final_url, etag=raw.headers.get("etag"),
                last_modified=raw.headers.get("last-modified"), sha256=raw.sha256, size=raw.size,
                content_type=content_type, path=raw.path, body=raw.body,
            )
        )
        return Response(
            url, raw.final_url, 200, content_type, raw.sha256, raw.size, raw.body, raw.path,
            filename=disposition_name(raw.headers.get("content-disposition")),
            previous_sha256=cached.sha256 if cached else None,
        )

    def _check_allowed(self, url: str, portal: PortalConfig) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("not_allowed", url, f"scheme {parts.scheme!r}")
        if not host_allowed(url, portal.allowed_hosts):
            raise FetchError("not_allowed", url, f"host not in allowed_hosts {list(portal.allowed_hosts)}")

    def _request(
        self, url: str, portal: PortalConfig, headers: dict, store: RawStore | None, ext: str | None
    ) -> _Raw:
        s = self.settings
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(s.retries + 1),
            wait=_WaitRetryAfter(s.backoff, s.max_retry_after),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(url, portal, headers, store, ext)
        except _Retryable as retry:
            raise retry.error from None
        raise AssertionError("unreachable")

    def _attempt(self, url: str, portal: PortalConfig, headers: dict, store: RawStore | None, ext: str | None) -> _Raw:
        key = key_host(url)
        with self._slot(key, portal):
            self._throttle(key, portal)
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    return self._read(url, response, store, ext)
            except httpx.TimeoutException as error:
                raise _Retryable(FetchError("timeout", url, type(error).__name__)) from None
            except httpx.TransportError as error:
                raise _Retryable(FetchError("down", url, f"{type(error).__name__}: {error}")) from None
            finally:
                self._done(key)

    def _read(self, url: str, response: httpx.Response, store: RawStore | None, ext: str | None) -> _Raw:
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("location")
            if not location:
                raise FetchError("http", url, f"{status} without Location", status)
            return _Raw(status, url, response.headers, location=urljoin(url, location))
        if status == 304:
            return _Raw(304, url, response.headers)
        if status in RETRY_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
            error = FetchError("down", url, f"HTTP {status}", status)
            if retry_after is not None and retry_after > self.settings.max_retry_after:
                raise FetchError("deferred", url, f"HTTP {status}, Retry-After {retry_after:.0f}s", status)
            raise _Retryable(error, retry_after)
        if status in BLOCKED_STATUSES:
            raise FetchError("blocked", url, f"HTTP {status} (anti-bot or access denied)", status)
        if status == 404 or status == 410:
            raise FetchError("not_found", url, f"HTTP {status}", status)
        if status != 200:
            raise FetchError("http", url, f"HTTP {status}", status)
        limit = self.settings.max_download_bytes
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            raise FetchError("too_large", url, f"Content-Length {int(length)} > max_download_mb {self.settings.max_download_mb}")
        chunks = self._capped(url, response, limit)
        if store is None:
            body = b"".join(chunks)
            return _Raw(200, url, response.headers, body=body, sha256=hashlib.sha256(body).hexdigest(), size=len(body))
        ext = ext or ext_from_headers(response.headers) or "bin"
        path, sha256, size = store.put_chunks(chunks, ext)
        return _Raw(200, url, response.headers, path=path, sha256=sha256, size=size)

    def _capped(self, url: str, response: httpx.Response, limit: int):
        # Content-Length can lie or be absent, and a read timeout is per read: count and time it.
        deadline = time.monotonic() + self.settings.total_timeout
        size = 0
        # No chunk size: each network read is yielded as it arrives, so a server trickling
        # bytes meets the deadline and the cap at once, not after 64 KB.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError("too_large", url, f"more than max_download_mb {self.settings.max_download_mb}")
            if time.monotonic() > deadline:
                raise _Retryable(FetchError("timeout", url, f"download took over {self.settings.total_timeout}s"))
            yield chunk

    # --- politeness ------------------------------------------------------------------

    def _slot(self, key: str, portal: PortalConfig) -> threading.BoundedSemaphore:
        with self._lock:
            if key not in self._slots:
                self._slots[key] = threading.BoundedSemaphore(max(1, portal.concurrency))
            return self._slots[key]

    def _throttle(self, key: str, portal: PortalConfig) -> None:
        with self._lock:
            interval = max(self._interval.get(key, 0.0), 1.0 / portal.rate_limit)
            self._interval[key] = interval
            now = time.monotonic()
            slot = max(now, self._next_slot.get(key, 0.0))
            self._next_slot[key] = slot + interval
        if slot > now:
            time.sleep(slot - now)

    def _done(self, key: str) -> None:
        # A request that went out late must not let the next one follow it closely:
        # the interval also runs from when this one finished.
        with self._lock:
            after = time.monotonic() + self._interval.get(key, 0.0)
            self._next_slot[key] = max(self._next_slot.get(key, 0.0), after)

    def _check_robots(self, url: str, portal: PortalConfig) -> None:
        if not self.settings.robots_txt:
            return
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:  # one robots.txt request per host, even with many threads
            entry = self._robots.get(key)
            if entry is None or time.monotonic() - entry[0] > ROBOTS_TTL:
                entry = (time.monotonic(), *self._load_robots(key, portal))
                self._robots[key] = entry
        _, rules, failure = entry
        if failure:
            raise FetchError(failure, url, "robots.txt unreachable: staying out until the next run")
        if rules is not None and not rules.can_fetch(url, self.settings.user_agent):
            raise FetchError("robots", url, "disallowed by robots.txt")

    def _load_robots(self, key: str, portal: PortalConfig) -> tuple[Protego | None, str | None]:
        """Rules (None: no rules) and, when robots.txt is unreachable, the failure kind."""
        url = f"{key}/robots.txt"
        current = url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                self._check_allowed(current, portal)
                raw = self._request(current, portal, {}, None, None)
                if raw.location is None:
                    break
                current = raw.location
        except FetchError as error:
            if error.kind in ("not_found", "blocked", "http") and error.status and 400 <= error.status < 500:
                return None, None  # RFC 9309: robots.txt unavailable (4xx) -> no rules
            # Unreachable (5xx, timeout, refused, off-host redirect) -> full disallow.
            return None, error.kind if error.kind in ("timeout", "blocked") else "down"
        rules = Protego.parse(decode_html(raw.body or b"", raw.headers.get("content-type")).text)
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            with self._lock:
                self._interval[key_host(key)] = max(self._interval.get(key_host(key), 0.0), float(delay))
        return rules, None
