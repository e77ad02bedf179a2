"""One invocation's context: settings, store, clock, the lazily built HTTP client, notices.

The core reports what the user should know (which day a source shows, a refresh that failed)
as notices collected here; the CLI renders them on stderr. The core itself never prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from papercli.config import Settings
from papercli.errors import OfflineError
from papercli.store.cache import Store

if TYPE_CHECKING:
    from papercli.sources.http import HttpClient, Wait
    from papercli.store.index import Index


class Progress(Protocol):
    """Told how far a long fetch has come; the CLI draws a bar when stderr is a terminal."""

    def __call__(self, task: str, done: int, total: int) -> None: ...


def _no_progress(*_args: object) -> None:
    return None


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class Notice(NamedTuple):
    """A line for the user on stderr: ``info`` (what is shown and why) or ``warning``."""

    level: str
    text: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Session:
    """Everything a use case needs, built once per invocation."""

    # A plain class, not a dataclass: see models._PaperFields (start-up cost).
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        offline: bool = False,
        refresh: bool = False,
        now: Callable[[], datetime] = _utc_now,
        transport: Any = None,
        sleep: Callable[[float], None] | None = None,
        progress: Progress = _no_progress,
        waiting: Callable[[Wait], None] | None = None,
        live: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.offline = offline
        self.refresh = refresh
        self.now = now
        self.transport = transport  # an httpx transport, for tests and mirrors
        # Looked up when called, so a test that replaces ``_sleep`` reaches every session.
        self.sleep = sleep or (lambda seconds: _sleep(seconds))
        self.progress = progress
        self.waiting = waiting  # what the HTTP client waits for
        # Told at once (not at the end) what a long step is doing or waiting for; the CLI
        # writes it to stderr. By default it becomes an info notice like any other.
        self.live = live
        self.notices: list[Notice] = []
        self.shown: list[Notice] = []  # notices the CLI already printed
        self.cancelled = False  # set on Ctrl-C: threads still running must not write
        self._client: HttpClient | None = None
        self._pace_checked = False
        self._index: Index | None = None

    @classmethod
    def create(cls, settings: Settings, **kwargs: Any) -> Session:
        """A session whose store reports unreadable files as warnings."""
        session = cls(settings=settings, store=Store(settings.data_dir), **kwargs)
        session.store.warn = session.warn
        exposed = session.store.exposure()
        if exposed:
            session.warn(exposed)
        return session

    def info(self, text: str) -> None:
        """Tell the user what is shown and why."""
        self.notices.append(Notice("info", text))

    def warn(self, text: str) -> None:
        """Tell the user something went wrong but papercli carried on."""
        self.notices.append(Notice("warning", text))

    def say(self, text: str) -> None:
        """Tell the user now what a long step is doing or waiting for."""
        if self.live is not None:
            self.live(text)
        else:
            self.info(text)

    def client(self) -> HttpClient:
        """The HTTP client, built on first use (importing httpx only then)."""
        if self.offline:
            # Defence in depth: every caller checks ``offline`` first.
            raise OfflineError("--offline: not opening a network connection")
        if self._client is None:
            from papercli.sources.http import HttpClient

            settings = self.settings
            self._client = HttpClient(
                timeout=settings["network.timeout"],
                retries=settings["network.retries"],
                contact=settings["network.contact"],
                max_bytes=int(settings["network.max_response_mb"] * 1024 * 1024),
                pacing={"arxiv": settings["network.arxiv_delay"]},
                transport=self.transport,
                sleep=self.sleep,
                **({"on_wait": self.waiting} if self.waiting else {}),
                on_request=self._check_pace,
            )
        return self._client

    def _check_pace(self, url: str, pace: str | None) -> None:
        """Warn once per run when requests to arXiv itself come faster than arXiv asks."""
        if pace != "arxiv" or self._pace_checked:
            return
        warning = self.settings.impolite_arxiv_delay(url)
        if warning:
            self._pace_checked = True
            self.warn(warning)

    def index(self) -> Index:
        """The cache index, opened (and brought up to date) on first use."""
        if self._index is None:
            from papercli.store.index import Index

            index = Index(self.store)
            index.on_wait = self.say
            index.progress = lambda done, total, what: self.progress(what, done, total)
            index.open()
            self._index = index
        return self._index

    @property
    def opened_index(self) -> Index | None:
        """The cache index if this session has it open, else None (nothing is opened)."""
        return self._index

    def close(self) -> None:
        """Release the HTTP client and the index if they were opened."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._index is not None:
            self._index.close()
            self._index = None
