"""When each source publishes: HF days in UTC, arXiv mailings in US Eastern time.

Pure functions over dates; the clock is always passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

# arXiv's submission deadline: papers received before 14:00 ET on a weekday are announced that
# evening and mailed (dated) the next weekday (arxiv-docs source/help/availability.md).
DEADLINE = time(14, 0)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


EST = timezone(timedelta(hours=-5), "EST")
EDT = timezone(timedelta(hours=-4), "EDT")


def _sunday_on_or_after(day: date) -> date:
    return day + timedelta(days=(6 - day.weekday()) % 7)


def eastern_zone(moment: datetime) -> timezone:
    """US Eastern time at an instant: EDT from the second Sunday of March, 02:00 local, to the
    first Sunday of November, 02:00 local (the rule since 2007), else EST.

    Written out rather than loaded from the tz database: zoneinfo costs ~5 ms at start-up,
    a fifth of what papercli may add to Python's own. A test compares it with zoneinfo
    for every hour of 2007-2040.
    """
    utc = moment.astimezone(UTC)
    begins = _sunday_on_or_after(date(utc.year, 3, 8))
    ends = _sunday_on_or_after(date(utc.year, 11, 1))
    summer_from = datetime(begins.year, begins.month, begins.day, 7, tzinfo=UTC)  # 02:00 EST
    summer_until = datetime(ends.year, ends.month, ends.day, 6, tzinfo=UTC)  # 02:00 EDT
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


def mailing_days(since: date, until: date) -> list[date]:
    """The weekdays in [since, until]: the dates an arXiv mailing can carry (holidays aside)."""
    days = []
    day = since
    while day <= until:
        if not is_weekend(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def all_days(since: date, until: date) -> list[date]:
    """Every date in [since, until]."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def submission_window(mailing: date) -> tuple[datetime, datetime]:
    """The UTC span of first submissions that the mailing of ``mailing`` announces.

    Holidays and moderation holds shift papers between mailings; this is the regular schedule.
    """
    end_day = previous_weekday(mailing)
    start_day = previous_weekday(end_day)
    start = eastern_time(start_day, DEADLINE).astimezone(UTC)
    end = eastern_time(end_day, DEADLINE).astimezone(UTC)
    return start, end


def mailing_for_submission(submitted: datetime) -> date:
    """The mailing date that announces a paper first submitted at ``submitted``."""
    local = to_eastern(submitted)
    deadline_day = local.date()
    if is_weekend(deadline_day) or local.time() >= DEADLINE:
        deadline_day = next_weekday(deadline_day)
    return next_weekday(deadline_day)
