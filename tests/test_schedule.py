"""Which day each source shows: HF in UTC, arXiv mailings in US Eastern time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from papercli import schedule


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-27T03:59:00+00:00", date(2026, 11, 26)),  # 22:59 ET the evening before
        ("2026-11-27T05:00:00+00:00", date(2026, 11, 27)),  # 00:00 EST: the feed switches
        ("2026-08-21T03:59:00+00:00", date(2026, 8, 20)),  # 23:59 EDT
        ("2026-08-21T04:00:00+00:00", date(2026, 8, 21)),  # 00:00 EDT
    ],
)
def test_arxiv_feed_day_switches_at_eastern_midnight(now: str, expected: date) -> None:
    assert schedule.arxiv_feed_day(datetime.fromisoformat(now)) == expected


def test_hf_day_is_the_utc_date() -> None:
    east_of_utc = datetime.fromisoformat("2026-11-28T07:00:00+09:00")
    assert schedule.hf_today(east_of_utc) == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("submitted", "mailing"),
    [
        ("2026-11-23T18:00:00+00:00", date(2026, 11, 24)),  # Mon 13:00 ET -> Tue
        ("2026-11-23T20:00:00+00:00", date(2026, 11, 25)),  # Mon 15:00 ET -> Wed
        ("2026-11-27T20:00:00+00:00", date(2026, 12, 1)),  # Fri 15:00 ET -> Tue
        ("2026-11-28T12:00:00+00:00", date(2026, 12, 1)),  # Sat -> Tue
        ("2026-11-25T18:00:00+00:00", date(2026, 11, 26)),  # Wed 13:00 ET -> Thu
        ("2026-11-27T18:00:00+00:00", date(2026, 11, 30)),  # Fri 13:00 ET -> Mon
        ("2026-08-20T17:00:00+00:00", date(2026, 8, 21)),  # Thu 13:00 EDT -> Fri
        # Thanksgiving (Thu 2026-11-26): no Friday mailing, Thursday's batch waits for Monday.
        ("2026-11-26T18:00:00+00:00", date(2026, 11, 30)),
        ("2026-11-25T19:00:00+00:00", date(2026, 11, 30)),  # Wed 14:00 ET: too late for Thu
        # Fri 2026-07-03 (Independence Day observed): no Monday mailing; Tuesday takes both.
        ("2026-07-02T17:00:00+00:00", date(2026, 7, 3)),  # Thu 13:00 EDT -> Fri
        ("2026-07-02T19:00:00+00:00", date(2026, 7, 7)),  # Thu 15:00 EDT -> Tue
        ("2026-07-06T17:59:00+00:00", date(2026, 7, 7)),  # Mon 13:59 EDT -> Tue
        ("2026-07-06T18:00:00+00:00", date(2026, 7, 8)),  # Mon 14:00 EDT -> Wed
        # Sun 2025-07-06 (no Sunday announcement): Monday 07-07 is not mailed.
        ("2025-07-03T19:00:00+00:00", date(2025, 7, 8)),
        # 2024-12-25 and 12-26: no Thursday or Friday mailing; Monday 12-30 carries both.
        ("2024-12-24T20:00:00+00:00", date(2024, 12, 30)),  # Tue 15:00 EST
        ("2024-12-24T18:00:00+00:00", date(2024, 12, 25)),  # Tue 13:00 EST -> Wed
    ],
)
def test_mailing_for_submission_follows_the_14h_deadline(submitted: str, mailing: date) -> None:
    assert schedule.mailing_for_submission(datetime.fromisoformat(submitted)) == mailing


@pytest.mark.parametrize("day", [date(2026, 11, 24), date(2026, 11, 30), date(2026, 8, 21)])
def test_submission_window_and_mailing_agree(day: date) -> None:
    start, end = schedule.submission_window(day)
    assert start < end
    assert schedule.mailing_for_submission(start) == day
    assert schedule.mailing_for_submission(end) != day  # the deadline itself is too late
    just_before_end = datetime.fromtimestamp(end.timestamp() - 60, UTC)
    assert schedule.mailing_for_submission(just_before_end) == day


def test_weekdays_and_descriptions() -> None:
    assert schedule.previous_weekday(date(2026, 11, 30)) == date(2026, 11, 27)
    assert schedule.next_weekday(date(2026, 11, 27)) == date(2026, 11, 30)
    assert schedule.mailing_days(date(2026, 11, 20), date(2026, 11, 30)) == [
        date(2026, 11, 20),
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),  # Thanksgiving's own date is mailed (announced Wednesday)
        date(2026, 11, 30),  # Fri 11-27 is not
    ]
    assert schedule.describe(date(2026, 11, 27)) == "Fri 2026-11-27"


def test_eastern_time_agrees_with_the_tz_database_every_hour_2000_to_2040() -> None:
    """2000-2006 ran the older rule (first Sunday of April to last Sunday of October)."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    moment = datetime(2000, 1, 1, tzinfo=UTC)
    end = datetime(2041, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    wrong = []
    while moment < end:
        if schedule.eastern_zone(moment).utcoffset(None) != moment.astimezone(new_york).utcoffset():
            wrong.append(moment)
        moment += hour
    assert wrong == []
    ours = schedule.to_eastern(datetime(2006, 4, 2, 7, tzinfo=UTC))
    assert ours.replace(tzinfo=None) == datetime(2006, 4, 2, 3)  # 02:00 EST became 03:00 EDT


def test_eastern_time_agrees_with_the_tz_database_at_every_change_since_1967() -> None:
    """Daily at noon, and every hour of the weeks around each change the tz database knows."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    wrong = []
    for year in range(1967, 2000):
        day = datetime(year, 1, 1, 12, tzinfo=UTC)
        while day.year == year:
            theirs = day.astimezone(new_york)
            nxt = (day + timedelta(days=1)).astimezone(new_york)
            hours = range(-24, 48) if theirs.utcoffset() != nxt.utcoffset() else range(1)
            for h in hours:
                moment = day + timedelta(hours=h)
                if (
                    schedule.to_eastern(moment).utcoffset()
                    != moment.astimezone(new_york).utcoffset()
                ):
                    wrong.append(moment)
            day += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 8), "2026-03-08T05:00:00+00:00"),  # the day EDT begins: midnight is EST
        (date(2026, 3, 9), "2026-03-09T04:00:00+00:00"),
        (date(2026, 11, 1), "2026-11-01T04:00:00+00:00"),  # the day EST returns: midnight EDT
        (date(2026, 11, 2), "2026-11-02T05:00:00+00:00"),
    ],
)
def test_eastern_midnight_around_dst_changes(day: date, expected: str) -> None:
    assert schedule.start_of_eastern_day(day).astimezone(UTC).isoformat() == expected


# arXiv's published holiday lists (arxiv-docs source/help/availability.md), copied by hand.
PUBLISHED = {
    2023: ["01-16", "06-14", "06-19", "07-04", "08-17", "09-04", "11-23", "12-25", "12-27"],
    2024: ["01-15", "05-22", "06-19", "07-04", "09-02", "10-08", "11-28", "12-25", "12-26",
           "12-31"],
    2025: ["01-01", "01-20", "06-19", "07-06", "09-01", "11-27", "12-25", "12-30"],
    2026: ["01-01", "01-19", "06-19", "07-03", "09-07", "11-26", "12-25", "12-29", "12-31"],
}  # fmt: skip
# The fallback rule, worked out by hand from a calendar.
PROJECTED = {
    2027: ["01-01", "01-18", "06-18", "07-05", "09-06", "11-25", "12-24"],
    2028: ["01-17", "06-19", "07-04", "09-04", "11-23", "12-25"],
    2029: ["01-01", "01-15", "06-19", "07-04", "09-03", "11-22", "12-25"],
    2030: ["01-01", "01-21", "06-19", "07-04", "09-02", "11-28", "12-25"],
    2031: ["01-01", "01-20", "06-19", "07-04", "09-01", "11-27", "12-25"],
}


def _holidays_of(year: int) -> list[str]:
    return [d.isoformat()[5:] for d in schedule.all_days(date(year, 1, 1), date(year, 12, 31))
            if schedule.is_holiday(d)]  # fmt: skip


@pytest.mark.parametrize("year", sorted(PUBLISHED | PROJECTED))
def test_holidays_are_arxivs_list_where_published_and_the_rule_beyond(year: int) -> None:
    assert _holidays_of(year) == (PUBLISHED | PROJECTED)[year]
    assert (year in schedule.published_years()) == (year in PUBLISHED)


def test_the_fallback_rule_agrees_with_the_published_years_on_every_federal_holiday() -> None:
    """What the rule misses are arXiv's winter-break and ad hoc days; what it adds, arXiv kept
    on another day (or, on New Year 2024, announced anyway)."""
    missed, added = set(), set()
    for year, days in PUBLISHED.items():
        published = {date.fromisoformat(f"{year}-{d}") for d in days}
        missed |= {d.isoformat() for d in published - schedule.rule_holidays(year)}
        added |= {d.isoformat() for d in schedule.rule_holidays(year) - published}
    assert added == {"2024-01-01", "2025-07-04"}
    assert missed == {
        "2023-06-14", "2023-08-17", "2023-12-27", "2024-05-22", "2024-10-08", "2024-12-26",
        "2024-12-31", "2025-07-06", "2025-12-30", "2026-12-29", "2026-12-31",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("day", "mailed"),
    [
        (date(2026, 7, 3), True),  # the holiday's own date: announced Thursday evening
        (date(2026, 7, 6), False),  # no Sunday announcement after the Friday holiday
        (date(2026, 7, 7), True),
        (date(2026, 11, 26), True),  # Thanksgiving: announced Wednesday
        (date(2026, 11, 27), False),
        (date(2026, 11, 30), True),
        (date(2025, 7, 7), False),  # Sun 2025-07-06
        (date(2024, 12, 26), False),
        (date(2024, 12, 27), False),
        (date(2025, 1, 1), False),  # Tue 2024-12-31
        (date(2025, 1, 2), False),  # Wed 2025-01-01
        (date(2025, 1, 3), True),
        (date(2026, 12, 30), False),
        (date(2027, 1, 1), False),  # Thu 2026-12-31
        (date(2026, 8, 22), False),  # Saturday
        (date(2026, 5, 26), True),  # Memorial Day 2026 is not one of arXiv's holidays
    ],
)
def test_which_dates_carry_a_mailing(day: date, mailed: bool) -> None:
    assert schedule.has_mailing(day) is mailed


def test_a_mailing_after_a_holiday_takes_the_skipped_window() -> None:
    start, end = schedule.submission_window(date(2026, 7, 7))
    assert start == datetime.fromisoformat("2026-07-02T18:00:00+00:00")  # Thu 14:00 EDT
    assert end == datetime.fromisoformat("2026-07-06T18:00:00+00:00")  # Mon 14:00 EDT
    with pytest.raises(ValueError, match="does not mail on Mon 2026-07-06"):
        schedule.submission_window(date(2026, 7, 6))
    assert schedule.cancelled_by(date(2026, 7, 6)) == date(2026, 7, 3)


@pytest.mark.parametrize(
    ("now", "newest"),
    [
        ("2026-08-22T15:00:00+00:00", date(2026, 8, 21)),  # Saturday: Friday's
        ("2026-11-27T15:00:00+00:00", date(2026, 11, 26)),  # Thanksgiving Friday
        ("2026-11-29T15:00:00+00:00", date(2026, 11, 26)),
        ("2026-11-30T04:59:00+00:00", date(2026, 11, 26)),  # 23:59 EST Sunday
        ("2026-11-30T05:00:00+00:00", date(2026, 11, 30)),
        ("2024-12-27T15:00:00+00:00", date(2024, 12, 25)),
        ("2025-01-02T15:00:00+00:00", date(2024, 12, 31)),
        ("2026-07-06T15:00:00+00:00", date(2026, 7, 3)),
    ],
)
def test_the_newest_mailing_at_a_moment(now: str, newest: date) -> None:
    assert schedule.newest_mailing(datetime.fromisoformat(now)) == newest
