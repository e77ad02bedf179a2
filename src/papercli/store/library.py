"""The reading list: saved papers with their full record and tags, kept under state/.

Saved papers stay available offline and survive ``cache clear``. Every change happens under
a lock and is written atomically, so two ``papers save`` runs never lose each other's work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from papercli.errors import ConfigError
from papercli.models import Paper, merge, sanitize
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json, load_json, read_file

FORMAT = "papercli.reading-list"
VERSION = 1
NAME = "reading-list"


@dataclass
class Saved:
    """One saved paper."""

    paper: Paper
    saved_at: str
    tags: list[str] = field(default_factory=list)


def _load(store: Store) -> dict[str, Saved]:
    path = store.state_path(NAME)
    try:
        raw = read_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return {}  # nothing saved yet (a file where the data dir should be is said on writing)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the reading list {path}: {exc.strerror}",
            hint="papercli reads only the file itself; fix or move it",
        ) from None
    try:
        data = load_json(raw)
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a papercli reading list of a known version")
        return {
            item["paper"]["id"]: Saved(
                Paper.from_dict(item["paper"]), _stamp(item["saved_at"]), _tags(item)
            )
            for item in data["papers"]
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # Never overwrite a reading list we cannot read: it is the user's own data.
        raise ConfigError(
            f"reading list {path} is unreadable ({exc})",
            hint="fix or move the file away; papercli will not overwrite it",
        ) from None


def _stamp(value: object) -> str:
    if type(value) is not str:
        raise ValueError(f"saved_at: expected text, got {type(value).__name__}")
    datetime.fromisoformat(value)  # raises ValueError for anything else
    return value


def _tags(item: dict[str, object]) -> list[str]:
    tags = item.get("tags") or []
    if type(tags) is not list or any(type(t) is not str for t in tags):
        raise ValueError("tags: expected a list of text")
    return [t for t in map(sanitize, tags) if t]


def _save(store: Store, items: dict[str, Saved]) -> None:
    data = {
        "format": FORMAT,
        "version": VERSION,
        "papers": [
            {"paper": s.paper.to_dict(), "saved_at": s.saved_at, "tags": sorted(set(s.tags))}
            for s in sorted(items.values(), key=lambda s: (s.saved_at, s.paper.id))
        ],
    }
    atomic_write(store.state_path(NAME), dump_json(data))


def saved_ids(store: Store) -> list[str]:
    """The saved papers' ids: the reading list read (and checked) without building every
    record, for the For you model's fingerprint on every ranked listing."""
    path = store.state_path(NAME)
    try:
        raw = read_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError:
        return [s.paper.id for s in saved(store)]  # says what is wrong with the file
    try:
        data = load_json(raw)
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a papercli reading list")
        ids = [item["paper"]["id"] for item in data["papers"]]
        if not all(type(i) is str for i in ids):
            raise ValueError("ids must be text")
        return ids
    except (ValueError, KeyError, TypeError, AttributeError):
        return [s.paper.id for s in saved(store)]  # the full read says what is wrong


def saved(store: Store, tag: str | None = None) -> list[Saved]:
    """The reading list (oldest first), optionally only one tag."""
    items = sorted(_load(store).values(), key=lambda s: (s.saved_at, s.paper.id))
    return [s for s in items if tag is None or tag in s.tags]


def add(store: Store, papers: Iterable[Paper], tags: Iterable[str], now: datetime) -> int:
    """Save papers (refreshing records already saved and adding tags); returns how many new."""
    tags = list(tags)
    with store.lock(NAME, timeout=10):
        items = _load(store)
        added = 0
        for paper in papers:
            old = items.get(paper.id)
            if old is None:
                items[paper.id] = Saved(paper, now.isoformat(), tags)
                added += 1
            else:
                old.paper = merge(old.paper, paper)
                old.tags = sorted(set(old.tags) | set(tags))
        _save(store, items)
    return added


def remove(store: Store, ids: Iterable[str]) -> list[str]:
    """Unsave papers; returns the ids that were not saved."""
    with store.lock(NAME, timeout=10):
        items = _load(store)
        missing = []
        for paper_id in ids:
            if items.pop(paper_id, None) is None:
                missing.append(paper_id)
        _save(store, items)
    return missing
