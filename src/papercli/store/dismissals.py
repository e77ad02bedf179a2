"""Dismissed papers ("not interested"): the For you ranking's negatives, kept under state/.

Like the reading list, each dismissal keeps the paper's record, so the model can learn from
it after ``cache clear``; every change is made under a lock and written atomically, and a
file that cannot be read is an error, never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from papercli.models import Paper
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json, load_own_list

FORMAT = "papercli.dismissals"
VERSION = 1
NAME = "dismissed"


def _load(store: Store) -> dict[str, tuple[Paper, str]]:
    def parse(data: dict[str, Any]) -> dict[str, tuple[Paper, str]]:
        items = {}
        for item in data["papers"]:
            stamp = item["dismissed_at"]
            if type(stamp) is not str:
                raise ValueError("dismissed_at: expected text")
            datetime.fromisoformat(stamp)
            paper = Paper.from_dict(item["paper"])
            items[paper.id] = (paper, stamp)
        return items

    what = "list of dismissed papers"
    return load_own_list(store.state_path(NAME), FORMAT, VERSION, what, parse) or {}


def _save(store: Store, items: dict[str, tuple[Paper, str]]) -> None:
    ordered = sorted(items.values(), key=lambda item: (item[1], item[0].id))
    data = {
        "format": FORMAT,
        "version": VERSION,
        "papers": [{"paper": p.to_dict(), "dismissed_at": at} for p, at in ordered],
    }
    atomic_write(store.state_path(NAME), dump_json(data))


def dismissed(store: Store) -> list[Paper]:
    """The dismissed papers, oldest dismissal first."""
    items = sorted(_load(store).values(), key=lambda item: (item[1], item[0].id))
    return [paper for paper, _ in items]


def dismissed_ids(store: Store) -> set[str]:
    """The ids of the dismissed papers."""
    return set(_load(store))


def add(store: Store, papers: Iterable[Paper], now: datetime) -> int:
    """Dismiss papers; returns how many were not dismissed before."""
    with store.lock(NAME, timeout=10):
        items = _load(store)
        added = 0
        for paper in papers:
            if paper.id not in items:
                added += 1
            items[paper.id] = (paper, items.get(paper.id, (paper, now.isoformat()))[1])
        _save(store, items)
    return added


def remove(store: Store, ids: Iterable[str]) -> list[str]:
    """Undismiss papers; returns the ids that were not dismissed."""
    with store.lock(NAME, timeout=10):
        items = _load(store)
        missing = [i for i in ids if items.pop(i, None) is None]
        _save(store, items)
    return missing
