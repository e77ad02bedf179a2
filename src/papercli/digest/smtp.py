"""One SMTP transaction, step by step, so that papercli knows whether a message went out.

smtplib's ``sendmail`` hides the moment that matters: the final ``.`` of DATA. Before it a
server discards the message whatever happens, so a failure (or Ctrl-C) there loses nothing
and is retried. After it, a dropped connection or a timeout leaves the outcome unknown:
papercli does not retry that within the run. The intent stays pending and the next run sends
the same message with the same Message-ID, which mail clients use to drop a copy.

Bounded: each socket operation waits at most ``network.timeout``, and a watchdog closes the
connection when one attempt has taken DEADLINE_FACTOR times that in all (a server that
dribbles its replies cannot stretch it); at most ATTEMPTS attempts, 2 s and 4 s apart.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from papercli.digest.guard import Guard
from papercli.digest.mail import Mail, _login, _scrub
from papercli.errors import SendError

ATTEMPTS = 3
DEADLINE_FACTOR = 4


class UncertainDelivery(SendError):
    """The connection failed after the final dot: the server may have accepted the message."""


@dataclass(frozen=True)
class Receipt:
    """What the server said: who will get the message, and who it refused (with its reply)."""

    accepted: tuple[str, ...]
    refused: dict[str, str] = field(default_factory=dict)


MAX_REPLY_LINES = 100  # a multi-line reply longer than this is a hostile server


class _LineBudget:
    """The reply stream, refusing a reply of more than MAX_REPLY_LINES lines."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.left = MAX_REPLY_LINES

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise OSError(f"the server sent a reply of more than {MAX_REPLY_LINES} lines")
        self.left -= 1
        return self.raw.readline(size)

    def close(self) -> None:
        self.raw.close()


class _Bounded(smtplib.SMTP):
    """smtplib reads multi-line replies without a limit: this one stops at MAX_REPLY_LINES."""

    def getreply(self) -> tuple[int, bytes]:
        """smtplib's reader, on a stream with a line budget for this one reply."""
        if self.file is None:
            self.file = self.sock.makefile("rb")
        if isinstance(self.file, _LineBudget):
            self.file.left = MAX_REPLY_LINES
        else:
            self.file = _LineBudget(self.file)  # type: ignore[assignment]
        return super().getreply()


class _ClientSSL(_Bounded, smtplib.SMTP_SSL):
    """SMTP over TLS from the first byte, with bounded replies."""


def _connect(mail: Mail) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if mail.security == "ssl":
        return _ClientSSL(mail.host, mail.port, timeout=mail.timeout, context=context)
    client = _Bounded(mail.host, mail.port, timeout=mail.timeout)
    if mail.security == "starttls":
        client.starttls(context=context)
    return client


class _Watchdog:
    """Shuts the socket down when an attempt runs past its deadline."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        self._sock = sock
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _reply(code: int, text: bytes | str) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(raw.split())}"[:200]


def _body(message: bytes) -> bytes:
    """The DATA payload without its final dot: CRLF line ends, leading dots doubled."""
    data = re.sub(rb"\r\n|\n|\r(?!\n)", b"\r\n", message)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _attempt(mail: Mail, body: bytes, guard: Guard) -> Receipt:
    watchdog = _Watchdog(max(1.0, mail.timeout * DEADLINE_FACTOR))
    client: smtplib.SMTP | None = None
    where = f"{mail.host}:{mail.port}"
    try:
        with guard.abortable():
            client = _connect(mail)
            watchdog.watch(client.sock)
            if mail.username and mail.password is not None:
                _login(client, mail)
            client.ehlo_or_helo_if_needed()
            international = not "".join((mail.sender, *mail.recipients)).isascii()
            code, text = client.mail(mail.sender, ["SMTPUTF8"] if international else [])
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, text, mail.sender)
            refused: dict[str, str] = {}
            for recipient in mail.recipients:
                code, text = client.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = _reply(code, text)
            if len(refused) == len(mail.recipients):
                raise _AllRefused(refused)
            code, text = client.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, text)
            client.send(body)
        # The point of no return: a signal now waits, and a failure is not retried.
        guard.waiting_for(f"the reply of {where} to the digest (at most {mail.timeout:g} s)")
        try:
            client.send(b".\r\n")
            code, text = client.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            why = "no reply in time" if watchdog.fired or "timed out" in str(exc) else str(exc)
            raise UncertainDelivery(
                f"the connection to {where} failed after the digest was sent and before the "
                f"server confirmed it ({_scrub(why, mail.password)[:120]}); it may have arrived",
                hint="the next run sends the same message again, with the same Message-ID, "
                "so a mail client can drop the copy",
            ) from None
        if not 200 <= code < 300:
            raise smtplib.SMTPDataError(code, text)
        accepted = tuple(r for r in mail.recipients if r not in refused)
        return Receipt(accepted, refused)
    except smtplib.SMTPAuthenticationError:
        raise SendError(
            f"SMTP server {mail.host} rejected the login for {mail.username}",
            hint="check PAPERS_SMTP_PASSWORD or digest.email.password_command",
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"SMTP server {where}: {_scrub(str(exc), mail.password)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        if watchdog.fired:
            raise _Retry(f"no answer within {watchdog.seconds:g} s in all", True) from None
        raise _Retry(_describe(exc, mail.password), _transient(exc)) from None
    finally:
        watchdog.cancel()
        if client is not None:
            _hang_up(client)


class _AllRefused(smtplib.SMTPException):
    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__("every recipient was refused")
        self.refused = refused


class _Retry(Exception):
    """A failure before the final dot: nothing was delivered."""

    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def _transient(exc: Exception) -> bool:
    if isinstance(exc, _AllRefused):
        return all(text.startswith("4") for text in exc.refused.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    # The connection failed before the final dot; other protocol errors will not go away.
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected)


def _describe(exc: Exception, secret: str | None) -> str:
    if isinstance(exc, _AllRefused):
        text = "; ".join(f"{r}: {why}" for r, why in exc.refused.items())
        return _scrub(f"every recipient was refused ({text})", secret)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _scrub(f"{type(exc).__name__}: {_reply(exc.smtp_code, exc.smtp_error)}", secret)
    return _scrub(f"{type(exc).__name__}: {exc}", secret)


def _hang_up(client: smtplib.SMTP) -> None:
    """Say QUIT without waiting for the answer: the delivery is decided, and a stalled server
    must not delay recording it."""
    with contextlib.suppress(OSError, smtplib.SMTPException):
        if client.sock is not None:
            client.sock.settimeout(1.0)
            client.send(b"QUIT\r\n")
    with contextlib.suppress(OSError):
        client.close()


def transmit(
    mail: Mail,
    message: bytes,
    *,
    guard: Guard,
    sleep: Callable[[float], None],
    attempts: int = ATTEMPTS,
) -> Receipt:
    """Send ``message``, retrying failures before the final dot; UncertainDelivery after it.

    Raises SendError when it could not be sent (nothing was delivered).
    """
    body = _body(message)
    reason = ""
    attempt = 0
    for attempt in range(1, attempts + 1):
        try:
            return _attempt(mail, body, guard)
        except _Retry as exc:
            reason = exc.reason
            if not exc.transient or attempt == attempts:
                break
        with guard.abortable():
            sleep(2.0 * attempt)
    raise SendError(
        f"could not send the digest via {mail.host}:{mail.port} after {attempt} attempt"
        f"{'s' if attempt != 1 else ''} ({reason})",
        hint="nothing was delivered; the same papers go out with the next run",
    )
