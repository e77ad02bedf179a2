"""The network layer under HttpClient: a deadline per attempt, and what a failure means.

httpx has no total time limit per request: its timeouts apply to each read.

A server that drips a byte every few seconds never trips a read timeout, and a resolver that
hangs is not bound by one at all. The network backend here gives every socket operation only
what is left of the attempt's deadline, and connects in a helper thread so that name lookup is
bounded too. The deadline is per thread (HF days are fetched by several at once), set around
one attempt by ``HttpClient``. httpcore is imported only when a client is built.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from papercli.errors import ConfigError

_state = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every socket operation of this thread to end within ``seconds`` from now."""
    _state.at = time.monotonic() + max(0.0, seconds)
    try:
        yield
    finally:
        _state.at = None


def expired() -> bool:
    """Whether this thread's deadline (if any) has passed."""
    at = getattr(_state, "at", None)
    return at is not None and time.monotonic() >= at


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout for one socket operation: the caller's, cut to what the deadline leaves."""
    at = getattr(_state, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the time limit of the request ran out")
    return left if timeout is None else min(timeout, left)


def network_backend(tls: Callable[[], Any] | None = None) -> Any:
    """An httpcore network backend that honours this module's per-thread deadline.

    ``tls`` gives the SSL context for every TLS connection, in place of the one httpcore
    passes: building a verifying context costs a few hundred ms (the CA bundle), which a run
    that never reaches a TLS handshake (no network, a local mirror) should not pay.
    """
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> Stream:
            limit = _left(timeout, httpcore.ConnectTimeout)
            context = tls() if tls is not None else ssl_context
            return Stream(self._inner.start_tls(context, server_hostname, limit))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> Stream:
            limit = _left(timeout, httpcore.ConnectTimeout)
            stream = _bounded_call(
                lambda: self._inner.connect_tcp(host, port, limit, local_address, socket_options),
                limit,
                httpcore.ConnectTimeout(f"no connection to {host} within {limit or 0:.0f} s"),
            )
            return Stream(stream)

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> Stream:
            limit = _left(timeout, httpcore.ConnectTimeout)
            return Stream(self._inner.connect_unix_socket(path, limit, socket_options))

        def sleep(self, seconds: float) -> None:
            self._inner.sleep(seconds)

    return Backend()


def _bounded_call(call: Any, limit: float | None, timeout_error: Exception) -> Any:
    """Run ``call`` (a connect: name lookup has no timeout of its own) for at most ``limit``.

    A call that outlives its limit is abandoned; what it returns later is closed.
    """
    if limit is None:
        return call()
    lock = threading.Lock()
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            value = call()
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            with lock:
                outcome["error"] = exc
        else:
            with lock:
                if outcome.get("abandoned"):
                    value.close()
                else:
                    outcome["value"] = value
        done.set()

    threading.Thread(target=run, name="papercli-connect", daemon=True).start()
    done.wait(limit)
    with lock:
        if "value" not in outcome and "error" not in outcome:
            outcome["abandoned"] = True
            raise timeout_error
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _trust_store(httpx: Any) -> Any:
    """certifi's CAs, or those SSL_CERT_FILE / SSL_CERT_DIR name; a broken one is a config error."""
    import ssl

    try:
        return httpx.create_ssl_context()
    except (ssl.SSLError, OSError) as exc:
        named = [
            f"{k}={os.environ[k]}" for k in ("SSL_CERT_FILE", "SSL_CERT_DIR") if k in os.environ
        ]
        where = " or ".join(named) or "the default CA bundle"
        raise ConfigError(
            f"cannot load the CA certificates from {where}: {exc}",
            hint="point SSL_CERT_FILE at a PEM bundle of CA certificates, or unset it",
        ) from None


def build(httpx: Any) -> Any:
    """httpx's own transport, over a network backend that enforces the attempt deadline."""
    import ssl

    import httpcore

    lock = threading.Lock()
    built: list[ssl.SSLContext] = []

    def tls() -> ssl.SSLContext:
        with lock:
            if not built:
                context = _trust_store(httpx)
                context.set_alpn_protocols(["http/1.1"])
                built.append(context)
            return built[0]

    class DeadlineTransport(httpx.HTTPTransport):
        def __init__(self) -> None:  # super().__init__ would build a pool we replace
            self._pool = httpcore.ConnectionPool(
                # Never used to connect (the backend swaps in ``tls()``); it trusts no CA, so
                # if it ever were, verification would fail rather than pass.
                ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
                max_connections=100,
                max_keepalive_connections=20,
                keepalive_expiry=5.0,
                network_backend=network_backend(tls),
            )

    return DeadlineTransport()


def unresolvable(exc: BaseException) -> bool:
    """Whether a transport error is a failed name lookup (no network, or a typo in a URL)."""
    import socket

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    text = str(exc).lower()
    return any(
        phrase in text
        for phrase in (
            "name or service not known",
            "temporary failure in name resolution",
            "nodename nor servname",
            "no address associated",
            "getaddrinfo failed",
        )
    )


def describe(exc: BaseException) -> str:
    """What a transport failure means, for a message: ``refused the connection``, ..."""
    text = str(exc).lower()
    if "refused" in text:
        return "refused the connection"
    if "reset" in text or "closed" in text or "disconnect" in text:
        return "dropped the connection"
    return f"could not be reached ({type(exc).__name__})"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def redirect_refusal(current: Any, target: Any, origin: str | None) -> str | None:
    """Why a redirect (httpx URLs) must not be followed, or None: only the same host, scheme
    and port.

    One exception: http to https on the same host and default ports (an upgrade). Another
    port can be another service on that host; https to http gives the request away in clear.
    """
    if target.host != origin:
        return f"another host ({target.host})"
    if target.scheme not in _DEFAULT_PORTS:
        return f"a {target.scheme}: URL"
    if current.scheme == "https" and target.scheme == "http":
        return "plain http (from https)"
    port = current.port or _DEFAULT_PORTS.get(current.scheme)
    new_port = target.port or _DEFAULT_PORTS[target.scheme]
    upgrade = (current.scheme, port, target.scheme, new_port) == ("http", 80, "https", 443)
    if new_port != port and not upgrade:
        return f"another port ({new_port})"
    return None


def declared_length(response: Any) -> int:
    """The declared Content-Length, or 0 when absent or not a plain number."""
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit():
        return int(declared) if len(declared) < 19 else 1 << 62
    return 0


def seconds(value: float) -> str:
    """``0.5 s``, ``3 s``, ``20 s``: a duration for a message."""
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s".replace(".0 s", " s")
