"""Headless Chromium driven over the DevTools protocol on a pipe, with the standard library.

Chromium reads commands on fd 3 and writes answers and events on fd 4, each a JSON message
ended by a NUL byte (--remote-debugging-pipe). Every read has a deadline, so a browser that
hangs fails the test instead of stalling the suite. The flags keep it off the network: it
otherwise tries to reach Google's update and sync services.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def executable() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _high(fd: int) -> int:
    """The same pipe end on a descriptor above 4, so the child's dup2 onto 3 and 4 is safe."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium; ``render`` loads a page at a viewport size and measures it."""

    def __init__(self, timeout: float = 60.0) -> None:
        binary = executable()
        if binary is None:
            raise RuntimeError("chromium is not installed")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="papercli-chromium-")
        to_child_r, self._to_child = map(_high, os.pipe())
        self._from_child, from_child_w = map(_high, os.pipe())

        def wire() -> None:  # in the child, between fork and exec
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self._process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,  # the only way to hand exact fd numbers to the child
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has."""
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result (events are kept for ``wait``)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait(self, event: str, session: str) -> None:
        """Until the page reports ``event``."""
        deadline = time.monotonic() + self.timeout
        while True:
            for number, seen in enumerate(self._events):
                if seen.get("method") == event and seen.get("sessionId") == session:
                    del self._events[: number + 1]
                    return
            self._events.append(self._read_message(deadline))

    def render(
        self, page: Path, width: int, height: int, script: str, screenshot: Path | None = None
    ) -> Any:
        """Load ``page`` at width x height (a phone below 600 px), run ``script``, return its
        value; save a full-page PNG to ``screenshot``."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            self.send(
                "Emulation.setDeviceMetricsOverride", session,
                width=width, height=height, deviceScaleFactor=1, mobile=width < 600,
            )  # fmt: skip
            self.send("Page.enable", session)
            self.send("Page.navigate", session, url=page.resolve().as_uri())
            self.wait("Page.loadEventFired", session)
            result = self.send("Runtime.evaluate", session, expression=script, returnByValue=True)
            if "exceptionDetails" in result:
                raise RuntimeError(f"script failed: {result['exceptionDetails']}")
            if screenshot is not None:
                shot = self.send(
                    "Page.captureScreenshot", session, format="png", captureBeyondViewport=True
                )
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            return result["result"].get("value")
        finally:
            self.send("Target.closeTarget", targetId=target)
