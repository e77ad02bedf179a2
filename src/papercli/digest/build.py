"""Building a digest: new papers grouped by the first topic they match, ranked, summarised.

Pure: what is new is decided by the caller against the seen-state (``store.digest_state``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from papercli.formats.summary import summarize
from papercli.models import Paper, Topic
from papercli.query.filters import PaperText, topic_matches

OTHER = "Other papers"
FOR_YOU = "For you"


@dataclass(frozen=True, slots=True)
class Entry:
    """A paper in a digest, with the other topics it also matched."""

    paper: Paper
    summary: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """A topic's papers, best first."""

    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Digest:
    """Everything a digest shows, in every format."""

    name: str
    since: date
    until: date
    generated: datetime
    groups: tuple[Group, ...]
    source_counts: dict[str, int]
    notes: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Papers in the digest."""
        return sum(len(g.entries) for g in self.groups)

    def papers(self) -> list[Paper]:
        """Every paper, in display order."""
        return [e.paper for g in self.groups for e in g.entries]

    def subject(self) -> str:
        """``papercli: 23 new papers, 2026-11-26 to 2026-11-27``"""
        span = (
            self.until.isoformat()
            if self.since == self.until
            else f"{self.since.isoformat()} to {self.until.isoformat()}"
        )
        noun = "paper" if self.count == 1 else "papers"
        label = "" if self.name == "default" else f" ({self.name})"
        return f"papercli{label}: {self.count} new {noun}, {span}"


def _rank_key(paper: Paper, relevance: dict[str, float]) -> tuple[float, float, str]:
    return (-(paper.upvotes or 0), -relevance.get(paper.id, 0.0), paper.id)


def build(
    papers: Sequence[Paper],
    *,
    name: str,
    topics: Sequence[Topic],
    since: date,
    until: date,
    generated: datetime,
    relevance: dict[str, float] | None = None,
    notes: Sequence[str] = (),
    include_other: bool = True,
    per_group: int | None = None,
    for_you: Sequence[Paper] = (),
    order: dict[str, float] | None = None,
) -> Digest:
    """Group papers by the first topic they match (noting the others), rank, summarise.

    ``for_you`` papers (best first) open the digest in a "For you" group and are left out of
    the topic groups, so every paper appears, and is counted and remembered, once. ``order``
    (For you scores) ranks each group instead of upvotes.
    """
    relevance = relevance or {}
    buckets: dict[str, list[Entry]] = {t.name: [] for t in topics}
    other: list[Entry] = []
    picked = {p.id for p in for_you}
    first: list[Entry] = []
    for paper in for_you:
        view = PaperText(paper)
        matched = tuple(t.name for t in topics if topic_matches(view, t))
        first.append(Entry(paper, summarize(paper), matched))
    for paper in papers:
        if paper.id in picked:
            continue
        view = PaperText(paper)
        matched = [t.name for t in topics if topic_matches(view, t)]
        if matched:
            buckets[matched[0]].append(Entry(paper, summarize(paper), tuple(matched[1:])))
        elif include_other or not topics:
            other.append(Entry(paper, summarize(paper)))
    groups = [Group(FOR_YOU, tuple(first))] if first else []
    for title, entries in [*buckets.items(), (OTHER if topics else "Papers", other)]:
        if not entries:
            continue
        if order is not None:
            entries.sort(key=lambda e: (-order.get(e.paper.id, 0.0), e.paper.id))
        else:
            entries.sort(key=lambda e: _rank_key(e.paper, relevance))
        groups.append(Group(title, tuple(entries[:per_group] if per_group else entries)))
    counts = {"hf": 0, "arxiv": 0}
    for group in groups:
        for entry in group.entries:
            for source in entry.paper.sources:
                counts[source] = counts.get(source, 0) + 1
    return Digest(
        name=name,
        since=since,
        until=until,
        generated=generated,
        groups=tuple(groups),
        source_counts=counts,
        notes=tuple(notes),
    )
