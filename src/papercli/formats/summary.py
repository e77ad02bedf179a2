"""A paper in a few words: its summary, its authors, its counts.

HF's AI summary (else the abstract's opening), "First Author et al.", "42 (+5)", "1 comment":
shared by the terminal tables and cards, the Atom feeds and the digests, so a paper reads
the same wherever it is shown.
"""

from __future__ import annotations

import re

from papercli.models import Paper, sanitize

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def summarize(paper: Paper, limit: int = 320) -> str:
    """HF's AI summary, else the abstract's first sentences, cut at a word boundary."""
    if paper.ai_summary:
        return _cut(paper.ai_summary, limit)
    # Only the opening matters; splitting a whole abstract into sentences is wasted work.
    text = paper.abstract.strip()[: limit * 2]
    if not text:
        return ""
    summary = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > limit:
            break
        summary = candidate
        if len(summary) >= limit * 0.6:
            break
    return _cut(summary, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """``1 comment``, ``2 comments``: a count with its noun in the right number."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def upvote_cell(paper: Paper) -> str:
    """``42`` or ``42 (+5)``: upvotes and their change since the previous download."""
    if paper.upvotes is None:
        return ""
    if paper.upvotes_previous is not None and paper.upvotes != paper.upvotes_previous:
        return f"{paper.upvotes} ({paper.upvotes - paper.upvotes_previous:+d})"
    return str(paper.upvotes)


def short_authors(paper: Paper, limit: int = 2) -> str:
    """``A. Author, B. Author et al.``; with ``limit`` 1, ``First Author et al.``"""
    names = [sanitize(a) for a in paper.authors[: limit + 1]]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + " et al."


def _initials(name: str) -> str:
    """``Huaisong Zhang`` -> ``H. Zhang``: given names to initials, the family name kept."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return " ".join([*(f"{p[0]}." for p in parts[:-1]), parts[-1]])


def authors_in(paper: Paper, width: int) -> str:
    """As many authors as fit in ``width`` characters, ending in "et al." when some are left.

    Two names if they fit, else "First Author et al.", else "F. Author et al."; a name too
    long even then is cut, never the "et al." that says there are more.
    """
    count = len(paper.authors)
    if not count:
        return ""
    names = [sanitize(a) for a in paper.authors[:2]]  # a collaboration lists hundreds
    tail = " et al." if count > 1 else ""
    candidates = []
    if count == 2:
        candidates.append(f"{names[0]}, {names[1]}")
    elif count > 2:
        candidates.append(f"{names[0]}, {names[1]} et al.")
    candidates += [names[0] + tail, _initials(names[0]) + tail]
    for candidate in candidates:
        if len(candidate) <= width:
            return candidate
    room = max(1, width - len(tail) - 1)
    return _initials(names[0])[:room] + "…" + tail
