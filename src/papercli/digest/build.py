"""Digests: what is new since the last one, grouped by topic, ranked, summarised. Pure.

The seen-state is the set of paper ids an earlier digest of the same name already delivered,
keyed by versionless id so a replacement, a repeated feed or HF featuring an older paper is
never news twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from papercli.models import Paper, Topic, is_valid_id
from papercli.query.filters import PaperText, topic_matches

STATE_FORMAT = "papercli.digest-state"
STATE_VERSION = 1
KEEP_SEEN_DAYS = 400  # ids older than this are forgotten; arXiv ids never come back that late
OTHER = "Other papers"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


@dataclass
class DigestState:
    """What earlier digests of one name delivered, and up to when they were complete."""

    name: str
    seen: dict[str, str] = field(default_factory=dict)  # id -> day first delivered
    last_complete: str | None = None  # the last day a digest covered with every source working
    last_sent_at: str | None = None
    runs: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "name": self.name,
            "seen": dict(sorted(self.seen.items())),
            "last_complete": self.last_complete,
            "last_sent_at": self.last_sent_at,
            "runs": self.runs,
        }

    @classmethod
    def from_dict(cls, data: Any, name: str) -> DigestState:
        """Parse the on-disk form; raises ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError("not a papercli digest state")
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        seen = data.get("seen")
        if not isinstance(seen, dict) or not all(
            isinstance(k, str) and is_valid_id(k) and isinstance(v, str) for k, v in seen.items()
        ):
            raise ValueError("bad seen list")
        last = data.get("last_complete")
        if last is not None:
            date.fromisoformat(last)
        return cls(
            name=name,
            seen=dict(seen),
            last_complete=last,
            last_sent_at=data.get("last_sent_at"),
            runs=int(data.get("runs") or 0),
        )

    def delivered(
        self, papers: Iterable[Paper], today: date, *, complete_until: date | None
    ) -> None:
        """Record a successful delivery (only ever called after the digest went out)."""
        stamp = today.isoformat()
        papers = list(papers)
        for paper in papers:
            self.seen.setdefault(paper.id, stamp)
        cutoff = date.fromordinal(today.toordinal() - KEEP_SEEN_DAYS).isoformat()
        self.seen = {k: v for k, v in self.seen.items() if v >= cutoff}
        if complete_until is not None:
            self.last_complete = complete_until.isoformat()
        if papers:
            self.runs += 1


def summarize(paper: Paper, limit: int = 320) -> str:
    """HF's AI summary, else the abstract's first sentences, cut at a word boundary."""
    if paper.ai_summary:
        return _cut(paper.ai_summary, limit)
    # Only the opening matters; splitting a whole abstract into sentences is wasted work.
    text = paper.abstract.strip()[: limit * 2]
    if not text:
        return ""
    summary = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > limit:
            break
        summary = candidate
        if len(summary) >= limit * 0.6:
            break
    return _cut(summary, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


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
) -> Digest:
    """Group papers by the first topic they match (noting the others), rank, summarise."""
    relevance = relevance or {}
    buckets: dict[str, list[Entry]] = {t.name: [] for t in topics}
    other: list[Entry] = []
    for paper in papers:
        view = PaperText(paper)
        matched = [t.name for t in topics if topic_matches(view, t)]
        if matched:
            buckets[matched[0]].append(Entry(paper, summarize(paper), tuple(matched[1:])))
        elif include_other or not topics:
            other.append(Entry(paper, summarize(paper)))
    groups = []
    for title, entries in [*buckets.items(), (OTHER if topics else "Papers", other)]:
        if not entries:
            continue
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
