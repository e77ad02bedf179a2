"""Matching text the way users expect: case- and accent-insensitive, on word boundaries.

"Nunez" finds "Núñez", "RL" does not match "world", a term also matches its plural
("language model" finds "Language Models"), and a trailing ``*`` makes it a prefix
("agent*" finds "agentic").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, cached_property

from papercli.errors import UsageError
from papercli.models import Paper


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Núñez" and "nunez" compare equal."""
    if text.isascii():
        return text.lower()  # most titles and abstracts: no accents to strip
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
    """A paper with its text fields folded once, however many filters look at them."""

    def __init__(self, paper: Paper) -> None:
        self.paper = paper

    @cached_property
    def title(self) -> str:
        return fold(self.paper.title)

    @cached_property
    def abstract(self) -> str:
        return fold(self.paper.abstract)

    @cached_property
    def keywords(self) -> str:
        return fold(" ; ".join(self.paper.keywords))

    @cached_property
    def authors(self) -> list[str]:
        return [fold(a) for a in self.paper.authors]

    @cached_property
    def text(self) -> str:
        """Title, abstract and keywords: what -k searches."""
        return f"{self.title} \n {self.abstract} \n {self.keywords}"

    @cached_property
    def categories(self) -> list[str]:
        return [c.lower() for c in self.paper.categories]


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
