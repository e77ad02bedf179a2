"""OPML 2.0 subscription lists: the index of ``papers feeds`` that feed readers import."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from papercli.formats.escape import xml_attr, xml_text


def opml(feeds: Iterable[tuple[str, str]], *, title: str, created: datetime) -> str:
    """An OPML document with one ``rss``-type outline per (title, feed URL) pair."""
    stamp = created.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{xml_text(title)}</title>",
        f"    <dateCreated>{stamp}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for name, url in feeds:
        lines.append(
            f'    <outline type="rss" version="ATOM" text={xml_attr(name)} '
            f"title={xml_attr(name)} xmlUrl={xml_attr(url)}/>"
        )
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"
