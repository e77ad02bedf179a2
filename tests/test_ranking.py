"""Search ranking on a hand-made corpus with known best answers."""

from __future__ import annotations

import itertools
import json

import pytest

from fakeserver import FIXTURES
from papercli.models import Paper, Topic
from papercli.query.filters import Criteria
from papercli.query.ranking import Query, by_relevance, criteria_query, rank_papers, stem

CORPUS = [
    Paper.from_dict(json.loads(line))
    for line in (FIXTURES / "search_corpus.jsonl").read_text().splitlines()
]


def top(query: str, n: int = 3) -> list[str]:
    return [h.paper.id[-2:] for h in rank_papers(CORPUS, query)[:n]]


@pytest.mark.parametrize(
    ("query", "expected_top"),
    [
        ("diffusion transformer", ["01"]),
        ("speculative decoding", ["08"]),
        ("world model robot", ["07"]),
        ("protein", ["04"]),
        ('"diffusion policy"', ["11"]),
        ("agents tools", ["06"]),
    ],
)
def test_best_results_come_first(query: str, expected_top: list[str]) -> None:
    assert top(query, len(expected_top)) == expected_top


def test_papers_with_every_term_in_the_title_come_before_partial_matches() -> None:
    ranked = top("diffusion transformer", 6)
    assert set(ranked[:3]) == {"01", "02", "09"}  # both words in the title
    assert set(ranked[3:6]) <= {"03", "04", "05", "08", "11"}


def test_title_matches_outrank_abstract_matches() -> None:
    ranked = [h.paper.id[-2:] for h in rank_papers(CORPUS, "attention")]
    assert ranked[0] == "03"  # "Attention" in the title
    assert set(ranked) == {"01", "03", "05", "09"}


def test_hits_carry_scores_and_matched_terms() -> None:
    hits = rank_papers(CORPUS, 'diffusion "video generation" unmatchedword')
    best = hits[0]
    assert best.paper.id == "2611.10001"
    assert best.matched == ("diffusion", "video", "generation", '"video generation"')
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert all(h.score > 0 for h in hits)


def test_no_match_and_stopword_queries_return_nothing() -> None:
    assert rank_papers(CORPUS, "zebra") == []
    assert rank_papers(CORPUS, "the of and") == []


def test_query_parsing_and_stemming() -> None:
    query = Query.parse('Diffusion "World Models" of')
    assert query.terms == ("diffusion", "world", "model")
    assert query.phrases == ("World Models",)
    assert [stem(w) for w in ("policies", "processes", "models", "class")] == [
        "policy", "process", "model", "class",
    ]  # fmt: skip


def test_sort_relevance_uses_keywords_and_topics_and_keeps_the_rest() -> None:
    criteria = Criteria(
        keywords=("robot",), topics=(Topic("diff", keywords=("diffusion policy",)),)
    )
    assert criteria_query(criteria) == 'robot "diffusion policy"'
    ordered, scores = by_relevance(CORPUS, criteria_query(criteria))
    assert ordered[0].id == "2611.10011"
    assert len(ordered) == len(CORPUS)
    unmatched = [p for p in ordered if p.id not in scores]
    assert [p.upvotes for p in unmatched] == sorted((p.upvotes for p in unmatched), reverse=True)
