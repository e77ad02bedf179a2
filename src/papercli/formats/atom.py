"""Atom feeds of papers, valid and safe: HF has no feed of its own, so papercli writes one.

Every upstream string is sanitized (no control characters, which XML 1.0 forbids) and
escaped; the only links are arXiv URLs built from validated ids, and dates are written
only when they are ISO dates, so no field can open or close an element.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from papercli.checks import valid_day
from papercli.formats.escape import xml_attr, xml_text
from papercli.formats.records import Extra
from papercli.formats.summary import summarize
from papercli.models import Paper, abs_url, pdf_url, sanitize

ATOM_NS = "http://www.w3.org/2005/Atom"


def _stamp(paper: Paper, fallback: datetime) -> str:
    day = valid_day(paper.listed) or valid_day(paper.published)
    if day:
        return f"{day}T00:00:00Z"
    return fallback.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    entries: Iterable[tuple[Paper, str]],
    *,
    feed_id: str,
    title: str,
    updated: datetime,
    self_link: str | None = None,
) -> str:
    """An Atom 1.0 document; each entry is (paper, summary text)."""
    stamp = updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"  <id>{xml_text(feed_id)}</id>",
        f"  <title>{xml_text(title)}</title>",
        f"  <updated>{stamp}</updated>",
        "  <author><name>papercli</name></author>",
        '  <generator uri="https://pypi.org/project/papercli/">papercli</generator>',
    ]
    if self_link:
        lines.append(f'  <link rel="self" href={xml_attr(self_link)}/>')
    for paper, summary in entries:
        lines += [
            "  <entry>",
            f"    <id>{xml_text(abs_url(paper.id))}</id>",
            f"    <title>{xml_text(paper.title)}</title>",
            f'    <link rel="alternate" type="text/html" href={xml_attr(abs_url(paper.id))}/>',
            f'    <link rel="related" type="application/pdf" href={xml_attr(pdf_url(paper.id))}/>',
            f"    <updated>{_stamp(paper, updated)}</updated>",
        ]
        if valid_day(paper.published):
            lines.append(f"    <published>{paper.published}T00:00:00Z</published>")
        lines += [f"    <author><name>{xml_text(a)}</name></author>" for a in paper.authors[:20]]
        if not paper.authors:
            lines.append("    <author><name>unknown</name></author>")
        lines += [f"    <category term={xml_attr(sanitize(c))}/>" for c in paper.categories]
        lines.append(f"    <summary>{xml_text(summary)}</summary>")
        if paper.abstract:
            lines.append(f'    <content type="text">{xml_text(paper.abstract)}</content>')
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def self_link(base_url: str, output: str | None) -> str | None:
    """Where a feed lives, for its ``rel="self"`` link: ``base_url`` plus the output file's
    name when ``base_url`` is a folder (ends in /), ``base_url`` itself when it names the feed,
    else the output file's ``file://`` URI; None when nothing says where it is."""
    from pathlib import Path
    from urllib.parse import quote

    if base_url and not base_url.endswith("/"):
        return base_url
    if output is None:
        return None
    path = Path(output).expanduser()
    if base_url:
        return base_url + quote(path.name)
    return path.resolve().as_uri()


def write_atom(
    papers: Iterable[Paper],
    out: TextIO,
    _extra: Extra = None,
    *,
    updated: datetime | None = None,
    link: str | None = None,
) -> None:
    """An Atom feed of the papers (summary: HF's AI summary or the abstract's opening),
    stamped ``updated`` (now by default), with a self link when its location is known."""
    out.write(
        atom_feed(
            [(p, summarize(p)) for p in papers],
            feed_id="urn:papercli:listing",
            title="papercli listing",
            updated=updated or datetime.now(UTC),
            self_link=link,
        )
    )
