"""Sending papers to Zotero and reading the user's Zotero library (``sources.zotero``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from papercli.core.session import Session
from papercli.models import Paper
from papercli.sources import zotero
from papercli.store.zotero_state import pushed, record_pushed


@dataclass
class Pushed:
    """What a push did."""

    saved: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # pushed by an earlier run: skipped
    repeated: list[str] = field(default_factory=list)  # Zotero had the batch already


def push(
    session: Session,
    papers: Sequence[Paper],
    tags_of: Callable[[Paper], list[str]],
    *,
    again: bool = False,
) -> Pushed:
    """Add papers to the running Zotero, in batches, recording each confirmed batch."""
    outcome = Pushed()
    base = session.settings["zotero.url"]
    done = pushed(session.store)
    todo = [p for p in papers if again or p.id not in done]
    chosen = {p.id for p in todo}
    outcome.already = [p.id for p in papers if p.id not in chosen]
    if not todo:
        return outcome
    client = session.client()
    zotero.ping(client, base)
    for start in range(0, len(todo), zotero.BATCH):
        batch = todo[start : start + zotero.BATCH]
        items = [zotero.zotero_item(p, tags_of(p)) for p in batch]
        fresh = zotero.save_items(client, base, items)
        ids = [p.id for p in batch]
        record_pushed(session.store, ids, session.now().isoformat())
        (outcome.saved if fresh else outcome.repeated).extend(ids)
    return outcome


@dataclass
class Library:
    """The arXiv papers a Zotero library holds."""

    ids: list[str] = field(default_factory=list)
    items: int = 0
    without_id: int = 0


def read_library(session: Session) -> Library:
    """The arXiv ids of every top-level item in the user's Zotero library (read-only)."""
    library = Library()
    client = session.client()
    for item in zotero.library_items(client, session.settings["zotero.url"]):
        library.items += 1
        paper_id = zotero.arxiv_id_of(item)
        if paper_id is None:
            library.without_id += 1
        elif paper_id not in library.ids:
            library.ids.append(paper_id)
    return library
