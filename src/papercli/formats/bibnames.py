"""Author names as BibTeX reads them: ``von Last, Jr, First``, organisations in braces.

BibTeX guesses the last name of ``First Last`` from capitalisation alone, so ``Benjamin Van
Durme`` would become Mr Durme and ``Martin Luther King Jr.`` Mr Jr.; it splits a name list at
every " and ", so "Science and Technology Facilities Council" would become two people. Every
name is therefore written out in the comma form, split as the other reference formats split
it (``citation.split_name``), and a name that cannot be split (an organisation, a single
word) is braced whole.
"""

from __future__ import annotations

import re

from papercli.formats.citation import split_name
from papercli.formats.escape import latex

# A part BibTeX would cut: a comma shifts its parts, a word "and" starts another author.
_NEEDS_BRACES = re.compile(r",|(?<!\S)and(?!\S)", re.IGNORECASE)


def last_name(name: str) -> str:
    """The surname BibTeX will see (particles included), or the whole unsplittable name."""
    parts = split_name(name)
    return parts.literal or parts.family


def _part(text: str) -> str:
    escaped = latex(text)
    return "{" + escaped + "}" if _NEEDS_BRACES.search(text) else escaped


def bib_name(name: str) -> str:
    """One author as BibTeX text: ``Van Durme, Benjamin``, ``King, Jr., Martin Luther``,
    ``{Science and Technology Facilities Council}``."""
    parts = split_name(name)
    if parts.literal or not parts.given:
        return "{" + latex(parts.literal or name) + "}"
    family, given = _part(parts.family), _part(parts.given)
    return f"{family}, {_part(parts.suffix)}, {given}" if parts.suffix else f"{family}, {given}"
