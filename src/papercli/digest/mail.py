"""Sending a digest by e-mail: multipart text + HTML over SMTP (stdlib smtplib).

The password comes from PAPERS_SMTP_PASSWORD or a ``password_command``, is never stored by
papercli, and is scrubbed from every error message. Transient failures (connection drops, 4xx
replies) are retried; permanent ones (5xx, authentication) are not.
"""

from __future__ import annotations

import shlex
import smtplib
import ssl
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from papercli.config import Settings
from papercli.errors import ConfigError, SendError

ATTEMPTS = 3


@dataclass(frozen=True)
class Mail:
    """Where and how to send."""

    host: str
    port: int
    security: str
    username: str
    sender: str
    recipients: tuple[str, ...]
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0


def mail_settings(settings: Settings, environ: Mapping[str, str]) -> Mail:
    """The [digest.email] settings, checked, with the password resolved."""
    host = settings["digest.email.host"]
    recipients = tuple(settings["digest.email.to"])
    sender = settings["digest.email.from"] or settings["digest.email.username"]
    missing = [
        name for name, value in (("host", host), ("to", recipients), ("from", sender)) if not value
    ]
    if missing:
        raise ConfigError(
            f"--email needs digest.email.{missing[0]} in {settings.config_path}",
            hint='e.g. papers config set digest.email.to "me@example.org"',
        )
    return Mail(
        host=host,
        port=settings["digest.email.port"],
        security=settings["digest.email.security"],
        username=settings["digest.email.username"],
        sender=sender,
        recipients=recipients,
        password=_password(settings, environ),
        timeout=settings["network.timeout"],
    )


def _password(settings: Settings, environ: Mapping[str, str]) -> str | None:
    if environ.get("PAPERS_SMTP_PASSWORD"):
        return environ["PAPERS_SMTP_PASSWORD"]
    command = settings["digest.email.password_command"]
    if not command:
        return None
    try:
        done = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(
            f"digest.email.password_command failed to run ({type(exc).__name__})"
        ) from None
    if done.returncode != 0:
        # Its output is not shown: it may hold the secret or part of it.
        raise ConfigError(f"digest.email.password_command exited with {done.returncode}")
    return done.stdout.rstrip("\r\n")


def build_message(mail: Mail, subject: str, text: str, html: str, when: float) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred by clients."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = formatdate(when, localtime=True)
    message["Message-ID"] = make_msgid(domain="papercli.local")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _connect(mail: Mail) -> smtplib.SMTP:
    if mail.security == "ssl":
        return smtplib.SMTP_SSL(
            mail.host, mail.port, timeout=mail.timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
    if mail.security == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def _login(client: smtplib.SMTP, mail: Mail) -> None:
    """Log in; smtplib can only send ASCII credentials, so others go as UTF-8 AUTH PLAIN."""
    username, password = mail.username, mail.password or ""
    if (username + password).isascii():
        client.login(username, password)
        return
    import base64

    client.ehlo_or_helo_if_needed()
    if "plain" not in client.esmtp_features.get("auth", "").lower():
        raise SendError(
            f"SMTP server {mail.host} does not offer AUTH PLAIN, which a non-ASCII password needs"
        )
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "********") if secret else text


def send(
    mail: Mail,
    message: EmailMessage,
    *,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = ATTEMPTS,
) -> list[str]:
    """Send, retrying transient failures; returns the recipients the server refused."""
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            with _connect(mail) as client:
                if mail.username and mail.password is not None:
                    _login(client, mail)
                refused = client.send_message(message)
            return sorted(refused)
        except smtplib.SMTPAuthenticationError:
            raise SendError(
                f"SMTP server {mail.host} rejected the login for {mail.username}",
                hint="check PAPERS_SMTP_PASSWORD or digest.email.password_command",
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            last = _scrub(f"{type(exc).__name__}: {exc}", mail.password)
            if not _transient(exc) or attempt == attempts:
                break
            sleep(2.0 * attempt)
    raise SendError(
        f"could not send the digest via {mail.host}:{mail.port} after {attempt} attempt"
        f"{'s' if attempt != 1 else ''} ({last[:200]})",
        hint="the digest will be included again in the next run",
    )
