"""A derived SQLite index beside the JSON listings, for queries over months of papers.

The JSON files stay the source of truth: the index records each file's mtime and size and
re-reads exactly the files that changed, appeared or vanished before every query, so it can
never serve stale data for long. A missing, corrupt or older-version index is rebuilt, never
fatal, and one that cannot be used on disk is built in memory (``store.index_file``). Titles,
abstracts and keywords go into an FTS5 table used only to *narrow* candidates: the papers of
the records it finds come back with all their records, and the filters in ``query.filters``
decide on the merged paper, so results are the same with or without it. (Not quite with
``--all``: keywords that only different records of one paper hold, say one in the arXiv
abstract and one in the HF keywords, match no single record.)

Why SQLite: it is in the standard library, reads only the pages a query touches (a year of
arXiv cs.* is ~600 MB of index, but a query maps a few MB), survives kill -9 mid-write, and
FTS5 gives word lookups and BM25 ranking without loading every abstract into memory.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from papercli.models import Paper, id_of_stem
from papercli.query.matching import fold
from papercli.store.cache import Listing
from papercli.store.fts_query import WORD as _WORD
from papercli.store.fts_query import keywords_query, term_query  # noqa: F401 - their old home
from papercli.store.fts_query import quote as _quote
from papercli.store.index_file import (  # noqa: F401 - NAME, SCHEMA_VERSION: the index's file
    INDEXES,
    NAME,
    SCHEMA_VERSION,
    IndexFile,
    busy_error,
    fts_available,
    is_busy,
    rebuild_fts,
    unusable_reason,
)
from papercli.store.index_rows import (
    COLUMNS,
    KEYED,
    MERGE_ORDER,
    merge_order,
    pack,
    rows_in,
    span_where,
    unpack,
    unpack_keyed,
)

if TYPE_CHECKING:
    import sqlite3

# A sync of this many files says so (one line in a pipe, a bar on a terminal).
_SAY_FROM = 100
FILES, WORDS = "indexing the cache", "building the word index"  # what the bars say


def _journal(db: sqlite3.Connection, mode: str) -> None:
    """Switch the journal mode, when no other connection is open (else it stays as it is).

    A first build writes the whole index: through the WAL it is written twice (into the
    log, then checkpointed into the file); a rollback journal of an empty file holds next to
    nothing. Queries go back to WAL, so readers never wait for a writer.
    """
    import sqlite3

    with contextlib.suppress(sqlite3.OperationalError):
        db.execute(f"PRAGMA journal_mode={mode}")


class FileMeta(NamedTuple):
    """What the index knows of one listing file without reading it."""

    source: str
    category: str | None
    day: date
    complete: bool
    fetched_at: datetime
    note: str | None
    count: int


class Index(IndexFile):
    """The index of one data dir: what it holds and the questions it answers; use as a
    context manager (``IndexFile`` opens it)."""

    # -- keeping up with the JSON files --------------------------------------------------

    def _scan(self) -> dict[str, tuple[int, int]]:
        """Every listing and looked-up paper file, with (mtime_ns, size)."""
        found: dict[str, tuple[int, int]] = {}
        cache = self.store.cache_dir
        folders = ["hf", "papers", *(f"arxiv/{c}" for c in self.store.cached_categories())]
        for folder in folders:
            try:
                entries = list(os.scandir(cache / folder))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if name.endswith(".json") and not name.startswith("."):
                    stat = entry.stat()
                    # The same text as ``Path(entry.path).relative_to(cache)``, built without
                    # pathlib: a year of listings is 3,300 files, scanned before every query.
                    found[f"{folder}/{name}"] = (stat.st_mtime_ns, stat.st_size)
        return found

    def refresh(self) -> int:
        """Catch up with the files on disk now, just before a query; returns how many
        files changed.

        Not only this run writes listings: a fetch or digest beside it may have written some
        since the index was opened, and a query that trusted "this run wrote nothing" would
        silently leave their papers out. So every query re-checks every file's stat, which
        reads no JSON unless a file changed (a few ms for a year of listings).
        """
        import sqlite3

        try:
            with self._update_lock():
                return self.sync()
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise busy_error(self.path) from None
            self._fall_back(unusable_reason(exc, self.path))
            return 0

    def sync(self) -> int:
        """Re-read changed, new and vanished files; returns how many files changed."""
        db = self.db
        on_disk = self._scan()
        rows = db.execute("SELECT path, mtime_ns, size FROM files")
        known = {path: (mtime, size) for path, mtime, size in rows}
        changed = [p for p, stamp in on_disk.items() if known.get(p) != stamp]
        gone = [p for p in known if p not in on_disk]
        if not changed and not gone:
            return 0
        # From empty (a first build, a new schema), the FTS table is built in one pass at the
        # end, which is several times faster than an insert per file.
        bulk = not known and self.fts
        if len(changed) >= _SAY_FROM and self.on_wait is not None:
            self.on_wait(f"indexing {len(changed):,} cache files (once; later queries use it)")
        step = max(1, len(changed) // 100)
        if bulk:
            _journal(db, "DELETE")
        db.execute("BEGIN IMMEDIATE")
        try:
            if bulk:  # built once at the end by sorting: faster than kept up row by row
                for index in INDEXES:
                    db.execute(f"DROP INDEX {index.split()[0]}")
            for path in gone + changed:
                if path in known:
                    self._forget(path)
            for done, path in enumerate(changed, 1):
                self._add(path, on_disk[path], fts=not bulk)
                if len(changed) >= _SAY_FROM and (done % step == 0 or done == len(changed)):
                    self.progress(done, len(changed), FILES)
            if bulk:
                # As long again as reading the files, in two statements that cannot report
                # how far they are: a bar of its own says what the wait is.
                if len(changed) >= _SAY_FROM:
                    self.progress(0, 1, WORDS)
                for index in INDEXES:
                    db.execute(f"CREATE INDEX {index}")
                rebuild_fts(db)
                if len(changed) >= _SAY_FROM:
                    self.progress(1, 1, WORDS)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            if bulk:
                _journal(db, "WAL")
        return len(changed) + len(gone)

    def _forget(self, path: str) -> None:
        db = self.db
        # A paper of a changed or vanished file may have changed or gone: For you reads its
        # words again (and a paper no file lists any more keeps no stored terms).
        db.execute("DELETE FROM bag_docs WHERE id IN (SELECT id FROM papers WHERE file=?)", (path,))
        if self.fts:
            db.execute(
                "INSERT INTO fts(fts, rowid, title, abstract, keywords) "
                "SELECT 'delete', rowid, title, abstract, keywords FROM papers WHERE file=?",
                (path,),
            )
        db.execute("DELETE FROM papers WHERE file=?", (path,))
        db.execute("DELETE FROM files WHERE path=?", (path,))

    def _read(self, path: str) -> tuple[str, str | None, str | None, Listing | None, list[Paper]]:
        """(source, category, day, listing, papers) of one cache file, through the store."""
        parts = Path(path).parts
        if parts[0] == "papers":
            paper_id = id_of_stem(parts[1].removesuffix(".json"))
            paper = self.store.read_paper(paper_id) if paper_id else None
            return "lookup", None, None, None, [paper] if paper else []
        source = parts[0]
        category = parts[1] if source == "arxiv" else None
        try:
            day = date.fromisoformat(parts[-1].removesuffix(".json"))
        except ValueError:
            return source, category, None, None, []
        listing = self.store.read_listing(source, day, category, memo=False)
        return source, category, day.isoformat(), listing, list(listing.papers) if listing else []

    def _add(self, path: str, stamp: tuple[int, int], *, fts: bool = True) -> None:
        """Index one file; ``fts=False`` leaves the FTS table to one rebuild at the end."""
        source, category, day, listing, papers = self._read(path)
        if source != "lookup" and listing is None:
            return  # unreadable: the store set it aside and warned
        self.db.execute(
            "INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                path,
                source,
                category,
                day,
                stamp[0],
                stamp[1],
                int(listing.complete) if listing else 1,
                listing.fetched_at.isoformat() if listing else None,
                listing.note if listing else None,
                len(papers),
            ),
        )
        rows = [
            (path, paper.id, source, category, day or paper.listed, paper.title, paper.abstract,
             " ; ".join(paper.keywords), pack(paper))
            for paper in papers
        ]  # fmt: skip
        self.db.executemany(
            "INSERT INTO papers(file, id, source, category, day, title, abstract, keywords, "
            "record) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
        if fts and self.fts and rows:
            self.db.execute(
                "INSERT INTO fts(rowid, title, abstract, keywords) "
                "SELECT rowid, title, abstract, keywords FROM papers WHERE file=?",
                (path,),
            )

    # -- questions -----------------------------------------------------------------------

    def file_meta(self, source: str, category: str | None = None) -> dict[date, FileMeta]:
        """What is cached for a source (and category), day by day, without reading JSON."""
        rows = self.db.execute(
            "SELECT day, complete, fetched_at, note, count FROM files "
            "WHERE source=? AND category IS ?",
            (source, category),
        )
        meta = {}
        for day, complete, fetched_at, note, count in rows:
            when = date.fromisoformat(day)
            fetched = datetime.fromisoformat(fetched_at)
            meta[when] = FileMeta(source, category, when, bool(complete), fetched, note, count)
        return meta

    @staticmethod
    def _paper(record: bytes, title: str, abstract: str, keywords: str) -> Paper | None:
        return unpack(record, title, abstract, keywords)

    def _papers(self, sql: str, params: Iterable[Any]) -> Iterator[Paper]:
        for row in self.db.execute(sql, tuple(params)):
            paper = self._paper(*row)
            if paper is not None:
                yield paper

    def papers(
        self,
        since: date,
        until: date,
        *,
        hf: bool,
        categories: Iterable[str],
        match: str | None = None,
    ) -> list[Paper]:
        """Records listed in [since, until] by the chosen sources (unmerged), FTS-narrowed."""
        span = span_where(since, until, hf, list(categories))
        if span is None:
            return []
        where, params = span
        if match and self.fts:
            # Driving the join from the FTS hits reads only the matching rows. They come in
            # rowid order, put in the merge order here: sorting (day, rowid) pairs in Python
            # costs half of SQLite sorting whole rows (8 against 17 ms for 7,500 hits).
            sql = (
                f"SELECT {KEYED} FROM fts JOIN papers p ON p.rowid = fts.rowid "  # noqa: S608 - fixed clauses
                f"WHERE fts MATCH ? AND {where}"
            )
            rows = self.db.execute(sql, (match, *params)).fetchall()
            rows += self._other_records(rows, where, params)
            rows.sort(key=merge_order)
            papers = map(unpack_keyed, rows)
            return [paper for paper in papers if paper is not None]
        # The day index hands the rows over in (day, rowid) order: no sort.
        sql = f"{COLUMNS}papers p WHERE {where} ORDER BY {MERGE_ORDER}"
        return list(self._papers(sql, params))

    def _other_records(self, rows: list[Any], where: str, params: list[Any]) -> list[Any]:
        """The span's other records of the papers FTS found a record of: the filters judge
        the merged paper, which takes fields from every record (a paper whose arXiv record
        matched and whose HF record did not kept no upvotes, and ``--min-upvotes`` lost it).
        Ids are looked up in the id index alone; only the missing rows are read."""
        seen = {row[1] for row in rows}
        ids = list({row[2] for row in rows})
        found = rows_in(self.db, "SELECT rowid FROM papers WHERE id IN", ids)
        missing = [rowid for (rowid,) in found if rowid not in seen]
        if not missing:
            return []
        sql = f"SELECT {KEYED} FROM papers p WHERE {where} AND p.rowid IN"  # noqa: S608
        return list(rows_in(self.db, sql, missing, params))

    def most_papers(
        self,
        since: date,
        until: date,
        *,
        hf: bool,
        categories: Iterable[str],
        match: str | None = None,
    ) -> int:
        """At least as many records as ``papers`` would return, counted in a millisecond or
        two: the FTS hits of ``match``, else (exactly) the listed counts of the span's files."""
        if match and self.fts:
            row = self.db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,))
            return int(row.fetchone()[0])
        cats = list(categories)
        sources = ([("hf", None)] if hf else []) + [("arxiv", c) for c in cats]
        return sum(
            meta.count
            for source, category in sources
            for day, meta in self.file_meta(source, category).items()
            if since <= day <= until
        )

    def papers_by_id(
        self,
        since: date,
        until: date,
        *,
        hf: bool,
        categories: Iterable[str],
        match: str | None = None,
    ) -> Iterator[Paper]:
        """``papers``, streamed in id order (one paper's records together, in merge order).

        For listings too long to hold. The rows come by a walk of the id index, which reads
        them in order without sorting (0.26 s for 150,000 records, against 0.79 s through a
        temporary sort of every row); with a ``match``, the walk keeps every record of the
        papers FTS found a record of.
        """
        span = span_where(since, until, hf, list(categories))
        if span is None:
            return
        where, params = span
        if match and self.fts:
            # Every record of a paper FTS found a record of (see ``_other_records``).
            where += (
                " AND p.id IN (SELECT q.id FROM fts JOIN papers q ON q.rowid = fts.rowid"
                " WHERE fts MATCH ?)"
            )
            params.append(match)
        # Each id's few records are sorted into the merge order; the ids come sorted.
        order = f"p.id, {MERGE_ORDER}"
        sql = f"{COLUMNS}papers p INDEXED BY papers_id WHERE {where} ORDER BY {order}"
        yield from self._papers(sql, params)

    def term_sums(
        self,
        papers: list[Paper],
        key: Callable[[Paper], int],
        terms: Callable[[Paper], Sequence[int]],
        weights: dict[int, float],
    ) -> tuple[list[float], list[int]]:
        """For each paper, the sum of ``weights`` over its terms and how many terms it has,
        from For you's term postings (``term_postings.term_sums``)."""
        from papercli.store import term_postings  # For you's use case, not every query's

        return term_postings.term_sums(
            term_postings.Postings(
                self.db, self.path, self.store.warn, self._lock_at_once, self.on_wait
            ),
            papers,
            key,
            terms,
            weights,
        )

    def _lock_at_once(self) -> contextlib.AbstractContextManager[object]:
        if self.in_memory:
            return contextlib.nullcontext()
        return self.store.lock("index", timeout=0)

    def by_id(self, paper_id: str) -> list[Paper]:
        """Every cached record of one paper."""
        sql = "SELECT record, title, abstract, keywords FROM papers WHERE id=?"
        return list(self._papers(sql, (paper_id,)))

    def search(
        self, text: str, limit: int, span: tuple[date, date] | None
    ) -> list[tuple[Paper, float]]:
        """Records matching any word of a query, best first by BM25 (title 3x, keywords 2x).

        Each word is a prefix token, so plurals count. Scores are BM25 negated: higher is
        better. Without FTS5 every record comes back with score 0, for the caller to rank.
        """
        tokens = [t for t in _WORD.findall(fold(text)) if t.isascii()]
        if not self.fts:
            first, last = span or (date.min, date.max)
            cats = self.store.cached_categories()
            return [(p, 0.0) for p in self.papers(first, last, hf=True, categories=cats)]
        if not tokens:
            return []
        words = " OR ".join(f"{_quote(t)}*" for t in tokens)
        sql = (
            "SELECT p.record, p.title, p.abstract, p.keywords, -bm25(fts, 3.0, 1.0, 2.0) "
            "FROM fts JOIN papers p ON p.rowid = fts.rowid WHERE fts MATCH ?"
        )
        params: list[Any] = ["{title abstract keywords}: (" + words + ")"]
        if span is not None:
            sql += " AND p.day BETWEEN ? AND ?"
            params += [span[0].isoformat(), span[1].isoformat()]
        sql += " ORDER BY bm25(fts, 3.0, 1.0, 2.0) LIMIT ?"
        params.append(limit)
        results = []
        for record, title, abstract, keywords, score in self.db.execute(sql, params):
            paper = self._paper(record, title, abstract, keywords)
            if paper is not None:
                results.append((paper, float(score)))
        return results
