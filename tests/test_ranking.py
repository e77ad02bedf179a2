"""Search ranking on a hand-made corpus with known best answers."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from fakeserver import FIXTURES
from papercli.models import Paper, Topic
from papercli.query.filters import Criteria
from papercli.query.ranking import (
    Query,
    by_relevance,
    criteria_query,
    matched_terms,
    rank_papers,
    stem,
    tokens,
)

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


# -- the scores themselves: BM25F as documented, recomputed here from its definition -------


def reference_score(docs: list[dict[str, list[str]]], index: int, terms: list[str]) -> float:
    """BM25F with field weights title 3, keywords 2, abstract 1; k1 1.2, b 0.75."""
    weights = {"title": 3.0, "keywords": 2.0, "abstract": 1.0}
    lengths = [sum(weights[f] * len(words) for f, words in d.items()) for d in docs]
    average = sum(lengths) / len(lengths)
    norm = 1 - 0.75 + 0.75 * lengths[index] / average
    total = 0.0
    for term in terms:
        df = sum(1 for d in docs if any(term in words for words in d.values()))
        idf = max(0.01, math.log(1 + (len(docs) - df + 0.5) / (df + 0.5)))
        tf = sum(weights[f] * words.count(term) for f, words in docs[index].items())
        if tf:
            total += idf * tf * 2.2 / (tf + 1.2 * norm)
    return total


def test_scores_are_bm25f_with_the_documented_weights() -> None:
    papers = [
        Paper(id="2601.00001", title="Diffusion models", abstract="Noise and diffusion.",
              keywords=("generative",)),
        Paper(id="2601.00002", title="Graph networks", abstract="Diffusion on graphs, twice: "
              "diffusion.", keywords=("diffusion",)),
        Paper(id="2601.00003", title="Unrelated", abstract="Nothing here at all."),
        Paper(id="2601.00004", title="Robots", abstract="Robots that learn models."),
    ]  # fmt: skip
    docs = [
        {"title": tokens(p.title), "keywords": tokens(" ".join(p.keywords)),
         "abstract": tokens(p.abstract)}
        for p in papers
    ]  # fmt: skip
    hits = rank_papers(papers, "diffusion models")
    expected = {
        p.id: reference_score(docs, i, ["diffusion", "model"]) for i, p in enumerate(papers)
    }
    assert {h.paper.id: h.score for h in hits} == pytest.approx(
        {k: v for k, v in expected.items() if v > 0}, rel=1e-12
    )
    assert [h.paper.id for h in hits] == sorted(
        (k for k, v in expected.items() if v > 0), key=lambda k: -expected[k]
    )


def test_a_phrase_adds_a_bonus_twice_as_large_in_the_title() -> None:
    in_title = Paper(id="2601.00001", title="World models", abstract="Nothing.")
    in_abstract = Paper(id="2601.00002", title="Nothing", abstract="Learned world models.")
    neither = Paper(id="2601.00003", title="Models", abstract="A world of words.")
    corpus = [in_title, in_abstract, neither]
    plain = {h.paper.id: h.score for h in rank_papers(corpus, "world model")}
    phrased = {h.paper.id: h for h in rank_papers(corpus, '"world model"')}
    assert phrased[in_title.id].score == pytest.approx(plain[in_title.id] + 3.0)
    assert phrased[in_abstract.id].score == pytest.approx(plain[in_abstract.id] + 1.5)
    assert phrased[neither.id].score == pytest.approx(plain[neither.id])
    assert phrased[in_title.id].matched == ("world", "model", '"world model"')
    assert phrased[neither.id].matched == ("world", "model")


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("flies", "fly"), ("ties", "tie"), ("boxes", "box"), ("axes", "ax"), ("xes", "xes"),
        ("classes", "class"), ("cats", "cat"), ("bus", "bus"), ("boss", "boss"),
        ("news", "new"), ("model", "model"),
    ],
)  # fmt: skip
def test_stem_folds_plurals_but_not_short_words(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_query_skips_stopwords_and_keeps_the_words_as_typed() -> None:
    query = Query.parse('the Diffusion of "world models" for robots')
    assert query.terms == ("diffusion", "world", "model", "robot")
    assert query.phrases == ("world models",)
    assert query.shown["model"] == "models"
    assert rank_papers([Paper(id="2601.00001", title="The")], "the of") == []


def test_ties_go_to_upvotes_then_id_and_the_rest_follow_by_upvotes() -> None:
    def same(pid: str, upvotes: int | None) -> Paper:
        return Paper(id=pid, title="Diffusion", upvotes=upvotes)

    tied = [same("2601.00009", 0), same("2601.00001", None), same("2601.00005", 1)]
    assert [h.paper.id for h in rank_papers(tied, "diffusion")] == [
        "2601.00005", "2601.00001", "2601.00009",
    ]  # fmt: skip
    rest = [Paper(id="2601.00002", upvotes=0), Paper(id="2601.00008", upvotes=1)]
    ordered, scores = by_relevance([*rest, same("2601.00003", None)], "diffusion")
    assert [p.id for p in ordered] == ["2601.00003", "2601.00008", "2601.00002"]
    assert set(scores) == {"2601.00003"}


def test_matched_terms_names_the_words_found_and_the_phrases() -> None:
    paper = Paper(id="2601.00001", title="World models", abstract="For robots.",
                  keywords=("agents",))  # fmt: skip
    query = Query.parse('Robots agent "world model" absent')
    assert matched_terms(paper, query) == ("robots", "agent", "world", "model", '"world model"')


def test_stopwords_inside_a_phrase_are_skipped_not_the_end_of_it() -> None:
    query = Query.parse('"state of the art" parsing')
    assert query.terms == ("state", "art", "parsing")
    assert query.phrases == ("state of the art",)
