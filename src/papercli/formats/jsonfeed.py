"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of papers, for feed readers.

The feed has ``version``, ``title``, ``description``, ``authors`` and ``items``; each item
has ``id`` and ``url`` (the arXiv abstract page), ``title``, ``summary``, ``content_text``
(the abstract), ``content_html`` (the same, escaped, with links), ``date_published``,
``authors``, ``tags`` (categories, then HF keywords) and the PDF as an attachment. Every
string is sanitized; only escaped text and http(s) links reach ``content_html``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from papercli.formats.citation import iso_day, page_url, pdf_link
from papercli.formats.escape import h, one_line, safe_url
from papercli.formats.records import Extra
from papercli.formats.summary import summarize
from papercli.models import Paper, sanitize

VERSION = "https://jsonfeed.org/version/1.1"


def _html(paper: Paper, abstract: str, summary: str) -> str:
    parts = [f"<p>{h(abstract or summary or paper.title)}</p>"]
    links = [f'<a href="{h(page_url(paper))}">arXiv</a>', f'<a href="{h(pdf_link(paper))}">PDF</a>']
    for label, url in (("code", paper.github), ("project", paper.project_page)):
        # Checked as it is: stripping characters out of a bad link would make another link.
        if safe_url(url):
            links.append(f'<a href="{h(safe_url(url))}">{label}</a>')
    parts.append("<p>" + " · ".join(links) + "</p>")
    return "\n".join(parts)


def item(paper: Paper, summary: str) -> dict[str, object]:
    """One feed item; ``summary`` is the short text feed readers show in a list."""
    abstract = sanitize(paper.abstract).strip()
    summary = one_line(summary)
    data: dict[str, object] = {
        "id": page_url(paper),
        "url": page_url(paper),
        "title": one_line(paper.title) or paper.id,
        "content_text": abstract or summary or one_line(paper.title) or paper.id,
        "content_html": _html(paper, abstract, summary),
    }
    if summary:
        data["summary"] = summary
    for key, day in (("date_published", paper.published), ("date_modified", paper.listed)):
        if iso_day(day):
            data[key] = f"{iso_day(day)}T00:00:00Z"  # RFC 3339, as the spec asks
    authors = [{"name": one_line(a)} for a in paper.authors if one_line(a)]
    if authors:
        data["authors"] = authors
    tags = [one_line(t) for t in (*paper.categories, *paper.keywords) if one_line(t)]
    if tags:
        data["tags"] = list(dict.fromkeys(tags))
    data["attachments"] = [{"url": pdf_link(paper), "mime_type": "application/pdf", "title": "PDF"}]
    return data


def json_feed(
    entries: Iterable[tuple[Paper, str]],
    *,
    title: str,
    description: str | None = None,
    feed_url: str | None = None,
    home_page_url: str | None = None,
) -> str:
    """A JSON Feed 1.1 document; each entry is (paper, summary text)."""
    feed: dict[str, object] = {"version": VERSION, "title": one_line(title) or "papercli"}
    if safe_url(home_page_url):
        feed["home_page_url"] = safe_url(home_page_url)
    if safe_url(feed_url):
        feed["feed_url"] = safe_url(feed_url)
    if description:
        feed["description"] = one_line(description)
    feed["authors"] = [{"name": "papercli"}]
    feed["items"] = [item(paper, summary) for paper, summary in entries]
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def write_jsonfeed(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A JSON Feed of the papers (summary: HF's AI summary or the abstract's opening)."""
    out.write(
        json_feed(
            [(p, summarize(p)) for p in papers],
            title="papercli listing",
            description="Papers listed by papercli",
        )
    )
