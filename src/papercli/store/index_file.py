"""The cache index's file: opening it, the locks around it, rebuilding it, and what to do
when it cannot be used on disk. What it holds and how it is queried: ``store.index``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from papercli.errors import BusyError, StorageError
from papercli.store.cache import Store
from papercli.store.files import FileLock, RefusedPathError, refuse_links

if TYPE_CHECKING:
    import sqlite3

T = TypeVar("T")

# 2: records are marshal bytes, pages are 16 KB (issue 19: the index was 2.1x its JSON).
SCHEMA_VERSION = "3"
NAME = "index.sqlite3"

# The papers table's secondary indexes (a first build creates them after its rows).
INDEXES = ("papers_day ON papers(day)", "papers_id ON papers(id)", "papers_file ON papers(file)")
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    path TEXT PRIMARY KEY, source TEXT, category TEXT, day TEXT,
    mtime_ns INTEGER, size INTEGER, complete INTEGER, fetched_at TEXT, note TEXT, count INTEGER
);
CREATE TABLE papers(
    rowid INTEGER PRIMARY KEY, file TEXT NOT NULL, id TEXT NOT NULL, source TEXT,
    category TEXT, day TEXT, title TEXT, abstract TEXT, keywords TEXT, record TEXT
);
{indexes}
CREATE TABLE bag_docs(
    ord INTEGER PRIMARY KEY AUTOINCREMENT CHECK(ord > 0), id TEXT NOT NULL UNIQUE,
    key INTEGER NOT NULL CHECK(typeof(key) = 'integer'),
    length INTEGER NOT NULL CHECK(typeof(length) = 'integer' AND length >= 0)
);
CREATE TABLE bag_postings(
    term INTEGER NOT NULL, segment INTEGER NOT NULL,
    docs BLOB NOT NULL CHECK(typeof(docs) = 'blob'), PRIMARY KEY(term, segment)
) WITHOUT ROWID;
""".replace("{indexes}", "\n".join(f"CREATE INDEX {i};" for i in INDEXES))
FTS_SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(
    title, abstract, keywords, content='papers', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def fts_available() -> bool:
    """Whether this Python's SQLite has FTS5 (most builds do)."""
    import sqlite3

    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


# How long a run waits for another to finish updating the index, and for SQLite's own lock
# (held by some other process's write transaction), before it says "busy" (exit 8).
LOCK_WAIT = 120.0
BUSY_WAIT = 30.0


class _Rebuild(Exception):
    """The index on disk is damaged or from another version: it must be built afresh."""


# FTS5's defaults, which the syncs after a first build (a day's file at a time) run with.
_FTS_DEFAULTS = (("hashsize", 1 << 20), ("automerge", 4), ("crisismerge", 16))
# A first build: 8 MB of pending terms per segment, and no merging while it writes.
_FTS_BULK = (("hashsize", 8 << 20), ("automerge", 0), ("crisismerge", 2000))


def rebuild_fts(db: sqlite3.Connection) -> None:
    """Build the FTS table from the papers rows, in one pass (in the caller's transaction).

    By default FTS5 writes a segment per megabyte of pending terms and merges segments as
    it goes, so a year of papers is written about twice over and the merges leave freed
    pages behind (2 MB at 50,000 papers; with automerge alone off, 12 MB, 8% of the file).
    Eight times the buffer and no merging write a dozen segments once: 10-20% less time
    (measured in interleaved builds of 50,000 and 150,000 papers) and a smaller file. The
    defaults come back for later syncs; a cache past ~200,000 papers has more than 16
    segments on a level, which FTS5 then merges once, on the next write.
    """
    _configure_fts(db, _FTS_BULK)
    db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    _configure_fts(db, _FTS_DEFAULTS)


def _configure_fts(db: sqlite3.Connection, settings: tuple[tuple[str, int], ...]) -> None:
    for name, value in settings:
        db.execute("INSERT INTO fts(fts, rank) VALUES (?, ?)", (name, value))


class IndexFile:
    """Opening, locking, rebuilding and falling back: the index file's life, apart from
    what it holds (``store.index.Index``); use as a context manager.

    Concurrency: updates (the sync) run under the data dir's ``index`` lock; every run that
    has the index open holds the ``index-open`` lock shared, and an index file is deleted only
    by a run that can hold that one exclusively, so never while another process has it open.
    When the index cannot be used on disk (a read-only or full disk, a directory in its place,
    damage while others read it) it is built in memory for the run, with a warning: the JSON
    files are the truth, so results are the same, only slower.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.path = store.cache_dir / NAME
        self.fts = True
        self.in_memory = False
        self.memory_fallback = True  # an unusable file: index in memory (else StorageError)
        self._db: sqlite3.Connection | None = None
        self._open_lock: FileLock | None = None
        self.on_wait: Callable[[str], None] | None = None
        # Told (done, total, what) while a long sync runs: a bar per ``what`` on a terminal,
        # files read first, then (a first build) the word index built from them.
        self.progress: Callable[[int, int, str], None] = lambda _done, _total, _what: None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Open (creating or rebuilding as needed) and bring the index up to date.

        Queries afterwards need no lock: SQLite's WAL lets readers run beside a writer.
        Raises BusyError when another process keeps it locked past the waits.
        """
        import sqlite3

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # index-open before index, always (cache clear takes them in this order too).
            self._open_lock = self.store.lock(
                "index-open", LOCK_WAIT, shared=True, what="the cache index",
                on_wait=self.on_wait,
            )  # fmt: skip
            self._open_lock.__enter__()
            with self._update_lock():
                self._open_on_disk()
        except (BusyError, RefusedPathError):
            self.close()
            raise
        except (OSError, StorageError, sqlite3.Error) as exc:
            self.close()
            if is_busy(exc):
                raise busy_error(self.path) from None
            self._fall_back(unusable_reason(exc, self.path))

    def _open_on_disk(self) -> None:
        import sqlite3

        try:
            self._db = self._connect()
            self._check_schema()
            self.sync()
            return
        except _Rebuild:
            why = "from another papercli version"
        except sqlite3.OperationalError:
            raise  # locked, read-only, full, cannot open: none of them damage
        except sqlite3.DatabaseError as exc:
            why = f"unusable: {exc}"
        if self._db is not None:
            self._db.close()
            self._db = None
        assert self._open_lock is not None
        if not self._open_lock.try_exclusive():
            self._fall_back(f"it is {why}, and another papercli run has it open")
            return
        self.store.warn(f"the cache index {self.path} is {why}; rebuilding it")
        self._remove()
        self._db = self._connect()
        self._check_schema()
        _downgrade(self._open_lock)
        self.sync()

    def _fall_back(self, reason: str) -> None:
        """Index the JSON files in memory for this run (StorageError when ``memory_fallback``
        is off: a caller with another way to answer)."""
        import sqlite3

        if not self.memory_fallback:
            raise StorageError(f"cannot use the cache index {self.path} ({reason})")

        self.store.warn(
            f"cannot use the cache index {self.path} ({reason}); indexing the cache in memory "
            "for this run"
        )
        self.close()
        self.in_memory = True
        self._db = sqlite3.connect(":memory:", isolation_level=None)
        self._check_schema()
        self.sync()

    def reading(self, read: Callable[[], T]) -> T:
        """``read()``; when SQLite finds damage only as it reads (opening and syncing touch
        few pages), once more from an index built in memory, with the usual warning.

        ``read`` must not have written anything the second run would repeat.
        """
        import sqlite3

        try:
            return read()
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                raise busy_error(self.path) from None
            if self.in_memory:
                raise
            self._fall_back(unusable_reason(exc, self.path))
        return read()

    def _update_lock(self) -> Any:
        if self.in_memory:
            return contextlib.nullcontext()
        return self.store.lock(
            "index", timeout=LOCK_WAIT, what="the cache index", on_wait=self.on_wait
        )

    def close(self) -> None:
        """Close the connection (everything written is already committed)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._open_lock is not None:
            self._open_lock.__exit__(None, None, None)
            self._open_lock = None

    def _connect(self) -> sqlite3.Connection:
        import sqlite3

        # SQLite follows links: one planted here would get papercli's tables written into
        # whatever database it points at.
        refuse_links(*(f"{self.path}{suffix}" for suffix in ("", "-wal", "-shm", "-journal")))
        db = sqlite3.connect(self.path, timeout=BUSY_WAIT, isolation_level=None)
        # Rows hold a title and abstract (~2 KB): with SQLite's 4 KB pages only one fits per
        # page and half of every page was empty. Takes effect only on a new file.
        db.execute("PRAGMA page_size=16384")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("index is not open")
        return self._db

    def sync(self) -> int:
        """Bring the index up to date with the JSON files (``Index`` does this)."""
        raise NotImplementedError

    def _check_schema(self) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master")}
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row and row[0] == SCHEMA_VERSION:
                self.fts = "fts" in tables
                return
            # An index from another papercli version: derived data, so start over.
            raise _Rebuild
        if tables:
            raise _Rebuild  # tables, but not ours
        self.fts = fts_available()
        script = SCHEMA + (FTS_SCHEMA if self.fts else "")
        version = f"INSERT INTO meta VALUES ('version', '{SCHEMA_VERSION}');"  # noqa: S608
        self.db.executescript(f"BEGIN;{script}{version}COMMIT;")


def is_busy(exc: BaseException) -> bool:
    """SQLite's lock is held by another process's write transaction (not damage)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc).lower()


def busy_error(path: Path) -> BusyError:
    return BusyError(
        f"the cache index {path} is busy: another process has held a write transaction on it "
        f"for {BUSY_WAIT:.0f} s",
        hint="try again in a moment; if it stays busy, look for a stuck papercli or sqlite3",
    )


def unusable_reason(exc: BaseException, path: Path) -> str:
    if path.is_dir():
        return "it is a directory; move it away"
    if isinstance(exc, StorageError):
        return exc.message
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def _downgrade(lock: FileLock) -> None:
    """Back from exclusive to shared once the rebuilt index exists."""
    from papercli.store.files import _lock_fd

    handle = lock._handle
    if handle is not None:
        _lock_fd(handle.fileno(), blocking=True, shared=True)
