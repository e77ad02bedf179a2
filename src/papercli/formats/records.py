"""JSON and JSON Lines: each record a ``Paper.to_dict()``, with the keys the README pins.

Strings are sanitized again on the way out (a cache file may have been edited by hand); extra
per-paper keys (``score``, ``matched``) are added after the Paper's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TextIO

from papercli.models import Paper, sanitize

Extra = Mapping[str, Mapping[str, object]] | None  # per-id keys added to JSON records


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
    """A JSON array of Paper objects, one per line (``[]`` when nothing matched).

    One compact record per line keeps the C encoder (``indent`` forces the pure-Python one,
    ten times slower) and stays readable and diff-able; ``jq .`` pretty-prints.
    """
    records = [json.dumps(_record(p, extra), ensure_ascii=False) for p in papers]
    out.write("[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n")


def write_jsonl(papers: Iterable[Paper], out: TextIO, extra: Extra = None) -> None:
    """One Paper object per line."""
    for paper in papers:
        out.write(json.dumps(_record(paper, extra), ensure_ascii=False))
        out.write("\n")
