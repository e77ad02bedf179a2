"""Local servers that behave like Slack, Discord and Matrix, and a generic webhook receiver.

Each checks what the real service checks and answers as it answers (limits from the services'
documentation): Slack's incoming webhooks take at most 50 blocks, 3,000 characters of section
text and 150 of header text, answer ``ok`` or a 4xx with an error code (``invalid_blocks``),
and 429 with Retry-After past one message per second; Discord's take at most 10 embeds and
6,000 characters of embed text (title 256, description 4,096, 25 fields, content 2,000) and
answer 400 ``{"code": 50035, "errors": ...}`` past them, the message as JSON with
``?wait=true``; a Matrix homeserver checks the access token (401 ``M_UNKNOWN_TOKEN``), the
event size (413 ``M_TOO_LARGE`` past 65,536 bytes) and returns the first event id again for
a repeated transaction id; the webhook receiver honours ``Idempotency-Key``.

Faults are scripted per service, one per request, in order: ``"429"`` (``"429:600"`` asks
for ten minutes), ``"500"``, ``"504"``,
``"drop-before"`` (read the request, post nothing, close), ``"drop-after"`` (post the
message, then close without answering), ``"stall-after"`` (post, answer too late).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

ARXIV_ID = re.compile(r"arxiv\.org/abs/(\d{4}\.\d{4,5})")
SLACK_PATH = "/services/T0001/B0001/s3cr3tSLACKtoken"
DISCORD_PATH = "/api/webhooks/123456/s3cr3tDISCORDtoken"
WEBHOOK_PATH = "/hook/s3cr3tHOOKtoken"
MATRIX_TOKEN = "syt_s3cr3tMATRIXtoken"
ROOM = "!room:example.org"


@dataclass
class Seen:
    """What one service received and kept."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # txn id / idempotency key -> reply
    limit: int | None = None  # a stricter limit (bytes, or Slack blocks) to refuse past

    def delivered(self) -> Counter[str]:
        """How many kept messages carried each paper."""
        counts: Counter[str] = Counter()
        for message in self.messages:
            counts.update(set(ARXIV_ID.findall(json.dumps(message))))
        return counts


class ChatServer:
    """``with ChatServer() as chat``: ``chat.url`` serves all four services."""

    def __init__(self) -> None:
        self.slack, self.discord, self.matrix, self.webhook = Seen(), Seen(), Seen(), Seen()
        self.last_slack: float | None = None
        self.discord_remaining = "4"  # X-RateLimit-Remaining Discord reports after a message
        self.lock = threading.Lock()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_POST(self) -> None:
                outer._handle(self)

            def do_PUT(self) -> None:
                outer._handle(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return None

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def env(self) -> dict[str, str]:
        """The secrets, as papercli reads them for channels slack, discord, matrix, hook."""
        return {
            "PAPERS_CHANNEL_SLACK_URL": self.url + SLACK_PATH,
            "PAPERS_CHANNEL_DISCORD_URL": self.url + DISCORD_PATH,
            "PAPERS_CHANNEL_MATRIX_TOKEN": MATRIX_TOKEN,
            "PAPERS_CHANNEL_HOOK_URL": self.url + WEBHOOK_PATH,
        }

    def config(self) -> str:
        """A config with one channel of each type, named slack, discord, matrix and hook."""
        return (
            '[digest.channels.slack]\ntype = "slack"\n'
            '[digest.channels.discord]\ntype = "discord"\n'
            f'[digest.channels.matrix]\ntype = "matrix"\nhomeserver = "{self.url}"\n'
            f'room = "{ROOM}"\n'
            '[digest.channels.hook]\ntype = "webhook"\n'
        )

    # Handling.

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        path = urlsplit(handler.path).path
        if path == SLACK_PATH:
            seen, answer = self.slack, self._slack
        elif path == DISCORD_PATH:
            seen, answer = self.discord, self._discord
        elif path == WEBHOOK_PATH:
            seen, answer = self.webhook, self._webhook
        elif path.startswith("/_matrix/client/v3/rooms/"):
            seen, answer = self.matrix, self._matrix
        else:
            self._reply(handler, 404, b"no_service", "text/html")
            return
        with self.lock:
            seen.requests.append({"path": handler.path, "headers": dict(handler.headers)})
            fault = seen.faults.pop(0) if seen.faults else ""
        if fault.startswith("429"):
            body = b'{"message": "You are being rate limited.", "retry_after": 0.2}'
            wait = fault.partition(":")[2] or "1"
            self._reply(handler, 429, body, "application/json", {"Retry-After": wait})
            return
        if fault in ("500", "504"):
            self._reply(handler, int(fault), b"rollup_error", "text/plain")
            return
        if fault == "drop-before":
            handler.close_connection = True
            handler.connection.close()
            return
        try:
            data = json.loads(raw)
        except ValueError:
            self._reply(handler, 400, b"invalid_payload", "text/plain")
            return
        status, body, kind, headers = answer(handler, path, data, raw)
        if fault == "drop-after":
            handler.close_connection = True
            handler.connection.close()
            return
        if fault == "stall-after":
            self.release.wait(5)
        self._reply(handler, status, body, kind, headers)

    def _reply(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass

    def _slack(self, handler: Any, path: str, data: Any, raw: bytes) -> tuple:
        blocks = data.get("blocks", [])
        limit = self.slack.limit or 50
        bad = len(blocks) > limit or not (data.get("text") or blocks)
        for block in blocks:
            text = block.get("text", {}).get("text", "")
            if block.get("type") == "header" and (len(text) > 150 or not text):
                bad = True
            if block.get("type") == "section" and len(text) > 3000:
                bad = True
            if block.get("type") == "context" and len(block.get("elements", [])) > 10:
                bad = True
        if bad:
            return 400, b"invalid_blocks", "text/plain", {}
        with self.lock:
            now = time.monotonic()
            if self.last_slack is not None and now - self.last_slack < 0.9:
                return 429, b"rate_limited", "text/plain", {"Retry-After": "1"}
            self.last_slack = now
            self.slack.messages.append(data)
        return 200, b"ok", "text/html", {}

    def _discord(self, handler: Any, path: str, data: Any, raw: bytes) -> tuple:
        embeds = data.get("embeds", [])
        errors: dict[str, Any] = {}

        def too_long(limit: int, code: str = "BASE_TYPE_MAX_LENGTH") -> dict[str, Any]:
            return {"_errors": [{"code": code, "message": f"Must be {limit} or fewer in length."}]}

        if len(embeds) > 10:
            errors["embeds"] = too_long(10)
        total = 0
        for n, embed in enumerate(embeds):
            for key, limit in (("title", 256), ("description", 4096)):
                if len(embed.get(key, "")) > limit:
                    errors.setdefault("embeds", {})[str(n)] = {key: too_long(limit)}
            total += len(embed.get("title", "")) + len(embed.get("description", ""))
            total += len(embed.get("author", {}).get("name", ""))
            total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
        if total > (self.discord.limit or 6000):
            errors.setdefault("embeds", {}).update(too_long(6000, "MAX_EMBED_SIZE_EXCEEDED"))
        if len(data.get("content", "")) > 2000:
            errors["content"] = too_long(2000)
        if errors:
            body = {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
            return 400, json.dumps(body).encode(), "application/json", {}
        with self.lock:
            self.discord.messages.append(data)
            number = len(self.discord.messages)
        waited = "wait=true" in handler.path
        message = {"id": str(1000 + number), "type": 0, "content": data.get("content", "")}
        headers = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": self.discord_remaining,
                   "X-RateLimit-Reset-After": "0.4"}  # fmt: skip
        if not waited:
            return 204, b"", "application/json", headers
        return 200, json.dumps(message).encode(), "application/json", headers

    def _matrix(self, handler: Any, path: str, data: Any, raw: bytes) -> tuple:
        match = re.fullmatch(
            r"/_matrix/client/v3/rooms/([^/]+)/send/m\.room\.message/([^/]+)", path
        )
        if not match or unquote(match.group(1)) != ROOM:
            return (
                404,
                b'{"errcode": "M_NOT_FOUND", "error": "Unknown room"}',
                "application/json",
                {},
            )
        if handler.headers.get("Authorization") != f"Bearer {MATRIX_TOKEN}":
            body = b'{"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."}'
            return 401, body, "application/json", {}
        if len(raw) > (self.matrix.limit or 65536):
            body = b'{"errcode": "M_TOO_LARGE", "error": "event too large"}'
            return 413, body, "application/json", {}
        txn = unquote(match.group(2))
        with self.lock:
            if txn not in self.matrix.keys:
                self.matrix.messages.append(data)
                self.matrix.keys[txn] = f"$event{len(self.matrix.messages)}"
            event = self.matrix.keys[txn]
        return 200, json.dumps({"event_id": event}).encode(), "application/json", {}

    def _webhook(self, handler: Any, path: str, data: Any, raw: bytes) -> tuple:
        if self.webhook.limit and len(raw) > self.webhook.limit:
            return 413, b"Payload Too Large", "text/plain", {}
        key = handler.headers.get("Idempotency-Key") or ""
        with self.lock:
            if not key or key not in self.webhook.keys:
                self.webhook.messages.append(data)
                self.webhook.keys[key] = "seen"
        return 200, b'{"ok": true}', "application/json", {}
