"""The only place an HTTP client is built: timeouts, User-Agent, bounded retries, pacing.

httpx is imported here lazily, when a client is first built, so that reading the cache never
pays for it. Clock, sleep and jitter are injectable so tests never wait.

Time limits: one attempt (name lookup, connect, headers and body together) may take at most
``timeout`` seconds however slowly the server drips (``sources.transport``), and one request
with its retries and waits at most ``retries`` times that plus the backoff papercli would
choose between them (``request_budget``); a Retry-After that does not fit fails at once. A
host that does not resolve is reported at once: retrying a failed lookup only repeats it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from papercli import __version__
from papercli.errors import NetworkError, UpstreamError
from papercli.sources import transport as net

if TYPE_CHECKING:
    import httpx

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
MAX_BACKOFF = 30.0  # longest single wait papercli chooses itself
MAX_RETRY_AFTER = 120.0  # longest wait a server may ask for before we give up instead
MAX_TOTAL_WAIT = 180.0  # all waits of one request together
DOWNLOAD_FACTOR = 15  # a PDF download (not retried) ends within 15 x the timeout


@dataclass(frozen=True, slots=True)
class Response:
    """What a fetch returns: status, headers and the body bytes (size-capped)."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes


@dataclass(frozen=True, slots=True)
class Wait:
    """What the client waits for, as it happens: the CLI draws a spinner from these.

    ``state`` is ``request`` (sent, no answer yet), ``retry`` (``delay`` seconds before
    attempt ``attempt + 1``, after ``problem``) or ``done`` (answered or given up). ``key``
    tells concurrent requests apart. The client itself never prints.
    """

    key: int
    source: str
    url: str
    state: str
    attempt: int
    attempts: int
    delay: float = 0.0
    problem: str = ""


def _no_wait(_event: Wait) -> None:
    return None


@dataclass(slots=True)
class _Pace:
    interval: float
    lock: threading.Lock
    last: float | None = None


def user_agent(contact: str = "") -> str:
    """A descriptive User-Agent, as arXiv asks of automated clients."""
    tail = f"; mailto:{contact}" if contact else ""
    return f"papercli/{__version__} (+https://pypi.org/project/papercli/{tail})"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value) if len(value) < 12 else float("inf")
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


class HttpClient:
    """A small retrying, pacing wrapper over one ``httpx.Client``."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        retries: int = 3,
        contact: str = "",
        max_bytes: int = 32 * 1024 * 1024,
        pacing: Mapping[str, float] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        on_wait: Callable[[Wait], None] = _no_wait,
        on_request: Callable[[str, str | None], None] | None = None,
    ) -> None:
        import httpx

        self._on_wait = on_wait
        self._keys = itertools.count(1)

        self._httpx = httpx
        self.timeout = timeout
        self.retries = max(1, retries)
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter
        self._on_request = on_request
        self._paces = {k: _Pace(v, threading.Lock()) for k, v in (pacing or {}).items()}
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent(contact)},
            follow_redirects=False,
            transport=transport if transport is not None else net.build(httpx),
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release connections."""
        self._client.close()

    def send(self, method: str, url: str, body: bytes, **options: Any) -> Response:
        """POST or PUT ``body`` with the same bounds as a GET (``sources.outbound.send``)."""
        from papercli.sources.outbound import send

        return send(self, method, url, body, **options)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)

    def _paced(self, key: str | None) -> _Pace | None:
        return self._paces.get(key) if key else None

    def _before(self, pace: _Pace | None) -> None:
        if pace is None or pace.last is None:
            return
        self._wait(pace.last + pace.interval - self._clock())

    def request_budget(self, pace: str | None = None) -> float:
        """The longest one request may take, all attempts and waits included."""
        return self._budget_of(self._paced(pace))

    def _budget_of(self, slot: _Pace | None) -> float:
        backoff = sum(self._backoff(n, slot, jitter=1.0) for n in range(1, self.retries))
        return self.timeout * self.retries + min(backoff, MAX_TOTAL_WAIT)

    def _backoff(self, attempt: int, pace: _Pace | None, jitter: float | None = None) -> float:
        base = max(1.0, pace.interval if pace else 1.0)
        return min(MAX_BACKOFF, base * (2 ** (attempt - 1))) + (
            self._jitter() if jitter is None else jitter
        )

    def get(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        allow: tuple[int, ...] = (),
        pace: str | None = None,
    ) -> Response:
        """GET with retries; returns 2xx and ``allow``-listed statuses, raises SourceError else.

        ``pace`` names a politeness group: requests in one group run one at a time, at least
        the group's interval apart (arXiv asks this of RSS and API together).
        """
        if self._on_request is not None:
            self._on_request(url, pace)
        slot = self._paced(pace)
        key = next(self._keys)
        try:
            if slot is None:
                return self._get(url, source, params, headers, allow, None, key)
            with slot.lock:
                return self._get(url, source, params, headers, allow, slot, key)
        finally:
            self._on_wait(Wait(key, source, url, "done", 0, self.retries))

    def _get(
        self,
        url: str,
        source: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        allow: tuple[int, ...],
        pace: _Pace | None,
        key: int = 0,
    ) -> Response:
        httpx = self._httpx
        waited = 0.0
        last_problem = ""
        detail = ""  # what the limit was, when the last attempt ran out of time
        shown_url = url
        self._before(pace)  # waiting for our own turn is not the server's time
        started = self._clock()
        budget = self._budget_of(pace)
        for attempt in range(1, self.retries + 1):
            if attempt > 1:
                self._before(pace)
            limit = min(self.timeout, budget - (self._clock() - started))
            if limit <= 0:
                attempt -= 1
                break
            self._on_wait(Wait(key, source, shown_url, "request", attempt, self.retries))
            try:
                with net.deadline(limit):
                    response = self._send(url, params, headers, source, pace)
            except httpx.TimeoutException:
                last_problem = "timed out"
                detail = f" (no complete answer within {net.seconds(limit)})"
                status = None
            except httpx.RequestError as exc:  # transport failures, undecodable bodies
                if net.unresolvable(exc):
                    raise NetworkError(
                        f"{source}: cannot resolve the host of {shown_url} (no network?)",
                        source=source,
                        url=shown_url,
                        attempts=attempt,
                        hint="check your connection or the URL in your config",
                    ) from None
                last_problem, detail = net.describe(exc), ""
                status = None
            else:
                status = response.status
                shown_url = response.url
                if 200 <= status < 300 or status in allow:
                    return response
                if status not in RETRY_STATUS:
                    raise UpstreamError(
                        f"{source} returned HTTP {status} for {shown_url}",
                        source=source,
                        url=shown_url,
                        status=status,
                        attempts=attempt,
                    )
                last_problem, detail = f"returned HTTP {status}", ""
            if attempt == self.retries:
                break
            delay = self._backoff(attempt, pace)
            if status is not None:
                asked = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
                if asked is not None:
                    left = budget - (self._clock() - started) - self.timeout
                    if asked > min(MAX_RETRY_AFTER, left):
                        raise NetworkError(
                            f"{source} is rate limiting (HTTP {status}) and asks to wait "
                            f"{asked:.0f} s",
                            source=source,
                            url=shown_url,
                            status=status,
                            attempts=attempt,
                            hint="try again later",
                        )
                    delay = max(asked, pace.interval if pace else 0.0)
            if waited + delay > MAX_TOTAL_WAIT or self._clock() - started + delay >= budget:
                break
            waited += delay
            self._on_wait(
                Wait(key, source, shown_url, "retry", attempt, self.retries, delay, last_problem)
            )
            self._wait(delay)
        raise NetworkError(
            f"{source} {last_problem} for {shown_url} after {attempt} attempt"
            + ("s" if attempt != 1 else "")
            + detail,
            source=source,
            url=shown_url,
            status=status,
            attempts=attempt,
            hint="check your connection or try again later",
        )

    def _send(
        self,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        source: str,
        pace: _Pace | None,
    ) -> Response:
        httpx = self._httpx
        request = self._client.build_request("GET", url, params=params, headers=headers)
        origin = urlsplit(str(request.url)).hostname
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                with self._client.stream(
                    request.method, request.url, headers=request.headers
                ) as response:
                    body = self._read_capped(response, source)
                    status, resp_headers = response.status_code, response.headers
            finally:
                if pace is not None:
                    pace.last = self._clock()
            if status in (301, 302, 303, 307, 308) and "location" in resp_headers:
                target = request.url.join(resp_headers["location"])
                refusal = net.redirect_refusal(request.url, target, origin)
                if refusal:
                    raise UpstreamError(
                        f"{source} redirected {request.url} to {refusal}; not following",
                        source=source,
                        url=str(request.url),
                        status=status,
                        hint="check the base URL in your config",
                    )
                request = httpx.Request("GET", target, headers=request.headers)
                continue
            return Response(str(request.url), status, dict(resp_headers), body)
        raise UpstreamError(
            f"{source} redirected too many times from {url}", source=source, url=url
        )

    def download(
        self,
        url: str,
        target: Path,
        *,
        source: str,
        max_bytes: int,
        pace: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Stream ``url`` into ``target`` atomically (temp file, rename); returns the size.

        Not retried (a PDF is large, and the user can rerun); an interrupted body leaves
        nothing behind.
        """
        if self._on_request is not None:
            self._on_request(url, pace)
        slot = self._paced(pace)
        lock = slot.lock if slot else threading.Lock()
        key = next(self._keys)
        with lock:
            self._before(slot)
            self._on_wait(Wait(key, source, url, "request", 1, 1))
            try:
                # A PDF may be large on a slow line, but a server dripping it still ends.
                with net.deadline(self.timeout * DOWNLOAD_FACTOR):
                    return self._stream_to(url, target, source, max_bytes, progress)
            except self._httpx.TimeoutException:
                raise NetworkError(
                    f"{source} timed out for {url}", source=source, url=url
                ) from None
            except self._httpx.TransportError as exc:
                raise NetworkError(
                    f"{source} {net.describe(exc)} for {url}", source=source, url=url
                ) from None
            finally:
                self._on_wait(Wait(key, source, url, "done", 1, 1))
                if slot is not None:
                    slot.last = self._clock()

    def _stream_to(
        self,
        url: str,
        target: Path,
        source: str,
        max_bytes: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        with self._client.stream("GET", url) as response:
            if response.status_code != 200:
                raise UpstreamError(
                    f"{source} returned HTTP {response.status_code} for {url}",
                    source=source,
                    url=url,
                    status=response.status_code,
                )
            total = net.declared_length(response)
            if total > max_bytes:
                raise _too_big(source, url, max_bytes)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            size = 0
            try:
                with os.fdopen(fd, "wb") as handle:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise _too_big(source, url, max_bytes)
                        if net.expired():
                            raise self._httpx.ReadTimeout("the time limit of the download ran out")
                        handle.write(chunk)
                        if progress:
                            progress(size, total)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return size

    def _read_capped(self, response: httpx.Response, source: str) -> bytes:
        if net.declared_length(response) > self.max_bytes:
            raise _too_big(source, str(response.url), self.max_bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise _too_big(source, str(response.url), self.max_bytes)
            if net.expired():  # also for transports other than ours (a proxy, a test's)
                raise self._httpx.ReadTimeout("the time limit of the request ran out")
            chunks.append(chunk)
        return b"".join(chunks)


def _too_big(source: str, url: str, limit: int) -> UpstreamError:
    return UpstreamError(
        f"{source} sent more than {limit // (1024 * 1024)} MB for {url}; stopped reading",
        source=source,
        url=url,
        hint="raise network.max_response_mb if this is expected",
    )
