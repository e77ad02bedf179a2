"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

It misbehaves on request, as real servers do: ``fail_next`` answers the next DATA with a 451,
``refuse`` refuses some recipients at RCPT, ``stall`` waits before replying to RCPT or (with
the message already queued) to DATA, and ``drop_after_data`` keeps a message (it counts as
delivered) and then closes the connection before the reply, so the client cannot know.

``tls="starttls"`` offers STARTTLS and refuses mail and logins before it; ``tls="ssl"`` speaks
TLS from the first byte (port 465 style). Both use a certificate the test makes and trusts.
"""

from __future__ import annotations

import asyncio
import email
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

_ABS = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def paper_ids(message: Message) -> set[str]:
    """The papers a digest message delivers (the arXiv links of its text part)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return set(_ABS.findall(part.get_payload(decode=True).decode("utf-8")))
    return set()


class Inbox:
    """Collects messages; see the module docstring for the faults it can play."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.fail_next = 0
        self.logins: list[tuple[str, str]] = []
        self.encrypted: list[bool] = []  # per message: did it arrive over TLS
        self.refuse: dict[str, str] = {}  # recipient -> reply, e.g. "550 5.1.1 No such user"
        self.stall: dict[str, float] = {}  # "RCPT" or "DATA" -> seconds before the reply
        self.drop_after_data = 0
        self.on_data: Callable[[], None] | None = None  # runs once a message is queued
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.stall.get("RCPT"):
            await asyncio.sleep(self.stall["RCPT"])
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.fail_next:
            self.fail_next -= 1
            return "451 Requested action aborted: try again later"
        implicit = server.transport.get_extra_info("ssl_object") is not None
        with self.lock:
            self.encrypted.append(implicit or session.ssl is not None)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(email.message_from_bytes(envelope.content))
        if self.on_data is not None:
            self.on_data()
        if self.stall.get("DATA"):
            await asyncio.sleep(self.stall["DATA"])  # queued already; the reply is late
        if self.drop_after_data:
            self.drop_after_data -= 1
            server.transport.abort()  # accepted, but the client never hears so
        return "250 OK"

    def delivered(self, recipient: str | None = None) -> Counter[str]:
        """How many accepted messages delivered each paper id (to ``recipient``, if given)."""
        counts: Counter[str] = Counter()
        with self.lock:
            pairs = list(zip(self.envelopes, self.messages, strict=True))
        for (_, rcpts), message in pairs:
            if recipient is None or recipient in rcpts:
                counts.update(paper_ids(message))
        return counts


def make_certificate(
    directory: Path, names: str = "IP:127.0.0.1,DNS:localhost"
) -> tuple[Path, Path]:
    """A self-signed certificate for ``names`` (and its key), made with the openssl tool."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("openssl")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=papercli test",
         "-addext", f"subjectAltName={names}"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class SmtpServer:
    def __init__(
        self,
        password: str | None = None,
        port: int | None = None,
        *,
        tls: str | None = None,
        certificate: tuple[Path, Path] | None = None,
    ) -> None:
        self.inbox = Inbox()
        self.port = port or free_port()
        kwargs: dict[str, object] = {}
        if password is not None:

            def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
                ok = (
                    isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
                )
                if ok:
                    self.inbox.logins.append((auth_data.login.decode(), mechanism))
                return AuthResult(success=ok, handled=False)

            kwargs = {
                "authenticator": authenticator,
                # With STARTTLS, AUTH only inside TLS; with SSL everything is inside it.
                "auth_require_tls": tls == "starttls",
                "auth_required": True,
            }
        if tls is not None:
            assert certificate is not None, "a TLS server needs a certificate"
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
