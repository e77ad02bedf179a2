"""Which days of which source a digest still owes a channel, and what reading them showed.

A day of a source is *covered* on a channel once a digest read that source's final listing of
the day and the channel confirmed the delivery of what was new in it. Final means the source
will not add to it: a Hugging Face UTC day that had ended when it was fetched; an arXiv
mailing before the feed's current one, or the current one once it was announced, unless it
is a stale repeat. A day that is not final, that failed, or whose file was not there when the
digest read it stays owed, and the next run reads it again; the delivered ids keep what was
already sent from going out twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from papercli import schedule
from papercli.core.refresh import STALE
from papercli.models import Paper
from papercli.store.cache import Store
from papercli.store.digest_state import ChannelState, CoverageUpdate, source_key

MAX_SPAN_DAYS = 30  # how far back a digest goes for days it still owes


def sources_of(hf: bool, categories: tuple[str, ...] | list[str]) -> list[str]:
    """The source keys a digest follows: ``hf`` and ``arxiv/<category>``."""
    return (["hf"] if hf else []) + [source_key("arxiv", c) for c in categories]


def label(key: str) -> str:
    """``Hugging Face`` or ``arXiv cs.CL``: how messages name a source key."""
    return "Hugging Face" if key == "hf" else f"arXiv {key.partition('/')[2]}"


@dataclass(frozen=True)
class Plan:
    """What one channel is owed: per source, where tracking starts and the days to read."""

    channel: str
    until: date
    starts: dict[str, date] = field(default_factory=dict)
    days: dict[str, list[date]] = field(default_factory=dict)
    given_up: dict[str, list[date]] = field(default_factory=dict)

    @property
    def since(self) -> date:
        """The first day this channel's digest covers."""
        return min((d[0] for d in self.days.values() if d), default=self.until)


def plan(
    channel: str, state: ChannelState, sources: list[str], until: date, days: int | None
) -> Plan:
    """The days each source owes ``channel`` up to ``until`` (``days``: a fixed window)."""
    window = until - timedelta(days=MAX_SPAN_DAYS - 1)
    result = Plan(channel, until)
    for key in sources:
        entry = state.coverage.get(key)
        if days:
            first = until - timedelta(days=days - 1)
            result.starts[key] = entry.start if entry else first
            result.days[key] = schedule.all_days(first, until)
            continue
        if entry is None:
            # A new source (or a first run): yesterday and today, or where version 1 stopped.
            start = min(state.resume_from or until - timedelta(days=1), until)
            covered: set[date] = set()
        else:
            start, covered = entry.start, entry.days
        first = max(start, window)
        result.starts[key] = first
        result.days[key] = [d for d in schedule.all_days(first, until) if d not in covered]
        if start < window:
            before = schedule.all_days(start, window - timedelta(days=1))
            lost = [d for d in before if d not in covered]
            if lost:
                result.given_up[key] = lost
    return result


@dataclass(frozen=True)
class DayRead:
    """One source's listing of one day, as this run found it."""

    papers: tuple[Paper, ...]
    final: bool  # the source will not add to it: the day can be recorded as covered
    missing: bool  # no listing where the source should have one (offline: not cached)


def read_day(store: Store, key: str, day: date, now: datetime) -> DayRead:
    """Read a day from the cache (or this run's memory of what it fetched)."""
    if key == "hf":
        listing = store.read_listing("hf", day)
        if listing is None:
            return DayRead((), False, day <= schedule.hf_today(now))
        return DayRead(listing.papers, listing.complete, False)
    category = key.partition("/")[2]
    feed_day = schedule.arxiv_feed_day(now)
    listing = store.read_listing("arxiv", day, category)
    if listing is None:
        # Weekends have no mailing: nothing to read, and nothing will come.
        mailing = not schedule.is_weekend(day)
        return DayRead((), day < feed_day and not mailing, mailing and day <= feed_day)
    stale = (listing.note or "").startswith(STALE)
    final = day <= feed_day and (listing.complete or (day < feed_day and not stale))
    return DayRead(listing.papers, final, False)


def coverage_for(plan_: Plan, reads: dict[tuple[str, date], DayRead]) -> dict[str, CoverageUpdate]:
    """What delivering this channel's digest completes: the final days it read, per source."""
    return {
        key: CoverageUpdate(
            plan_.starts[key],
            tuple(d for d in days if (r := reads.get((key, d))) is not None and r.final),
        )
        for key, days in plan_.days.items()
    }


def days_label(days: list[date]) -> str:
    """``2026-06-11`` or ``2026-06-08..2026-06-12 (5 days)``."""
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0]}..{days[-1]} ({len(days)} days)"
