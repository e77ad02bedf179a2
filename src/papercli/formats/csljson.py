"""CSL-JSON, the input of citeproc (Pandoc, Zotero, Mendeley, citeproc-js and -py).

A JSON array of items, one per paper, in the shape Zotero exports a preprint: ``type``
``"article"`` (CSL's type for preprints and working papers), ``title``, ``author`` as
``family``/``given`` (or ``literal`` for a name that cannot be split), ``issued`` as
``date-parts``, ``URL``, ``DOI``, ``number`` (``arXiv:ID``), ``publisher`` ``"arXiv"``.
Item ids are the citation keys of ``--format bibtex``, so ``@vaswani2017attention`` cites
the same paper in Pandoc whichever file it was given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from papercli.formats.bibtex import base_key
from papercli.formats.citation import date_parts, page_url, split_name
from papercli.formats.escape import one_line
from papercli.formats.records import Extra
from papercli.models import Paper


def item(paper: Paper, key: str) -> dict[str, object]:
    """One CSL-JSON item."""
    data: dict[str, object] = {
        "id": key,
        "type": "article",
        "title": one_line(paper.title) or paper.id,
        "author": [name.csl() for name in map(split_name, paper.authors) if name.full],
    }
    parts = date_parts(paper)
    if parts:
        data["issued"] = {"date-parts": [list(parts)]}
    abstract = one_line(paper.abstract)
    if abstract:
        data["abstract"] = abstract
    data["URL"] = page_url(paper)
    if one_line(paper.doi):
        data["DOI"] = one_line(paper.doi)
    data["number"] = f"arXiv:{paper.id}"
    data["publisher"] = "arXiv"
    keywords = [one_line(k) for k in paper.keywords if one_line(k)]
    if keywords:
        data["keyword"] = ", ".join(keywords)
    if one_line(paper.journal_ref):
        data["note"] = one_line(paper.journal_ref)
    return data


def _letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def items(papers: Iterable[Paper]) -> list[dict[str, object]]:
    """Items with unique ids, made unique as BibTeX keys are (``smith2026graph``, ``…a``)."""
    used: set[str] = set()
    out = []
    for paper in papers:
        base = key = base_key(paper)
        suffix = 0
        while key in used:
            key = base + _letters(suffix)
            suffix += 1
        used.add(key)
        out.append(item(paper, key))
    return out


def write_csljson(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A CSL-JSON array (``[]`` when nothing matched), one item per line."""
    records = [json.dumps(i, ensure_ascii=False) for i in items(papers)]
    out.write("[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n")
