"""Every hour of 2024-2030: which arXiv mailing ``today`` shows, against a reference calendar.

The reference is written independently of ``schedule``: arXiv's holidays copied by hand,
US Eastern time from zoneinfo, and mailings derived from announcements (Sunday to Thursday
at 20:00, none on a holiday's evening nor on the Sunday after a Friday holiday; the mailing
is dated the next day). The decisions under test are ``core.mailings``, the ones
``latest_arxiv`` takes, fed with three caches: warm (every mailing so far), cold (nothing),
and one that missed the newest mailing (the user did not run while the feed served it).
"""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from papercli import schedule
from papercli.core import mailings
from papercli.models import Paper
from papercli.store.cache import Listing
from test_schedule import PROJECTED, PUBLISHED

NEW_YORK = ZoneInfo("America/New_York")
TTL = 3600.0
HOLIDAYS = {date.fromisoformat(f"{y}-{d}") for y, days in (PUBLISHED | PROJECTED).items()
            for d in days}  # fmt: skip


def _reference_mailings(since: date, until: date) -> list[date]:
    found = []
    day = since
    while day <= until:
        # Announcements: Sunday (weekday 6) to Thursday (3) evenings, none on a holiday, and
        # none on the Sunday after a Friday holiday (that Friday's work was not done).
        announces = day.weekday() in (6, 0, 1, 2, 3) and day not in HOLIDAYS
        if day.weekday() == 6 and day - timedelta(days=2) in HOLIDAYS:
            announces = False
        if announces:
            found.append(day + timedelta(days=1))
        day += timedelta(days=1)
    return found


MAILINGS = _reference_mailings(date(2023, 11, 1), date(2031, 1, 31))


def _feed_day(moment: datetime) -> date:
    return moment.astimezone(NEW_YORK).date()  # the feed switches at 00:00 New York time


BATCH = (Paper(id="2401.00001"),)


def _listing(day: date, fetched: datetime, *, papers: bool, note: str | None = None) -> Listing:
    return Listing(
        source="arxiv",
        day=day,
        papers=BATCH if papers else (),
        fetched_at=fetched,
        category="cs.CL",
        complete=papers,
        note=note,
    )


class Cache:
    """A category's cached mailings: ``base`` (sorted, shared) minus ``missing``, plus the
    listings this hour's run wrote."""

    def __init__(self, base: dict[date, Listing], keys: list[date], missing: date | None = None):
        self.base, self.keys, self.missing = base, keys, missing
        self.written: dict[date, Listing] = {}

    def listing(self, day: date) -> Listing | None:
        if day in self.written:
            return self.written[day]
        return None if day == self.missing else self.base.get(day)

    def newest(self, until: date, *, shown: bool) -> Listing | None:
        best = None
        pos = bisect.bisect_right(self.keys, until)
        while pos > 0:
            pos -= 1
            if self.keys[pos] != self.missing:
                best = self.base[self.keys[pos]]
                break
        for day, listing in self.written.items():
            if day <= until and (not shown or listing.papers) and (best is None or day > best.day):
                best = listing
        return best


def _run_today(cache: Cache, moment: datetime, day: date) -> tuple[bool, date | None, date | None]:
    """What latest_arxiv does with the decisions at ``moment`` (New York date ``day``): read
    the feed if needed (it serves the reference mailing of its day, or nothing), fill the
    target from the API, show the newest batch."""
    needed = mailings.feed_needed(cache, moment, TTL)
    target = None
    if needed:
        is_mailing = MAILINGS[bisect.bisect_left(MAILINGS, day)] == day
        cache.written[day] = _listing(day, moment, papers=is_mailing)
        target = mailings.fill_target(cache, moment, TTL)
        if target is not None:
            cache.written[target] = _listing(target, moment, papers=True, note=mailings.BACKFILL)
    shown = cache.newest(day, shown=True)
    return needed, target, shown.day if shown else None


def test_zero_wrong_mailings_every_hour_2024_to_2030() -> None:
    warm: dict[date, Listing] = {}
    keys: list[date] = []
    wrong: dict[str, list[str]] = {"warm": [], "cold": [], "missed": []}
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2031, 1, 1, tzinfo=UTC)
    hours = 0
    for m in MAILINGS:  # the warm cache starts with everything before 2024
        if m < _feed_day(moment):
            opened = datetime.combine(m, time(0, 5), NEW_YORK)
            warm[m] = _listing(m, opened, papers=True)
            keys.append(m)
    while moment < end:
        hours += 1
        day = _feed_day(moment)
        newest = MAILINGS[bisect.bisect_right(MAILINGS, day) - 1]
        if not keys or keys[-1] < newest:
            warm[newest] = _listing(newest, moment, papers=True)
            keys.append(newest)
        stamp = moment.isoformat()
        needed, target, shown = _run_today(Cache(warm, keys), moment, day)
        if needed or target is not None or shown != newest:
            wrong["warm"].append(stamp)
        needed, target, shown = _run_today(Cache({}, []), moment, day)
        if not needed or target not in (None, newest) or shown != newest:
            wrong["cold"].append(stamp)
        # The newest mailing was never fetched; the one before it, when the feed served it.
        needed, target, shown = _run_today(Cache(warm, keys, missing=newest), moment, day)
        if not needed or target not in (None, newest) or shown != newest:
            wrong["missed"].append(stamp)
        moment += timedelta(hours=1)
    assert hours == 61368
    assert {k: v[:5] for k, v in wrong.items()} == {"warm": [], "cold": [], "missed": []}


def test_every_submission_hour_2024_to_2030_lands_in_the_reference_mailing() -> None:
    deadlines = [
        datetime.combine(schedule.previous_weekday(m), time(14), NEW_YORK).astimezone(UTC)
        for m in MAILINGS
    ]
    wrong = []
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    while moment < datetime(2031, 1, 1, tzinfo=UTC):
        expected = MAILINGS[bisect.bisect_right(deadlines, moment)]
        if schedule.mailing_for_submission(moment) != expected:
            wrong.append(moment.isoformat())
        moment += timedelta(hours=1)
    assert wrong[:5] == []
    for n in range(1, len(MAILINGS)):
        if date(2024, 1, 1) <= MAILINGS[n] <= date(2030, 12, 31):
            assert schedule.submission_window(MAILINGS[n]) == (deadlines[n - 1], deadlines[n])


def test_the_calendar_mails_exactly_the_reference_dates() -> None:
    ours = schedule.mailing_days(date(2024, 1, 1), date(2030, 12, 31))
    assert ours == [m for m in MAILINGS if date(2024, 1, 1) <= m <= date(2030, 12, 31)]


@pytest.mark.parametrize(
    ("now", "shown", "why"),
    [
        ("2026-11-27T15:00:00+00:00", date(2026, 11, 26),
         "no mailing on Fri 2026-11-27 (arXiv holiday Thu 2026-11-26)"),
        ("2026-11-28T15:00:00+00:00", date(2026, 11, 26),
         "no announcement on weekends; "
         "no mailing on Fri 2026-11-27 (arXiv holiday Thu 2026-11-26)"),
        ("2026-07-06T15:00:00+00:00", date(2026, 7, 3),
         "no mailing on Mon 2026-07-06 (arXiv holiday Fri 2026-07-03)"),
    ],
)  # fmt: skip
def test_the_reason_names_the_holiday(now: str, shown: date, why: str) -> None:
    moment = datetime.fromisoformat(now)
    listing = _listing(shown, moment, papers=True)
    assert mailings.reason(listing, listing, _feed_day(moment)) == why
