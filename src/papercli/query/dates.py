"""Date arguments: ISO dates, today, yesterday, 7d / 2w, ISO weeks (2026-W48), months (2026-11).

Every spec is a span of days, so ``--date 2026-11`` means the whole month and ``--since 2w``
means from two weeks ago. ``today`` is the current UTC day wherever the machine is (see
``current_day``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from papercli.errors import UsageError
from papercli.models import LazyPattern

_RELATIVE = LazyPattern(r"(\d{1,4})([dw])")
_WEEK = LazyPattern(r"(\d{4})-?W(\d{2})")
_MONTH = LazyPattern(r"(\d{4})-(\d{2})")
_DAY = LazyPattern(r"\d{4}-\d{2}-\d{2}")
FORMS = "YYYY-MM-DD, today, yesterday, 7d, 2w, 2026-W48 or 2026-11"


def current_day(now: datetime) -> date:
    """What ``today`` means in date arguments: the current UTC day, in every time zone.

    Listing days are UTC days on Hugging Face and US Eastern mailing dates on arXiv, never
    later than the UTC day, so the UTC day is the newest day any source can have listed. The
    machine's zone would make ``--date today`` name a day no source has begun (east of UTC)
    or miss the day ``papers today`` shows (west of it), and one command differ from one
    machine to the next.
    """
    return now.astimezone(UTC).date()


def parse_span(spec: str, today: date) -> tuple[date, date]:
    """The first and last day a date spec covers; raises UsageError naming the value."""
    text = spec.strip()
    lowered = text.lower()
    if lowered == "today":
        return today, today
    if lowered == "yesterday":
        day = today - timedelta(days=1)
        return day, day
    match = _RELATIVE.fullmatch(lowered)
    if match:
        count = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        return today - timedelta(days=count), today
    try:
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            return day, day
        match = _WEEK.fullmatch(text.upper())
        if match:
            start = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
            return start, start + timedelta(days=6)
        match = _MONTH.fullmatch(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            start = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return start, following - timedelta(days=1)
    except ValueError:
        pass
    raise UsageError(f"not a date: {spec!r}", hint=f"use {FORMS}")


def resolve_range(
    *,
    on: str | None,
    since: str | None,
    until: str | None,
    days: int | None,
    today: date,
    default_days: int = 0,
) -> tuple[date, date]:
    """Turn --date / --since / --until / --days into one inclusive span."""
    if on is not None and (since is not None or until is not None or days is not None):
        raise UsageError("--date cannot be combined with --since, --until or --days")
    if days is not None and since is not None:
        raise UsageError("--days cannot be combined with --since")
    if on is not None:
        return parse_span(on, today)
    end = parse_span(until, today)[1] if until is not None else today
    if days is not None:
        if days < 1:
            raise UsageError(f"--days must be at least 1, got {days}")
        start = end - timedelta(days=days - 1)
    elif since is not None:
        start = parse_span(since, today)[0]
    else:
        start = end - timedelta(days=default_days)
    if start > end:
        raise UsageError(f"the range is empty: {start} is after {end}")
    if (end - start).days > 3660:
        raise UsageError(f"the range {start}..{end} is longer than ten years")
    return start, end
