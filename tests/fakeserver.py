"""A real HTTP server on 127.0.0.1 that serves fixture files and scripted faults.

Routes match on the path (and optionally query parameters); each route answers with a list of
responses used in turn (the last one repeats), so a test can script "503, 503, then 200".
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    """The bytes of a fixture file."""
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    """One scripted answer."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    # "reset": drop the connection; "hang": never answer; "truncate"; "drip": send the body
    # one byte every ``drip`` seconds; "drip-headers": the status line and headers too
    action: str = ""
    drip: float = 0.05


JSON = {"Content-Type": "application/json; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


@dataclass
class Route:
    path: str
    replies: list[Reply]
    query: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    answer: Callable[[dict[str, str]], Reply] | None = None  # a reply computed per request


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class FakeServer:
    """Start with ``with FakeServer() as server``; ``server.url`` is the base URL."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._hang = threading.Event()
        self._held = threading.Event()
        self.hold_from: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                outer._handle(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return None  # scripted resets and hangs are expected; keep stderr clean

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._hang.set()
        self._held.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(
        self,
        path: str,
        *replies: Reply,
        query: dict[str, str] | None = None,
    ) -> Route:
        """Answer GET ``path`` (with these query values, if given) with ``replies`` in turn."""
        route = Route(path, list(replies), dict(query or {}))
        with self._lock:
            self.routes.insert(0, route)  # later routes win, so tests can override
        return route

    def respond(self, path: str, answer: Callable[[dict[str, str]], Reply]) -> Route:
        """Answer GET ``path`` with ``answer(query)``: a fake service rather than a script."""
        route = Route(path, [], answer=answer)
        with self._lock:
            self.routes.insert(0, route)
        return route

    def serve_hf_days(self, days: dict[str, bytes], *, delay: float = 0.0) -> None:
        """HF's daily papers: these bodies for these dates, ``[]`` (a weekend) for any other."""
        self.route("/api/daily_papers", Reply(b"[]", 200, JSON, delay=delay))
        for day, body in days.items():
            self.route(
                "/api/daily_papers", Reply(body, 200, JSON, delay=delay), query={"date": day}
            )

    def hold(self, after: int) -> None:
        """Keep every request past the first ``after`` (counted since start) unanswered until
        ``release``: a client owed an answer cannot finish, whatever the machine's speed."""
        with self._lock:
            self._held.clear()
            self.hold_from = after

    def release(self) -> None:
        """Answer the held requests and hold no more."""
        with self._lock:
            self.hold_from = None
            self._held.set()

    def hits(self, path: str) -> int:
        """How many requests reached ``path``."""
        return sum(1 for r in self.requests if r.path == path)

    def _find(self, path: str, query: dict[str, str]) -> Route | None:
        for route in self.routes:
            if route.path == path and all(query.get(k) == v for k, v in route.query.items()):
                return route
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(
                Request(parts.path, query, dict(handler.headers), time.monotonic())
            )
            held = self.hold_from is not None and len(self.requests) > self.hold_from
            route = self._find(parts.path, query)
            if route is None:
                reply = Reply(b'{"error":"no such route"}', 404, JSON)
            elif route.answer is not None:
                route.hits += 1
                reply = route.answer(query)
            else:
                reply = route.replies[min(route.hits, len(route.replies) - 1)]
                route.hits += 1
        if held:
            self._held.wait(30)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.action == "hang":
            self._hang.wait(30)
            return
        if reply.action == "reset":
            # SO_LINGER 0 and closing every handle on the socket makes the kernel send RST.
            sock = handler.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.rfile.close()
            handler.wfile.close()
            sock.close()
            return
        body = reply.body
        if reply.action in ("drip", "drip-headers"):
            self._drip(handler, reply)
            return
        handler.send_response(reply.status)
        headers = {"Content-Length": str(len(body)), **reply.headers}
        if reply.action == "truncate":
            headers["Content-Length"] = str(len(body) * 2)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        try:
            handler.wfile.write(body)
            handler.wfile.flush()
        except OSError:
            pass
        if reply.action == "truncate":
            handler.close_connection = True

    def _drip(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(reply.body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in reply.headers.items()) + "\r\n"
        slow = reply.body if reply.action == "drip" else head.encode() + reply.body
        try:
            if reply.action == "drip":
                handler.wfile.write(head.encode())
                handler.wfile.flush()
            for byte in slow:
                if self._hang.wait(reply.drip):
                    return  # the server is shutting down
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:
            pass  # the client gave up: what the test wants
        handler.close_connection = True


def api_feed(entries: list[dict[str, str]], total: int | None = None) -> bytes:
    """An arXiv API Atom page in the 2026 format (see fixtures/arxiv_api_query_*.xml).

    Each entry: id (with version), title, published (ISO Z), primary, categories (comma list).
    """
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/test</id>\n  <title>arXiv Query: test</title>\n"
        "  <updated>2026-11-27T12:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
    ]
    for e in entries:
        cats = "".join(
            f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n'
            for c in e["categories"].split(",")
        )
        parts.append(
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{e['id']}</id>\n"
            f"    <title>{e['title']}</title>\n"
            f"    <updated>{e['published']}</updated>\n"
            f'    <link href="https://arxiv.org/abs/{e["id"]}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{e.get('abstract', 'An abstract.')}</summary>\n"
            f"{cats}"
            f"    <published>{e['published']}</published>\n"
            f'    <arxiv:primary_category term="{e["primary"]}"/>\n'
            f"    <author>\n      <name>{e.get('author', 'Ada Lovelace')}</name>\n    </author>\n"
            "  </entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()
