"""Pure predicates over papers: the listing filters, topics, and display order.

Term matching lives in ``matching``; the ``--where`` language in ``expression``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from papercli.models import Paper, Topic
from papercli.query.matching import (
    PaperText,
    fold,
    matches_author,
    matches_category,
    matches_term,
    term_pattern,
)

if TYPE_CHECKING:
    from papercli.query.expression import Predicate

# -- topics ------------------------------------------------------------------------------------


def topic_matches(view: PaperText, topic: Topic) -> list[str]:
    """The terms through which a paper belongs to a topic; empty when it does not.

    Authors are a route of their own; keywords and categories narrow each other when both
    are given (``agent`` papers in cs.AI or cs.CL); excluded words veto everything.
    """
    if any(matches_term(view.text, word) for word in topic.exclude):
        return []
    hits = [f"au:{a}" for a in topic.authors if matches_author(view, a)]
    if topic.keywords or topic.categories:
        words = [k for k in topic.keywords if matches_term(view.text, k)]
        cats = [c for c in topic.categories if matches_category(view, c)]
        if (words or not topic.keywords) and (cats or not topic.categories):
            hits.extend(words or [f"cat:{c}" for c in cats])
    return hits


# -- criteria ----------------------------------------------------------------------------------


class Criteria:
    """Everything the listing commands can filter on. Checked (and ``where`` compiled) when
    built, so a bad term fails before any work."""

    # A plain class, not a dataclass: see models._PaperFields (start-up cost).
    __slots__ = (
        "_where", "all_keywords", "authors", "categories", "default_types", "exclude",
        "has_code", "keywords", "min_upvotes", "today", "topics", "types", "where",
    )  # fmt: skip

    def __init__(
        self,
        *,
        keywords: tuple[str, ...] = (),
        all_keywords: bool = False,
        exclude: tuple[str, ...] = (),
        where: str | None = None,
        authors: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        types: tuple[str, ...] = (),
        default_types: tuple[str, ...] = (),
        min_upvotes: int | None = None,
        has_code: bool = False,
        topics: tuple[Topic, ...] = (),
        today: date | None = None,
    ) -> None:
        self.keywords = keywords
        self.all_keywords = all_keywords
        self.exclude = exclude
        self.where = where
        self.authors = authors
        self.categories = categories
        self.types = types
        self.default_types = default_types  # for arXiv-only papers when --type is absent
        self.min_upvotes = min_upvotes
        self.has_code = has_code
        self.topics = topics
        self.today = today  # the day relative dates in ``where`` count from
        for word in (*keywords, *exclude, *authors):
            term_pattern(word)  # raises UsageError on an empty term, before any work
        self._where: Predicate | None = None
        if where is not None:
            from papercli.query.expression import compile_expression

            self._where = compile_expression(where, today)

    def with_changes(self, **changes: object) -> Criteria:
        """A copy with some fields replaced, checked again."""
        fields = {name: getattr(self, name) for name in self.__slots__ if name != "_where"}
        return Criteria(**{**fields, **changes})  # type: ignore[arg-type]

    def accepts(self, view: PaperText) -> bool:
        """Does one paper pass every filter."""
        paper = view.paper
        if self.types and paper.announce_type not in self.types:
            return False
        if (
            not self.types
            and self.default_types
            and "hf" not in paper.sources
            and paper.announce_type
            and paper.announce_type not in self.default_types
        ):
            return False
        if self.min_upvotes is not None and (paper.upvotes or 0) < self.min_upvotes:
            return False
        if self.has_code and not paper.github:
            return False
        if self.categories and not any(matches_category(view, c) for c in self.categories):
            return False
        if self.authors and not any(matches_author(view, a) for a in self.authors):
            return False
        if any(matches_term(view.text, w) for w in self.exclude):
            return False
        if self.keywords:
            hits = (matches_term(view.text, k) for k in self.keywords)
            if not (all(hits) if self.all_keywords else any(hits)):
                return False
        if self.topics and not any(topic_matches(view, t) for t in self.topics):
            return False
        return self._where is None or self._where(view)

    def why(self, view: PaperText) -> list[str]:
        """The keywords and topics through which a paper matched, for ``--why``."""
        reasons = [k for k in self.keywords if matches_term(view.text, k)]
        for topic in self.topics:
            hits = topic_matches(view, topic)
            if hits:
                reasons.append(f"{topic.name}: {', '.join(hits)}")
        return reasons


def apply(papers: Iterable[Paper], criteria: Criteria) -> list[Paper]:
    """The papers that pass ``criteria``, in their original order."""
    return [p for p in papers if criteria.accepts(PaperText(p))]


SORT_KEYS: dict[str, Callable[[Paper], object]] = {
    "upvotes": lambda p: (-(p.upvotes if p.upvotes is not None else -1), p.listed or "", p.id),
    "title": lambda p: (fold(p.title), p.id),
    "id": lambda p: p.id,
}


def _by_date(paper: Paper) -> object:
    return (paper.listed or "", paper.id)


def sort_spec(key: str) -> tuple[Callable[[Paper], object], bool]:
    """(key function, reverse) of a display order: upvotes, date (newest first), title, id."""
    if key == "date":
        return _by_date, True
    return SORT_KEYS[key], False


def sort_papers(papers: Sequence[Paper], key: str) -> list[Paper]:
    """Order papers for display: upvotes (default), date (newest first), title or id."""
    function, reverse = sort_spec(key)
    return sorted(papers, key=function, reverse=reverse)
