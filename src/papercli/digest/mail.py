"""E-mail settings and messages: multipart text + HTML, for SMTP (stdlib smtplib).

The password comes from PAPERS_SMTP_PASSWORD or a ``password_command``, is never stored by
papercli, and is scrubbed from every error message. The transaction itself, with its retries
and its one point of no return, is ``digest.smtp``.
"""

from __future__ import annotations

import hashlib
import shlex
import smtplib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from papercli.config import Settings
from papercli.errors import ConfigError, SendError


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
        example = {"host": "smtp.example.org", "to": "me@example.org", "from": "me@example.org"}
        raise ConfigError(
            f"--email needs digest.email.{missing[0]} in {settings.config_path}",
            hint=f'e.g. papers config set digest.email.{missing[0]} "{example[missing[0]]}"',
        )
    security, username = settings["digest.email.security"], settings["digest.email.username"]
    if security == "none" and username and not _loopback(host):
        # Checked before the password is looked up: it must not leave the machine in clear.
        raise ConfigError(
            f'digest.email.security = "none" would send the password for {username} to {host} '
            "in clear",
            hint='use security = "starttls" or "ssl"; "none" with a login is for a relay on '
            "this machine (localhost, 127.0.0.1, ::1)",
        )
    return Mail(
        host=host,
        port=settings["digest.email.port"],
        security=security,
        username=username,
        sender=sender,
        recipients=recipients,
        password=_password(settings, environ),
        timeout=settings["network.timeout"],
    )


def _loopback(host: str) -> bool:
    import ipaddress

    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _password(settings: Settings, environ: Mapping[str, str]) -> str | None:
    """PAPERS_SMTP_PASSWORD, else the first line ``password_command`` prints.

    The command is split like a shell would (quotes work) but runs without one: no ``~``,
    ``$VAR``, pipes or globs; ``sh -c '...'`` gives them. Only the first line counts, as
    ``pass show`` prints the password and then its notes.
    """
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
            f"digest.email.password_command failed to run ({type(exc).__name__})",
            hint="it runs without a shell: for ~, $VARS or pipes use sh -c '...'",
        ) from None
    if done.returncode != 0:
        # Its output is not shown: it may hold the secret or part of it.
        raise ConfigError(f"digest.email.password_command exited with {done.returncode}")
    password = done.stdout.split("\n", 1)[0].removesuffix("\r")
    if not password:
        raise ConfigError(
            "digest.email.password_command printed no password (its first line is empty)",
            hint="papercli never sends an empty password; check the command by running it",
        )
    return password


def message_id(mail: Mail, digest: str, ids: Iterable[str], span: str) -> str:
    """A Message-ID derived from what the message delivers, to whom: a copy that slips
    through (a resend after an unconfirmed send) carries the same one, and clients drop it."""
    what = "\n".join([digest, mail.sender, *sorted(mail.recipients), span, *sorted(ids)])
    digest_hash = hashlib.sha256(what.encode("utf-8")).hexdigest()[:32]
    domain = mail.sender.rpartition("@")[2].strip("<> ")
    if not domain or not domain.isascii() or not all(c.isalnum() or c in ".-" for c in domain):
        domain = "papercli.invalid"
    return f"<papercli.{digest_hash}@{domain}>"


def build_message(
    mail: Mail, subject: str, text: str, html: str, when: float, msgid: str
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred by clients.

    Encoded as 7-bit ASCII (base64 or quoted-printable bodies) so that any server takes it
    as it is and papercli can keep the exact bytes to send again.
    """
    international = not "".join((mail.sender, *mail.recipients)).isascii()
    message = EmailMessage(policy=policy.SMTPUTF8 if international else policy.SMTP)
    message["Subject"] = subject
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = formatdate(when, localtime=True)
    message["Message-ID"] = msgid
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


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


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "********") if secret else text
