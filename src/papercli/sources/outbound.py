"""Requests that deliver something (POST, PUT): the HTTP client's bounds, and care with repeats.

A GET can always be repeated; a delivery cannot, unless the server recognises the repeat. So
a failure is retried only when the request surely was not acted on: it never went out (the
connection was refused or never opened), or the server said so (429, honouring Retry-After
within MAX_RETRY_AFTER and MAX_TOTAL_WAIT; 500, 502, 503). A failure after the request went
out (a dropped connection, no reply in time) is retried only for a request the server
de-duplicates (an ``Idempotency-Key``, a Matrix transaction id); otherwise it is MaybeSent.

Messages never hold the URL: a webhook URL embeds its secret. They name a ``target``
("Slack channel lab") and say what happened in fixed words, never in an exception's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from papercli.errors import ConfigError, NetworkError, UpstreamError
from papercli.sources import transport as net
from papercli.sources.http import MAX_RETRY_AFTER, MAX_TOTAL_WAIT, Response, parse_retry_after

if TYPE_CHECKING:
    from papercli.sources.http import HttpClient

# Replies that say the server did not act on the request, so a repeat cannot double it.
# 504 is left out: a gateway that timed out may have passed the request on.
UNDONE_STATUS = frozenset({429, 500, 502, 503})


class MaybeSent(NetworkError):
    """The request may have reached the server (its reply was lost): not safe to repeat."""


def send(
    client: HttpClient,
    method: str,
    url: str,
    body: bytes,
    *,
    target: str,
    headers: Mapping[str, str] | None = None,
    repeatable: bool = False,
) -> Response:
    """Send ``body``; the final reply (2xx, or a status not worth retrying) is returned.

    Raises MaybeSent (see above), or NetworkError when the attempts or waits run out.
    Redirects are not followed: a delivery goes where it was configured to go, or nowhere.
    """
    httpx = client._httpx
    waited = 0.0
    problem = ""
    status: int | None = None
    attempt = 0
    for attempt in range(1, client.retries + 1):
        status = None
        delay = client._backoff(attempt, None)
        try:
            response = _once(client, method, url, body, headers, target)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ConfigError(f"{target}: the configured URL is not a valid http(s) URL") from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            problem = _problem(exc, before=True)
        except httpx.RequestError as exc:  # after it went out: a drop, a timeout, a bad body
            problem = _problem(exc, before=False)
            if not repeatable:
                raise MaybeSent(
                    f"{target} {problem} after the request was sent; it may have arrived",
                    source=target,
                    attempts=attempt,
                ) from None
        else:
            status = response.status
            if status not in UNDONE_STATUS:
                return response
            problem = f"answered HTTP {status}"
            asked = retry_after_of(response.headers, client._wall_clock())
            if asked is not None:
                if asked > MAX_RETRY_AFTER or waited + asked > MAX_TOTAL_WAIT:
                    raise NetworkError(
                        f"{target} is rate limiting (HTTP {status}) and asks to wait "
                        f"{asked:.0f} s, longer than papercli waits",
                        source=target,
                        status=status,
                        attempts=attempt,
                        hint="try again later",
                    )
                delay = asked
        if attempt == client.retries or waited + delay > MAX_TOTAL_WAIT:
            break
        waited += delay
        client._wait(delay)
    raise NetworkError(
        f"{target} {problem} after {attempt} attempt{'s' if attempt != 1 else ''}",
        source=target,
        status=status,
        attempts=attempt,
        hint="check the channel's settings and your connection",
    )


def _once(
    client: HttpClient,
    method: str,
    url: str,
    body: bytes,
    headers: Mapping[str, str] | None,
    target: str,
) -> Response:
    # One deadline for the whole attempt, as for GETs: a server dripping its reply a byte at
    # a time cannot hold a delivery (and the digest's lock) past network.timeout.
    with (
        net.deadline(client.timeout),
        client._client.stream(method, url, content=body, headers=headers) as response,
    ):
        try:
            content = client._read_capped(response, target)
        except UpstreamError:
            content = b""  # an answer too big to read still has its status
        # The URL is not kept: it may embed the secret, and a Response gets passed around.
        return Response("", response.status_code, dict(response.headers), content)


def retry_after_of(headers: Mapping[str, str], now: float) -> float | None:
    """Retry-After in seconds: whole or decimal (Discord sends ``0.5``), or an HTTP date."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return parse_retry_after(value, now)
    return seconds if 0 <= seconds < float("inf") else None


def _problem(exc: Exception, *, before: bool) -> str:
    """What went wrong, in fixed words: an exception's own text may quote the request."""
    timed_out = "Timeout" in type(exc).__name__
    if before:
        if timed_out:
            return "did not accept a connection in time"
        return "refused the connection" if "refused" in str(exc).lower() else "could not be reached"
    return "did not answer in time" if timed_out else "dropped the connection"
