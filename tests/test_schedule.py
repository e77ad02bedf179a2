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
        ("2026-11-26T18:00:00+00:00", date(2026, 11, 27)),  # Thu 13:00 ET -> Fri
        ("2026-11-27T18:00:00+00:00", date(2026, 11, 30)),  # Fri 13:00 ET -> Mon
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
    assert schedule.mailing_days(date(2026, 11, 27), date(2026, 11, 30)) == [
        date(2026, 11, 27),
        date(2026, 11, 30),
    ]
    assert schedule.describe(date(2026, 11, 27)) == "Fri 2026-11-27"


def test_eastern_time_agrees_with_the_tz_database_every_hour_2007_to_2040() -> None:
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    moment = datetime(2007, 1, 1, tzinfo=UTC)
    end = datetime(2041, 1, 1, tzinfo=UTC)
    while moment < end:
        ours = schedule.to_eastern(moment)
        theirs = moment.astimezone(new_york)
        assert ours.utcoffset() == theirs.utcoffset(), moment
        assert ours.replace(tzinfo=None) == theirs.replace(tzinfo=None)
        moment += timedelta(hours=1)


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
