"""Chat and webhook channels (Slack, Discord, Matrix, a generic webhook): delivery in parts.

A digest becomes one or more messages (``digest.chat``); the intent keeps them all, and a
marker per part records which ones the service confirmed (``store.digest_outbox``), so an
interrupted delivery resumes where it stopped. Each message is sent once per attempt, and
repeated only where a repeat cannot post twice: Matrix by its transaction id and the generic
webhook by its ``Idempotency-Key`` (both derived from what the message delivers). Slack and
Discord webhooks recognise no repeat: when the reply to a message is lost, the next run sends
that message again (it says so), exactly as e-mail does. Secrets never reach the intent, the
state or a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from papercli.config import ChannelSpec
from papercli.core.session import Session
from papercli.digest import discord, matrix, slack, webhook
from papercli.digest.build import Digest
from papercli.digest.chat import Part
from papercli.digest.guard import Guard
from papercli.digest.run import Selection
from papercli.digest.secrets import resolve
from papercli.digest.smtp import Receipt, UncertainDelivery
from papercli.errors import ConfigError, NetworkError, SendError
from papercli.models import sanitize
from papercli.sources.outbound import MaybeSent
from papercli.store.digest_outbox import Intent, confirm_part, confirmed_parts, open_parts

if TYPE_CHECKING:
    from papercli.sources.http import HttpClient, Response

MAX_PAUSE = 60.0  # longest wait a service's rate-limit headers may ask between two messages


@dataclass(frozen=True)
class Service:
    """How one kind of channel is addressed and what its replies mean."""

    label: str
    method: str
    repeatable: bool  # the service drops a repeat of a message it already has
    interval: float  # at least this many seconds between two messages
    refusal: Callable[[int, bytes], str]


SERVICES = {
    "slack": Service("Slack", "POST", False, slack.INTERVAL, slack.refusal),
    "discord": Service("Discord", "POST", False, 0.0, discord.refusal),
    "matrix": Service("Matrix", "PUT", True, 0.0, matrix.refusal),
    "webhook": Service("webhook", "POST", True, 0.0, webhook.refusal),
}


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


class RemoteChannel:
    """One ``[digest.channels.NAME]``: its record in the state is under NAME."""

    resumable = True  # delivered in parts; a part confirmed is never sent again

    def __init__(self, spec: ChannelSpec, session: Session, environ: Mapping[str, str]) -> None:
        self.key = spec.name
        self.spec = spec
        self.service = SERVICES[spec.type]
        self.session = session
        secret = "token" if spec.type == "matrix" else "url"
        self._secret = resolve(spec, secret, environ) or ""
        self._token = (
            resolve(spec, "token", environ, required=False) if spec.type == "webhook" else None
        )
        self.label = f"{self.service.label} channel {spec.name}"
        if spec.type == "matrix":
            self.label = f"Matrix room {spec.options['room']} (channel {spec.name})"
        self._client: HttpClient | None = None
        self._guard: Guard | None = None
        self._last: float | None = None
        self._pause = 0.0

    # The Channel protocol.

    def prepare(self, name: str, selection: Selection, created_at: str) -> Intent:
        """Cut the digest into messages; the intent keeps every one of them."""
        parts = self.render(selection.digest)
        digest = selection.digest
        span = f"{digest.since.isoformat()}..{digest.until.isoformat()}"
        where = str(self.spec.options.get("room", ""))
        key = _key(name, self.key, self.spec.type, where, span, *selection.ids)
        payload = {"type": self.spec.type, "parts": [p.to_dict() for p in parts]}
        return Intent(name, self.key, key, created_at, selection.ids, selection.coverage, payload)

    def render(self, digest: Digest) -> list[Part]:
        """The digest as this service's messages."""
        options = self.spec.options
        if self.spec.type == "slack":
            return slack.render(digest)
        if self.spec.type == "discord":
            return discord.render(digest, options.get("username"))
        if self.spec.type == "matrix":
            return matrix.render(digest, options.get("msgtype", "m.notice"))
        return webhook.render(digest, options.get("max_bytes", webhook.DEFAULT_MAX_BYTES))

    def deliver(self, intent: Intent, guard: Guard) -> Receipt:
        """Send every part not yet confirmed, in order."""
        return self._send_parts(intent, guard)

    def settle(self, intent: Intent, guard: Guard) -> Receipt | None:
        """An intent an earlier run left: send the parts it could not confirm."""
        if intent.payload.get("type") != self.spec.type:
            raise ConfigError(
                f"a digest prepared for channel {self.key} as {intent.payload.get('type')!r} "
                f"awaits delivery, but the channel is now {self.spec.type}",
                hint=f"delete state/digest-{intent.digest}.outbox/{intent.key}.pending "
                "to give its papers back to the next digest",
            )
        return self._send_parts(intent, guard, resumed=True)

    def close(self) -> None:
        """Release the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # Sending.

    def _send_parts(self, intent: Intent, guard: Guard, *, resumed: bool = False) -> Receipt:
        parts = parts_of(intent)
        store = self.session.store
        open_parts(store, intent, len(parts))
        done = confirmed_parts(store, intent)
        self._guard = guard
        first = True
        for number, part in enumerate(parts):
            if number in done:
                continue
            if resumed and first and not self.service.repeatable:
                part = self._marked(part)  # its first send may have arrived
            first = False
            self._wait_turn(guard)
            guard.waiting_for(f"the reply of {self.label} (bounded by network.timeout)")
            try:
                response = self._request(intent, number, part)
            finally:
                self._last = self.session_clock()
            self._check(response, number, len(parts))
            confirm_part(store, intent, number)
        return Receipt((self.label,))

    def _marked(self, part: Part) -> Part:
        note = "Sent again: papercli could not confirm an earlier send, so this may be a repeat."
        body = dict(part.body)
        if self.spec.type == "slack":
            context = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{note}_"}]}
            blocks = list(body.get("blocks", []))
            body["blocks"] = [*blocks[: slack.MAX_BLOCKS - 1], context]
        else:
            body["content"] = f"*{note}*\n" + str(body.get("content", ""))[:1900]
        return Part(body, part.ids)

    def _wait_turn(self, guard: Guard) -> None:
        if self._last is None:
            return
        pause = max(self.service.interval, self._pause) - (self.session_clock() - self._last)
        if pause > 0:
            with guard.abortable():
                self.session.sleep(pause)

    def session_clock(self) -> float:
        """Seconds on a monotonic clock (for the pause between two messages)."""
        import time

        return time.monotonic()

    def _request(self, intent: Intent, number: int, part: Part) -> Response:
        body = json.dumps(part.body, ensure_ascii=False).encode("utf-8")
        url, headers = self._address(intent, number)
        try:
            return self._http().send(
                self.service.method,
                url,
                body,
                target=self.label,
                headers=headers,
                repeatable=self.service.repeatable,
            )
        except NetworkError as exc:
            text = self._scrub(exc.message)
            if self.service.repeatable:
                raise UncertainDelivery(
                    f"{text}; part {number + 1} may have arrived",
                    hint="the next run sends it again with the same "
                    + ("transaction id" if self.spec.type == "matrix" else "Idempotency-Key")
                    + ", which the service uses to drop a repeat",
                ) from None
            if isinstance(exc, MaybeSent):
                raise UncertainDelivery(
                    text,
                    hint=f"{self.service.label} cannot recognise a repeat: the next run sends "
                    "that message again, marked as a possible repeat",
                ) from None
            raise SendError(text, hint=self._hint(number)) from None

    def _address(self, intent: Intent, number: int) -> tuple[str, dict[str, str]]:
        headers = {"Content-Type": "application/json"}
        ident = f"papercli-{intent.key}-{number}"
        kind = self.spec.type
        if kind == "matrix":
            room = quote(str(self.spec.options["room"]), safe="")
            url = (
                f"{self.spec.options['homeserver']}/_matrix/client/v3/rooms/{room}"
                f"/send/m.room.message/{quote(ident, safe='')}"
            )
            headers["Authorization"] = f"Bearer {self._secret}"
            return url, headers
        url = self._secret
        if kind == "discord":
            url += ("&" if "?" in url else "?") + "wait=true"
        if kind == "webhook":
            headers["Idempotency-Key"] = ident
            if self._token:
                headers["Authorization"] = f"Bearer {self._token}"
        return url, headers

    def _check(self, response: Response, number: int, total: int) -> None:
        status = response.status
        if 200 <= status < 300:
            self._note_rate_limit(response)
            return
        reason = self._scrub(self.service.refusal(status, response.content))
        where = f"part {number + 1} of {total}" if total > 1 else "the digest"
        if status == 504 and not self.service.repeatable:
            raise UncertainDelivery(
                f"{self.label}: a gateway timed out (HTTP 504) on {where}; it may have arrived",
                hint="the next run sends that message again, marked as a possible repeat",
            )
        raise SendError(f"{self.label} refused {where} ({reason})", hint=self._hint(number))

    def _note_rate_limit(self, response: Response) -> None:
        """Discord says how many requests are left before it limits; wait out a zero."""
        headers = response.headers
        self._pause = 0.0
        if headers.get("x-ratelimit-remaining") == "0":
            with contextlib.suppress(ValueError):
                self._pause = min(MAX_PAUSE, max(0.0, float(headers["x-ratelimit-reset-after"])))

    def _hint(self, number: int) -> str:
        done = "the parts before it were delivered and are recorded; " if number else ""
        return f"{done}its papers stay owed to channel {self.key} and go out with the next run"

    def _scrub(self, text: str) -> str:
        for secret in secret_pieces(self._secret, self._token):
            text = text.replace(secret, "[secret]")
        return sanitize(text)

    def _http(self) -> HttpClient:
        if self._client is None:
            from papercli.sources.http import HttpClient

            settings = self.session.settings
            self._client = HttpClient(
                timeout=settings["network.timeout"],
                retries=settings["network.retries"],
                contact=settings["network.contact"],
                max_bytes=1024 * 1024,
                transport=self.session.transport,
                sleep=self._abortable_sleep,
            )
        return self._client

    def _abortable_sleep(self, seconds: float) -> None:
        # A wait between attempts loses nothing: a signal may end it at once.
        if self._guard is None:
            self.session.sleep(seconds)
            return
        with self._guard.abortable():
            self.session.sleep(seconds)


def secret_pieces(*secrets: str | None) -> list[str]:
    """Every piece of a secret that a server might quote back: the whole, a URL's path and
    query and their longer segments (a Slack or Discord webhook's token is one), longest
    first so that a shorter piece never leaves part of a longer one behind."""
    from urllib.parse import unquote, urlsplit

    pieces = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        if "://" in secret:
            url = urlsplit(secret)
            for piece in (url.path, url.query, url.netloc.rpartition("@")[0]):
                pieces.update({piece, unquote(piece)})
            for segment in [*url.path.split("/"), *url.query.replace("&", "=").split("=")]:
                if len(segment) >= 8:
                    pieces.update({segment, unquote(segment)})
    return sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True)


def parts_of(intent: Intent) -> list[Part]:
    """The messages an intent holds, checked (an intent file is data from disk)."""
    raw = intent.payload.get("parts")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"the pending digest {intent.key} holds no messages")
    parts = []
    for item in raw:
        ids, body = (item.get("ids"), item.get("body")) if isinstance(item, dict) else (0, 0)
        if not isinstance(body, dict) or not isinstance(ids, list):
            raise ConfigError(f"the pending digest {intent.key} holds a damaged message")
        if not set(ids) <= set(intent.ids):
            raise ConfigError(f"the pending digest {intent.key} holds a foreign paper")
        parts.append(Part(body, tuple(ids)))
    return parts


def ids_confirmed(session: Session, intent: Intent) -> tuple[str, ...]:
    """The papers of the parts a service confirmed (for a delivery that stopped half way)."""
    if not isinstance(intent.payload.get("parts"), list):
        return ()
    done = confirmed_parts(session.store, intent)
    return tuple(i for n, p in enumerate(parts_of(intent)) if n in done for i in p.ids)


def payload_note(payload: Mapping[str, Any]) -> str:
    """How many messages an intent holds, for a log line."""
    parts = payload.get("parts")
    return f" in {len(parts)} messages" if isinstance(parts, list) and len(parts) > 1 else ""
