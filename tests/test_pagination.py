"""Pagination against fakes that page the way the real services do, and hostile variants.

Every test counts the requests: a loop a server can stretch shows up as a count, long before
it shows up as hours.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from fakearxiv import ApiPaper, FakeArxivApi, feed, papers_in, utc
from fakeserver import ATOM, JSON, XML, FakeServer, Reply, fixture
from papercli import schedule
from papercli.cli import app
from papercli.config import load_settings
from papercli.core import backfill, refresh
from papercli.core.session import Session
from papercli.sources import arxiv, hf
from papercli.sources.http import HttpClient

WINDOW = (utc("2026-08-10 18:00"), utc("2026-08-11 18:00"))


def client() -> HttpClient:
    return HttpClient(sleep=lambda _s: None, jitter=lambda: 0.0, retries=1)


def starts(api: FakeArxivApi) -> list[int]:
    return [int(q["start"]) for q in api.queries]


def window_query(window=WINDOW, cats=("cs.CL",)) -> str:
    return arxiv.window_query(cats, *window)


# -- arXiv API: the query itself ---------------------------------------------------------------


def test_honest_paging_reads_every_page_once(server: FakeServer) -> None:
    inside = papers_in(*WINDOW, 1234, ("cs.CL",))
    other = papers_in(*WINDOW, 300, ("math.AG",), first=5000)
    api = FakeArxivApi(inside + other).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert starts(api) == [0, 500, 1000]
    assert len(result.papers) == 1234 and len({p.id for p in result.papers}) == 1234
    assert result.complete and result.notes == [] and result.outside == 0


def test_short_pages_with_a_huge_total_stop_at_once(server: FakeServer) -> None:
    api = FakeArxivApi(papers_in(*WINDOW, 800, ("cs.CL",)), page_cap=40, claim_total=100_000)
    api.install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert starts(api) == [0]
    assert len(result.papers) == 40 and not result.complete
    assert result.notes == [
        "arXiv API sent 40 entries for 500 asked at start=0 while reporting 100000 results; "
        "stopped paging"
    ]


def test_a_server_that_ignores_start_is_read_twice_not_forever(server: FakeServer) -> None:
    api = FakeArxivApi(papers_in(*WINDOW, 1200, ("cs.CL",)), ignore_start=True).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert starts(api) == [0, 500]
    assert len(result.papers) == 500 and not result.complete
    assert "none of them new" in result.notes[0]


def test_papers_outside_the_window_are_dropped_and_counted(server: FakeServer) -> None:
    inside = papers_in(*WINDOW, 30, ("cs.CL",))
    before = papers_in(WINDOW[0] - timedelta(days=3), WINDOW[0], 20, ("cs.CL",), first=900)
    api = FakeArxivApi(inside + before, ignore_window=True).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert {p.id for p in result.papers} == {p.id for p in inside}
    assert result.outside == 20 and len(api.queries) == 1


def test_a_page_of_nothing_but_outsiders_ends_the_paging(server: FakeServer) -> None:
    outside = papers_in(utc("2026-01-01 00:00"), utc("2026-02-01 00:00"), 2000, ("cs.CL",))
    api = FakeArxivApi(outside, ignore_window=True).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert starts(api) == [0] and result.papers == [] and result.outside == 500
    assert not result.complete


def test_the_request_bound_holds_whatever_the_server_says(server: FakeServer) -> None:
    api = FakeArxivApi(papers_in(*WINDOW, 5000, ("cs.CL",))).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW, max_requests=3)
    assert starts(api) == [0, 500, 1000] and len(result.papers) == 1500
    assert result.notes == ["arXiv API: stopped after 3 requests (1500 of 5000 results)"]


def test_a_total_that_is_no_number_is_not_believed(server: FakeServer) -> None:
    page = feed(papers_in(*WINDOW, 3, ("cs.CL",)), 0, 0)
    huge = b">" + b"9" * 5000 + b"</opensearch:totalResults>"
    server.route("/api/query", Reply(page.replace(b">0</opensearch:totalResults>", huge), 200))
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert len(result.papers) == 3 and server.hits("/api/query") == 1


def test_a_count_off_by_a_few_is_arxivs_not_an_attack(server: FakeServer) -> None:
    api = FakeArxivApi(papers_in(*WINDOW, 700, ("cs.CL",)), claim_total=703).install(server)
    result = arxiv.query(client(), server.url, search=window_query(), window=WINDOW)
    assert starts(api) == [0, 500] and result.complete and result.notes == []


def test_lookup_keeps_only_the_ids_asked_for(server: FakeServer) -> None:
    other = ApiPaper("2608.99999", utc("2026-08-10 20:00"), ("cs.CL",), "Another paper")
    server.route("/api/query", Reply(feed([other], 1, 0), 200, ATOM))
    assert arxiv.lookup(client(), server.url, ["2608.00001"]) == []
    assert server.hits("/api/query") == 1


# -- arXiv API: backfills ------------------------------------------------------------------------


def session_at(now: str, **kwargs) -> Session:
    when = datetime.fromisoformat(now)
    return Session.create(load_settings(), now=lambda: when, **kwargs)


def friday_papers(count: int, cats=("cs.LG",), first: int = 1) -> list[ApiPaper]:
    start, end = schedule.submission_window(date(2026, 8, 14))
    return papers_in(start, end, count, cats, first)


def saturday_feed(server: FakeServer) -> None:
    server.route(
        "/rss/cs.LG", Reply(fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml"), 200, XML)
    )


def test_an_empty_saturday_feed_fills_friday_and_says_so(server: FakeServer) -> None:
    saturday_feed(server)
    api = FakeArxivApi(friday_papers(120) + friday_papers(5, ("math.AG",), 900)).install(server)
    session = session_at("2026-08-15T12:00:00+00:00")
    (view,) = refresh.latest_arxiv(session, ["cs.LG"])
    assert view.listing is not None and view.listing.day == date(2026, 8, 14)
    assert len(view.listing.papers) == 120
    assert len(api.queries) == 1 and server.hits("/rss/cs.LG") == 1
    assert [n.text for n in session.notices] == [
        "cs.LG's feed is empty on Saturday; filling Fri 2026-08-14 from the arXiv API"
    ]


@pytest.mark.parametrize(
    "hostile",
    [{"page_cap": 50, "claim_total": 100_000}, {"ignore_start": True}, {"ignore_window": True}],
    ids=["short pages", "ignores start", "ignores the window"],
)
def test_a_hostile_api_on_a_weekend_costs_a_request_or_two(server: FakeServer, hostile) -> None:
    """Before: `papers today -c cs.LG` on an empty weekend ran 315 s and 5,792 requests."""
    saturday_feed(server)
    earlier = papers_in(utc("2026-07-01 00:00"), utc("2026-08-01 00:00"), 3000, ("cs.LG",), 5000)
    api = FakeArxivApi(friday_papers(600) + earlier, **hostile).install(server)
    session = session_at("2026-08-15T12:00:00+00:00")
    (view,) = refresh.latest_arxiv(session, ["cs.LG"])
    assert len(api.queries) <= 2
    warnings = [n.text for n in session.notices if n.level == "warning"]
    assert warnings, "the anomaly is reported"
    if view.listing is not None:  # whatever was filed lies in Friday's window
        start, end = schedule.submission_window(date(2026, 8, 14))
        known = {p.id: p.published for p in api.papers}
        assert all(start <= known[p.id] < end for p in view.listing.papers)


def fetch_span(runner: CliRunner, monkeypatch, since: str, until: str):
    monkeypatch.setenv("PAPERS_NOW", "2026-08-22T12:00:00+00:00")
    return runner.invoke(
        app, ["fetch", "-s", "arxiv", "-c", "cs.CL", "--since", since, "--until", until]
    )


def span_papers(first: date, last: date, per_day: int) -> list[ApiPaper]:
    papers: list[ApiPaper] = []
    for day in schedule.mailing_days(first, last):
        start, end = schedule.submission_window(day)
        papers += papers_in(start, end, per_day, ("cs.CL",), first=len(papers) + 1)
    return papers


def test_a_span_backfill_pages_honestly_and_says_what_it_fills(
    runner: CliRunner, server: FakeServer, monkeypatch, isolated
) -> None:
    api = FakeArxivApi(span_papers(date(2026, 8, 3), date(2026, 8, 14), 120)).install(server)
    result = fetch_span(runner, monkeypatch, "2026-08-03", "2026-08-14")
    assert result.exit_code == 0, result.stderr
    assert starts(api) == [0, 500, 0, 500]  # two queries of five mailings, 600 papers each
    assert result.stderr.splitlines()[0] == (
        "arXiv cs.CL not in the cache; filling 10 mailings, 2026-08-03..2026-08-14 from the "
        "arXiv API (at least 2 requests, 0 s apart)"
    )
    days = sorted(p.name for p in (isolated / "cache" / "arxiv" / "cs.CL").iterdir())
    assert len(days) == 10
    counts = {
        name: len(json.loads((isolated / "cache" / "arxiv" / "cs.CL" / name).read_text())["papers"])
        for name in days
    }
    assert set(counts.values()) == {120}


def test_a_span_backfill_against_a_server_ignoring_start_files_only_whole_days(
    runner: CliRunner, server: FakeServer, monkeypatch, isolated
) -> None:
    api = FakeArxivApi(span_papers(date(2026, 8, 3), date(2026, 8, 14), 120), ignore_start=True)
    api.install(server)
    result = fetch_span(runner, monkeypatch, "2026-08-03", "2026-08-14")
    assert starts(api) == [0, 500, 0, 500]
    assert "none of them new" in result.stderr
    # Each query saw the first 500 of its 600 papers: the first four mailings of each whole,
    # the fifth not, so the fifth is left for a later run instead of filed short.
    filed = sorted(p.name[:10] for p in (isolated / "cache" / "arxiv" / "cs.CL").iterdir())
    assert filed == [
        "2026-08-03", "2026-08-04", "2026-08-05", "2026-08-06",
        "2026-08-10", "2026-08-11", "2026-08-12", "2026-08-13",
    ]  # fmt: skip


def test_one_backfill_stops_at_its_request_bound_and_says_what_is_left(
    runner: CliRunner, server: FakeServer, monkeypatch
) -> None:
    monkeypatch.setattr(backfill, "BACKFILL_MAX_REQUESTS", 3)
    api = FakeArxivApi(span_papers(date(2026, 6, 1), date(2026, 8, 14), 10)).install(server)
    result = fetch_span(runner, monkeypatch, "2026-06-01", "2026-08-14")
    assert len(api.queries) == 3
    mailings = [d for d in schedule.mailing_days(date(2026, 6, 1), date(2026, 8, 14))
                if schedule.has_mailing(d)]  # fmt: skip
    rest = mailings[3 * 5 :]  # three queries of five mailings each were made
    assert (
        f"arXiv API: stopped after 3 requests; {len(rest)} mailing(s) from {rest[0]} not filled "
    ) in result.stderr


# -- Hugging Face ------------------------------------------------------------------------------


def hf_item(n: int) -> dict:
    return {"paper": {"id": f"2606.{n:05d}", "title": f"Paper {n}", "upvotes": n}}


def serve_pages(server: FakeServer, pages) -> list[dict[str, str]]:
    """``pages(p, limit)`` -> the items of page p."""
    asked: list[dict[str, str]] = []

    def answer(query: dict[str, str]) -> Reply:
        asked.append(query)
        items = pages(int(query.get("p", "0")), int(query.get("limit", "50")))
        return Reply(json.dumps(items).encode(), 200, JSON)

    server.respond("/api/daily_papers", answer)
    return asked


DAY = date(2026, 6, 12)


def test_hf_pages_until_a_short_page(server: FakeServer) -> None:
    asked = serve_pages(server, lambda p, limit: [hf_item(n) for n in range(150)][p * limit :][
        :limit
    ])  # fmt: skip
    result = hf.daily(client(), server.url, DAY)
    assert [q["p"] for q in asked] == ["0", "1"]
    assert result is not None and len(result.papers) == 150 and result.notes == ()


def test_hf_ignoring_the_page_number_costs_two_requests(server: FakeServer) -> None:
    asked = serve_pages(server, lambda p, limit: [hf_item(n) for n in range(100)])
    result = hf.daily(client(), server.url, DAY)
    assert len(asked) == 2 and len(result.papers) == 100
    assert result.notes == (
        "Hugging Face sent page 2 of 2026-06-12 with no paper not already listed "
        "(does it ignore the page number?); stopped paging",
    )


def test_hf_endless_new_pages_stop_at_the_page_cap(server: FakeServer) -> None:
    asked = serve_pages(server, lambda p, limit: [hf_item(p * 100 + n) for n in range(100)])
    result = hf.daily(client(), server.url, DAY)
    assert len(asked) == hf.MAX_PAGES and len(result.papers) == 1000
    assert "stopped after 10 full pages (1000 papers)" in result.notes[0]


def test_hf_one_giant_page_is_cut_at_the_paper_cap(server: FakeServer) -> None:
    asked = serve_pages(server, lambda p, limit: [hf_item(n) for n in range(5000)])
    result = hf.daily(client(), server.url, DAY)
    assert len(asked) == 1 and len(result.papers) == hf.MAX_PAPERS
    assert "sent more than 1000 papers for 2026-06-12" in result.notes[0]


def test_hf_duplicates_are_kept_once(server: FakeServer) -> None:
    serve_pages(server, lambda p, limit: [hf_item(n % 7) for n in range(40)] if p == 0 else [])
    result = hf.daily(client(), server.url, DAY)
    assert sorted(p.id for p in result.papers) == [f"2606.{n:05d}" for n in range(7)]


def test_hf_notes_reach_the_user_and_the_day_file_stays_small(
    runner: CliRunner, server: FakeServer, monkeypatch, isolated
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    serve_pages(server, lambda p, limit: [hf_item(n) for n in range(100)])
    result = runner.invoke(app, ["today", "-s", "hf", "--format", "ids"])
    assert result.exit_code == 0 and len(result.stdout.split()) == 100
    assert "(does it ignore the page number?); stopped paging" in result.stderr
    day_file = isolated / "cache" / "hf" / "2026-06-12.json"
    assert len(json.loads(day_file.read_text())["papers"]) == 100


def test_the_window_check_uses_the_minutes_arxiv_was_asked_for() -> None:
    start, end = WINDOW
    page = arxiv.ApiPage(papers=[], total=0)
    for n, when in enumerate([start - timedelta(seconds=1), start, end + timedelta(seconds=59),
                              end + timedelta(minutes=1)]):  # fmt: skip
        paper = arxiv.Paper(id=f"2608.{n:05d}")
        page.papers.append(paper)
        page.submitted[paper.id] = when
    result = arxiv.ApiPage(papers=[], total=0)
    assert arxiv._take(result, page, set(), WINDOW) == 2
    assert [p.id for p in result.papers] == ["2608.00001", "2608.00002"]
    assert result.outside == 2
    assert WINDOW[0].tzinfo is UTC
