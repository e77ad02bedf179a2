"""When each source publishes: HF days in UTC, arXiv mailings in US Eastern time.

Pure functions over dates; the clock is always passed in. arXiv's holidays are package data
(``arxiv_holidays.txt``), read on first use; years it does not cover follow a rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache, lru_cache
from pathlib import Path

# arXiv's submission deadline: papers received before 14:00 ET on a weekday are announced that
# evening and mailed (dated) the next weekday (arxiv-docs source/help/availability.md).
DEADLINE = time(14, 0)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOLIDAYS_FILE = Path(__file__).with_name("arxiv_holidays.txt")
# No arXiv holiday run is longer than this; it bounds every walk over the calendar.
_LONGEST_GAP = 21


EST = timezone(timedelta(hours=-5), "EST")
EDT = timezone(timedelta(hours=-4), "EDT")


def _sunday_on_or_after(day: date) -> date:
    return day + timedelta(days=(6 - day.weekday()) % 7)


def _last_sunday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


# Year-round summer time was tried in 1974 and began early in 1975.
_ENERGY_CRISIS = {
    1974: (date(1974, 1, 6), date(1974, 10, 27)),
    1975: (date(1975, 2, 23), date(1975, 10, 26)),
}


@cache
def _summer(year: int) -> tuple[datetime, datetime]:
    """The UTC instants US Eastern summer time begins and ends in ``year`` (02:00 local)."""
    if year >= 2007:  # Energy Policy Act of 2005
        begins = _sunday_on_or_after(date(year, 3, 8))
        ends = _sunday_on_or_after(date(year, 11, 1))
    elif year >= 1987:
        begins = _sunday_on_or_after(date(year, 4, 1))
        ends = _last_sunday(year, 10)
    elif year in _ENERGY_CRISIS:
        begins, ends = _ENERGY_CRISIS[year]
    else:  # 1967-1986 (the Uniform Time Act), and the same rule before
        begins = _last_sunday(year, 4)
        ends = _last_sunday(year, 10)
    return (
        datetime(begins.year, begins.month, begins.day, 7, tzinfo=UTC),  # 02:00 EST
        datetime(ends.year, ends.month, ends.day, 6, tzinfo=UTC),  # 02:00 EDT
    )


def eastern_zone(moment: datetime) -> timezone:
    """US Eastern time at an instant: EDT or EST, by the rule in force that year.

    Written out rather than loaded from the tz database: zoneinfo costs ~5 ms at start-up,
    a fifth of what papercli may add to Python's own. A test compares it with zoneinfo
    for every hour of 2000-2040, and at
    every change since 1967.
    """
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    summer_from, summer_until = _summer(utc.year)
    return EDT if summer_from <= utc < summer_until else EST


def to_eastern(moment: datetime) -> datetime:
    """An instant as US Eastern wall-clock time."""
    return moment.astimezone(eastern_zone(moment))


def eastern_time(day: date, clock: time) -> datetime:
    """The instant of a US Eastern wall-clock time (never one skipped or repeated by DST:
    papercli only asks for midnight and 14:00)."""
    for zone in (EDT, EST):
        candidate = datetime.combine(day, clock, zone)
        if eastern_zone(candidate) is zone:
            return candidate
    return datetime.combine(day, clock, EST)


def hf_today(now: datetime) -> date:
    """The newest HF day that may exist: HF days are UTC and it answers 400 for later ones."""
    return now.astimezone(UTC).date()


def arxiv_feed_day(now: datetime) -> date:
    """The mailing date rss.arxiv.org serves now: its feed switches at 00:00 US Eastern."""
    return to_eastern(now).date()


def start_of_eastern_day(day: date) -> datetime:
    """The moment the arXiv feed of ``day`` appears (00:00 ET)."""
    return eastern_time(day, time(0))


def is_weekend(day: date) -> bool:
    """Saturday or Sunday: neither HF nor arXiv lists papers."""
    return day.weekday() >= 5


def describe(day: date) -> str:
    """``Fri 2026-11-27``: the form every message uses."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.isoformat()}"


def previous_weekday(day: date) -> date:
    """The weekday before ``day``."""
    day -= timedelta(days=1)
    while is_weekend(day):
        day -= timedelta(days=1)
    return day


def next_weekday(day: date) -> date:
    """The weekday after ``day``."""
    day += timedelta(days=1)
    while is_weekend(day):
        day += timedelta(days=1)
    return day


def all_days(since: date, until: date) -> list[date]:
    """Every date in [since, until]."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


# -- arXiv's holidays --------------------------------------------------------------------------


@cache
def _published() -> tuple[frozenset[date], range]:
    """The holidays of ``arxiv_holidays.txt`` and the years it covers."""
    days: set[date] = set()
    years = range(0)
    for line in HOLIDAYS_FILE.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if fields[0] == "years":
            years = range(int(fields[1]), int(fields[2]) + 1)
        else:
            days.add(date.fromisoformat(fields[0]))
    return frozenset(days), years


def published_years() -> range:
    """The years whose holidays come from arXiv's own published schedule."""
    return _published()[1]


def _observed(day: date) -> date:
    # A fixed-date holiday on a Saturday is kept on the Friday, on a Sunday on the Monday
    # (as arXiv kept Sat 2026-07-04 on Fri 07-03).
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@cache
def rule_holidays(year: int) -> frozenset[date]:
    """The fallback for a year arXiv's list does not cover: the US federal holidays arXiv
    kept in the years it published (New Year's Day on a weekday, Martin Luther King Jr. Day,
    Juneteenth, Independence Day, Labor Day, Thanksgiving, Christmas). Its winter-break and
    ad hoc days cannot be foreseen; an empty feed still reveals them."""
    fixed = [(7, 4), (12, 25)] + ([(6, 19)] if year >= 2022 else [])
    days = {_observed(date(year, m, d)) for m, d in fixed}
    new_year = date(year, 1, 1)
    if not is_weekend(new_year):  # arXiv has not moved New Year's Day off a weekend
        days.add(new_year)
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day: third Monday of January
        _nth_weekday(year, 9, 0, 1),  # Labor Day: first Monday of September
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving: fourth Thursday of November
    }
    return frozenset(days)


def is_holiday(day: date) -> bool:
    """Does arXiv skip the announcement of ``day`` (published list, else the rule)?"""
    days, years = _published()
    if day.year in years:
        return day in days
    return day in rule_holidays(day.year)


def cancelled_by(mailing: date) -> date | None:
    """The holiday that cancels the mailing of weekday ``mailing``, if any.

    A mailing is announced the evening before its date (Monday's on Sunday) from the
    submissions of the weekday before it; a holiday on either day cancels it.
    """
    for day in (mailing - timedelta(days=1), previous_weekday(mailing)):
        if is_holiday(day):
            return day
    return None


@lru_cache(maxsize=4096)
def has_mailing(day: date) -> bool:
    """Does arXiv mail on ``day``: a weekday whose announcement no holiday cancels."""
    return not is_weekend(day) and cancelled_by(day) is None


def mailing_days(since: date, until: date) -> list[date]:
    """The dates in [since, until] that carry an arXiv mailing."""
    return [d for d in all_days(since, until) if has_mailing(d)] if since <= until else []


def previous_mailing(day: date) -> date:
    """The newest mailing before ``day``."""
    day -= timedelta(days=1)
    for _ in range(_LONGEST_GAP):
        if has_mailing(day):
            return day
        day -= timedelta(days=1)
    return day


def next_mailing(day: date) -> date:
    """The first mailing after ``day``."""
    day += timedelta(days=1)
    for _ in range(_LONGEST_GAP):
        if has_mailing(day):
            return day
        day += timedelta(days=1)
    return day


def newest_mailing(now: datetime) -> date:
    """The newest mailing rss.arxiv.org can have served by ``now`` (it switches at 00:00 ET)."""
    return mailing_on_or_before(arxiv_feed_day(now))


def mailing_on_or_before(day: date) -> date:
    """``day`` if arXiv mails on it, else the newest mailing before it."""
    return day if has_mailing(day) else previous_mailing(day)


def deadline(mailing: date) -> datetime:
    """The UTC instant submissions close for the mailing of ``mailing``: 14:00 ET the
    weekday before."""
    return eastern_time(previous_weekday(mailing), DEADLINE).astimezone(UTC)


def submission_window(mailing: date) -> tuple[datetime, datetime]:
    """The UTC span of first submissions that the mailing of ``mailing`` announces: from the
    previous mailing's deadline to its own, so a mailing after a holiday absorbs the gap.

    Moderation holds still shift single papers between mailings. Raises ValueError for a date
    that carries no mailing.
    """
    if not has_mailing(mailing):
        raise ValueError(f"arXiv does not mail on {describe(mailing)}")
    return deadline(previous_mailing(mailing)), deadline(mailing)


def mailing_for_submission(submitted: datetime) -> date:
    """The mailing that announces a paper first submitted at ``submitted``."""
    local = to_eastern(submitted)
    deadline_day = local.date()
    if is_weekend(deadline_day) or local.time() >= DEADLINE:
        deadline_day = next_weekday(deadline_day)
    mailing = next_weekday(deadline_day)
    return mailing if has_mailing(mailing) else next_mailing(mailing)
