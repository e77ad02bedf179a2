"""The papers table's rows: how a Paper is stored in one and read back, and the SQL that
selects a span's rows in the order their records merge (``store.index`` asks the questions).
"""

from __future__ import annotations

import marshal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from papercli.models import Paper, abs_url, pdf_url

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator, Sequence
    from datetime import date

# Values per look-up query: under SQLite's oldest limit of 999 parameters.
PER_QUERY = 900

# A row's ``record``: marshal bytes of every field but these (columns of their own, or
# rebuilt from the id), in field order. A third of the size of the JSON it replaced, and
# read back without parsing or re-validating: only validated papers are ever indexed.
_APART = frozenset({"title", "abstract", "keywords", "url", "pdf_url"})
_PACKED = tuple(f for f in Paper._fields if f not in _APART)
# Rows and Papers convert by C-level picks, not field by field (building a Paper by keyword
# was two thirds of reading a year's 7,500 matches; packing by getattr, 0.4 s of a build).
_PICK = itemgetter(*(Paper._fields.index(f) for f in _PACKED))
# Where each Paper field sits in ``(*record, title, abstract, keywords, url, pdf_url)``.
_TAIL = ("title", "abstract", "keywords", "url", "pdf_url")
_ORDER = itemgetter(*((_PACKED + _TAIL).index(f) for f in Paper._fields))
_make = tuple.__new__


def pack(paper: Paper) -> bytes:
    """A paper's ``record`` column."""
    return marshal.dumps(_PICK(paper))


def unpack(record: bytes, title: str, abstract: str, keywords: str) -> Paper | None:
    """The paper of one row; None for a damaged one (skipped: the JSON stays the truth)."""
    try:
        packed = marshal.loads(record)  # noqa: S302
    except (ValueError, EOFError, TypeError):
        return None
    if type(packed) is not tuple or len(packed) != len(_PACKED):
        return None
    kept = tuple(keywords.split(" ; ")) if keywords else ()
    paper_id = packed[0]
    return _make(Paper, _ORDER((*packed, title, abstract, kept, abs_url(paper_id),
                                pdf_url(paper_id))))  # fmt: skip


def span_where(since: date, until: date, hf: bool, cats: list[str]) -> tuple[str, list[Any]] | None:
    """The WHERE clause (on ``papers p``) and parameters of a span's records; None when no
    source is chosen. The clause is fixed text; every value goes through a placeholder."""
    clauses = []
    params: list[Any] = [since.isoformat(), until.isoformat()]
    if hf:
        clauses.append("p.source='hf'")
    if cats:
        clauses.append(f"(p.source='arxiv' AND p.category IN ({','.join('?' * len(cats))}))")
        params += cats
    if not clauses:
        return None
    return f"p.day BETWEEN ? AND ? AND ({' OR '.join(clauses)})", params


# What ``unpack`` takes, in its order: the one place a row's read columns are named.
_READ = "p.record, p.title, p.abstract, p.keywords"
COLUMNS = f"SELECT {_READ} FROM "  # noqa: S608 - constant text
# The same row with what orders and groups it first: (day, rowid, id), then ``_READ``.
KEYED = f"p.day, p.rowid, p.id, {_READ}"
# ``models.merge`` is not commutative (the first arXiv record gives the title, the first of
# all the links), so every read hands a paper's records over in one order: by day, then as
# indexed. A file indexed after a newer one (a backfill) must not change what is shown.
MERGE_ORDER = "p.day, p.rowid"


def merge_order(row: tuple[Any, ...]) -> tuple[str, int]:
    """The sort key of a ``KEYED`` row in the merge order."""
    return (row[0] or "", row[1])


def unpack_keyed(row: tuple[Any, ...]) -> Paper | None:
    """``unpack`` of a ``KEYED`` row."""
    return unpack(*row[3:])


def rows_in(
    db: sqlite3.Connection, sql: str, values: Sequence[object], params: Sequence[object] = ()
) -> Iterator[Any]:
    """The rows of ``sql`` (ending in ``IN``) for ``values``, a bounded number at a time;
    ``params`` fill the placeholders before the ``IN``."""
    step = max(100, PER_QUERY - len(params))  # a span names at most ~160 categories
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        yield from db.execute(f"{sql} ({','.join('?' * len(chunk))})", (*params, *chunk))
