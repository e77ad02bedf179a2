"""An id with a 5,000-digit version costs that one item, never a listing (int() refuses more
than 4,300 digits with ValueError, which used to escape as exit 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from fakearxiv import ApiPaper, feed, papers_in, utc
from fakeserver import ATOM, XML, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.config import load_settings
from papercli.core import refresh
from papercli.core.session import Session
from papercli.errors import UsageError
from papercli.models import parse_id
from papercli.sources import arxiv, hf

HUGE = "9" * 5000


def test_parse_id_refuses_a_huge_version_as_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"not an arXiv id: '2608\.19199v9999"):
        parse_id(f"2608.19199v{HUGE}")
    assert parse_id("2608.19199v12") == ("2608.19199", 12)


def test_an_rss_item_with_a_huge_version_is_skipped_with_a_warning(server: FakeServer) -> None:
    body = fixture("arxiv_rss_cs.CL_2026-08-21.xml")
    body = body.replace(b"oai:arXiv.org:2608.19199v1", f"oai:arXiv.org:2608.19199v{HUGE}".encode())
    server.route("/rss/cs.CL", Reply(body, 200, XML))
    session = Session.create(load_settings(), now=lambda: datetime(2026, 8, 21, 12, tzinfo=UTC))
    (view,) = refresh.latest_arxiv(session, ["cs.CL"])
    assert view.listing is not None and len(view.listing.papers) == 11
    assert "2608.19199" not in {p.id for p in view.listing.papers}
    assert [n.text for n in session.notices if n.level == "warning"] == [
        "arXiv RSS: skipped 1 item(s) of 2026-08-21 without a usable arXiv id or version"
    ]


def test_an_api_entry_with_a_huge_version_is_skipped_and_counted() -> None:
    good = ApiPaper("2608.00001", utc("2026-08-10 20:00"), ("cs.CL",))
    bad = ApiPaper("2608.00002", utc("2026-08-10 21:00"), ("cs.CL",))
    body = feed([good, bad], 2, 0).replace(b"2608.00002v1", b"2608.00002v" + HUGE.encode())
    page = arxiv.parse_api(body)
    assert [p.id for p in page.papers] == ["2608.00001"] and page.skipped == 1


def test_an_hf_item_with_a_huge_version_is_skipped_and_counted() -> None:
    items = [{"paper": {"id": f"2606.00001v{HUGE}"}}, {"paper": {"id": "2606.00002"}}]
    papers, skipped = hf.parse_daily(json.dumps(items).encode())
    assert [p.id for p in papers] == ["2606.00002"] and skipped == 1


def test_show_and_stdin_with_a_huge_version_are_exit_2(runner: CliRunner) -> None:
    shown = runner.invoke(app, ["show", f"2608.19199v{HUGE}"])
    assert shown.exit_code == 2
    assert shown.stderr.splitlines()[0].startswith("Error: not an arXiv id: '2608.19199v999")
    assert len(shown.stderr.splitlines()[0]) < 120  # the id is cut, not echoed whole
    piped = runner.invoke(app, ["show", "-"], input=f"2608.19199v{HUGE}\n")
    assert piped.exit_code == 2
    assert piped.stderr.startswith("Error: stdin line 1: not an arXiv id: '2608.19199v999")
    record = '{"id": "2608.19199", "version": ' + HUGE + "}\n"
    as_record = runner.invoke(app, ["show", "-"], input=record)
    assert as_record.exit_code == 2 and "stdin line 1: not a paper record" in as_record.stderr


def test_a_backfill_says_how_many_entries_it_skipped(server: FakeServer) -> None:
    from datetime import date

    from papercli import schedule

    papers = papers_in(*schedule.submission_window(date(2026, 8, 14)), 3, ("cs.LG",))
    body = feed(papers, 3, 0).replace(b"2608.00001v1", b"2608.00001v" + HUGE.encode())
    server.route("/api/query", Reply(body, 200, ATOM))
    server.route(
        "/rss/cs.LG", Reply(fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml"), 200, XML)
    )
    session = Session.create(load_settings(), now=lambda: datetime(2026, 8, 15, 12, tzinfo=UTC))
    (view,) = refresh.latest_arxiv(session, ["cs.LG"])
    assert view.listing is not None and len(view.listing.papers) == 2
    assert "arXiv API: skipped 1 entries without a usable arXiv id" in [
        n.text for n in session.notices
    ]
