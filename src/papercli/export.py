"""Machine formats for pipes: fixed columns and keys, documented in the README, never colour.

Every upstream string is untrusted: control characters and terminal escapes are stripped again
here (a cache file may have been edited by hand), and each format escapes what it must.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from papercli.models import Paper, abs_url, sanitize

PLAIN_COLUMNS = ("id", "listed", "upvotes", "title", "url")


def _cell(value: object) -> str:
    if value is None:
        return ""
    # Tabs and newlines would break the columns; the cleaners already collapse them.
    return sanitize(str(value)).replace("\t", " ").replace("\n", " ").replace("\r", " ")


Extra = Mapping[str, Mapping[str, object]] | None  # per-id keys added to JSON records


def write_plain(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """Tab-separated id, listed, upvotes, title, url; one paper per line, no header."""
    for paper in papers:
        row = (paper.id, paper.listed, paper.upvotes, paper.title, paper.url or abs_url(paper.id))
        out.write("\t".join(_cell(value) for value in row) + "\n")


def safe_dict(paper: Paper) -> dict[str, object]:
    data = paper.to_dict()
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = sanitize(value)
        elif isinstance(value, list):
            data[key] = [sanitize(v) if isinstance(v, str) else v for v in value]
    return data


def _record(paper: Paper, extra: Extra) -> dict[str, object]:
    data = safe_dict(paper)
    if extra and paper.id in extra:
        data.update(extra[paper.id])
    return data


def write_json(papers: Iterable[Paper], out: TextIO, extra: Extra = None) -> None:
    """A JSON array of Paper objects (``[]`` when nothing matched)."""
    json.dump([_record(p, extra) for p in papers], out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(papers: Iterable[Paper], out: TextIO, extra: Extra = None) -> None:
    """One Paper object per line."""
    for paper in papers:
        out.write(json.dumps(_record(paper, extra), ensure_ascii=False))
        out.write("\n")


def write_ids(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """One arXiv id per line."""
    for paper in papers:
        out.write(paper.id + "\n")


WRITERS: dict[str, Callable[[Iterable[Paper], TextIO, Extra], None]] = {
    "plain": write_plain,
    "json": write_json,
    "jsonl": write_jsonl,
    "ids": write_ids,
}
