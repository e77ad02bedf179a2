"""Author lists as arXiv's RSS feed writes them: one ``dc:creator`` string for all authors.

The string joins ``Name (Affiliation)`` entries with ``, ``, and affiliations hold commas and
"and" of their own (``Riasat Islam (School of Electronic Engineering and Computer Science,
Queen Mary University of London, London, United Kingdom)``), so it is split only at
parenthesis depth 0. A trailing parenthesis is the affiliation, kept apart from the name.

arXiv's serializer also mangles a name with a nickname in the middle: ``Tse-Hsun (Peter)
Chen`` arrives as `` Tse-Hsun (Peter),  Chen`` (two entries with empty forenames, marked by
the extra space) and "(Peter)" copied onto every earlier author without an affiliation.
Such pairs are joined back into one person and the copies dropped.
"""

from __future__ import annotations

from typing import NamedTuple

from papercli.models import clean_text, sanitize
from papercli.sources.tex import decode

# A piece that is only one of these belongs to the name before it: "John Smith, Jr.".
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd"})


class Authors(NamedTuple):
    """Names in order, and their affiliations aligned with them (empty when none had one)."""

    names: tuple[str, ...]
    affiliations: tuple[str, ...]


class _Entry(NamedTuple):
    name: str
    affiliation: str
    bare: bool  # written with an empty forename (a leading extra space)


def _matched_parentheses(text: str) -> set[int]:
    """Positions of the parentheses that have a partner; unmatched ones are plain text."""
    stack: list[int] = []
    matched: set[int] = set()
    for pos, char in enumerate(text):
        if char == "(":
            stack.append(pos)
        elif char == ")" and stack:
            matched.add(stack.pop())
            matched.add(pos)
    return matched


def _split_depth0(text: str) -> list[str]:
    """``text`` split at the commas outside (matched) parentheses."""
    matched = _matched_parentheses(text)
    pieces: list[str] = []
    depth = 0
    start = 0
    for pos, char in enumerate(text):
        if pos in matched:
            depth += 1 if char == "(" else -1
        elif char == "," and depth == 0:
            pieces.append(text[start:pos])
            start = pos + 1
    pieces.append(text[start:])
    return pieces


def _entry(piece: str, first: bool) -> _Entry:
    """One ``Name (Affiliation)`` piece; a parenthesis inside the name stays in the name."""
    # After ", " an entry starts with one space; a second one means an empty forename.
    raw = piece if first else piece.removeprefix(" ")
    bare = raw.startswith((" ", "\t"))
    text = raw.strip()
    if text.lower().startswith("and "):  # "A, B, and C"
        text = text[4:].lstrip()
    affiliation = ""
    if text.endswith(")"):
        matched = _matched_parentheses(text)
        if len(text) - 1 in matched:
            depth = 0
            for pos in range(len(text) - 1, -1, -1):
                if pos in matched:
                    depth += 1 if text[pos] == ")" else -1
                    if depth == 0:
                        affiliation = text[pos + 1 : -1]
                        text = text[:pos]
                        break
    return _Entry(clean_text(decode(text)), clean_text(decode(affiliation)), bare)


def split_creators(raw: str | None) -> Authors:
    """Names and affiliations from a ``dc:creator`` string (see the module docstring)."""
    text = sanitize(raw or "")
    if not text.strip():
        return Authors((), ())
    entries = [_entry(piece, n == 0) for n, piece in enumerate(_split_depth0(text))]
    joined: list[_Entry] = []
    nicknames: set[str] = set()
    pos = 0
    while pos < len(entries):
        entry = entries[pos]
        after = entries[pos + 1] if pos + 1 < len(entries) else None
        if (
            entry.bare
            and entry.affiliation
            and after is not None
            and after.bare
            and not after.affiliation
            and after.name
        ):
            nicknames.add(entry.affiliation)
            joined.append(_Entry(f"{entry.name} ({entry.affiliation}) {after.name}", "", False))
            pos += 2
            continue
        if entry.name.lower() in SUFFIXES and joined:
            before = joined.pop()
            affiliation = before.affiliation or entry.affiliation
            joined.append(_Entry(f"{before.name}, {entry.name}", affiliation, False))
        elif entry.name:
            joined.append(entry)
        pos += 1
    names = tuple(e.name for e in joined)
    affiliations = tuple("" if e.affiliation in nicknames else e.affiliation for e in joined)
    return Authors(names, affiliations if any(affiliations) else ())
