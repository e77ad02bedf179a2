"""BibTeX entries for arXiv papers: ``@misc`` with eprint, archivePrefix, primaryClass, DOI.

Keys are ``lastnameYEARfirstword`` (``vaswani2017attention``), made unique with a, b, c...
Special characters are escaped for LaTeX; non-ASCII text stays UTF-8 (biber and modern
bibtex read it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from papercli.formats.escape import latex
from papercli.formats.records import Extra
from papercli.models import Paper, abs_url

_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "towards", "toward"}


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _year(paper: Paper) -> str:
    day = paper.published or paper.listed
    if day:
        return day[:4]
    match = re.match(r"(\d{2})\d{2}\.", paper.id)  # new-style ids start with YYMM
    if match:
        return f"20{match.group(1)}"
    match = re.search(r"/(\d{2})\d{5}$", paper.id)
    if match:
        century = "19" if int(match.group(1)) > 90 else "20"
        return century + match.group(1)
    return ""


def base_key(paper: Paper) -> str:
    """``lastnameYEARfirstword`` before de-duplication."""
    last = _ascii_word(paper.authors[0].split()[-1]) if paper.authors else "anon"
    words = [_ascii_word(w) for w in paper.title.split()]
    first = next((w for w in words if w and w not in _SKIP_WORDS), "paper")
    return f"{last or 'anon'}{_year(paper)}{first}"


def entry(paper: Paper, key: str) -> str:
    """One ``@misc`` entry."""
    fields = [
        ("title", "{" + latex(paper.title) + "}"),  # double braces keep the capitalisation
        ("author", " and ".join(latex(a) for a in paper.authors) or "Unknown"),
        ("year", _year(paper)),
        ("eprint", paper.id),
        ("archivePrefix", "arXiv"),
    ]
    if paper.primary_category:
        fields.append(("primaryClass", latex(paper.primary_category)))
    if paper.doi:
        fields.append(("doi", latex(paper.doi)))
    fields.append(("url", abs_url(paper.id)))  # never the record's own: braces would break out
    if paper.journal_ref:
        fields.append(("note", latex(paper.journal_ref)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def entries(papers: Iterable[Paper]) -> str:
    """Entries for many papers, with unique keys (``smith2026graph``, ``smith2026grapha``)."""
    used: set[str] = set()
    out = []
    for paper in papers:
        base = key = base_key(paper)
        suffix = 0
        while key in used:
            key = base + _letters(suffix)
            suffix += 1
        used.add(key)
        out.append(entry(paper, key))
    return "\n".join(out)


def _letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def write_bibtex(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """BibTeX ``@misc`` entries with unique keys."""
    out.write(entries(papers))
