"""Holding SIGINT and SIGTERM while a delivery is being recorded.

Inside a ``Guard`` the two signals are deferred by default: a message the server may already
have accepted is always followed by its record. Steps that can be cut short without losing
anything (connecting, sending the body before the final dot, waiting between retries) run
under ``abortable()``, where a signal takes effect at once. A deferred signal takes effect
when the guard ends: SIGINT as KeyboardInterrupt (exit 130), SIGTERM as Terminated (143).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from papercli.errors import Terminated

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _raise_for(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


class Guard:
    """Defers SIGINT and SIGTERM (main thread only) except inside ``abortable()``."""

    def __init__(self, notify: Callable[[str], None] | None = None) -> None:
        self.notify = notify or (lambda _text: None)
        self.pending: int | None = None
        self._abortable = 0
        self._saved: dict[int, Any] = {}
        self._waiting_for = "the delivery in progress"

    def __enter__(self) -> Guard:
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self._saved[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved.clear()
        if self.pending is not None and exc_type is None:
            signum, self.pending = self.pending, None
            _raise_for(signum)

    def waiting_for(self, what: str) -> None:
        """Say what a deferred signal waits for (``the SMTP server's reply (at most 30 s)``)."""
        self._waiting_for = what

    @contextmanager
    def abortable(self) -> Iterator[None]:
        """A step that a signal may interrupt at once: it loses nothing."""
        if self.pending is not None:
            signum, self.pending = self.pending, None
            _raise_for(signum)
        self._abortable += 1
        try:
            yield
        finally:
            self._abortable -= 1

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self._abortable:
            _raise_for(signum)
        if self.pending is None:
            name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
            self.notify(f"{name}: finishing {self._waiting_for} first, so that it is recorded")
        self.pending = self.pending or signum
