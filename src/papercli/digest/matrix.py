"""A digest as Matrix ``m.room.message`` events: plain text and the HTML subset clients show.

A Matrix event may be at most 65,536 bytes in all (signatures and the server's fields
included), so each message's content is kept under MAX_CONTENT_BYTES and a bigger digest is
split. ``m.mentions`` is empty, so nothing in a title notifies anyone.
"""

from __future__ import annotations

import json
from typing import Any

from papercli.digest.build import Digest
from papercli.digest.chat import (
    Bundle,
    Item,
    Part,
    authors,
    clip,
    head_text,
    items,
    links,
    meta,
    pack,
    part_label,
)
from papercli.formats.escape import h
from papercli.models import sanitize

MAX_CONTENT_BYTES = 32_000
MAX_SUMMARY = 1500


def _paper(item: Item) -> tuple[str, str]:
    entry = item.entry
    summary = clip(sanitize(entry.summary), MAX_SUMMARY)
    title = clip(sanitize(entry.paper.title), 500)
    text = f"* {title}\n  {clip(authors(entry), 300)}\n  {meta(entry)}\n  {summary}\n"
    text += "  " + " · ".join(url for _label, url in links(entry)) + "\n"
    anchors = " · ".join(f'<a href="{h(url)}">{label}</a>' for label, url in links(entry))
    html = (
        f'<li><a href="{h(entry.paper.url)}"><b>{h(title)}</b></a><br>'
        f"{h(clip(authors(entry), 300))}<br><i>{h(meta(entry))}</i><br>{h(summary)}<br>"
        f"{anchors}</li>"
    )
    if item.opens_group:
        heading = f"{item.group} ({item.group_size})"
        text = f"\n{sanitize(heading)}\n" + text
        html = f"</ul><h4>{h(heading)}</h4><ul>" + html
    return text, html


def _size(unit: tuple[str, str, str]) -> int:
    return len(json.dumps(unit[0])) + len(json.dumps(unit[1]))


def render(digest: Digest, msgtype: str = "m.notice") -> list[Part]:
    """The digest as one or more events' content."""
    units = [(*_paper(item), item.paper_id) for item in items(digest)]
    head_bytes = 4096  # the title, the counts, the notes and the part label
    bundles = pack(
        units,
        lambda u: (u[2],),
        lambda u: {"bytes": _size(u)},
        {"bytes": MAX_CONTENT_BYTES - head_bytes},
    ) or [Bundle()]
    notes = [clip(sanitize(n), 300) for n in digest.notes[:5]]
    parts = []
    for number, bundle in enumerate(bundles, 1):
        label = sanitize(part_label(digest, number, len(bundles)))
        text = [label, sanitize(head_text(digest)), *notes]
        html = [f"<h3>{h(label)}</h3>", f"<p>{h(head_text(digest))}</p>"]
        html += [f"<blockquote>{h(n)}</blockquote>" for n in notes]
        body_text = "\n".join(text) + "\n" + "".join(u[0] for u in bundle.units)
        body_html = "".join(html) + "<ul>" + "".join(u[1] for u in bundle.units) + "</ul>"
        content: dict[str, Any] = {
            "msgtype": msgtype,
            "body": body_text.rstrip() + "\n",
            "format": "org.matrix.custom.html",
            "formatted_body": body_html.replace("<ul></ul>", ""),
            "m.mentions": {},
        }
        parts.append(Part(content, tuple(bundle.ids)))
    return parts


def refusal(status: int, body: bytes) -> str:
    """The homeserver's reason: ``M_TOO_LARGE: event too large``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    text = f"HTTP {status}"
    if isinstance(data, dict):
        code, error = data.get("errcode"), data.get("error")
        if isinstance(code, str):
            text += f", {code}"
        if isinstance(error, str):
            text += f": {error}"
    return clip(" ".join(sanitize(text).split()), 200)
