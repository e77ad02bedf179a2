"""The For you use cases: train (or load) the model, rank a listing, pick a digest's papers.

The model is derived from the reading list and the dismissals and cached beside the index
(``store.foryou_model``); it is retrained only when either changes. Nothing here prints:
what the user should know (too few saved papers, a rebuilt model) becomes a notice.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from papercli.core.session import Session
from papercli.errors import BusyError, StorageError
from papercli.models import Paper
from papercli.query import foryou as learned
from papercli.store import dismissals, foryou_model, library

if TYPE_CHECKING:
    from papercli.store.index import Index

# The digest's For you section, and the For you feed, wait for this many saved papers: with
# fewer, "For you" would be mostly noise.
MIN_SAVED_FOR_DIGEST = 5
BACKGROUND_SIZE = 3000  # cached papers that stand for "everything else" while training
BACKGROUND_DAYS = 30  # newest cached days those are drawn from
# From this many papers a ranking reads the term postings in the index: a day's listing is
# cheaper to tokenise than the index is to open.
POSTINGS_FROM = 2000


@dataclass(frozen=True)
class Ranking:
    """A listing in For you order; ``scores`` and ``model`` are None when it fell back to
    upvotes (too few saved papers)."""

    papers: list[Paper]
    scores: dict[str, float] | None
    model: learned.Model | None
    dismissed: frozenset[str]


def fingerprint(saved_ids: list[str], dismissed_ids: list[str]) -> str:
    """What a model was trained on: the reading list, the dismissals, the model version."""
    text = f"v{learned.VERSION}|{','.join(sorted(saved_ids))}|{','.join(sorted(dismissed_ids))}"
    data = text.encode()
    # Two CRCs and the length, not a cryptographic hash: loading OpenSSL for hashlib costs
    # more than the whole ranking of a day, and nobody forges a reading list against itself.
    return f"{zlib.crc32(data):08x}{zlib.crc32(data[::-1]):08x}{len(data):x}"


def _background(session: Session) -> list[Paper]:
    """A sample of the newest cached listings: the papers the user did not pick."""
    store = session.store
    found: dict[str, Paper] = {}
    sources: list[tuple[str, str | None]] = [("hf", None)]
    sources += [("arxiv", c) for c in store.cached_categories()]
    for source, category in sources:
        days: list[date] = store.listing_days(source, category)[-BACKGROUND_DAYS:]
        for day in days:
            listing = store.read_listing(source, day, category, memo=False)
            for paper in listing.papers if listing else ():
                found.setdefault(paper.id, paper)
    papers = sorted(found.values(), key=lambda p: p.id)
    if len(papers) > BACKGROUND_SIZE:
        import random

        papers = random.Random(0).sample(papers, BACKGROUND_SIZE)  # same sample every run
    return papers


def model(
    session: Session, saved_ids: list[str], dismissed_ids: frozenset[str]
) -> learned.Model | None:
    """The model trained on these saved and dismissed papers, from the cache when it is
    current; None below the minimum saved."""
    if len(saved_ids) < learned.MIN_SAVED:
        return None
    key = fingerprint(saved_ids, sorted(dismissed_ids))
    stored = foryou_model.load(session.store, key)
    if stored is not None:
        try:
            return learned.Model.from_dict(stored)
        except (ValueError, TypeError, KeyError, AttributeError):
            session.warn("the For you model is corrupt; rebuilding it")
    saved = [s.paper for s in library.saved(session.store)]
    dismissed = dismissals.dismissed(session.store)
    trained = learned.train(saved, dismissed, _background(session))
    foryou_model.save(session.store, key, trained.to_dict())
    return trained


def rank(session: Session, papers: list[Paper]) -> Ranking:
    """``papers`` best first for this reader, dismissed papers last.

    With fewer than ``MIN_SAVED`` saved papers the order is by upvotes, and a notice says how
    many more papers to save.
    """
    # Each file read once: this runs on every `--sort for-you` listing.
    saved_ids = library.saved_ids(session.store)
    dismissed = frozenset(dismissals.dismissed_ids(session.store))
    trained = model(session, saved_ids, dismissed)
    if trained is None:
        count = len(saved_ids)
        need = learned.MIN_SAVED - count
        session.info(
            f"For you needs {need} more saved paper{'s' * (need != 1)} "
            f"(you have {count}; save with `papers save ID`): sorted by upvotes"
        )
        ordered = sorted(papers, key=lambda p: (p.id in dismissed, -(p.upvotes or 0), p.id))
        return Ranking(ordered, None, None, dismissed)
    with _no_collection():
        scored = _scored(session, trained, papers)
        if dismissed:
            scored.sort(key=lambda ps: ps[0].id in dismissed)  # stable: order kept in each part
        scores = {p.id: s for p, s in scored}
        return Ranking([p for p, _ in scored], scores, trained, dismissed)


def _scored(
    session: Session, trained: learned.Model, papers: list[Paper]
) -> list[tuple[Paper, float]]:
    """``papers`` scored and ordered; a long listing from the term postings in the index."""
    if len(papers) < POSTINGS_FROM:
        return trained.rank(papers)
    try:
        with _postings(session) as index:
            weights = trained.hashed
            sums, lengths = index.term_sums(papers, learned.text_key, learned.term_crcs, weights)
    except (BusyError, StorageError):
        return trained.rank(papers)  # busy or unusable: ranking still works, only slower
    scores = map(learned.from_sum, sums, lengths)
    return learned.ordered(list(zip(papers, scores, strict=True)))


@contextmanager
def _postings(session: Session) -> Iterator[Index]:
    """The on-disk index the postings are in: the session's when it has it open, else one
    opened for the ranking (never built in memory: that would cost more than it saves)."""
    opened = session.opened_index
    if opened is not None and not opened.in_memory:
        yield opened
        return
    if opened is not None:
        raise StorageError("the cache index is in memory for this run")
    from papercli.store.index import Index  # only long listings need it

    index = Index(session.store)
    index.on_wait = session.say
    index.memory_fallback = False
    with index:
        yield index


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: it would walk the 150,000 papers again and again
    while a ranking allocates (a third of its time), and nothing here makes a cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def recommend(
    session: Session, papers: list[Paper], ranking: Ranking | None = None
) -> list[Paper] | None:
    """The For you picks among ``papers`` (best first, never a saved or dismissed one, only
    those the model scores above zero); None while the reading list is too short for them.
    ``ranking``: ``rank(session, papers)`` when the caller has it already."""
    saved = set(library.saved_ids(session.store))
    if len(saved) < MIN_SAVED_FOR_DIGEST:
        return None
    ranking = ranking or rank(session, papers)
    scores = ranking.scores or {}
    skip = ranking.dismissed | saved
    return [p for p in ranking.papers if p.id not in skip and scores.get(p.id, 0) > 0]


def explain(trained: learned.Model, papers: list[Paper]) -> dict[str, dict[str, object]]:
    """Per paper: the terms that weighed most and the title of the nearest saved paper."""
    reasons: dict[str, dict[str, object]] = {}
    for paper in papers:
        found = learned.terms(paper)  # once for both answers
        nearest = trained.nearest(paper.id, found)
        reasons[paper.id] = {
            "for_you_terms": trained.top_terms(found),
            "nearest_saved": nearest.title if nearest else None,
        }
    return reasons
