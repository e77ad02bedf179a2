"""Which days a digest may record as covered: the rules of digest/coverage.py, day by day.

The end-to-end digest tests show that nothing is lost across runs; these pin each rule on
its own, since a wrong "final" records a day as delivered before the source is done with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from papercli import schedule
from papercli.core.refresh import STALE
from papercli.digest.coverage import days_label, plan, read_day
from papercli.models import Paper
from papercli.store.cache import Listing, Store
from papercli.store.digest_state import ChannelState, Coverage

NOW = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)  # a Wednesday evening, after arXiv's mailing
FEED_DAY = schedule.arxiv_feed_day(NOW)


def arxiv(store: Store, day: date, *, complete: bool, note: str | None = None) -> None:
    paper = Paper(id="2606.00001", title="A paper", listed=day.isoformat())
    store.write_listing(Listing("arxiv", day, (paper,), NOW, "cs.CL", complete, note))


@pytest.mark.parametrize(
    ("offset", "complete", "note", "final"),
    [
        (0, True, None, True),  # today's mailing, announced
        (0, False, None, False),  # today's mailing, not yet final
        (-1, False, None, True),  # an earlier mailing: arXiv will not add to it
        (-1, False, STALE, False),  # ... unless what we have is a stale repeat
        (1, True, None, False),  # a day after the feed's: never final, however it got here
    ],
    ids=["current-complete", "current-open", "earlier", "earlier-stale", "future"],
)
def test_an_arxiv_day_is_final_only_when_arxiv_is_done_with_it(
    isolated: Path, offset: int, complete: bool, note: str | None, final: bool
) -> None:
    store = Store(isolated)
    day = FEED_DAY + timedelta(days=offset)
    arxiv(store, day, complete=complete, note=note)
    read = read_day(store, "arxiv/cs.CL", day, NOW)
    assert (read.final, [p.id for p in read.papers], read.missing) == (final, ["2606.00001"], False)


def test_an_hf_day_is_final_once_fetched_after_it_ended(isolated: Path) -> None:
    store = Store(isolated)
    yesterday = NOW.date() - timedelta(days=1)
    store.write_listing(Listing("hf", yesterday, (), NOW, complete=True))
    store.write_listing(Listing("hf", NOW.date(), (), NOW, complete=False))
    assert read_day(store, "hf", yesterday, NOW).final is True
    assert read_day(store, "hf", NOW.date(), NOW).final is False
    assert read_day(store, "hf", NOW.date() - timedelta(days=2), NOW).missing is True


def test_a_plan_starts_at_each_sources_first_owed_day(isolated: Path) -> None:
    until = date(2026, 6, 10)
    state = ChannelState(
        coverage={
            "hf": Coverage(date(2026, 6, 1), {date(2026, 6, d) for d in range(1, 9)}),
            "arxiv/cs.CL": Coverage(date(2026, 6, 5), set()),
        }
    )
    owed = plan("stdout", state, ["hf", "arxiv/cs.CL"], until, None)
    assert owed.days["hf"] == [date(2026, 6, 9), date(2026, 6, 10)]
    assert owed.days["arxiv/cs.CL"][0] == date(2026, 6, 5)
    assert owed.since == date(2026, 6, 5)  # the earliest day any source still owes
    assert owed.given_up == {}


def test_days_are_labelled_as_one_day_or_a_span() -> None:
    assert days_label([date(2026, 6, 11)]) == "2026-06-11"
    span = [date(2026, 6, 8) + timedelta(days=n) for n in range(5)]
    assert days_label(span) == "2026-06-08..2026-06-12 (5 days)"
