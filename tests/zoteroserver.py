"""A local server that answers like the Zotero app's HTTP server on port 23119.

Built from Zotero's source (chrome/content/zotero/xpcom/server/server.js, server_connector.js,
saveSession.js, server_localAPI.js): the connector's ``/connector/ping`` and
``/connector/saveItems`` (201; 409 ``SESSION_EXISTS`` for a session id it has seen; 400 for
a wrong method, content type or invalid JSON; a request that looks like a browser's without
``X-Zotero-Connector-API-Version`` is dropped), and the local API's
``/api/users/0/items[/top]`` (403 "Local API is not enabled" unless enabled; ``start`` and
``limit``; ``Total-Results``, ``Link`` and ``Zotero-API-Version`` headers).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ITEM_TYPES = {"preprint", "journalArticle", "book", "webpage", "conferencePaper"}


class ZoteroServer:
    """``with ZoteroServer() as zotero``: ``zotero.url`` is where the app would listen."""

    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []  # items saved through the connector
        self.sessions: set[str] = set()
        self.library: list[dict[str, Any]] = []  # what the local API serves
        self.local_api = False
        self.faults: list[str] = []  # "drop-after" for saveItems
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                outer._handle(self, "GET")

            def do_POST(self) -> None:
                outer._handle(self, "POST")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                return None

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ZoteroServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, kind: str,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("X-Zotero-Version", "7.0.15")
        h.send_header("X-Zotero-Connector-API-Version", "3")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        self.requests.append(f"{method} {parts.path}")
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0)) if method == "POST" else b""
        if parts.path == "/connector/ping":
            if method == "GET":
                page = b"<!DOCTYPE html><html><body>Zotero is running</body></html>"
                self._send(h, 200, page, "text/html")
            else:
                self._send(h, 200, b'{"prefs": {"automaticSnapshots": true}}', "application/json")
            return
        if parts.path == "/connector/saveItems":
            self._save_items(h, method, raw)
            return
        if parts.path.startswith("/api/"):
            self._local_api(h, parts.path, parse_qs(parts.query))
            return
        self._send(h, 404, b"No endpoint found\n", "text/plain")

    def _save_items(self, h: BaseHTTPRequestHandler, method: str, raw: bytes) -> None:
        if method != "POST":
            self._send(h, 400, b"Endpoint does not support method\n", "text/plain")
            return
        browser = (h.headers.get("User-Agent") or "").startswith("Mozilla/")
        if browser and not h.headers.get("X-Zotero-Connector-API-Version"):
            h.close_connection = True  # Zotero cancels the response: a browser page asked
            return
        if (h.headers.get("Content-Type") or "").split(";")[0] != "application/json":
            self._send(h, 400, b"Endpoint does not support content-type\n", "text/plain")
            return
        try:
            data = json.loads(raw)
        except ValueError:
            self._send(h, 400, b"Invalid JSON provided\n", "text/plain")
            return
        session = data.get("sessionID")
        if session in self.sessions:
            self._send(h, 409, b'{"error": "SESSION_EXISTS"}', "application/json")
            return
        self.sessions.add(session or f"random-{len(self.sessions)}")
        items = data.get("items")
        if not isinstance(items, list) or any(i.get("itemType") not in ITEM_TYPES for i in items):
            self._send(h, 500, b"", "text/plain")  # the item saver throws; Zotero answers 500
            return
        self.saved.extend(items)
        if self.faults and self.faults.pop(0) == "drop-after":
            h.close_connection = True
            h.connection.close()
            return
        self._send(h, 201, b"", "application/json")

    def _local_api(self, h: BaseHTTPRequestHandler, path: str, query: dict[str, list[str]]) -> None:
        if not self.local_api:
            self._send(h, 403, b"Local API is not enabled", "text/plain")
            return
        if path not in ("/api/users/0/items", "/api/users/0/items/top"):
            self._send(h, 404, b"Not found", "text/plain", {"Zotero-API-Version": "3"})
            return
        items = self.library
        start = max(0, int(query.get("start", ["0"])[0] or 0))
        limit_text = query.get("limit", [""])[0]
        limit = int(limit_text) if limit_text else len(items) - start
        page = items[start : start + limit]
        headers = {
            "Zotero-API-Version": "3",
            "Total-Results": str(len(items)),
            "Link": f'<{self.url}{path}?start={start + limit}>; rel="next"',
        }
        self._send(h, 200, json.dumps(page, indent=4).encode(), "application/json", headers)


def library_item(key: str, **data: Any) -> dict[str, Any]:
    """A local API item (web API v3 form): ``{"key", "version", "library", "data"}``."""
    return {
        "key": key,
        "version": 1,
        "library": {"type": "user", "id": 0, "name": "My Library"},
        "data": {"key": key, "version": 1, "itemType": "preprint", "tags": [], **data},
    }
