"""Where a digest goes: stdout, a file, e-mail. Each channel has its own delivery record.

A channel turns a selection into an intent (what it will deliver, with everything needed to
deliver it again), delivers it, and knows what to make of an intent an earlier run left
pending: e-mail sends the stored message again (same bytes, same Message-ID), a file counts
as delivered when it holds exactly what was to be written, stdout cannot tell and gives the
papers back (they come in the next digest).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from papercli.digest.guard import Guard
from papercli.digest.mail import Mail, build_message, message_id
from papercli.digest.render import RENDERERS, render_atom, render_html, render_text
from papercli.digest.run import Selection
from papercli.digest.smtp import Receipt, transmit
from papercli.errors import ConfigError
from papercli.store.digest_outbox import Intent
from papercli.store.files import atomic_write

if TYPE_CHECKING:
    from papercli.digest.build import Digest


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def _span(selection: Selection) -> str:
    digest = selection.digest
    return f"{digest.since.isoformat()}..{digest.until.isoformat()}"


class Channel(Protocol):
    """What the delivery code needs of a channel."""

    key: str

    def prepare(self, name: str, selection: Selection, created_at: str) -> Intent:
        """The intent of delivering ``selection`` here."""
        ...

    def deliver(self, intent: Intent, guard: Guard) -> Receipt:
        """Deliver an intent this run prepared."""
        ...

    def settle(self, intent: Intent, guard: Guard) -> Receipt | None:
        """An intent an earlier run left pending: delivered now (or then), or None (not)."""
        ...


def _render(fmt: str, digest: Digest, link: str | None) -> str:
    """The digest in ``fmt``; an Atom feed gets its self link."""
    return render_atom(digest, self_link=link) if fmt == "atom" else RENDERERS[fmt](digest)


class StdoutChannel:
    """The digest on stdout, in the chosen format."""

    key = "stdout"

    def __init__(self, stream: TextIO, fmt: str, *, link: str | None = None) -> None:
        self.stream = stream
        self.fmt = fmt
        self.link = link  # the feed's rel="self" (Atom), when known
        self._texts: dict[str, str] = {}

    def prepare(self, name: str, selection: Selection, created_at: str) -> Intent:
        """Render now; the intent itself holds only the ids."""
        key = _key(name, self.key, self.fmt, _span(selection), *selection.ids)
        self._texts[key] = _render(self.fmt, selection.digest, self.link)
        return Intent(name, self.key, key, created_at, selection.ids, selection.coverage)

    def deliver(self, intent: Intent, guard: Guard) -> Receipt:
        """Write it; a reader that stops reading can be interrupted (nothing is recorded)."""
        with guard.abortable():
            self.stream.write(self._texts[intent.key])
            self.stream.flush()
        return Receipt(("stdout",))

    def settle(self, intent: Intent, guard: Guard) -> Receipt | None:  # noqa: ARG002
        """Whether it was printed cannot be known: the papers come again."""
        return settle_stdout(intent)


class FileChannel:
    """The digest written to a file (atomically), in the chosen format."""

    key = "file"

    def __init__(self, path: Path, fmt: str, *, link: str | None = None) -> None:
        self.path = path
        self.fmt = fmt
        self.link = link  # the feed's rel="self" (Atom), when known
        self._data: dict[str, bytes] = {}

    def prepare(self, name: str, selection: Selection, created_at: str) -> Intent:
        """Render now; the intent holds the path and a hash of the content."""
        data = _render(self.fmt, selection.digest, self.link).encode("utf-8")
        key = _key(name, self.key, str(self.path), self.fmt, _span(selection), *selection.ids)
        self._data[key] = data
        payload = {"path": str(self.path), "sha256": hashlib.sha256(data).hexdigest()}
        return Intent(name, self.key, key, created_at, selection.ids, selection.coverage, payload)

    def deliver(self, intent: Intent, guard: Guard) -> Receipt:  # noqa: ARG002
        """Write the file atomically (StorageError when it cannot be written)."""
        # Not private: a feed or page meant for a web server or another user keeps the umask's
        # permissions (and an existing file its own).
        atomic_write(self.path, self._data[intent.key], private=False)
        return Receipt((str(self.path),))

    def settle(self, intent: Intent, guard: Guard) -> Receipt | None:  # noqa: ARG002
        """Delivered if the file holds exactly what the earlier run was to write."""
        return settle_file(intent)


def settle_stdout(intent: Intent) -> Receipt | None:  # noqa: ARG001
    """A pending stdout intent: whether it was printed cannot be known; the papers come again."""
    return None


def settle_file(intent: Intent) -> Receipt | None:
    """A pending file intent: delivered if the file holds exactly what was to be written."""
    path, digest = intent.payload.get("path"), intent.payload.get("sha256")
    if not isinstance(path, str) or not isinstance(digest, str):
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return Receipt((path,)) if hashlib.sha256(data).hexdigest() == digest else None


# Channels whose pending intents can be settled without the run using them.
LOCAL_SETTLERS: dict[str, Callable[[Intent], Receipt | None]] = {
    "stdout": settle_stdout,
    "file": settle_file,
}


class EmailChannel:
    """The digest as a multipart e-mail over SMTP."""

    key = "email"

    def __init__(self, mail: Mail, sleep: Callable[[float], None], when: float) -> None:
        self.mail = mail
        self.sleep = sleep
        self.when = when

    def prepare(self, name: str, selection: Selection, created_at: str) -> Intent:
        """Build the message, whose exact bytes the intent keeps for a resend."""
        digest = selection.digest
        msgid = message_id(self.mail, name, selection.ids, _span(selection))
        message = build_message(
            self.mail, digest.subject(), render_text(digest), render_html(digest),
            self.when, msgid,
        )  # fmt: skip
        payload = {
            "message_id": msgid,
            "sender": self.mail.sender,
            "recipients": list(self.mail.recipients),
            "message": message.as_bytes().decode("utf-8"),
        }
        key = msgid.split(".", 1)[1].split("@", 1)[0]
        return Intent(name, self.key, key, created_at, selection.ids, selection.coverage, payload)

    def deliver(self, intent: Intent, guard: Guard) -> Receipt:
        """Send it: SendError when nothing went out, UncertainDelivery when it may have."""
        return self._send(intent, guard)

    def settle(self, intent: Intent, guard: Guard) -> Receipt | None:
        """Send the stored message again, to the recipients it was addressed to."""
        return self._send(intent, guard)

    def _send(self, intent: Intent, guard: Guard) -> Receipt:
        payload = intent.payload
        recipients = payload.get("recipients")
        sender, message = payload.get("sender"), payload.get("message")
        if not (
            isinstance(recipients, list)
            and recipients
            and all(isinstance(r, str) for r in recipients)
            and isinstance(sender, str)
            and isinstance(message, str)
        ):
            raise ConfigError(f"the pending e-mail digest {intent.key} holds no message")
        mail = Mail(
            host=self.mail.host, port=self.mail.port, security=self.mail.security,
            username=self.mail.username, sender=sender, recipients=tuple(recipients),
            password=self.mail.password, timeout=self.mail.timeout,
        )  # fmt: skip
        return transmit(mail, message.encode("utf-8"), guard=guard, sleep=self.sleep)
