"""``papers feeds``: one Atom feed per topic, one for "For you", one for everything, and an
OPML index, in a directory a feed reader (or a web server) reads.

Each feed is a rolling window of its newest ``feeds.entries`` entries. A paper enters a feed
once: the state remembers every paper each feed took in (``store.feed_state``), so a run over
days already seen adds nothing, and a paper that left the window never returns as new. Entry
ids are the paper's arXiv URL, the same on every run. Files are written atomically and only
when their content changed. A reader that polls at least once per ``feeds.entries`` new
papers sees every one of them, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from papercli.core import listing
from papercli.core.session import Session
from papercli.errors import PaperCliError
from papercli.formats.atom import atom_feed
from papercli.formats.opml import opml
from papercli.formats.summary import summarize
from papercli.models import Paper, Topic
from papercli.query.dates import current_day
from papercli.query.filters import Criteria, PaperText, apply, topic_matches
from papercli.store.feed_state import FeedRecord, load_feeds, save_feeds, state_name
from papercli.store.files import atomic_write, storage_error

INDEX = "index.opml"


@dataclass(frozen=True)
class FeedsRequest:
    """What the user asked of ``papers feeds``."""

    directory: Path
    entries: int = 100
    days: int = 3
    hf: bool = True
    categories: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    criteria: Criteria = field(default_factory=Criteria)
    base_url: str = ""


@dataclass
class FeedsOutcome:
    """What a run added to each feed, and the sources that failed."""

    added: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    failures: list[PaperCliError] = field(default_factory=list)


def for_you(session: Session, papers: list[Paper]) -> list[Paper] | None:
    """The "For you" ranking's picks among ``papers``, best first; None while none exists.

    The feed appears once the reading list is long enough (``core.foryou.recommend``).
    """
    from papercli.core import foryou

    return foryou.recommend(session, papers)


def _feeds_of(
    session: Session, request: FeedsRequest, papers: list[Paper]
) -> dict[str, tuple[str, list[Paper]]]:
    """Feed name -> (title, the papers of this run that belong in it)."""
    ranked = sorted(papers, key=lambda p: (p.listed or "", p.upvotes or 0, p.id), reverse=True)
    feeds = {"all": ("papercli: all papers", ranked)}
    picks = for_you(session, ranked)
    if picks is not None:
        feeds["for-you"] = ("papercli: For you", picks)
    for topic in request.topics:
        members = [p for p in ranked if topic_matches(PaperText(p), topic)]
        feeds[f"topic-{topic.name.lower()}"] = (f"papercli: {topic.name}", members)
    return feeds


def _url(request: FeedsRequest, filename: str) -> str:
    return f"{request.base_url.rstrip('/')}/{filename}" if request.base_url else filename


def write_feeds(session: Session, request: FeedsRequest, wait: float) -> FeedsOutcome:
    """Take this run's papers into each feed's window, then write the feeds and the index."""
    outcome = FeedsOutcome()
    now = session.now()
    until = current_day(now)
    span = listing.Span(until - timedelta(days=max(1, request.days) - 1), until)
    with session.store.holding_cache(timeout=wait):
        found = listing.list_span(session, span, hf=request.hf, categories=list(request.categories))
    outcome.failures = found.failures
    papers = apply(found.papers, request.criteria)
    state = load_feeds(session.store, request.directory)
    current = _feeds_of(session, request, papers)
    for name, (title, members) in current.items():
        record = state.feeds.setdefault(name, FeedRecord(title))
        record.title = title
        fresh = [p for p in members if p.id not in record.added]
        # Newest first within one run: the first entries of this run get the later stamps,
        # so a window cut inside the run keeps the newest listings.
        for rank, paper in enumerate(reversed(fresh)):
            record.added[paper.id] = (now + timedelta(microseconds=rank)).isoformat()
        for paper in fresh:
            state.papers.setdefault(paper.id, (paper, summarize(paper)))
        outcome.added[name] = sum(1 for p in fresh if p.id in record.window(request.entries))
    gone = [name for name in state.feeds if name not in current]
    for name in gone:
        del state.feeds[name]
    state.prune(now, request.entries)
    save_feeds(session.store, state)
    index = []
    for name, record in state.feeds.items():
        filename = f"{name}.atom"
        window = [state.papers[i] for i in record.window(request.entries) if i in state.papers]
        newest = max((record.added[p.id] for p, _ in window), default=None)
        text = atom_feed(
            window,
            feed_id=f"urn:papercli:feed:{name}",
            title=record.title,
            updated=datetime.fromisoformat(newest) if newest else _epoch(),
            self_link=_url(request, filename) if request.base_url else None,
        )
        _write_if_changed(request.directory / filename, text, outcome)
        index.append((record.title, _url(request, filename)))
    for name in gone:
        stale = request.directory / f"{name}.atom"
        try:
            stale.unlink(missing_ok=True)
        except OSError as exc:
            raise storage_error(exc, stale) from None
    created = max((max(r.added.values(), default="") for r in state.feeds.values()), default="")
    document = opml(
        index,
        title="papercli feeds",
        created=datetime.fromisoformat(created) if created else _epoch(),
    )
    _write_if_changed(request.directory / INDEX, document, outcome)
    return outcome


def _epoch() -> datetime:
    from datetime import UTC

    return datetime(1970, 1, 1, tzinfo=UTC)


def _write_if_changed(path: Path, text: str, outcome: FeedsOutcome) -> None:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write(path, data)
    outcome.written.append(path)


def lock_name(directory: Path) -> str:
    """The lock a run over ``directory`` holds (two runs never interleave their writes)."""
    return state_name(directory)
