"""Hugging Face papers with arXiv's metadata (categories, v1 date, DOI), and what ``today``
says when HF's look-back finds nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import ATOM, JSON, FakeServer, Reply, api_feed, fixture
from papercli.cli import app
from papercli.config import load_settings
from papercli.store.cache import Store

HF_DAY = fixture("hf_daily_2026-06-12.json")
HF_IDS = [item["paper"]["id"] for item in json.loads(HF_DAY)]
SATURDAY = "2026-06-13T15:00:00+00:00"


def described(paper_id: str, primary: str, categories: str, published: str) -> dict[str, str]:
    return {"id": f"{paper_id}v2", "title": "arXiv's title", "primary": primary,
            "categories": categories, "published": published}  # fmt: skip


ARXIV_KNOWS = api_feed(
    [
        described("2606.12730", "cs.CL", "cs.CL,cs.AI", "2026-06-10T17:00:00Z"),
        described("2606.06113", "cs.CV", "cs.CV", "2026-06-05T09:00:00Z"),
    ]
)


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": HF_DAY})
    server.route("/api/query", Reply(ARXIV_KNOWS, 200, ATOM))
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def ids(result) -> list[str]:
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def test_category_filters_match_hf_papers(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "today", "--source", "hf", "-c", "cs.CL")
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["2606.12730"]
    lookups = [r for r in hf.requests if r.path == "/api/query"]
    assert len(lookups) == 1  # one batched id_list request for the day's listing
    assert lookups[0].query["id_list"].split(",") == HF_IDS
    assert lookups[0].query["search_query"] == ""
    assert ids(run(runner, "today", "--source", "hf", "-c", "cs.CV")) == ["2606.06113"]


def test_the_metadata_is_cached_with_the_listing(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    assert run(runner, "today", "--source", "hf").exit_code == 0
    listing = Store(isolated).read_listing("hf", date(2026, 6, 12))
    assert listing is not None and listing.complete and listing.note is None
    paper = next(p for p in listing.papers if p.id == "2606.12730")
    assert (paper.categories, paper.primary_category) == (("cs.CL", "cs.AI"), "cs.CL")
    assert paper.published == "2026-06-10"  # arXiv's v1, not HF's featuring date
    assert paper.sources == ("hf",) and paper.title != "arXiv's title"  # HF's own text stays
    before = len(hf.requests)
    for extra in ((), ("--offline",)):
        result = run(runner, "today", "--source", "hf", "-c", "cs.CL", *extra)
        assert result.exit_code == 0, result.stderr
        assert ids(result) == ["2606.12730"]
    assert len(hf.requests) == before  # the cached path never asks arXiv


def test_topic_categories_match_hf_papers(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text(
        '[topics.psych]\nkeywords = ["psychometric"]\ncategories = ["cs.CL"]\n'
    )
    result = run(runner, "today", "--source", "hf", "--topic", "psych")
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["2606.12730"]


def test_arxiv_unreachable_skips_with_a_note_and_retries_later(
    runner: CliRunner, hf: FakeServer, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hf.route("/api/query", Reply(b"busy", 503))
    result = run(runner, "today", "--source", "hf")
    assert result.exit_code == 0, result.stderr
    assert len(ids(result)) == 12  # HF's papers are shown all the same
    assert "have no arXiv categories yet" in result.stderr
    assert "tried again on the next fetch" in result.stderr
    listing = Store(isolated).read_listing("hf", date(2026, 6, 12))
    assert listing is not None and not listing.complete  # not final: fetched again
    hf.route("/api/query", Reply(ARXIV_KNOWS, 200, ATOM))
    monkeypatch.setenv("PAPERS_NOW", "2026-06-13T17:00:00+00:00")  # past the TTL
    result = run(runner, "today", "--source", "hf", "-c", "cs.CL")
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["2606.12730"]
    assert Store(isolated).read_listing("hf", date(2026, 6, 12)).complete


def test_a_span_asks_arxiv_once_for_all_its_days(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = json.loads(HF_DAY)
    bodies = {}
    for n, day in enumerate(("2026-06-10", "2026-06-11", "2026-06-12")):
        bodies[day] = json.dumps(days[4 * n : 4 * n + 4]).encode()
    server.serve_hf_days(bodies)
    server.route("/api/query", Reply(ARXIV_KNOWS, 200, ATOM))
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    result = run(runner, "list", "--source", "hf", "--since", "2026-06-10", "--until",
                 "2026-06-12", "-c", "cs.CL")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["2606.12730"]
    lookups = [r for r in server.requests if r.path == "/api/query"]
    assert len(lookups) == 1 and len(lookups[0].query["id_list"].split(",")) == 12
    store = Store(load_settings().data_dir)
    assert all(store.read_listing("hf", date(2026, 6, d)).complete for d in (10, 11, 12))


def test_a_look_back_that_finds_nothing_says_so(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.serve_hf_days({})  # every day answers []
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    result = run(runner, "today", "--source", "hf")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: Hugging Face listed no paper on any day from Sat 2026-06-06 to Sat 2026-06-13\n"
        "Hint: "
    )
    assert "no papers matched" not in result.stderr


def test_a_look_back_of_only_future_days_points_at_the_clock(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/api/daily_papers", Reply(b'{"error":"date in the future"}', 400, JSON))
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    result = run(runner, "today", "--source", "hf")
    assert result.exit_code == 5
    assert "answered 'not open yet' for every day" in result.stderr
    assert "check the system clock" in result.stderr
