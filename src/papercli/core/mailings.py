"""Which arXiv mailing ``today`` shows, and which one must be filled first: pure decisions.

rss.arxiv.org serves only the current mailing, so a run that skipped a day (or a first run on
a weekend or after a holiday) never sees the newest mailing in the feed. These functions look
at what the cache holds for one category and at arXiv's calendar (``schedule``), and say
whether the feed must be read and which mailing the API must fill before an older one is
shown. They do no I/O, so a test can ask them about every hour of several years.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from papercli import schedule
from papercli.store.cache import Listing

STALE = "stale-repeat"
BACKFILL = "api-backfill"
MOVED = "moved-to"
# How many mailings back a fill may look past ones the feed or the API said were empty.
LOOK_BACK = 5


class CachedMailings(Protocol):
    """One category's cached mailings."""

    def listing(self, day: date) -> Listing | None:
        """The listing of ``day``, if cached."""

    def newest(self, until: date, *, shown: bool) -> Listing | None:
        """The newest listing up to ``until``; ``shown``: only listings with papers."""


def is_stale(listing: Listing | None) -> bool:
    """A feed that repeated the previous mailing's ids under a new date."""
    return listing is not None and (listing.note or "").startswith(STALE)


def _age(listing: Listing, now: datetime) -> float:
    return (now - listing.fetched_at).total_seconds()


def feed_needed(cached: CachedMailings, now: datetime, ttl_seconds: float) -> bool:
    """Must the feed be read: the newest mailing that exists is not cached as a whole batch,
    and the feed of today has not been read since it last changed (00:00 ET) and within the
    TTL."""
    feed_day = schedule.arxiv_feed_day(now)
    expected = cached.listing(schedule.mailing_on_or_before(feed_day))
    if expected is not None and expected.papers and expected.complete:
        return False
    newest = cached.newest(feed_day, shown=False)
    if newest is None:
        return True
    if newest.day == feed_day and newest.complete:
        return False
    opened = schedule.start_of_eastern_day(feed_day)
    return not (newest.fetched_at >= opened and _age(newest, now) < ttl_seconds)


def fill_target(cached: CachedMailings, now: datetime, ttl_seconds: float) -> date | None:
    """The mailing the API must fill before anything older is shown, or None.

    The newest mailing of the calendar, unless a batch at least as new is cached. A mailing
    whose feed was empty (an ad hoc holiday) is passed over for the one before it; one the
    feed repeated (stale) or the cache lacks is the answer. An API fill that found nothing is
    tried again once it is older than the TTL (the API's index can lag the announcement).
    """
    feed_day = schedule.arxiv_feed_day(now)
    shown = cached.newest(feed_day, shown=True)
    day = schedule.mailing_on_or_before(feed_day)
    for _ in range(LOOK_BACK):
        if shown is not None and shown.day >= day:
            return None
        listing = cached.listing(day)
        if listing is None or is_stale(listing):
            return day
        if listing.note == BACKFILL and _age(listing, now) >= ttl_seconds:
            return day
        day = schedule.previous_mailing(day)
    return None


def weekend_target(day: date) -> date:
    """Where a weekend-dated batch is filed: arXiv never mails on weekends, and such a batch
    is the last mailing's, late (cs.AI's Saturday 2026-08-15 feed carried Friday's)."""
    return schedule.previous_mailing(day) if schedule.is_weekend(day) else day


def reason(newest: Listing | None, shown: Listing | None, feed_day: date) -> str:
    """Why ``today`` shows ``shown`` and not the mailing of ``feed_day`` (or "" when it is)."""
    if shown is None:
        return ""
    parts = []
    if shown.day < feed_day:
        if newest is not None and newest.day > shown.day and is_stale(newest):
            repeated = (newest.note or "").split(":", 1)[1]
            day = schedule.describe(newest.day)
            parts.append(f"the feed of {day} repeats {repeated} (a known arXiv glitch)")
        else:
            if schedule.is_weekend(feed_day):
                parts.append("no announcement on weekends")
            for day in schedule.all_days(shown.day, feed_day)[1:]:
                if schedule.is_weekend(day):
                    continue
                holiday = schedule.cancelled_by(day)
                if holiday is not None:
                    why = f"arXiv holiday {schedule.describe(holiday)}"
                    parts.append(f"no mailing on {schedule.describe(day)} ({why})")
                elif newest is not None and newest.day == day:
                    parts.append(f"no announcement on {schedule.describe(day)} (an arXiv holiday?)")
                else:
                    parts.append(f"{schedule.describe(day)} is not cached")
    if shown.note == BACKFILL:
        if newest is not None and newest.day == shown.day:
            parts.append("the feed had no usable batch")
        parts.append("filled from the arXiv API (new submissions and cross-lists only)")
    return "; ".join(parts)
