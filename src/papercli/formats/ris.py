"""RIS records, as Zotero, EndNote and Mendeley import them.

One record per paper: ``TY  - ELEC`` (an electronic source: what an arXiv preprint is to
EndNote, a web page to Zotero), then ``TI``, one ``AU`` per author (``Family, Given``), ``PY``
and ``DA``, ``AB``, ``UR``, ``DO``, ``N1`` (the arXiv id), ``KW`` (HF keywords, then arXiv
categories), ``DB  - arXiv``, and ``ER  -``.

RIS is a line format: a tag starts each line, so every value is put on one line first. A
title holding a newline (or U+2028, which JavaScript and ``str.splitlines`` break on) and a
fake ``ER  -`` can then only be text inside its own field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from papercli.formats.citation import date_parts, page_url, split_name
from papercli.formats.escape import one_line
from papercli.formats.records import Extra
from papercli.models import Paper


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {value}\n"


def record(paper: Paper) -> str:
    """One RIS record, ending with ``ER  -`` and a blank line."""
    lines = [_line("TY", "ELEC"), _line("TI", one_line(paper.title) or paper.id)]
    for author in paper.authors:
        name = split_name(author).ris()
        if name:
            lines.append(_line("AU", name))
    parts = date_parts(paper)
    if parts:
        lines.append(_line("PY", str(parts[0])))
        lines.append(_line("DA", "/".join(f"{p:02d}" for p in parts) + "/" * (4 - len(parts))))
    abstract = one_line(paper.abstract)
    if abstract:
        lines.append(_line("AB", abstract))
    lines.append(_line("UR", page_url(paper)))
    doi = one_line(paper.doi)
    if doi:
        lines.append(_line("DO", doi))
    lines.append(_line("N1", f"arXiv:{paper.id}"))
    journal = one_line(paper.journal_ref)
    if journal:
        lines.append(_line("N1", journal))
    for word in dict.fromkeys(one_line(k) for k in (*paper.keywords, *paper.categories)):
        if word:
            lines.append(_line("KW", word))
    lines.append(_line("DB", "arXiv"))
    lines.append("ER  - \n\n")
    return "".join(lines)


def write_ris(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """RIS records, one per paper (nothing at all when no paper matched)."""
    for paper in papers:
        out.write(record(paper))
