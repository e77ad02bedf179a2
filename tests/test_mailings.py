"""Which mailing ``today`` shows, end to end against a local server: missed mailings, cold
caches after holidays, and backfilled papers filed by arXiv's holiday calendar."""

from __future__ import annotations

from datetime import date, datetime

from fakeserver import ATOM, XML, FakeServer, Reply, api_feed, fixture
from papercli.config import load_settings
from papercli.core import refresh
from papercli.core.session import Session

MONDAY = fixture("arxiv_rss_cs.CL_2026-08-17.xml")
EMPTY = fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml")


def session_at(now: str) -> Session:
    return Session.create(load_settings(), now=lambda: datetime.fromisoformat(now))


def empty_feed(day: str) -> bytes:
    """An empty channel dated ``day`` (``Sat, 22 Aug 2026``), like every weekend feed."""
    return EMPTY.replace(b"Sat, 15 Aug 2026", day.encode())


def entry(paper_id: str, published: str, category: str = "cs.CL") -> dict[str, str]:
    return {
        "id": f"{paper_id}v1",
        "title": f"Paper {paper_id}",
        "primary": category,
        "categories": category,
        "published": published,
    }


def test_a_saturday_run_fills_the_friday_it_never_saw(server: FakeServer) -> None:
    """Monday was cached; nobody ran while the feed served Tuesday to Friday."""
    server.route("/rss/cs.CL", Reply(MONDAY, 200, XML))
    refresh.latest_arxiv(session_at("2026-08-17T12:00:00+00:00"), ["cs.CL"])
    server.route("/rss/cs.CL", Reply(empty_feed("Sat, 22 Aug 2026"), 200, XML))
    server.route(
        "/api/query",
        Reply(api_feed([entry("2608.19300", "2026-08-20T15:00:00Z")]), 200, ATOM),
    )
    session = session_at("2026-08-22T15:00:00+00:00")
    (view,) = refresh.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 21)
    assert [p.id for p in view.listing.papers] == ["2608.19300"]
    # Friday's mailing: first submissions from Wed 14:00 to Thu 14:00 EDT.
    query = server.requests[-1].query["search_query"]
    assert query == "(cat:cs.CL) AND submittedDate:[202608191800 TO 202608201800]"
    assert view.reason == (
        "no announcement on weekends; "
        "filled from the arXiv API (new submissions and cross-lists only)"
    )


def test_a_warm_weekend_cache_makes_no_request(server: FakeServer) -> None:
    server.route("/rss/cs.CL", Reply(fixture("arxiv_rss_cs.CL_2026-08-21.xml"), 200, XML))
    refresh.latest_arxiv(session_at("2026-08-21T12:00:00+00:00"), ["cs.CL"])
    before = len(server.requests)
    for now in ("2026-08-22T09:00:00+00:00", "2026-08-23T23:00:00+00:00"):
        (view,) = refresh.latest_arxiv(session_at(now), ["cs.CL"])
        assert view.listing is not None and view.listing.day == date(2026, 8, 21)
        assert view.reason == "no announcement on weekends"
    assert len(server.requests) == before


def test_a_cold_cache_after_thanksgiving_shows_thursday(server: FakeServer) -> None:
    """No mailing is dated Fri 2026-11-27: the newest is Thursday's, filled by its window."""
    server.route("/rss/cs.CL", Reply(empty_feed("Sat, 28 Nov 2026"), 200, XML))
    server.route(
        "/api/query",
        Reply(
            api_feed(
                [
                    entry("2611.20001", "2026-11-24T20:00:00Z"),  # Tue 15:00 EST: Thursday's
                    entry("2611.20002", "2026-11-25T20:00:00Z"),  # Wed 15:00 EST: Monday's
                ]
            ),
            200,
            ATOM,
        ),
    )
    session = session_at("2026-11-28T15:00:00+00:00")
    (view,) = refresh.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 11, 26)
    assert [p.id for p in view.listing.papers] == ["2611.20001"]
    assert (
        server.requests[-1]
        .query["search_query"]
        .endswith("submittedDate:[202611241900 TO 202611251900]")
    )
    assert "no mailing on Fri 2026-11-27 (arXiv holiday Thu 2026-11-26)" in view.reason
    assert session.store.read_listing("arxiv", date(2026, 11, 27), "cs.CL") is None


def test_a_failed_feed_does_not_send_the_api_after_it(server: FakeServer) -> None:
    server.route("/rss/cs.CL", Reply(MONDAY, 200, XML))
    refresh.latest_arxiv(session_at("2026-08-17T12:00:00+00:00"), ["cs.CL"])
    server.route("/rss/cs.CL", Reply(b"<html>Rate exceeded.</html>", 200))
    session = session_at("2026-08-22T15:00:00+00:00")
    (view,) = refresh.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 17)
    assert server.hits("/api/query") == 0
    assert "Tue 2026-08-18 is not cached" in view.reason


def test_backfilled_papers_are_filed_by_the_holiday_calendar(server: FakeServer) -> None:
    """Fri 2026-07-03 was a holiday: no Monday 07-06 mailing, Tuesday takes both batches."""
    server.route(
        "/api/query",
        Reply(
            api_feed(
                [
                    entry("2607.00001", "2026-07-01T19:00:00Z"),  # Wed 15:00 EDT -> Fri 07-03
                    entry("2607.00002", "2026-07-02T19:00:00Z"),  # Thu 15:00 EDT -> Tue 07-07
                    entry("2607.00003", "2026-07-04T12:00:00Z"),  # Saturday -> Tue 07-07
                    entry("2607.00004", "2026-07-06T17:00:00Z"),  # Mon 13:00 EDT -> Tue 07-07
                    entry("2607.00005", "2026-07-06T19:00:00Z"),  # Mon 15:00 EDT -> Wed 07-08
                ]
            ),
            200,
            ATOM,
        ),
    )
    session = session_at("2026-07-10T12:00:00+00:00")
    days = [date(2026, 7, d) for d in (3, 6, 7, 8)]
    refresh.backfill_arxiv(session, ["cs.CL"], days)
    store = session.store

    def ids(day: int) -> list[str] | None:
        listing = store.read_listing("arxiv", date(2026, 7, day), "cs.CL")
        return None if listing is None else sorted(p.id for p in listing.papers)

    assert ids(3) == ["2607.00001"]
    assert ids(6) is None  # a date arXiv never mailed gets no listing
    assert ids(7) == ["2607.00002", "2607.00003", "2607.00004"]
    assert ids(8) == ["2607.00005"]
    query = server.requests[0].query["search_query"]
    assert query.endswith("submittedDate:[202607011800 TO 202607071800]")
