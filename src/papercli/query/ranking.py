"""Relevance ranking over cached papers: BM25F over title, abstract and keywords.

Title matches weigh most (a paper *about* diffusion transformers says so in its title), quoted
phrases earn a bonus when they occur as written, and every result carries the query terms it
matched so users can see why it ranked where it did. Pure functions; no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papercli.models import Paper
from papercli.query.filters import Criteria
from papercli.query.matching import STOPWORDS, fold, term_pattern

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "abstract": 1.0}
K1 = 1.2
B = 0.75
PHRASE_BONUS = 1.5
_WORD = re.compile(r"\w+")
_QUERY_PART = re.compile(r'"([^"]+)"|(\S+)')


def stem(word: str) -> str:
    """A light plural/suffix folding, so "models" and "model" count as one term."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Folded, stemmed words without stopwords."""
    return [stem(w) for w in _WORD.findall(fold(text)) if w not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: single terms (stemmed) and quoted phrases."""

    terms: tuple[str, ...]
    phrases: tuple[str, ...]
    shown: dict[str, str]  # stemmed term -> the word the user typed

    @classmethod
    def parse(cls, text: str, *, whole_phrase: bool = False) -> Query:
        """``diffusion "world model"``: terms from every word, plus the phrases as written.

        ``whole_phrase`` (``papers search``): a query without quotes is also one phrase.
        """
        terms: list[str] = []
        phrases: list[str] = []
        shown: dict[str, str] = {}
        for phrase, word in _QUERY_PART.findall(text):
            if phrase.strip():
                phrases.append(phrase.strip())
            for raw in _WORD.findall(fold(phrase or word)):
                if raw in STOPWORDS:
                    continue
                term = stem(raw)
                if term not in shown:
                    shown[term] = raw
                    terms.append(term)
        words = _WORD.findall(text)
        if whole_phrase and not phrases and len(words) > 1:
            # Unquoted words are a phrase too: a paper on "state space models" should rank
            # above one that merely says "space" and "model" (spaces or hyphens between).
            phrases.append(" ".join(words))
        return cls(tuple(terms), tuple(phrases), shown)


@dataclass(frozen=True, slots=True)
class Hit:
    """A ranked paper: its score and the query terms and phrases it matched."""

    paper: Paper
    score: float
    matched: tuple[str, ...]


class Corpus:
    """Term statistics of a set of papers, for scoring any query against them."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self.papers = list(papers)
        self._fields: list[dict[str, Counter[str]]] = []
        self._lengths: list[float] = []
        self.df: Counter[str] = Counter()
        for paper in self.papers:
            per_field = {
                "title": Counter(tokens(paper.title)),
                "keywords": Counter(tokens(" ".join(paper.keywords))),
                "abstract": Counter(tokens(paper.abstract)),
            }
            self._fields.append(per_field)
            self._lengths.append(
                sum(FIELD_WEIGHTS[f] * sum(c.values()) for f, c in per_field.items())
            )
            self.df.update(set().union(*per_field.values()))
        self.avg_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0

    def idf(self, term: str) -> float:
        """Inverse document frequency (BM25's, floored at a small positive value)."""
        n = len(self.papers)
        df = self.df.get(term, 0)
        return max(0.01, math.log(1 + (n - df + 0.5) / (df + 0.5)))

    def score(self, index: int, query: Query) -> tuple[float, tuple[str, ...]]:
        """BM25F score of one paper and the query terms it contains."""
        fields = self._fields[index]
        norm = 1 - B + B * (self._lengths[index] / self.avg_length if self.avg_length else 1.0)
        total = 0.0
        matched: list[str] = []
        for term in query.terms:
            tf = sum(FIELD_WEIGHTS[name] * counts.get(term, 0) for name, counts in fields.items())
            if tf:
                matched.append(query.shown[term])
                total += self.idf(term) * tf * (K1 + 1) / (tf + K1 * norm)
        if query.phrases:
            paper = self.papers[index]
            for phrase in query.phrases:
                pattern = term_pattern(phrase)
                in_title = pattern.search(fold(paper.title)) is not None
                if in_title or pattern.search(fold(paper.abstract)):
                    total += PHRASE_BONUS * (2.0 if in_title else 1.0)
                    matched.append(f'"{phrase}"')
        return total, tuple(matched)

    def rank(self, query: Query) -> list[Hit]:
        """Papers matching the query, best first; ties by upvotes, then lowest id."""
        hits = []
        for index, paper in enumerate(self.papers):
            score, matched = self.score(index, query)
            if score > 0:
                hits.append(Hit(paper, score, matched))
        hits.sort(key=rank_key)
        return hits


def rank_key(hit: Hit) -> tuple[int, float, int, str]:
    """Search order: papers with more of the query's phrases first, then by score, upvotes
    and lowest id. A phrase outranks any number of scattered words."""
    phrases = sum(1 for m in hit.matched if m.startswith('"'))
    return (-phrases, -hit.score, -(hit.paper.upvotes or 0), hit.paper.id)


def matched_terms(paper: Paper, query: Query) -> tuple[str, ...]:
    """The query words (as typed) and phrases that occur in a paper's title, abstract or
    keywords."""
    present = set(tokens(f"{paper.title} {paper.abstract} {' '.join(paper.keywords)}"))
    words = [query.shown[t] for t in query.terms if t in present]
    text = fold(f"{paper.title} \n {paper.abstract} \n {' '.join(paper.keywords)}")
    phrases = [f'"{p}"' for p in query.phrases if term_pattern(p).search(text)]
    return tuple(words + phrases)


def rank_papers(
    papers: Iterable[Paper], query_text: str, *, whole_phrase: bool = False
) -> list[Hit]:
    """Rank ``papers`` against a free-text query (see ``Query.parse`` for ``whole_phrase``)."""
    query = Query.parse(query_text, whole_phrase=whole_phrase)
    if not query.terms and not query.phrases:
        return []
    return Corpus(list(papers)).rank(query)


def criteria_query(criteria: Criteria) -> str:
    """The query that ``--sort relevance`` ranks by: the -k keywords and the topics' keywords."""
    words = [*criteria.keywords, *(k for t in criteria.topics for k in t.keywords)]
    return " ".join(f'"{w}"' if " " in w.strip() else w for w in words)


def by_relevance(papers: Sequence[Paper], query_text: str) -> tuple[list[Paper], dict[str, float]]:
    """Papers ordered by relevance (those that match nothing last, by upvotes) and the scores."""
    hits = rank_papers(papers, query_text)
    scores = {h.paper.id: h.score for h in hits}
    rest = [p for p in papers if p.id not in scores]
    rest.sort(key=lambda p: (-(p.upvotes or 0), p.id))
    return [h.paper for h in hits] + rest, scores
