"""A digest as Markdown, HTML (self-contained, inline styles, for mail), text, JSON, Atom or
JSON Feed.

Every upstream string is escaped for the format it lands in: HTML entities, Markdown
punctuation, XML; links are arXiv URLs built from validated ids, or checked http(s) links,
escaped again for their place (HTML attribute, percent-encoded Markdown destination).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable

from papercli.digest.build import Digest, Entry
from papercli.formats.atom import atom_feed
from papercli.formats.escape import h, md, md_url, safe_url
from papercli.formats.html import hf_page
from papercli.formats.summary import count_noun
from papercli.models import Paper, abs_url, pdf_url, sanitize
from papercli.schedule import describe


def _span(digest: Digest) -> str:
    if digest.since == digest.until:
        return describe(digest.until)
    return f"{describe(digest.since)} to {describe(digest.until)}"


def _counts(digest: Digest) -> str:
    parts = [count_noun(digest.count, "new paper")]
    names = {"hf": "Hugging Face", "arxiv": "arXiv"}
    parts += [f"{names.get(s, s)} {n}" for s, n in digest.source_counts.items() if n]
    return ", ".join(parts)


def _meta(entry: Entry) -> list[str]:
    paper = entry.paper
    bits = []
    if paper.upvotes is not None:
        bits.append(f"▲ {paper.upvotes}")
    if paper.comments:
        bits.append(count_noun(paper.comments, "comment"))
    if paper.primary_category:
        bits.append(paper.primary_category)
    if paper.listed:
        bits.append(f"listed {paper.listed}")
    if entry.also:
        bits.append("also: " + ", ".join(entry.also))
    return bits


def _authors(entry: Entry, limit: int = 6) -> str:
    names = list(entry.paper.authors)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def render_markdown(digest: Digest) -> str:
    """Markdown, for files, chat and notes apps."""
    out = [f"# {md(digest.subject())}", "", f"{_span(digest)}: {_counts(digest)}.", ""]
    out += [f"> {md(note)}" for note in digest.notes]
    if digest.notes:
        out.append("")
    for group in digest.groups:
        out += [f"## {md(group.title)} ({len(group.entries)})", ""]
        for entry in group.entries:
            paper = entry.paper
            url = md_url(abs_url(paper.id))
            out.append(f"### [{md(paper.title)}]({url})")
            out.append(f"{md(_authors(entry))}  ")
            out.append(md(" · ".join(_meta(entry))) + "  ")
            links = [f"[arXiv]({url})", f"[PDF]({md_url(pdf_url(paper.id))})"]
            for label, link in (
                ("Hugging Face", hf_page(paper)),
                ("code", paper.github),
                ("project", paper.project_page),
            ):
                if md_url(link):
                    links.append(f"[{label}]({md_url(link)})")
            out.append(" · ".join(links))
            out += ["", md(entry.summary), ""]
    return "\n".join(out).rstrip() + "\n"


def render_text(digest: Digest, width: int = 80) -> str:
    """Plain text that reads well at 80 columns (the text part of the e-mail)."""
    fill = textwrap.TextWrapper(width=width, break_long_words=False, break_on_hyphens=False)
    indent = textwrap.TextWrapper(
        width=width, initial_indent="    ", subsequent_indent="    ", break_long_words=False
    )
    out = fill.wrap(digest.subject()) + fill.wrap(f"{_span(digest)}: {_counts(digest)}.")
    for note in digest.notes:
        out += fill.wrap(f"Note: {sanitize(note)}")
    for group in digest.groups:
        out += ["", f"{group.title} ({len(group.entries)})".upper(), "=" * min(width, 40)]
        for number, entry in enumerate(group.entries, 1):
            paper = entry.paper
            heading = f"{number}. {sanitize(paper.title)}"
            out += ["", *textwrap.wrap(heading, width, subsequent_indent="   ")]
            out += indent.wrap(sanitize(_authors(entry)))
            out += indent.wrap(" | ".join(_meta(entry)))
            out += indent.wrap(sanitize(entry.summary))
            out.append(f"    {abs_url(paper.id)}")
    return "\n".join(out).rstrip() + "\n"


_STYLE = {
    "body": "margin:0;padding:16px;background:#f6f7f9;font-family:-apple-system,Segoe UI,"
    "Helvetica,Arial,sans-serif;color:#1f2328;",
    "wrap": "max-width:720px;margin:0 auto;background:#ffffff;padding:20px 24px;"
    "border:1px solid #d0d7de;border-radius:6px;",
    "h1": "font-size:20px;margin:0 0 4px 0;",
    "meta": "color:#57606a;font-size:13px;margin:0 0 12px 0;",
    "note": "background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;font-size:13px;"
    "margin:8px 0;",
    "h2": "font-size:16px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin:20px 0 8px 0;",
    "title": "font-size:15px;font-weight:600;color:#0969da;text-decoration:none;"
    "overflow-wrap:anywhere;",
    "paper": "margin:0 0 14px 0;",
    "small": "color:#57606a;font-size:12px;margin:2px 0;",
    "summary": "font-size:14px;line-height:1.45;margin:4px 0;",
    "link": "color:#0969da;font-size:12px;",
    "toc": "margin:0 0 8px 0;padding:0;list-style:none;font-size:13px;",
    "toc_item": "display:inline-block;margin:0 12px 4px 0;",
}


def render_html(digest: Digest) -> str:
    """One self-contained HTML document with inline styles, for mail clients."""
    s = _STYLE
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(digest.subject())}</title></head>",
        f'<body style="{s["body"]}"><div style="{s["wrap"]}">',
        f'<h1 style="{s["h1"]}">{h(digest.subject())}</h1>',
        f'<p style="{s["meta"]}">{h(_span(digest))}: {h(_counts(digest))}.</p>',
    ]
    parts += [f'<p style="{s["note"]}">{h(note)}</p>' for note in digest.notes]
    if digest.groups:
        items = "".join(
            f'<li style="{s["toc_item"]}"><a style="{s["link"]}" href="#section-{number}">'
            f"{h(group.title)}</a> ({len(group.entries)})</li>"
            for number, group in enumerate(digest.groups, 1)
        )
        parts.append(f'<ul style="{s["toc"]}">{items}</ul>')
    for number, group in enumerate(digest.groups, 1):
        parts.append(
            f'<h2 id="section-{number}" style="{s["h2"]}">'
            f"{h(group.title)} ({len(group.entries)})</h2>"
        )
        for entry in group.entries:
            paper = entry.paper
            abs_link = h(abs_url(paper.id))
            links = [
                f'<a style="{s["link"]}" href="{abs_link}">arXiv</a>',
                f'<a style="{s["link"]}" href="{h(pdf_url(paper.id))}">PDF</a>',
            ]
            for label, url in (
                ("Hugging Face", hf_page(paper)),
                ("code", paper.github),
                ("project", paper.project_page),
            ):
                if safe_url(url):
                    links.append(f'<a style="{s["link"]}" href="{h(safe_url(url))}">{label}</a>')
            parts += [
                f'<div style="{s["paper"]}">',
                f'<a style="{s["title"]}" href="{abs_link}">{h(paper.title)}</a>',
                f'<p style="{s["small"]}">{h(_authors(entry))}</p>',
                f'<p style="{s["small"]}">{h(" · ".join(_meta(entry)))}</p>',
                f'<p style="{s["summary"]}">{h(entry.summary)}</p>',
                f'<p style="{s["small"]}">{" · ".join(links)}</p>',
                "</div>",
            ]
    parts += [
        f'<p style="{s["meta"]}">Generated by papercli at '
        f"{h(digest.generated.strftime('%Y-%m-%d %H:%M %Z'))}.</p>",
        "</div></body></html>",
    ]
    return "\n".join(parts) + "\n"


def render_json(digest: Digest) -> str:
    """The digest as JSON: metadata, notes and groups of Paper records with summaries."""
    from papercli.formats.records import safe_dict

    data = {
        "name": digest.name,
        "subject": digest.subject(),
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "generated": digest.generated.isoformat(),
        "count": digest.count,
        "source_counts": digest.source_counts,
        "notes": list(digest.notes),
        "groups": [
            {
                "title": group.title,
                "papers": [
                    {**safe_dict(e.paper), "summary": sanitize(e.summary), "also": list(e.also)}
                    for e in group.entries
                ],
            }
            for group in digest.groups
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_atom(digest: Digest, self_link: str | None = None) -> str:
    """An Atom feed of the digest's papers, to subscribe to in any feed reader."""
    return atom_feed(
        [(e.paper, e.summary) for g in digest.groups for e in g.entries],
        feed_id=f"urn:papercli:digest:{digest.name}",
        title=digest.subject(),
        updated=digest.generated,
        self_link=self_link,
    )


def render_jsonfeed(digest: Digest) -> str:
    """A JSON Feed 1.1 of the digest's papers, for feed readers that prefer JSON."""
    from papercli.formats.jsonfeed import json_feed

    return json_feed(
        [(e.paper, e.summary) for g in digest.groups for e in g.entries],
        title=digest.subject(),
        description=f"{_span(digest)}: {_counts(digest)}.",
    )


def _papers_as(name: str, digest: Digest) -> str:
    """The digest's papers, once each, in a listing format (for reference managers)."""
    import io

    from papercli.formats.writers import write

    seen: dict[str, Paper] = {}
    for group in digest.groups:
        for entry in group.entries:
            seen.setdefault(entry.paper.id, entry.paper)
    out = io.StringIO()
    write(name, list(seen.values()), out)
    return out.getvalue()


def render_ris(digest: Digest) -> str:
    """The digest's papers as RIS, to import into Zotero or EndNote."""
    return _papers_as("ris", digest)


def render_csljson(digest: Digest) -> str:
    """The digest's papers as CSL-JSON items."""
    return _papers_as("csljson", digest)


RENDERERS: dict[str, Callable[[Digest], str]] = {
    "markdown": render_markdown,
    "html": render_html,
    "text": render_text,
    "json": render_json,
    "atom": render_atom,
    "jsonfeed": render_jsonfeed,
    "ris": render_ris,
    "csljson": render_csljson,
}
