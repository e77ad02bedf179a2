"""A digest as Slack messages for an incoming webhook: Block Kit, within Slack's limits.

Slack takes at most MAX_BLOCKS blocks per message, MAX_SECTION characters of section text and
MAX_HEADER of a header's plain text, and one message per second per webhook; a digest that
needs more is split across messages. Untrusted text is escaped as Slack asks (``& < >``), so
a title cannot become a link or a ``<!channel>`` mention.
"""

from __future__ import annotations

from typing import Any

from papercli.digest.build import Digest
from papercli.digest.chat import (
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
from papercli.models import sanitize

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 2000  # per context element; Slack allows 3,000, papercli keeps clear of it
MAX_TEXT = 36_000  # all text of one message; Slack cuts messages past 40,000 characters
INTERVAL = 1.0  # seconds between two messages to one webhook


def escape(text: str) -> str:
    """Text safe in Slack ``mrkdwn``: no links, mentions or HTML-ish entities sneak in."""
    return sanitize(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    if any(c in url for c in "<>| \n"):
        return escape(label)
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def _header(text: str) -> dict[str, Any]:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(sanitize(text), MAX_HEADER) or "-"},
    }


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_CONTEXT)}]}


def _section(item: Item) -> dict[str, Any]:
    entry = item.entry
    title = _link(entry.paper.url, entry.paper.title)
    lines = [f"*{title}*", escape(authors(entry))]
    tail = " · ".join(_link(url, label) for label, url in links(entry)[1:])
    lines.append(" · ".join(p for p in (escape(meta(entry)), tail) if p))
    fixed = "\n".join(lines)
    summary = escape(entry.summary)
    if len(fixed) > MAX_SECTION - 20:  # a title of thousands of characters: show less of it
        fixed = clip(fixed, MAX_SECTION - 20)
    text = fixed + "\n" + clip(summary, MAX_SECTION - len(fixed) - 1)
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}


def _unit(item: Item) -> list[dict[str, Any]]:
    blocks = [_header(f"{item.group} ({item.group_size})")] if item.opens_group else []
    return [*blocks, _section(item)]


def _chars(blocks: list[dict[str, Any]]) -> int:
    total = 0
    for block in blocks:
        if "text" in block:
            total += len(block["text"]["text"])
        total += sum(len(e["text"]) for e in block.get("elements", ()))
    return total


def render(digest: Digest) -> list[Part]:
    """The digest as one or more Slack messages (``{"text", "blocks"}`` each)."""
    head = [_header(digest.subject()), _context(escape(head_text(digest)))]
    head += [_context(f"_{escape(note)}_") for note in digest.notes[:5]]
    units: list[tuple[list[dict[str, Any]], tuple[str, ...]]] = [(head, ())]
    units += [(_unit(item), (item.paper_id,)) for item in items(digest)]
    limits = {"blocks": MAX_BLOCKS - 1, "chars": MAX_TEXT}  # one block for the part label
    bundles = pack(
        units,
        lambda u: u[1],
        lambda u: {"blocks": len(u[0]), "chars": _chars(u[0])},
        limits,
    )
    parts = []
    for number, bundle in enumerate(bundles, 1):
        blocks = [b for unit in bundle.units for b in unit[0]]
        label = part_label(digest, number, len(bundles))
        if len(bundles) > 1:
            blocks.append(_context(escape(label)))
        parts.append(Part({"text": escape(label), "blocks": blocks}, tuple(bundle.ids)))
    return parts


def refusal(status: int, body: bytes) -> str:
    """Slack's reason for refusing a message: its error code (``invalid_blocks``)."""
    reason = sanitize(body.decode("utf-8", "replace")).strip().split("\n")[0][:80]
    return f"HTTP {status}" + (f": {reason}" if reason else "")
