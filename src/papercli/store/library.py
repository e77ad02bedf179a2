"""The reading list: saved papers with their full record and tags, kept under state/.

Saved papers stay available offline and survive ``cache clear``. Every change happens under
a lock and is written atomically, so two ``papers save`` runs never lose each other's work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from papercli.models import Paper, merge, sanitize
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json, load_own_list

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
    def parse(data: dict[str, Any]) -> dict[str, Saved]:
        return {
            item["paper"]["id"]: Saved(
                Paper.from_dict(item["paper"]), _stamp(item["saved_at"]), _tags(item)
            )
            for item in data["papers"]
        }

    return load_own_list(store.state_path(NAME), FORMAT, VERSION, "reading list", parse) or {}


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

    def parse(data: dict[str, Any]) -> list[str]:
        ids = [item["paper"]["id"] for item in data["papers"]]
        if not all(type(i) is str for i in ids):
            raise ValueError("ids must be text")
        return ids

    return load_own_list(store.state_path(NAME), FORMAT, VERSION, "reading list", parse) or []


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
