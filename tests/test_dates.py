"""Date arguments: every accepted form, and bad values named in the error."""

from __future__ import annotations

from datetime import date

import pytest

from papercli.errors import UsageError
from papercli.query.dates import parse_span, resolve_range

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("spec", "span"),
    [
        ("2026-11-20", (date(2026, 11, 20), date(2026, 11, 20))),
        ("today", (TODAY, TODAY)),
        ("Yesterday", (date(2026, 11, 26), date(2026, 11, 26))),
        ("7d", (date(2026, 11, 20), TODAY)),
        ("2w", (date(2026, 11, 13), TODAY)),
        ("2026-W48", (date(2026, 11, 23), date(2026, 11, 29))),
        ("2026w01", (date(2025, 12, 29), date(2026, 1, 4))),
        ("2026-11", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2028-02", (date(2028, 2, 1), date(2028, 2, 29))),
    ],
)
def test_parse_span(spec: str, span: tuple[date, date]) -> None:
    assert parse_span(spec, TODAY) == span


@pytest.mark.parametrize(
    "spec", ["2026-13-01", "2026-02-30", "2026-W54", "tomorrowish", "7x", "", "2026-1-5"]
)
def test_bad_dates_name_the_value(spec: str) -> None:
    with pytest.raises(UsageError, match=f"not a date: {spec!r}"):
        parse_span(spec, TODAY)


@pytest.mark.parametrize(
    ("kwargs", "span"),
    [
        ({"on": "2026-11"}, (date(2026, 11, 1), date(2026, 11, 30))),
        ({"since": "2026-W47"}, (date(2026, 11, 16), TODAY)),
        ({"since": "2026-11-01", "until": "2026-11-10"}, (date(2026, 11, 1), date(2026, 11, 10))),
        ({"until": "2026-11"}, (date(2026, 11, 30), date(2026, 11, 30))),
        ({"days": 3}, (date(2026, 11, 25), TODAY)),
        ({"days": 3, "until": "2026-11-10"}, (date(2026, 11, 8), date(2026, 11, 10))),
        ({}, (TODAY, TODAY)),
    ],
)
def test_resolve_range(kwargs: dict, span: tuple[date, date]) -> None:
    full = {"on": None, "since": None, "until": None, "days": None, **kwargs}
    assert resolve_range(today=TODAY, **full) == span


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"on": "today", "since": "7d"}, "cannot be combined"),
        ({"days": 3, "since": "7d"}, "cannot be combined"),
        ({"days": 0}, "at least 1"),
        ({"since": "2026-11-20", "until": "2026-11-01"}, "the range is empty"),
        ({"since": "1990-01-01"}, "longer than ten years"),
    ],
)
def test_resolve_range_rejects_contradictions(kwargs: dict, message: str) -> None:
    full = {"on": None, "since": None, "until": None, "days": None, **kwargs}
    with pytest.raises(UsageError, match=message):
        resolve_range(today=TODAY, **full)


def test_days_counts_the_last_day_too() -> None:
    today = date(2026, 11, 27)
    assert resolve_range(on=None, since=None, until=None, days=1, today=today) == (today, today)
    with pytest.raises(UsageError, match="--days must be at least 1, got 0"):
        resolve_range(on=None, since=None, until=None, days=0, today=today)


def test_ten_years_is_the_longest_range() -> None:
    today = date(2026, 11, 27)
    longest = resolve_range(on=None, since="3660d", until=None, days=None, today=today)
    assert (longest[1] - longest[0]).days == 3660
    with pytest.raises(UsageError, match="longer than ten years"):
        resolve_range(on=None, since="3661d", until=None, days=None, today=today)


def test_the_default_span_ends_today_and_reaches_back() -> None:
    today = date(2026, 11, 27)
    span = resolve_range(on=None, since=None, until=None, days=None, today=today, default_days=6)
    assert span == (date(2026, 11, 21), today)
