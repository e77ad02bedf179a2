"""Each parser against fixtures in the real upstream formats, and against broken input."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fakeserver import fixture
from papercli.errors import UpstreamError, UsageError
from papercli.sources import arxiv, hf

# -- Hugging Face ------------------------------------------------------------------------------


def test_hf_daily_keeps_every_field_users_rely_on() -> None:
    papers, skipped = hf.parse_daily(fixture("hf_daily_2026-06-12.json"), date(2026, 6, 12))
    assert skipped == 0
    assert len(papers) == 12
    by_id = {p.id: p for p in papers}
    paper = by_id["2606.12730"]
    assert paper.title.startswith("Rethinking Psychometric Evaluation of LLMs")
    assert paper.listed == "2026-06-12"  # submittedOnDailyAt, the HF day
    assert paper.published == "2026-06-10"
    assert paper.upvotes == 5  # on `paper`, not on the wrapper
    assert paper.github == "https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs"
    assert paper.github_stars == 1
    assert paper.sources == ("hf",)
    raw = {item["paper"]["id"]: item for item in json.loads(fixture("hf_daily_2026-06-12.json"))}
    for paper_id, item in raw.items():
        assert by_id[paper_id].comments == item["numComments"]
        assert by_id[paper_id].ai_summary == item["paper"].get("ai_summary")
        assert list(by_id[paper_id].keywords) == item["paper"].get("ai_keywords", [])
    assert by_id["2606.00467"].organization == "California institute of technology"


def test_hf_empty_weekend_day_is_an_empty_list() -> None:
    assert hf.parse_daily(b"[]") == ([], 0)


def test_hf_items_without_usable_id_are_skipped_and_counted() -> None:
    items = json.loads(fixture("hf_daily_2026-06-12.json"))[:2]
    items.append({"paper": {"id": "../../etc/passwd", "title": "x"}})
    items.append({"no": "paper"})
    papers, skipped = hf.parse_daily(json.dumps(items).encode())
    assert len(papers) == 2 and skipped == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Just a moment...</body></html>", "HTML page"),
        (fixture("hf_daily_2026-06-12.json")[:5000], "malformed JSON"),
        (b'{"error": "Invalid date"}', "said: Invalid date"),
        (b'{"papers": []}', "expected a list"),
        (b"\xff\xfe\x00garbage", "malformed JSON"),
        (b'[{"no": "paper"}]', "none of them a paper"),
    ],
)
def test_hf_unusable_responses_are_upstream_errors(body: bytes, message: str) -> None:
    with pytest.raises(UpstreamError, match=message):
        hf.parse_daily(body)


def test_hf_paper_detail_and_search() -> None:
    paper = hf.parse_paper(fixture("hf_paper_2606.13392_synthetic.json"))
    assert paper.id == "2606.13392"
    assert paper.title == "MiniMax Sparse Attention"
    assert paper.comments is None  # the detail endpoint has no numComments
    found, _ = hf.parse_daily(fixture("hf_search_synthetic.json"))
    assert [p.id for p in found] == [
        p["paper"]["id"] for p in json.loads(fixture("hf_search_synthetic.json"))
    ]


# -- arXiv RSS ---------------------------------------------------------------------------------


def test_rss_weekday_feed() -> None:
    mailing = arxiv.parse_rss(fixture("arxiv_rss_cs.CL_2026-08-21.xml"))
    assert mailing.day == date(2026, 8, 21)  # channel pubDate, US Eastern
    assert len(mailing.papers) == 12
    first = mailing.papers[0]
    assert first.id == "2608.19199" and first.version == 1
    assert first.announce_type == "new"
    assert first.primary_category == "cs.CL"
    assert first.categories == ("cs.CL", "cs.AI", "cs.IR")
    assert first.authors[:2] == ("John Boden", "Joshua Eckroth") and len(first.authors) == 10
    assert first.abstract.startswith("We describe the evolution of a virtual assistant")
    assert "Announce Type" not in first.abstract
    assert first.listed == "2026-08-21"
    types = {p.announce_type for p in mailing.papers}
    assert types == {"new", "cross", "replace", "replace-cross"}
    crosses = [p for p in mailing.papers if p.announce_type == "cross"]
    assert all(p.primary_category != "cs.CL" for p in crosses)


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml", date(2026, 8, 15)),
        ("arxiv_rss_cs.LG_2026-07-06_holiday_empty.xml", date(2026, 7, 6)),
    ],
)
def test_rss_empty_feeds_have_a_date_and_no_papers(name: str, day: date) -> None:
    mailing = arxiv.parse_rss(fixture(name))
    assert mailing.day == day
    assert mailing.papers == ()


def test_rss_stale_repeat_has_the_same_ids_under_a_new_date() -> None:
    monday = arxiv.parse_rss(fixture("arxiv_rss_cs.CL_2026-08-17.xml"))
    repeat = arxiv.parse_rss(fixture("arxiv_rss_cs.CL_2026-08-18_stale.xml"))
    assert monday.day == date(2026, 8, 17) and repeat.day == date(2026, 8, 18)
    assert {p.id for p in monday.papers} == {p.id for p in repeat.papers}


def test_rss_atom_flavour_parses_like_rss() -> None:
    mailing = arxiv.parse_rss(fixture("arxiv_atom_cs.CL_synthetic.xml"))
    assert mailing.day == date(2026, 8, 21)
    assert [p.announce_type for p in mailing.papers] == ["new", "cross", "replace", "replace-cross"]
    assert mailing.papers[0].id == "2608.19199"


def test_split_by_category_recomputes_types_for_a_combined_feed() -> None:
    mailing = arxiv.parse_rss(fixture("arxiv_rss_cs.CL_2026-08-21.xml"))
    split = arxiv.split_by_category(mailing.papers, ["cs.CL", "cs.AI"])
    assert len(split["cs.CL"]) == 12
    first_ai = next(p for p in split["cs.AI"] if p.id == "2608.19199")
    assert first_ai.announce_type == "cross"  # primary cs.CL, cross-listed to cs.AI
    assert all(
        p.announce_type == q.announce_type
        for p, q in zip(split["cs.CL"], mailing.papers, strict=True)
    )


def test_rss_legacy_rdf_is_rejected_with_a_hint() -> None:
    with pytest.raises(UpstreamError, match="legacy RDF") as info:
        arxiv.parse_rss(fixture("arxiv_rss_legacy_rdf_cs.CL_2023-12-11.xml"))
    assert "rss.arxiv.org" in (info.value.hint or "")


def test_rss_feed_error_is_a_usage_error() -> None:
    body = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>Feed error for query: cs.XX</title>
<link>http://rss.arxiv.org/rss/cs.XX</link>
<description>Bad subject class 'XX'</description></channel></rss>"""
    with pytest.raises(UsageError, match="Bad subject class"):
        arxiv.parse_rss(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fixture("arxiv_rss_cs.CL_2026-08-21.xml")[:9000], "malformed or truncated"),
        (b"<html><body>Rate exceeded.</body></html>", "HTML page"),
        (b"", "not a feed|malformed"),
        (b'{"json": "instead"}', "not a feed|malformed"),
    ],
)
def test_rss_broken_feeds_are_upstream_errors(body: bytes, message: str) -> None:
    with pytest.raises(UpstreamError, match=message):
        arxiv.parse_rss(body)


# -- arXiv API ---------------------------------------------------------------------------------


def test_api_query_page() -> None:
    page = arxiv.parse_api(fixture("arxiv_api_query_testing_start0_max10.xml"))
    assert page.total == 214881
    assert len(page.papers) == 10
    first = page.papers[0]
    assert first.id == "2202.12139" and first.version == 1
    assert first.primary_category == "cs.SE"
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert (
        first.arxiv_comment
        == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    )
    assert first.published == "2022-02-24"
    assert page.submitted["2202.12139"].isoformat() == "2022-02-24T15:05:19+00:00"


def test_api_primary_category_can_differ_from_the_query() -> None:
    page = arxiv.parse_api(fixture("arxiv_api_query_transformer_cs.LG_submittedDate.xml"))
    assert page.papers[0].primary_category == "cs.RO"
    assert "cs.LG" in page.papers[0].categories


def test_api_error_feed_is_an_error_not_a_paper() -> None:
    with pytest.raises(UpstreamError, match="incorrect id format for abc"):
        arxiv.parse_api(fixture("arxiv_api_error_http400_malformed_id.xml"))


def test_api_counts_lie_entries_are_trusted() -> None:
    page = arxiv.parse_api(fixture("arxiv_api_idlist_one_bad_one_good.xml"))
    assert [p.id for p in page.papers] == ["1707.08567"]
    assert arxiv.parse_api(fixture("arxiv_api_idlist_nonexistent_zero_results.xml")).papers == []


def test_api_legacy_2016_format_still_parses() -> None:
    page = arxiv.parse_api(fixture("arxiv_api_legacy_2016_au_del_maestro.xml"))
    assert len(page.papers) == 10
    assert all(any("Del Maestro" in a for a in p.authors) for p in page.papers)
    assert page.papers[4].authors == ("B. Kulchytskyy", "G. Gervais", "A. Del Maestro")
    assert all(" \n" not in p.title and "  " not in p.abstract for p in page.papers)
