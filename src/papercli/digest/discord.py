"""A digest as Discord webhook messages: one embed per paper, within Discord's limits.

Discord takes at most MAX_EMBEDS embeds and MAX_TOTAL characters of embed text per message
(titles MAX_TITLE, descriptions MAX_DESCRIPTION, author names MAX_AUTHOR), and MAX_CONTENT
characters of message text; a digest that needs more is split across messages. Markdown in
untrusted text is escaped, and ``allowed_mentions`` is empty, so nothing in a title pings.
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
from papercli.formats.escape import md

MAX_EMBEDS = 10
MAX_TOTAL = 6000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_AUTHOR = 256
MAX_CONTENT = 2000
EMBED_BUDGET = 1400  # one paper's description: several papers share a message's 6,000


def _embed(item: Item) -> dict[str, Any]:
    entry = item.entry
    lines = [md(authors(entry)), md(meta(entry))]
    lines.append(" · ".join(f"[{label}]({url})" for label, url in links(entry)[1:]))
    fixed = clip("\n".join(line for line in lines if line), EMBED_BUDGET // 2)
    description = fixed + "\n" + clip(md(entry.summary), EMBED_BUDGET - len(fixed) - 1)
    return {
        "title": clip(md(entry.paper.title), MAX_TITLE),
        "url": entry.paper.url,
        "description": clip(description, MAX_DESCRIPTION),
        "author": {"name": clip(md(item.group), MAX_AUTHOR)},
    }


def embed_chars(embed: dict[str, Any]) -> int:
    """What Discord counts toward the 6,000: title, description, author, footer, fields."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("author", {}).get("name", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", ()))
    return total


def render(digest: Digest, username: str | None = None) -> list[Part]:
    """The digest as one or more Discord messages (``content`` and ``embeds`` each)."""
    embeds = [(_embed(item), item.paper_id) for item in items(digest)]
    bundles = pack(
        embeds,
        lambda u: (u[1],),
        lambda u: {"embeds": 1, "chars": embed_chars(u[0])},
        {"embeds": MAX_EMBEDS, "chars": MAX_TOTAL},
    )
    bundles = bundles or [Bundle()]  # an empty digest (digest.send_empty): the heading alone
    notes = "".join(f"\n> {md(note)}" for note in digest.notes[:5])
    parts = []
    for number, bundle in enumerate(bundles, 1):
        label = md(part_label(digest, number, len(bundles)))
        content = f"**{label}**" + (f"\n{md(head_text(digest))}{notes}" if number == 1 else "")
        body: dict[str, Any] = {
            "content": clip(content, MAX_CONTENT),
            "embeds": [unit[0] for unit in bundle.units],
            "allowed_mentions": {"parse": []},
        }
        if username:
            body["username"] = username
        parts.append(Part(body, tuple(bundle.ids)))
    return parts


def refusal(status: int, body: bytes) -> str:
    """Discord's reason: its error code and message, and the first field it names."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return f"HTTP {status}"
    text = f"HTTP {status}"
    if isinstance(data.get("code"), int):
        text += f", code {data['code']}"
    if isinstance(data.get("message"), str):
        text += f": {data['message']}"
    first = _first_error(data.get("errors"))
    if first:
        text += f" ({first})"
    return clip(" ".join(text.split()), 200)


def _first_error(errors: Any, path: str = "", depth: int = 0) -> str:
    """``embeds.0.description: Must be 4096 or fewer in length.`` from Discord's error tree."""
    if not isinstance(errors, dict) or depth > 8:
        return ""
    found = errors.get("_errors")
    if isinstance(found, list) and found and isinstance(found[0], dict):
        return f"{path}: {found[0].get('message', '')}".strip(": ")
    for key, value in errors.items():
        deeper = _first_error(value, f"{path}.{key}" if path else str(key), depth + 1)
        if deeper:
            return deeper
    return ""
