"""Cache-or-fetch rules against a real local server: days, TTL, weekends, stale feeds, faults."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from fakeserver import ATOM, JSON, XML, FakeServer, Reply, api_feed, fixture
from papercli.config import load_settings
from papercli.core import refresh as listings
from papercli.core.session import Session
from papercli.errors import NetworkError

HF_DAY = fixture("hf_daily_2026-06-12.json")


class Clock:
    def __init__(self, now: str) -> None:
        self.now = datetime.fromisoformat(now)

    def set(self, now: str) -> None:
        self.now = datetime.fromisoformat(now)

    def __call__(self) -> datetime:
        return self.now


def session_at(clock: Clock, **kwargs) -> Session:
    return Session.create(load_settings(), now=clock, **kwargs)


def infos(session: Session) -> list[str]:
    return [n.text for n in session.notices if n.level == "info"]


def warnings(session: Session) -> list[str]:
    return [n.text for n in session.notices if n.level == "warning"]


def hf_routes(server: FakeServer, days: dict[str, bytes]) -> None:
    server.serve_hf_days(days)


# -- Hugging Face ------------------------------------------------------------------------------


def test_hf_weekend_shows_friday_and_says_why(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    session = session_at(Clock("2026-06-13T15:00:00+00:00"))
    listing = listings.latest_hf(session)
    assert listing is not None and listing.day == date(2026, 6, 12)
    assert len(listing.papers) == 12
    assert infos(session) == [
        "Hugging Face: nothing on Sat 2026-06-13 (weekends are empty); showing Fri 2026-06-12, "
        "12 papers"
    ]


def test_hf_is_never_asked_for_a_day_after_the_utc_day(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    # 23:30 on the 11th in New York is already the 12th in UTC; 08:00 in Tokyo on the 13th
    # is still the 12th in UTC.
    for now in ("2026-06-11T23:30:00-04:00", "2026-06-13T08:00:00+09:00"):
        listings.latest_hf(session_at(Clock(now)))
    asked = {r.query["date"] for r in server.requests if "date" in r.query}
    assert max(asked) == "2026-06-12"


def test_hf_400_for_a_day_it_has_not_opened_steps_back(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-11": HF_DAY})
    server.route(
        "/api/daily_papers",
        Reply(b'{"error":"date in the future"}', 400, JSON),
        query={"date": "2026-06-12"},
    )
    session = session_at(Clock("2026-06-12T00:05:00+00:00"))
    listing = listings.latest_hf(session)
    assert listing is not None and listing.day == date(2026, 6, 11)
    assert "HF has not opened Fri 2026-06-12 yet" in infos(session)[0]
    assert session.store.read_listing("hf", date(2026, 6, 12)) is None  # nothing cached for it


def test_hf_today_is_refreshed_after_the_ttl_and_a_past_day_never(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    clock = Clock("2026-06-12T15:00:00+00:00")
    session = session_at(clock)
    listings.hf_day(session, date(2026, 6, 12))
    listings.hf_day(session, date(2026, 6, 12))
    assert server.hits("/api/daily_papers") == 1  # fresh for an hour
    clock.set("2026-06-12T16:01:00+00:00")
    listings.hf_day(session, date(2026, 6, 12))
    assert server.hits("/api/daily_papers") == 2  # refreshed after the TTL
    clock.set("2026-06-13T02:00:00+00:00")
    listings.hf_day(session, date(2026, 6, 12))  # fetched once after the day ended: final
    clock.set("2026-06-20T02:00:00+00:00")
    listings.hf_day(session, date(2026, 6, 12))
    listings.hf_day(session, date(2026, 6, 12))
    assert server.hits("/api/daily_papers") == 3


def test_hf_refresh_keeps_previous_upvotes_for_momentum(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    clock = Clock("2026-06-12T15:00:00+00:00")
    session = session_at(clock)
    first = listings.hf_day(session, date(2026, 6, 12))
    bumped = HF_DAY.replace(b'"upvotes": 13', b'"upvotes": 20')
    hf_routes(server, {"2026-06-12": bumped})
    clock.set("2026-06-12T17:00:00+00:00")
    second = listings.hf_day(session, date(2026, 6, 12))
    assert first is not None and second is not None
    top = next(p for p in second.papers if p.id == "2606.06113")
    assert (top.upvotes, top.upvotes_previous) == (20, 13)


def test_failed_refresh_shows_the_cache_and_leaves_it_untouched(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    clock = Clock("2026-06-12T15:00:00+00:00")
    session = session_at(clock)
    listings.hf_day(session, date(2026, 6, 12))
    path = session.store.listing_path("hf", date(2026, 6, 12))
    before = path.read_bytes()
    server.route("/api/daily_papers", Reply(b"busy", 503))
    clock.set("2026-06-12T18:00:00+00:00")
    listing = listings.hf_day(session, date(2026, 6, 12))
    assert listing is not None and len(listing.papers) == 12
    assert (
        "showing the cached Hugging Face listing of 2026-06-12 (fetched 3 h ago)"
        in warnings(session)[0]
    )
    assert "HTTP 503" in warnings(session)[0]
    assert path.read_bytes() == before


def test_failure_without_cache_raises(server: FakeServer) -> None:
    server.route("/api/daily_papers", Reply(b"busy", 503))
    with pytest.raises(NetworkError, match="Hugging Face returned HTTP 503"):
        listings.latest_hf(session_at(Clock("2026-06-12T15:00:00+00:00")))


def test_offline_never_connects(server: FakeServer) -> None:
    session = session_at(Clock("2026-06-12T15:00:00+00:00"), offline=True)
    assert listings.latest_hf(session) is None
    assert server.requests == []
    assert "run `papers fetch` while online" in warnings(session)[0]


# -- arXiv -------------------------------------------------------------------------------------


def rss(server: FakeServer, path: str, name: str) -> None:
    server.route(path, Reply(fixture(name), 200, XML))


def test_arxiv_weekday_feed_is_cached_under_its_mailing_date(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-21.xml")
    session = session_at(Clock("2026-08-21T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 21)
    assert len(view.listing.papers) == 12 and view.reason == ""
    listings.latest_arxiv(session, ["cs.CL"])
    assert server.hits("/rss/cs.CL") == 1  # a complete mailing is not fetched again


def test_arxiv_categories_share_one_request(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL+cs.AI", "arxiv_rss_cs.CL_2026-08-21.xml")
    session = session_at(Clock("2026-08-21T12:00:00+00:00"))
    views = listings.latest_arxiv(session, ["cs.CL", "cs.AI"])
    assert server.hits("/rss/cs.CL+cs.AI") == 1
    by_cat = {v.category: v.listing for v in views}
    assert by_cat["cs.AI"] is not None
    assert {p.announce_type for p in by_cat["cs.AI"].papers} <= {
        "new",
        "cross",
        "replace",
        "replace-cross",
    }
    assert len(by_cat["cs.AI"].papers) < len(by_cat["cs.CL"].papers)


def test_arxiv_weekend_shows_friday_and_says_why(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-21.xml")
    session = session_at(Clock("2026-08-21T12:00:00+00:00"))
    listings.latest_arxiv(session, ["cs.CL"])
    empty = fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml")
    server.route("/rss/cs.CL", Reply(empty.replace(b"Sat, 15 Aug", b"Sat, 22 Aug"), 200, XML))
    session = session_at(Clock("2026-08-22T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 21)
    assert view.reason == "no announcement on weekends"


def test_arxiv_stale_repeat_is_flagged_and_backfilled_from_the_api(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-17.xml")
    listings.latest_arxiv(session_at(Clock("2026-08-17T12:00:00+00:00")), ["cs.CL"])
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-18_stale.xml")
    # Tuesday's mailing announces first submissions from Fri 14:00 ET to Mon 14:00 ET.
    server.route(
        "/api/query",
        Reply(
            api_feed(
                [
                    {
                        "id": "2608.20001v1",
                        "title": "Fresh on Tuesday",
                        "primary": "cs.CL",
                        "categories": "cs.CL",
                        "published": "2026-08-17T15:00:00Z",
                    },
                    {
                        "id": "2608.20002v1",
                        "title": "Cross-listed",
                        "primary": "cs.LG",
                        "categories": "cs.LG,cs.CL",
                        "published": "2026-08-14T20:00:00Z",
                    },
                ]
            ),
            200,
            ATOM,
        ),
    )
    session = session_at(Clock("2026-08-18T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 18)
    assert sorted(p.id for p in view.listing.papers) == ["2608.20001", "2608.20002"]
    types = {p.id: p.announce_type for p in view.listing.papers}
    assert types == {"2608.20001": "new", "2608.20002": "cross"}
    assert "filled from the arXiv API" in view.reason
    query = server.requests[-1].query["search_query"]
    assert query == "(cat:cs.CL) AND submittedDate:[202608141800 TO 202608171800]"
    monday = session.store.read_listing("arxiv", date(2026, 8, 17), "cs.CL")
    assert monday is not None and len(monday.papers) == 12  # the real Monday stays as it was


def test_arxiv_stale_repeat_without_api_help_shows_the_previous_mailing(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-17.xml")
    listings.latest_arxiv(session_at(Clock("2026-08-17T12:00:00+00:00")), ["cs.CL"])
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-18_stale.xml")
    server.route("/api/query", Reply(api_feed([]), 200, ATOM))  # the API index lags
    (view,) = listings.latest_arxiv(session_at(Clock("2026-08-18T12:00:00+00:00")), ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 17)
    assert view.reason == "the feed of Tue 2026-08-18 repeats 2026-08-17 (a known arXiv glitch)"


def test_arxiv_saturday_batch_belongs_to_friday(server: FakeServer) -> None:
    rss(server, "/rss/cs.AI", "arxiv_rss_cs.AI_2026-08-15_saturday.xml")
    session = session_at(Clock("2026-08-15T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.AI"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 14)
    assert {p.listed for p in view.listing.papers} == {"2026-08-14"}
    assert session.store.read_listing("arxiv", date(2026, 8, 15), "cs.AI").papers == ()


def test_arxiv_first_run_on_a_weekend_backfills_friday(server: FakeServer) -> None:
    rss(server, "/rss/cs.LG", "arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml")
    server.route(
        "/api/query",
        Reply(
            api_feed(
                [
                    {
                        "id": "2608.13000v1",
                        "title": "Friday paper",
                        "primary": "cs.LG",
                        "categories": "cs.LG",
                        "published": "2026-08-13T15:00:00Z",
                    }
                ]
            ),
            200,
            ATOM,
        ),
    )
    session = session_at(Clock("2026-08-15T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.LG"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 14)
    assert [p.id for p in view.listing.papers] == ["2608.13000"]


def test_arxiv_feed_down_falls_back_to_the_cache(server: FakeServer) -> None:
    rss(server, "/rss/cs.CL", "arxiv_rss_cs.CL_2026-08-21.xml")
    listings.latest_arxiv(session_at(Clock("2026-08-21T12:00:00+00:00")), ["cs.CL"])
    server.route(
        "/rss/cs.CL", Reply(b"<html>Rate exceeded.</html>", 200, {"Content-Type": "text/html"})
    )
    session = session_at(Clock("2026-08-24T12:00:00+00:00"))
    (view,) = listings.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 21)
    assert "arXiv RSS answered with an HTML page" in warnings(session)[0]


def test_an_hf_refresh_never_drops_papers_it_listed_before(server: FakeServer) -> None:
    hf_routes(server, {"2026-06-12": HF_DAY})
    clock = Clock("2026-06-12T15:00:00+00:00")
    session = session_at(clock)
    listings.hf_day(session, date(2026, 6, 12))
    hf_routes(server, {"2026-06-12": b"[]"})  # a glitch: HF answers with nothing
    clock.set("2026-06-12T17:00:00+00:00")
    again = listings.hf_day(session, date(2026, 6, 12))
    assert again is not None and len(again.papers) == 12
