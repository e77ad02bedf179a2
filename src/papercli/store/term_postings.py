"""For you's term postings in the cache index: for each term, the papers that contain it.

Ranking a year of 150,000 papers by tokenising each abstract takes ~9 s, and even summing
weights over stored per-paper term lists touches 18 million terms (~3 s in Python). The
model keeps only its few hundred strongest terms, so ranking from postings touches only the
papers that contain those terms: a model's score of a paper is the sum of the weights of
its terms that the model knows, over the square root of how many terms it has.

Tables (in the index's schema): ``bag_docs`` gives each paper, by arXiv id, a number
(``ord``, never reused: AUTOINCREMENT) with the key of the text its terms came from and
their count; ``bag_postings`` holds, per term (its CRC-32) and per *segment* (the papers
added together), the ords that contain it. A paper whose text changed gets a new ord; its
old ord stays in old postings, where nothing reads it, until segments are merged. Merging
the newer, small segments keeps a look-up to a few rows per term.

A posting list is stored as the deltas of its ascending ords in the narrowest array type
that holds them, zlib-compressed when that is smaller; the first byte says which.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from papercli.store.index_file import BUSY_WAIT
from papercli.store.index_rows import rows_in

if TYPE_CHECKING:
    from papercli.models import Paper

# More segments than this and the newer ones are merged into one.
MAX_SEGMENTS = 8
# Papers are renumbered well before this: a larger number is damage (and a list that long
# would not fit in memory).
_MAX_ORD = 1 << 27
_CODES = "BHI"  # array type codes of 1, 2 and 4 bytes
# Reading the words of this many papers says so on stderr: 20,000 take ~1 s.
SAY_FROM = 20_000
Row = tuple[str, int, int, int]  # id, ord, key, number of terms


@dataclass(frozen=True)
class Postings:
    """The index connection the postings live in, and where to report what happens."""

    db: sqlite3.Connection
    path: Path
    warn: Callable[[str], None]
    # The index's update lock, taken without waiting: a sync of another run holds it, and
    # what it writes must not wait for ours (nor ours for it).
    lock: Callable[[], contextlib.AbstractContextManager[object]]
    say: Callable[[str], None] | None = None


def term_sums(
    postings: Postings,
    papers: list[Paper],
    key: Callable[[Paper], int],
    terms: Callable[[Paper], Sequence[int]],
    weights: dict[int, float],
) -> tuple[list[float], list[int]]:
    """For each paper, the sum of ``weights`` over its terms (For you's score before its
    length is divided out), and how many terms it has.

    ``terms`` gives a paper's term CRCs; it is called, and its result stored, only for
    papers with no terms stored or whose ``key`` (of the text they came from) changed.
    Storing is best effort: a busy or read-only index only means computing them again next
    time. Damaged postings are dropped, with a warning, and rebuilt.
    """
    db = postings.db
    keys = list(map(key, papers))
    ids = [p.id for p in papers]
    try:
        with _snapshot(db):
            rows = _current(known(db, ids), ids, keys)
    except ValueError as exc:
        _damaged(postings, exc)
        rows = [None] * len(papers)
    missing: dict[str, tuple[str, int, Sequence[int]]] = {}
    unread = [n for n, row in enumerate(rows) if row is None]
    if len(unread) >= SAY_FROM and postings.say is not None:
        postings.say(f"For you: reading the words of {len(unread):,} papers (once)")
    for n in unread:
        if ids[n] not in missing:
            missing[ids[n]] = (ids[n], keys[n], terms(papers[n]))
    if missing:
        _keep(postings, list(missing.values()))
    try:
        with _snapshot(db):
            if missing:
                rows = _current(known(db, ids), ids, keys)
            totals = sums(db, weights)
            if None not in rows:  # the usual case: two comprehensions, no per-paper branches
                return [totals[r[1]] for r in rows], [r[3] for r in rows]  # type: ignore[index]
            found = [(totals[r[1]], r[3]) if r is not None else None for r in rows]
    except (ValueError, IndexError) as exc:
        _damaged(postings, exc if isinstance(exc, ValueError) else "naming a paper out of range")
        found = [None] * len(papers)
    found_sums, lengths = [], []
    for paper, want, stored in zip(papers, keys, found, strict=True):
        if stored is not None:
            found_sums.append(stored[0])
            lengths.append(stored[1])
            continue
        # Not stored (busy, read-only, damaged, or a second text under one id): from its
        # own terms, this run only.
        kept = missing.get(paper.id)
        own = kept[2] if kept is not None and kept[1] == want else terms(paper)
        found_sums.append(sum(weights.get(t, 0.0) for t in own))
        lengths.append(len(own))
    return found_sums, lengths


@contextlib.contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """A read transaction, always ended (committed, or rolled back on any error)."""
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    if db.in_transaction:
        db.execute("COMMIT")


def _current(stored: dict[str, Row], ids: list[str], keys: list[int]) -> list[Row | None]:
    """Per paper, its stored row, or None when absent or of another text."""
    rows = list(map(stored.get, ids))
    return [r if r is not None and r[2] == k else None for r, k in zip(rows, keys, strict=True)]


def _keep(postings: Postings, rows: list[tuple[str, int, Sequence[int]]]) -> None:
    """Store new terms, if that needs no waiting; otherwise they are read again next time."""
    from papercli.errors import BusyError, StorageError

    db = postings.db
    try:
        with postings.lock():
            db.execute("PRAGMA busy_timeout=0")
            try:
                db.execute("BEGIN IMMEDIATE")
                add(db, rows)
                db.execute("COMMIT")
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                db.execute(f"PRAGMA busy_timeout={int(BUSY_WAIT * 1000)}")
    except (BusyError, StorageError, sqlite3.Error, ValueError):
        # Busy, read-only, full, or postings too damaged to merge (the read that follows
        # finds that and rebuilds them): nothing is stored, and the ranking is still right.
        return


def _damaged(postings: Postings, reason: object) -> None:
    postings.warn(f"For you's terms in the cache index {postings.path} were {reason}; rebuilt")
    _reset(postings.db)


def _reset(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("BEGIN IMMEDIATE")
        reset(db)
        db.execute("COMMIT")
    if db.in_transaction:
        db.execute("ROLLBACK")


def encode(ords: Sequence[int]) -> bytes:
    """A posting list (ascending ords) as stored."""
    deltas = [ords[0], *(b - a for a, b in pairwise(ords))]
    top = max(deltas)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    packed = array(code, deltas)
    if sys.byteorder == "big" and code != "B":
        packed.byteswap()
    raw = packed.tobytes()
    small = zlib.compress(raw, 1)
    if len(small) < len(raw):
        return code.lower().encode() + small
    return code.encode() + raw


def decode(data: bytes) -> Iterable[int]:
    """The ords of a stored posting list; raises ValueError when it is not one."""
    if not isinstance(data, bytes) or not data:
        raise ValueError("not a posting list")
    code = chr(data[0])
    body = data[1:]
    if code.islower():
        try:
            body = zlib.decompress(body)
        except zlib.error as exc:
            raise ValueError(f"damaged posting list: {exc}") from None
    if code.upper() not in _CODES:
        raise ValueError("not a posting list")
    deltas = array(code.upper())
    deltas.frombytes(body)  # ValueError when the length does not fit the type
    if sys.byteorder == "big" and code.upper() != "B":
        deltas.byteswap()
    return accumulate(deltas)


def known(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Row]:
    """For each of ``ids`` that has terms stored (and maybe others): (id, ord, key, number
    of terms)."""
    if len(ids) * 4 > last_ord(db):
        # Most of the table: one scan is several times faster than look-ups by id.
        return {row[0]: row for row in db.execute("SELECT id, ord, key, length FROM bag_docs")}
    sql = "SELECT id, ord, key, length FROM bag_docs WHERE id IN"
    return {row[0]: row for row in rows_in(db, sql, list(set(ids)))}


def add(db: sqlite3.Connection, papers: Sequence[tuple[str, int, Sequence[int]]]) -> list[int]:
    """Store (id, key, term CRCs) of papers as one new segment; returns their ords.

    Runs in the caller's transaction. A paper stored before under another key is replaced:
    its new ord is what ``known`` returns from now on.
    """
    db.executemany("DELETE FROM bag_docs WHERE id=?", [(p[0],) for p in papers])
    ords = []
    for paper_id, key, terms in papers:
        cursor = db.execute(
            "INSERT INTO bag_docs(id, key, length) VALUES (?,?,?)", (paper_id, key, len(terms))
        )
        ords.append(int(cursor.lastrowid or 0))
    by_term: dict[int, list[int]] = {}
    for ord_, (_, _, terms) in zip(ords, papers, strict=True):
        for term in terms:
            by_term.setdefault(term, []).append(ord_)
    row = db.execute("SELECT COALESCE(MAX(segment), 0) + 1 FROM bag_postings").fetchone()
    segment = int(row[0])
    db.executemany(
        "INSERT INTO bag_postings VALUES (?,?,?)",
        ((term, segment, encode(docs)) for term, docs in by_term.items()),
    )
    _merge_newer(db)
    return ords


def _merge_newer(db: sqlite3.Connection) -> None:
    """Fold every segment but the largest into one when there are too many of them."""
    counts = db.execute(
        "SELECT segment, COUNT(*) FROM bag_postings GROUP BY segment ORDER BY COUNT(*) DESC"
    ).fetchall()
    if len(counts) <= MAX_SEGMENTS:
        return
    live = sorted(row[0] for row in db.execute("SELECT ord FROM bag_docs"))
    # Once a quarter of the ords are dead (texts changed, files pruned) every segment is
    # rewritten and the papers renumbered 1..n; until then the largest is left alone,
    # being most of the work.
    full = len(live) < 0.75 * last_ord(db)
    base = -1 if full else counts[0][0]
    renumber = {old: new for new, old in enumerate(live, 1)} if full else {o: o for o in live}
    merged: dict[int, list[int]] = {}
    rows = db.execute("SELECT term, docs FROM bag_postings WHERE segment != ?", (base,))
    for term, docs in rows:
        merged.setdefault(term, []).extend(renumber[o] for o in decode(docs) if o in renumber)
    db.execute("DELETE FROM bag_postings WHERE segment != ?", (base,))
    if full:
        # Ascending, each paper moves down into a number no live paper holds any more.
        moves = [(new, old) for old, new in renumber.items() if new != old]
        db.executemany("UPDATE bag_docs SET ord=? WHERE ord=?", moves)
        db.execute("UPDATE sqlite_sequence SET seq=? WHERE name='bag_docs'", (len(live),))
    target = max(s for s, _ in counts if s != base)  # never the kept segment's number
    db.executemany(
        "INSERT INTO bag_postings VALUES (?,?,?)",
        ((term, target, encode(sorted(docs))) for term, docs in merged.items() if docs),
    )


def last_ord(db: sqlite3.Connection) -> int:
    """The highest ord ever given (AUTOINCREMENT keeps it even when its row is gone)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name='bag_docs'").fetchone()
    if row is None:
        return 0
    if type(row[0]) is not int or not 0 <= row[0] < _MAX_ORD:
        raise ValueError(f"numbered past any count ({row[0]!r})")
    return row[0]


def sums(db: sqlite3.Connection, weights: dict[int, float]) -> list[float]:
    """Per ord, the sum of the ``weights`` (by term CRC) of the terms its paper contains;
    raises ValueError when a posting list is damaged."""
    totals = [0.0] * (last_ord(db) + 1)
    sql = "SELECT term, docs FROM bag_postings WHERE term IN"
    for term, docs in rows_in(db, sql, list(weights)):
        weight = weights[term]
        try:
            for ord_ in decode(docs):  # the hot loop: ~40 ns a posting
                totals[ord_] += weight
        except IndexError:
            raise ValueError("a posting list names a paper never stored") from None
    return totals


def reset(db: sqlite3.Connection) -> None:
    """Forget every stored term (damaged postings): they are rebuilt as papers are ranked."""
    db.execute("DELETE FROM bag_docs")
    db.execute("DELETE FROM bag_postings")
    db.execute("DELETE FROM sqlite_sequence WHERE name='bag_docs'")  # numbers start over
