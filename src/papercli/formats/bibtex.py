"""BibTeX entries for arXiv papers: ``@misc`` with eprint, archivePrefix, primaryClass, DOI.

Keys are ``lastnameYEARfirstword`` (``vaswani2017attention``), made unique with a, b, c...
Titles keep arXiv's TeX (``$^2$``, ``Schr\\"odinger``, ``{BERT}``) as arXiv's own BibTeX does;
everything else is escaped, and no brace is ever left unpaired (BibTeX, pybtex and
bibtexparser all lose the entry over one). Names go out in BibTeX's comma form (bibnames).
Non-ASCII text stays UTF-8 (biber and modern bibtex read it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from papercli.formats.bibnames import bib_name, last_name
from papercli.formats.escape import latex
from papercli.formats.records import Extra
from papercli.models import Paper, abs_url, sanitize

_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "towards", "toward"}
# Outside math: what LaTeX would take for markup, as text.
_TEXT_SPECIALS = {
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
# Inside math these would end the line (%), or are errors (#, &).
_MATH_SPECIALS = {"%": r"\%", "#": r"\#", "&": r"\&"}
# Control symbols kept as they are: accents and escaped specials.
_CONTROL_SYMBOLS = set("\"'`^~=.&%$#_ ,;:!")


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _id_year(paper_id: str) -> int | None:
    match = re.match(r"(\d{2})\d{2}\.", paper_id)  # new-style ids start with YYMM
    if match:
        return 2000 + int(match.group(1))
    match = re.search(r"/(\d{2})\d{5}$", paper_id)
    if match:
        yy = int(match.group(1))
        return (1900 if yy > 90 else 2000) + yy
    return None


def year(paper: Paper) -> str:
    """The year of the first version: the v1 date when a source gave one that fits the id
    (the id is the month of first announcement, so only a December v1 may be a year
    earlier), else the id's year. Never the listing date: that may be a replacement's."""
    id_year = _id_year(paper.id)
    published = paper.published or ""
    if published[:4].isdigit():
        pub_year = int(published[:4])
        if (
            id_year is None
            or pub_year == id_year
            or (pub_year == id_year - 1 and published[5:7] == "12")
        ):
            return str(pub_year)
    if id_year is not None:
        return str(id_year)
    return (paper.listed or "")[:4]


def base_key(paper: Paper) -> str:
    """``lastnameYEARfirstword`` before de-duplication."""
    surname = _ascii_word(last_name(paper.authors[0])) if paper.authors else ""
    words = [_ascii_word(w) for w in paper.title.split()]
    first = next((w for w in words if w and w not in _SKIP_WORDS), "paper")
    return f"{surname or 'anon'}{year(paper)}{first}"


def _matched_braces(text: str) -> set[int]:
    """Positions of the unescaped braces that have a partner."""
    stack: list[int] = []
    matched: set[int] = set()
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            stack.append(pos)
        elif char == "}" and stack:
            matched.update((stack.pop(), pos))
        pos += 1
    return matched


def _text(segment: str) -> str:
    """TeX text outside math: commands and paired braces kept, specials escaped."""
    matched = _matched_braces(segment)
    out: list[str] = []
    pos = 0
    while pos < len(segment):
        char = segment[pos]
        if char == "\\":
            command = re.match(r"\\(?:[A-Za-z]+|.)", segment[pos:])
            piece = command.group() if command else "\\"
            if piece in ("\\{", "\\}"):
                out.append(r"\textbraceleft{}" if piece[1] == "{" else r"\textbraceright{}")
            elif piece[1:].isalpha() or (len(piece) == 2 and piece[1] in _CONTROL_SYMBOLS):
                out.append(piece)
            else:
                out.append(r"\textbackslash{}")
                piece = "\\"
            pos += len(piece)
            continue
        if char in "{}":
            if pos in matched:
                out.append(char)
            else:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        else:
            out.append(_TEXT_SPECIALS.get(char, char))
        pos += 1
    return "".join(out)


def _braces_balance(text: str) -> bool:
    # BibTeX's own count: every brace, escaped or not.
    depth = 0
    for char in text:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def _math(segment: str) -> str | None:
    """``$...$`` kept as TeX, or None when its braces would not balance for BibTeX."""
    if not _braces_balance(segment) or segment.rstrip().endswith("\\"):
        return None
    return re.sub(r"(?<!\\)[%#&]", lambda m: _MATH_SPECIALS[m.group()], segment)


def tex_title(title: str) -> str:
    """A title as BibTeX text: arXiv's TeX kept, the rest escaped, braces always paired."""
    text = sanitize(title)
    dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", text)]
    if len(dollars) % 2:
        dollars = []  # an unpaired $ is a dollar sign
    out: list[str] = []
    pos = 0
    for start, end in zip(dollars[::2], dollars[1::2], strict=True):
        out.append(_text(text[pos:start]))
        math = _math(text[start + 1 : end])
        out.append(f"${math}$" if math is not None else _text(text[start + 1 : end]))
        if math is None:
            out[-1] = r"\$" + out[-1] + r"\$"
        pos = end + 1
    out.append(_text(text[pos:]))
    result = "".join(out)
    return result if _braces_balance(result) else latex(text)


def entry(paper: Paper, key: str) -> str:
    """One ``@misc`` entry."""
    fields = [
        ("title", "{" + tex_title(paper.title) + "}"),  # double braces keep the capitalisation
        ("author", " and ".join(bib_name(a) for a in paper.authors) or "Unknown"),
        ("year", year(paper)),
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
