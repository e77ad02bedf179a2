"""What ``papers feeds`` remembers about one feed directory, between runs.

``state/feeds-HASH.json`` (HASH of the directory's absolute path)::

    {"format": "papercli.feeds", "version": 1, "dir": "/home/me/public/papers",
     "papers": {"2606.07867": {"paper": {...}, "summary": "..."}},
     "feeds": {"all": {"title": "...", "added": {"2606.07867": "2026-06-12T20:00:05+00:00"}}}}

``added`` holds every paper a feed took in (for KEEP_DAYS), with when: a feed shows the
newest N of them, so a paper that left the window never comes back as new, and a second run
over the same days adds nothing. ``papers`` keeps the record of each paper still shown, so a
feed keeps its entries exactly as they were first written. Read strictly, like the digest
state: a damaged file stops the run and is set aside.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from papercli.errors import ConfigError
from papercli.models import LazyPattern, Paper, is_valid_id
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json

FORMAT = "papercli.feeds"
VERSION = 1
KEEP_DAYS = 400
FEED_NAME = LazyPattern(r"[a-z][a-z0-9_\-]{0,80}")


@dataclass
class FeedRecord:
    """One feed: its title and when each paper entered it."""

    title: str
    added: dict[str, str] = field(default_factory=dict)  # id -> ISO time it entered

    def window(self, size: int) -> list[str]:
        """The newest ``size`` ids, newest first (ties: by id, for a stable order)."""
        ranked = sorted(self.added.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        return [paper_id for paper_id, _ in ranked[:size]]


@dataclass
class FeedState:
    """Every feed written to one directory."""

    directory: str
    papers: dict[str, tuple[Paper, str]] = field(default_factory=dict)
    feeds: dict[str, FeedRecord] = field(default_factory=dict)

    def prune(self, now: datetime, size: int) -> None:
        """Forget what is older than KEEP_DAYS, and records no window shows any more."""
        cutoff = (now - timedelta(days=KEEP_DAYS)).isoformat()
        shown: set[str] = set()
        for record in self.feeds.values():
            record.added = {k: v for k, v in record.added.items() if v >= cutoff}
            shown.update(record.window(size))
        self.papers = {k: v for k, v in self.papers.items() if k in shown}

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "dir": self.directory,
            "papers": {
                k: {"paper": p.to_dict(), "summary": s} for k, (p, s) in sorted(self.papers.items())
            },
            "feeds": {
                name: {"title": r.title, "added": dict(sorted(r.added.items()))}
                for name, r in sorted(self.feeds.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Any, directory: str) -> FeedState:
        """Parse the on-disk form; raises ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a papercli feeds state")
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        papers, feeds = data.get("papers"), data.get("feeds")
        if not isinstance(papers, dict) or not isinstance(feeds, dict):
            raise ValueError("bad papers or feeds")
        state = cls(directory)
        for paper_id, item in papers.items():
            if not is_valid_id(paper_id) or not isinstance(item, dict):
                raise ValueError("bad paper entry")
            paper, summary = Paper.from_dict(item.get("paper")), item.get("summary")
            if paper.id != paper_id or not isinstance(summary, str):
                raise ValueError("bad paper entry")
            state.papers[paper_id] = (paper, summary)
        for name, record in feeds.items():
            if not isinstance(name, str) or not FEED_NAME.fullmatch(name):
                raise ValueError("bad feed name")
            if not isinstance(record, dict) or not isinstance(record.get("title"), str):
                raise ValueError("bad feed")
            added = record.get("added")
            if not isinstance(added, dict):
                raise ValueError("bad feed entries")
            for paper_id, stamp in added.items():
                if not is_valid_id(paper_id) or not isinstance(stamp, str):
                    raise ValueError("bad feed entry")
                datetime.fromisoformat(stamp)
            state.feeds[name] = FeedRecord(record["title"], dict(added))
        return state


def state_name(directory: Path) -> str:
    """The state (and lock) name of a feed directory."""
    digest = hashlib.sha256(str(directory).encode("utf-8")).hexdigest()[:12]
    return f"feeds-{digest}"


def load_feeds(store: Store, directory: Path) -> FeedState:
    """The state of a feed directory; a damaged file stops the run (set aside as .bad)."""
    path = store.state_path(state_name(directory))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return FeedState(str(directory))
    except OSError as exc:
        raise ConfigError(f"cannot read feed state {path}: {exc.strerror}") from None
    try:
        return FeedState.from_dict(json.loads(raw), str(directory))
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError) as exc:
        aside = path.with_name(path.name + ".bad")
        try:
            path.replace(aside)
        except OSError:
            raise ConfigError(f"feed state {path} is unreadable ({exc})") from None
        raise ConfigError(
            f"feed state {path} is unreadable ({exc}); moved it to {aside.name}",
            hint="run again to start these feeds afresh (readers may see recent papers again)",
        ) from None


def save_feeds(store: Store, state: FeedState) -> None:
    """Write the state atomically (StorageError when it cannot be written)."""
    directory = Path(state.directory)
    atomic_write(store.state_path(state_name(directory)), dump_json(state.to_dict()))
