"""What the reference formats (RIS, CSL-JSON) share: authors' names split into family and
given parts as reference managers store them, and the date a paper was issued.

arXiv and HF send each author as one string in natural order ("Benjamin Van Durme"). RIS
wants ``Family, Given, Suffix`` and CSL-JSON ``{"family": ..., "given": ...}``, so the family
name has to be found: the last word, with the particles before it (``van den Oord``,
``Van Durme``, ``Del Maestro``), and without a trailing suffix (``Jr.``, ``III``). A single
word (``Plato``) or an organisation (``The LLaMA Team``) cannot be split and stays whole,
as CSL's ``literal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from papercli.formats.escape import one_line
from papercli.models import Paper, abs_url, pdf_url

# Particles that join the family name. Lower-case ones are unambiguous; capitalised ones
# only where they are rarely a given or middle name (Le, Do and Da are also Vietnamese and
# Chinese names, so only their lower-case forms count).
_PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "delle", "dello", "degli", "di", "da",
    "das", "dos", "do", "du", "des", "la", "le", "ter", "ten", "zu", "zur", "bin", "ibn",
    "al", "el", "st.", "sainte", "saint",
}  # fmt: skip
_CAPITAL_PARTICLES = {
    "Van", "Von", "Der", "Den", "De", "Del", "Della", "Di", "Da", "Das", "Dos", "Du", "Des",
    "Ter", "Ten", "St.",
}  # fmt: skip
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "2nd", "3rd", "phd", "ph.d."}
# Words that make a name an organisation rather than a person.
_ORGANISATION_WORDS = {
    "team", "group", "lab", "labs", "laboratory", "institute", "university", "consortium",
    "collaboration", "project", "inc", "inc.", "corp", "corp.", "ltd", "ltd.", "llc",
    "foundation", "center", "centre", "council", "committee", "association", "society",
    "initiative", "network", "department", "school", "academy", "research", "company",
    "contributors", "authors", "organization", "organisation", "et", "al.",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Name:
    """One author: ``family`` and ``given`` (and ``suffix``), or only ``literal``."""

    family: str = ""
    given: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def full(self) -> str:
        """The whole name, for a check that there is one."""
        return self.literal or " ".join(p for p in (self.given, self.family, self.suffix) if p)

    def csl(self) -> dict[str, str]:
        """The CSL-JSON name object."""
        if self.literal:
            return {"literal": self.literal}
        parts = {"family": self.family, "given": self.given, "suffix": self.suffix}
        return {key: value for key, value in parts.items() if value}

    def ris(self) -> str:
        """The RIS ``AU`` value: ``Family, Given`` or ``Family, Given, Suffix``.

        An unsplittable name has no comma at all (Zotero then keeps it as one field), so a
        comma inside an organisation's name becomes a space.
        """
        if self.literal:
            return " ".join(self.literal.replace(",", " ").split())
        return ", ".join(part for part in (self.family, self.given, self.suffix) if part)


def _is_suffix(word: str) -> bool:
    return word.lower().rstrip(",") in _SUFFIXES


def _is_organisation(words: list[str]) -> bool:
    return any(w.lower().strip(",()") in _ORGANISATION_WORDS for w in words) or any(
        any(ch.isdigit() for ch in w) for w in words
    )


def _is_particle(word: str) -> bool:
    return word in _PARTICLES or word in _CAPITAL_PARTICLES


def _natural(words: list[str], suffix: str) -> Name:
    """``Given [particles] Family [Suffix]``."""
    if words and _is_suffix(words[-1]) and len(words) > 2:
        suffix = " ".join(filter(None, (words[-1].rstrip(","), suffix)))
        words = words[:-1]
    if len(words) < 2:
        return Name(literal=" ".join(words + ([suffix] if suffix else [])))
    start = len(words) - 1
    # The first word is always given: "Van Morrison" is Morrison, Van.
    while start > 1 and _is_particle(words[start - 1]):
        start -= 1
    return Name(
        family=" ".join(words[start:]), given=" ".join(words[:start]).rstrip(","), suffix=suffix
    )


def split_name(raw: str) -> Name:
    """Split one author string into family, given and suffix, or keep it whole as a literal."""
    text = one_line(raw)
    # A stray "-" or "&" is no part of a name to sort by.
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    if not words:
        return Name(literal="")
    if len(words) == 1 or _is_organisation(words):
        return Name(literal=text)
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1 or not all(parts):
        return _natural(words, "")
    if len(parts) == 2 and _is_suffix(parts[1]):
        return _natural(parts[0].split(), parts[1])  # "Martin Luther King, Jr."
    if len(parts) == 2:
        return Name(family=parts[0], given=parts[1])  # "Van Durme, Benjamin"
    if len(parts) == 3 and _is_suffix(parts[1]):
        return Name(family=parts[0], given=parts[2], suffix=parts[1])  # BibTeX's order
    if len(parts) == 3 and _is_suffix(parts[2]):
        return Name(family=parts[0], given=parts[1], suffix=parts[2])  # RIS's order
    return Name(literal=text)


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NEW_ID = re.compile(r"(\d{2})(\d{2})\.")
_OLD_ID = re.compile(r"/(\d{2})(\d{2})\d{3}$")


def _day(text: str | None) -> tuple[int, int, int] | None:
    match = _ISO_DAY.fullmatch(text or "")
    if not match:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return day.year, day.month, day.day


def iso_day(text: str | None) -> str | None:
    """``YYYY-MM-DD`` when ``text`` is a real calendar day in that form, else None."""
    found = _day(text)
    return None if found is None else "{:04d}-{:02d}-{:02d}".format(*found)


def date_parts(paper: Paper) -> tuple[int, ...]:
    """(year, month, day) of the first version, else (year, month) of the id (``2611.00001``
    is November 2026, ``hep-th/9901001`` January 1999), else the listing day. The id comes
    before the listing: a listing may be a replacement's, years after the first version."""
    found = _day(paper.published)
    if found:
        return found
    match = _NEW_ID.match(paper.id)
    if match:
        return 2000 + int(match.group(1)), int(match.group(2))
    match = _OLD_ID.search(paper.id)
    if match:
        year = int(match.group(1))
        return (1900 + year if year > 90 else 2000 + year), int(match.group(2))
    return _day(paper.listed) or ()


def page_url(paper: Paper) -> str:
    """The paper's arXiv abstract page, built from its id (never the record's own ``url``,
    which could point anywhere)."""
    return abs_url(paper.id)


def pdf_link(paper: Paper) -> str:
    """The paper's arXiv PDF, built from its id (never the record's own ``pdf_url``)."""
    return pdf_url(paper.id)
