"""Fetching pages and feeds from the web politely: robots.txt honoured, one request at a time per
host with a pause between them, conditional requests (a 304 costs no body), a deadline and a size
cap on every response, the content type checked, a bounded number of redirects (loops caught),
and retries with backoff when the server answers 5xx or 429. httpx does the HTTP and the
standard library's robotparser reads robots.txt; the politeness is done here, since neither does
it. Every failure is a FetchFailed with a one-line reason."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from typing import Self
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from qa.config import Settings
from qa.errors import FetchFailed
from qa.types import Fetched, Validators

USER_AGENT = f"qa-news-archive/{version('qa')} (a news archive that cites its sources; respects robots.txt)"
ROBOTS_AGENT = "qa-news-archive"
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF = 0.5
MAX_WAIT = 30.0
MAX_URL_CHARS = 2_000
DISALLOW_ALL = ["User-agent: *", "Disallow: /"]


class Fetcher:
    """One polite client; share it across the fetches of one run so the pauses per host hold."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=settings.fetch_timeout, follow_redirects=False, transport=transport
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._next_at: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._unreachable: dict[str, str] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.received = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._client.close()

    def get(
        self, url: str, accept: tuple[str, ...], validators: Validators = Validators(), *, public_only: bool = False
    ) -> Fetched:
        """Fetch a URL whose content type is one of `accept`, asking with the validators whether it
        changed; raise FetchFailed with the reason when it can't be had. `public_only` refuses a URL
        (or a redirect) to a host on a private, loopback or link-local address: for links a third
        party chose, such as a feed's items."""
        try:
            return self._get(url, accept, validators, public_only)
        except (ValueError, httpx.InvalidURL) as error:
            raise FetchFailed(f"{url[:200]}: not a valid URL ({str(error)[:100]})") from None

    def _get(self, url: str, accept: tuple[str, ...], validators: Validators, public_only: bool) -> Fetched:
        check_url(url)
        seen = {url}
        for _ in range(self.settings.fetch_max_redirects + 1):
            if public_only and is_private(urlsplit(url).hostname or ""):
                raise FetchFailed(f"{url}: a private address; a feed's items may point only at public hosts")
            response = self._request(url, validators)
            if response.status_code not in (301, 302, 303, 307, 308):
                return self._accepted(url, response, accept)
            location = response.headers.get("location", "")
            if not location:
                raise FetchFailed(f"{url}: a redirect without a Location")
            url = check_url(urljoin(url, location))
            if url in seen:
                raise FetchFailed(f"{url}: redirect loop")
            seen.add(url)
        raise FetchFailed(f"{url}: more than {self.settings.fetch_max_redirects} redirects (QA_FETCH_MAX_REDIRECTS)")

    def _accepted(self, url: str, response: _Response, accept: tuple[str, ...]) -> Fetched:
        validators = Validators(response.headers.get("etag", ""), response.headers.get("last-modified", ""))
        if response.status_code == 304:
            return Fetched(url, 304, b"", validators)
        if response.status_code != 200:
            raise FetchFailed(f"{url}: the server answered {response.status_code} {response.reason}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in accept and not (content_type.endswith("+xml") and "application/xml" in accept):
            hint = "; follow a feed with `qa feeds add URL`" if content_type in FEED_TYPES and accept == PAGE_TYPES else ""
            raise FetchFailed(f"{url}: is {content_type or 'of no stated type'}, not {accept[0]}{hint}")
        return Fetched(url, 200, response.body, validators)

    def _request(self, url: str, validators: Validators) -> _Response:
        """One GET, after robots.txt allows it and the host's pause is over; retried on 5xx, 429 and
        failed connections."""
        parts = urlsplit(url)
        if not self._allowed(url):
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin in self._unreachable:
                raise FetchFailed(f"{url}: {self._unreachable[origin]}")
            raise FetchFailed(f"{url}: robots.txt of {parts.hostname} disallows fetching it")
        for attempt in range(self.settings.fetch_retries + 1):
            last = attempt == self.settings.fetch_retries
            self._wait_turn(parts.netloc)
            try:
                response = self._send(url, validators.headers())
            except httpx.TransportError as error:
                if last:
                    raise FetchFailed(f"{url}: {_describe(error)}") from None
                time.sleep(BACKOFF * 2**attempt)
                continue
            if response.status_code not in RETRY_STATUSES or last:
                return response
            time.sleep(min(_retry_after(response) or BACKOFF * 2**attempt, MAX_WAIT))
        raise AssertionError("unreachable")

    def _send(self, url: str, headers: dict[str, str]) -> _Response:
        """The response, its body read within the deadline and the size cap."""
        limit = int(self.settings.fetch_max_mb * 2**20)
        deadline = time.monotonic() + self.settings.fetch_timeout
        self.requests += 1
        with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchFailed(
                    f"{url}: {int(declared) / 2**20:.1f} MiB is over the {self.settings.fetch_max_mb:g} MiB limit (QA_FETCH_MAX_MB)"
                )
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                self.received += len(piece)
                if len(body) > limit:
                    raise FetchFailed(f"{url}: more than the {self.settings.fetch_max_mb:g} MiB limit (QA_FETCH_MAX_MB)")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"{url}: took more than {self.settings.fetch_timeout:g} s (QA_FETCH_TIMEOUT)")
            return _Response(response.status_code, response.reason_phrase, response.headers, bytes(body))

    def _allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets this agent fetch the URL. No robots.txt (4xx) allows
        everything; one that can't be fetched (5xx, no connection) allows nothing, as RFC 9309 says.
        A robots.txt that redirects is taken as none (RFC 9309 asks to follow up to five redirects)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        robots = self._robots[origin]
        if robots is None:
            return True
        delay = robots.crawl_delay(ROBOTS_AGENT)
        if delay:
            self._delays[parts.netloc] = min(float(delay), MAX_WAIT)
        return robots.can_fetch(ROBOTS_AGENT, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        self._wait_turn(urlsplit(origin).netloc)
        robots = RobotFileParser()
        try:
            response = self._send(origin + "/robots.txt", {})
        except (httpx.TransportError, FetchFailed) as error:
            reason = _describe(error) if isinstance(error, httpx.TransportError) else str(error).split(": ", 1)[-1]
            self._unreachable[origin] = f"{reason} (robots.txt of {urlsplit(origin).hostname} could not be read)"
            robots.parse(DISALLOW_ALL)
            return robots
        if 300 <= response.status_code < 500:
            return None
        if response.status_code != 200:
            self._unreachable[origin] = (
                f"robots.txt of {urlsplit(origin).hostname} answered {response.status_code}, so nothing may be fetched there"
            )
        robots.parse(response.body.decode("utf-8", "replace").splitlines() if response.status_code == 200 else DISALLOW_ALL)
        return robots

    def _wait_turn(self, host: str) -> None:
        """Sleep until the host's pause since the last request to it is over."""
        interval = max(self.settings.fetch_host_interval, self._delays.get(host, 0.0))
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_at.get(host, 0.0))
            self._next_at[host] = start + interval
        time.sleep(start - now)


def is_private(host: str) -> bool:
    """Whether a host name or address is (or resolves to) a private, loopback, link-local or
    reserved address. A name that does not resolve is not private (the fetch then fails on its own)."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host.strip("[]"), None)}
    except (OSError, UnicodeError):
        return False
    addresses = [ipaddress.ip_address(str(address).split("%")[0]) for address in found]
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_unspecified for a in addresses)


def check_url(url: str) -> str:
    """The URL, or FetchFailed when it is not an http(s) URL with a host, or holds what a request
    can't carry; a port that is no number raises ValueError (reading `port` checks it)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchFailed(f"{url[:200]}: not an http(s) URL")
    if any(c.isspace() or ord(c) < 32 for c in url) or len(url) > MAX_URL_CHARS:
        raise FetchFailed(f"{url[:200]}: not a valid URL (spaces, control characters or over {MAX_URL_CHARS:,} characters)")
    if parts.port == 0:
        raise FetchFailed(f"{url[:200]}: port 0")
    return url


@dataclass(frozen=True)
class _Response:
    status_code: int
    reason: str
    headers: httpx.Headers
    body: bytes


def _retry_after(response: _Response) -> float | None:
    """The Retry-After header's wait in seconds (given as seconds or as a date), if any."""
    value = response.headers.get("retry-after", "")
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time (QA_FETCH_TIMEOUT)"
    if isinstance(error, httpx.ConnectError):
        return "can't connect"
    return f"the connection failed ({type(error).__name__})"
