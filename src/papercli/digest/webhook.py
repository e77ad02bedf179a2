"""A digest for a generic webhook: the digest's JSON format (``--format json``), POSTed.

Each request carries an ``Idempotency-Key`` derived from what it delivers, so a receiver that
honours the header drops a repeat (after a lost reply, even in a later run). A digest bigger
than ``max_bytes`` goes in several requests, each a complete digest document of some of the
papers, with ``part`` and ``parts`` added (both 1 for a digest that fits in one).
"""

from __future__ import annotations

import json
from dataclasses import replace

from papercli.digest.build import Digest, Group
from papercli.digest.chat import Bundle, Part, items, pack
from papercli.digest.render import render_json
from papercli.models import sanitize

DEFAULT_MAX_BYTES = 1_000_000


def _document(digest: Digest, ids: set[str] | None, number: int, total: int) -> dict:
    if ids is not None:
        groups = tuple(
            Group(g.title, tuple(e for e in g.entries if e.paper.id in ids)) for g in digest.groups
        )
        digest = replace(digest, groups=tuple(g for g in groups if g.entries))
    document = json.loads(render_json(digest))
    document["part"], document["parts"] = number, total
    return document


def render(digest: Digest, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Part]:
    """The digest as one or more JSON documents, each under ``max_bytes`` where it can be."""
    whole = _document(digest, None, 1, 1)
    if len(json.dumps(whole, ensure_ascii=False).encode()) <= max_bytes:
        return [Part(whole, tuple(p.id for p in digest.papers()))]
    overhead = len(json.dumps(_document(digest, set(), 1, 1), ensure_ascii=False).encode())

    def size(item_id: str) -> int:
        single = _document(digest, {item_id}, 1, 1)
        return len(json.dumps(single, ensure_ascii=False).encode()) - overhead

    ids = [item.paper_id for item in items(digest)]
    limit = {"bytes": max_bytes - overhead}
    bundles = pack(ids, lambda i: (i,), lambda i: {"bytes": size(i)}, limit)
    bundles = bundles or [Bundle()]
    return [
        Part(_document(digest, set(b.ids), n, len(bundles)), tuple(b.ids))
        for n, b in enumerate(bundles, 1)
    ]


def refusal(status: int, body: bytes) -> str:
    """The receiver's status and the start of what it said."""
    text = " ".join(sanitize(body[:400].decode("utf-8", "replace")).split())
    return f"HTTP {status}" + (f": {text[:120]}" if text else "")
