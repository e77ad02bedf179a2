"""A listing as one self-contained HTML page, every string escaped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from papercli.formats.escape import h, safe_url
from papercli.formats.records import Extra
from papercli.models import Paper


def write_html(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A self-contained HTML page with one table row per paper, every string escaped."""
    rows = []
    for paper in papers:
        code = safe_url(paper.github)
        links = f'<a href="{h(paper.url)}">abs</a> <a href="{h(paper.pdf_url)}">pdf</a>'
        if code:
            links += f' <a href="{h(code)}">code</a>'
        rows.append(
            f"<tr><td>{'' if paper.upvotes is None else paper.upvotes}</td>"
            f'<td><a href="{h(paper.url)}">{h(paper.title)}</a><br>'
            f"<small>{h(', '.join(paper.authors))}</small></td>"
            f"<td>{h(paper.listed)}</td><td>{links}</td></tr>"
        )
    out.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>papers</title>'
        "</head><body>\n<table>\n<thead><tr><th>▲</th><th>Paper</th><th>Listed</th>"
        "<th>Links</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        "</body></html>\n"
    )
