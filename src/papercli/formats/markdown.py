"""A listing as a Markdown table, every upstream string escaped so it stays text.

Links are the arXiv abstract URL built from the validated id, percent-encoded all the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from papercli.formats.escape import md, md_url
from papercli.formats.records import Extra
from papercli.models import Paper, abs_url


def _md(text: str) -> str:
    return md(text).replace("|", "\\|")


def write_markdown(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A Markdown table: upvotes, linked title, authors, listed date."""
    out.write("| ▲ | Paper | Authors | Listed |\n|---:|---|---|---|\n")
    for paper in papers:
        authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        upvotes = "" if paper.upvotes is None else str(paper.upvotes)
        title = f"[{_md(paper.title)}]({md_url(abs_url(paper.id))})"
        out.write(f"| {upvotes} | {title} | {_md(authors)} | {_md(paper.listed or '')} |\n")
