"""Matching text the way users expect: case- and accent-insensitive, on word boundaries.

"Nunez" finds "Núñez", "RL" does not match "world", a term also matches its plural
("language model" finds "Language Models"), and a trailing ``*`` makes it a prefix
("agent*" finds "agentic").
"""

from __future__ import annotations

import re
from functools import cache

from papercli.errors import UsageError
from papercli.models import Paper

# Words too common to say what a paper is about (search ranking and the For you model).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        "we",
        "our",
        "via",
        "using",
        "based",
        "towards",
        "toward",
    ]
)


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Núñez" and "nunez" compare equal."""
    if text.isascii():
        return text.lower()  # most titles and abstracts: no accents to strip
    import unicodedata  # off the start-up path: only non-ASCII text needs it

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    """The regex a keyword or phrase becomes (see the module docstring)."""
    words = fold(term).split()
    if not words:
        raise UsageError("empty keyword")
    prefix = words[-1].endswith("*") and len(words[-1]) > 1
    if prefix:
        words[-1] = words[-1].rstrip("*")
    body = r"[\W_]+".join(re.escape(w) for w in words)
    tail = r"\w*" if prefix else r"(?:s|es)?(?!\w)"
    head = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    return re.compile(head + body + tail)


class PaperText:
    """A paper with its text fields folded once, however many filters look at them.

    Plain lazy attributes rather than functools.cached_property, which takes a lock on
    every first access in Python 3.11 and cost a third of a 5,000-paper digest.
    """

    __slots__ = ("_authors", "_categories", "_text", "paper")

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self._text: str | None = None
        self._authors: list[str] | None = None
        self._categories: list[str] | None = None

    @property
    def title(self) -> str:
        return fold(self.paper.title)

    @property
    def abstract(self) -> str:
        return fold(self.paper.abstract)

    @property
    def keywords(self) -> str:
        return fold(" ; ".join(self.paper.keywords))

    @property
    def text(self) -> str:
        """Title, abstract and keywords: what -k searches."""
        if self._text is None:
            paper = self.paper
            joined = f"{paper.title} \n {paper.abstract} \n {' ; '.join(paper.keywords)}"
            self._text = fold(joined)
        return self._text

    @property
    def authors(self) -> list[str]:
        if self._authors is None:
            self._authors = [fold(a) for a in self.paper.authors]
        return self._authors

    @property
    def categories(self) -> list[str]:
        if self._categories is None:
            self._categories = [c.lower() for c in self.paper.categories]
        return self._categories


def matches_term(text: str, term: str) -> bool:
    """Does folded ``text`` contain ``term`` on word boundaries."""
    return term_pattern(term).search(text) is not None


def matches_author(view: PaperText, name: str) -> bool:
    """Any author whose name contains ``name`` as whole words."""
    pattern = term_pattern(name)
    return any(pattern.search(a) for a in view.authors)


def matches_category(view: PaperText, category: str) -> bool:
    """Primary or cross-listed category; ``cs`` or ``cs.*`` matches the whole archive."""
    wanted = category.lower().removesuffix(".*")
    return any(c == wanted or c.split(".")[0] == wanted for c in view.categories)
