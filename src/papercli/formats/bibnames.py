"""Author names as BibTeX reads them: ``von Last, Jr, First``, institutions in braces.

BibTeX guesses the last name of ``First Last`` from capitalisation alone, so ``Benjamin Van
Durme`` would become Mr Durme and ``Martin Luther King Jr.`` Mr Jr.; it splits a name list at
every " and ", so "Science and Technology Facilities Council" would become two people. Every
name is therefore written out in the comma form, with the parts worked out here, and a name
that is an organisation is braced whole.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from papercli.formats.escape import latex

# Capitalised particles that start a surname (lower-case ones BibTeX recognises itself).
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "delle", "dei", "degli", "di", "da",
     "das", "dos", "du", "des", "la", "le", "lo", "ten", "ter", "zu", "vander", "vanden"}
)  # fmt: skip
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd"})
# Words that make a name an organisation rather than a person.
_ORGANISATION = re.compile(
    r"\b(?:collaboration|consortium|team|group|project|committee|council|institute|"
    r"institution|university|universit[àäé]t?|laborator(?:y|ies)|labs?|cent(?:er|re)|"
    r"foundation|association|society|organi[sz]ation|initiative|network|alliance|inc|ltd|"
    r"llc|gmbh|corp(?:oration)?|company|agency|department|ministry|school|college|academy|"
    r"observatory|programme|program|members|contributors|authors)\b\.?",
    re.IGNORECASE,
)


class Name(NamedTuple):
    """A person's name in BibTeX's four parts (``von`` included in ``last``)."""

    first: str
    last: str
    suffix: str = ""


def is_organisation(name: str) -> bool:
    """An institution, collaboration or team listed as an author."""
    words = name.split()
    return (
        bool(_ORGANISATION.search(name))
        or any(c.isdigit() for c in name)
        or bool(re.search(r"\s(?:and|&)\s", name, re.IGNORECASE))
        or (len(words) > 1 and words[0].lower() == "the")
        or len(words) > 6
    )


def split_name(name: str) -> Name:
    """``Benjamin Van Durme`` -> (Benjamin, Van Durme); ``John Smith, Jr.`` -> (John, Smith,
    Jr.); ``Ludwig van Beethoven`` -> (Ludwig, van Beethoven)."""
    text = " ".join(name.split())
    suffix = ""
    head, comma, tail = text.rpartition(",")
    if comma and tail.strip().lower() in SUFFIXES:
        text, suffix = head.strip(), tail.strip()
    words = text.split()
    if len(words) > 1 and not suffix and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) <= 1:
        return Name("", " ".join(words), suffix)
    start = len(words) - 1
    # A lower-case word after the first starts the surname (BibTeX's von); so does a
    # capitalised particle followed only by particles and the last word.
    for pos in range(1, len(words) - 1):
        if words[pos][:1].islower():
            start = pos
            break
    else:
        while start > 1 and words[start - 1].lower() in PARTICLES:
            start -= 1
    return Name(" ".join(words[:start]), " ".join(words[start:]), suffix)


def last_name(name: str) -> str:
    """The surname BibTeX will see (von part included), or the whole organisation."""
    return name if is_organisation(name) else split_name(name).last


def bib_name(name: str) -> str:
    """One author as BibTeX text: ``Van Durme, Benjamin``, ``King, Jr., Martin Luther``,
    ``{Science and Technology Facilities Council}``."""
    if is_organisation(name):
        return "{" + latex(name) + "}"
    parts = split_name(name)
    if not parts.first:
        return "{" + latex(name) + "}" if parts.suffix else latex(parts.last)
    # A comma inside a part would shift BibTeX's parts: brace such a part.
    last, suffix, first = (
        "{" + f + "}" if "," in f else f
        for f in (latex(parts.last), latex(parts.suffix), latex(parts.first))
    )
    return f"{last}, {suffix}, {first}" if suffix else f"{last}, {first}"
