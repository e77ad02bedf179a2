"""JSON and JSON Lines: each record a ``Paper.to_dict()``, with the keys the README pins.

Strings are sanitized again on the way out and links and dates checked again (defence in
depth: records were validated where they entered); extra per-paper keys (``score``,
``matched``) are added after the Paper's own. ``--fields`` picks and orders the keys of a
record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TextIO

from papercli.checks import is_clean, valid_day, valid_link
from papercli.errors import UsageError
from papercli.models import Paper, abs_url, pdf_url, sanitize

Extra = Mapping[str, Mapping[str, object]] | None  # per-id keys added to JSON records
Fields = Sequence[str] | None  # the keys to keep, in order (None: all)

FIELDS: tuple[str, ...] = Paper._fields
"""The keys of a Paper record, in schema order (``to_dict`` has the same)."""
EXTRA_FIELDS = ("score", "matched", "tags", "saved_at")
"""Keys some listings add: relevance (search, --sort relevance), what matched (--why), and
the reading list's tags and saved time (saved)."""


def _encoder() -> Callable[[object], str]:
    """One encoder for every record (``json.dumps`` with any option builds one per call),
    imported when a JSON format is chosen: the plain writer shares this module.

    The same separators and escaping as ``json.dumps(..., ensure_ascii=False)``; records
    hold no cycles (they are built here from a Paper), so the cycle check is skipped.
    """
    import json

    return json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def parse_fields(text: str) -> tuple[str, ...]:
    """``id,title,upvotes`` as a tuple of known keys; an unknown one is a UsageError."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise UsageError("--fields needs at least one key, e.g. --fields id,title")
    known = FIELDS + EXTRA_FIELDS
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = ", ".join(repr(sanitize(n)[:40]) for n in unknown)
        raise UsageError(f"unknown field {shown} (fields: {', '.join(known)})")
    return names


def safe_dict(paper: Paper) -> dict[str, object]:
    """``paper.to_dict()`` with every string sanitized, every link and date checked again."""
    data = paper.to_dict()
    texts = [v for v in data.values() if type(v) is str]
    for value in data.values():
        if type(value) is list:
            texts.extend(v for v in value if type(v) is str)
    # One scan of all the text at once: the common, clean record is then copied as is
    # (sanitizing each string again was half the time of a large JSON export).
    if not is_clean("\n".join(texts)):
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = sanitize(value)
            elif isinstance(value, list):
                data[key] = [sanitize(v) if isinstance(v, str) else v for v in value]
    data["github"] = valid_link(paper.github)
    data["project_page"] = valid_link(paper.project_page)
    data["url"], data["pdf_url"] = abs_url(paper.id), pdf_url(paper.id)
    data["published"], data["listed"] = valid_day(paper.published), valid_day(paper.listed)
    return data


def record(paper: Paper, extra: Extra = None, fields: Fields = None) -> dict[str, object]:
    """A paper's output record: its sanitized keys and extras, or only ``fields``, in order.

    A chosen extra key the listing does not compute (``score`` without a ranking) is null.
    """
    data = safe_dict(paper)
    if extra and paper.id in extra:
        data.update(extra[paper.id])
    if fields is None:
        return data
    return {name: data.get(name) for name in fields}


def write_json(
    papers: Iterable[Paper], out: TextIO, extra: Extra = None, fields: Fields = None
) -> None:
    """A JSON array of Paper objects, one per line (``[]`` when nothing matched).

    One compact record per line keeps the C encoder (``indent`` forces the pure-Python one,
    ten times slower) and stays readable and diff-able; ``jq .`` pretty-prints. Streamed:
    each record is written as it comes, so memory does not grow with the number of papers.
    """
    encode = _encoder()
    head = "[\n"
    for paper in papers:
        out.write(head)
        out.write(encode(record(paper, extra, fields)))
        head = ",\n"
    out.write("[]\n" if head == "[\n" else "\n]\n")


def write_jsonl(
    papers: Iterable[Paper], out: TextIO, extra: Extra = None, fields: Fields = None
) -> None:
    """One Paper object per line."""
    encode = _encoder()
    for paper in papers:
        out.write(encode(record(paper, extra, fields)))
        out.write("\n")
