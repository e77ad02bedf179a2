"""When each source publishes: HF days in UTC, arXiv mailings in US Eastern time.

Pure functions over dates; the clock is always passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# arXiv's submission deadline: papers received before 14:00 ET on a weekday are announced that
# evening and mailed (dated) the next weekday (arxiv-docs source/help/availability.md).
DEADLINE = time(14, 0)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@cache
def eastern() -> ZoneInfo:
    """US Eastern time, where arXiv keeps its calendar."""
    return ZoneInfo("America/New_York")


def hf_today(now: datetime) -> date:
    """The newest HF day that may exist: HF days are UTC and it answers 400 for later ones."""
    return now.astimezone(UTC).date()


def arxiv_feed_day(now: datetime) -> date:
    """The mailing date rss.arxiv.org serves now: its feed switches at 00:00 US Eastern."""
    return now.astimezone(eastern()).date()


def start_of_eastern_day(day: date) -> datetime:
    """The moment the arXiv feed of ``day`` appears (00:00 ET)."""
    return datetime.combine(day, time(0), eastern())


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
    start = datetime.combine(start_day, DEADLINE, eastern()).astimezone(UTC)
    end = datetime.combine(end_day, DEADLINE, eastern()).astimezone(UTC)
    return start, end


def mailing_for_submission(submitted: datetime) -> date:
    """The mailing date that announces a paper first submitted at ``submitted``."""
    local = submitted.astimezone(eastern())
    deadline_day = local.date()
    if is_weekend(deadline_day) or local.time() >= DEADLINE:
        deadline_day = next_weekday(deadline_day)
    return next_weekday(deadline_day)
