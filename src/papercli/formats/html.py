"""A listing as one self-contained HTML page, every string escaped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from papercli.formats.escape import h, safe_url
from papercli.formats.records import Extra
from papercli.models import Paper, abs_url, pdf_url


def write_html(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A self-contained HTML page with one table row per paper, every string escaped."""
    rows = []
    for paper in papers:
        url = h(abs_url(paper.id))
        links = f'<a href="{url}">abs</a> <a href="{h(pdf_url(paper.id))}">pdf</a>'
        for label, link in (
            ("code", safe_url(paper.github)),
            ("project", safe_url(paper.project_page)),
        ):
            if link:
                links += f' <a href="{h(link)}">{label}</a>'
        rows.append(
            f"<tr><td>{'' if paper.upvotes is None else paper.upvotes}</td>"
            f'<td><a href="{url}">{h(paper.title)}</a><br>'
            f"<small>{h(', '.join(paper.authors))}</small></td>"
            f"<td>{h(paper.listed)}</td><td>{links}</td></tr>"
        )
    out.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>papers</title>'
        "</head><body>\n<table>\n<thead><tr><th>▲</th><th>Paper</th><th>Listed</th>"
        "<th>Links</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        "</body></html>\n"
    )
