"""The HTTP client: bounded retries, Retry-After, pacing, size cap, redirects, User-Agent."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from papercli import __version__
from papercli.errors import NetworkError, UpstreamError
from papercli.sources.http import HttpClient, parse_retry_after


class Clock:
    """A fake monotonic clock advanced by the fake sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_for(handler, clock: Clock | None = None, **kwargs) -> HttpClient:
    clock = clock or Clock()
    return HttpClient(
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock,
        wall_clock=lambda: 1_800_000_000.0,
        jitter=lambda: 0.0,
        **kwargs,
    )


def scripted(*responses: httpx.Response):
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return responses[min(len(calls) - 1, len(responses) - 1)]

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def test_user_agent_names_papercli_and_its_version() -> None:
    handler = scripted(httpx.Response(200, content=b"ok"))
    client_for(handler, contact="me@example.org").get("https://x.test/a", source="T")
    agent = handler.calls[0].headers["user-agent"]
    assert agent.startswith(f"papercli/{__version__}") and "me@example.org" in agent


def test_5xx_is_retried_with_growing_backoff_then_succeeds() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(503), httpx.Response(502), httpx.Response(200, content=b"ok"))
    response = client_for(handler, clock, retries=3).get("https://x.test/a", source="T")
    assert response.content == b"ok"
    assert len(handler.calls) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_retries_are_bounded_and_the_error_says_how_many() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(503))
    with pytest.raises(NetworkError, match=r"T returned HTTP 503 for .* after 3 attempts") as info:
        client_for(handler, clock, retries=3).get("https://x.test/a", source="T")
    assert info.value.attempts == 3 and info.value.status == 503
    assert len(handler.calls) == 3
    assert sum(clock.sleeps) == 3.0


def test_retry_after_seconds_is_honoured() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    client_for(handler, clock).get("https://x.test/a", source="T")
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured() -> None:
    clock = Clock()
    when = email.utils.formatdate(1_800_000_000.0 + 12, usegmt=True)
    handler = scripted(httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200))
    client_for(handler, clock).get("https://x.test/a", source="T")
    assert clock.sleeps == [12.0]


def test_a_retry_after_beyond_the_cap_fails_at_once() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(NetworkError, match="asks to wait 3600 s"):
        client_for(handler, clock).get("https://x.test/a", source="T")
    assert clock.sleeps == [] and len(handler.calls) == 1


def test_429_without_retry_after_backs_off() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(429), httpx.Response(200))
    client_for(handler, clock).get("https://x.test/a", source="T")
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_client_errors_are_not_retried(status: int) -> None:
    handler = scripted(httpx.Response(status))
    with pytest.raises(UpstreamError, match=f"HTTP {status}"):
        client_for(handler).get("https://x.test/a", source="T")
    assert len(handler.calls) == 1


def test_allowed_statuses_are_returned() -> None:
    handler = scripted(httpx.Response(404, content=b"nope"))
    assert client_for(handler).get("https://x.test/a", source="T", allow=(404,)).status == 404


def test_connection_errors_and_timeouts_are_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        if len(calls) == 2:
            raise httpx.ReadTimeout("timed out")
        return httpx.Response(200, content=b"ok")

    assert client_for(handler).get("https://x.test/a", source="T").content == b"ok"
    assert len(calls) == 3


def test_refused_connection_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    with pytest.raises(NetworkError, match=r"T refused the connection for https://x\.test/a"):
        client_for(handler, retries=2).get("https://x.test/a", source="T")


def test_oversized_responses_are_cut_off() -> None:
    handler = scripted(httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(UpstreamError, match="stopped reading"):
        client_for(handler, max_bytes=1000).get("https://x.test/a", source="T")


def test_redirect_to_another_host_is_refused() -> None:
    handler = scripted(httpx.Response(302, headers={"Location": "https://evil.test/x"}))
    with pytest.raises(UpstreamError, match="another host"):
        client_for(handler).get("https://x.test/a", source="T")
    assert len(handler.calls) == 1


def test_redirect_on_the_same_host_is_followed() -> None:
    handler = scripted(
        httpx.Response(301, headers={"Location": "/b"}), httpx.Response(200, content=b"b")
    )
    assert client_for(handler).get("https://x.test/a", source="T").content == b"b"
    assert str(handler.calls[1].url) == "https://x.test/b"


def test_paced_requests_keep_their_interval() -> None:
    clock = Clock()
    handler = scripted(httpx.Response(200))
    client = client_for(handler, clock, pacing={"arxiv": 3.0})
    for _ in range(3):
        client.get("https://x.test/a", source="T", pace="arxiv")
    assert clock.sleeps == [3.0, 3.0]
    client.get("https://x.test/a", source="T")  # unpaced: no wait
    assert clock.sleeps == [3.0, 3.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), ("soon", None), (None, None), ("", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, 0.0) == expected


def test_an_undecodable_body_is_retried_then_reported() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raw = httpx.ByteStream(b"not gzip at all")  # decoded only when papercli reads it
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=raw)

    handler.calls = calls  # type: ignore[attr-defined]
    with pytest.raises(NetworkError, match="after 3 attempts"):
        client_for(handler).get("https://x.test/a", source="T")
    assert len(handler.calls) == 3
