"""FTS5 queries built from search words: pure text, so that a command can build one without
loading SQLite or the index (``papers list`` builds it on every run, and only long spans use it)."""

from __future__ import annotations

from collections.abc import Iterable

from papercli.models import LazyPattern
from papercli.query.matching import fold

WORD = LazyPattern(r"\w+")


def quote(token: str) -> str:
    """An FTS5 string token: ``token`` in double quotes, its own quotes doubled."""
    return '"' + token.replace('"', '""') + '"'


def term_query(term: str) -> str | None:
    """An FTS5 query matching a superset of what ``matching.term_pattern`` matches.

    Every word of the term becomes a prefix token (so plurals and ``agent*`` are covered).
    None when the term has characters whose folding FTS5 might do differently: the caller
    then keeps every candidate for that term.
    """
    folded = fold(term)
    if not folded.isascii():
        return None
    tokens = WORD.findall(folded)
    if not tokens:
        return None
    return " AND ".join(f"{quote(t)}*" for t in tokens)


def keywords_query(keywords: Iterable[str], *, all_required: bool) -> str | None:
    """FTS5 narrowing for ``-k`` keywords (any or all); None when it cannot narrow safely."""
    parts = [term_query(k) for k in keywords]
    if not parts or (None in parts and not all_required):
        return None
    usable = [f"({p})" for p in parts if p is not None]
    if not usable:
        return None
    return "{title abstract keywords}: (" + (" AND " if all_required else " OR ").join(usable) + ")"
