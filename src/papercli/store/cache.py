"""Everything papercli keeps on disk: cached listings, looked-up papers, state files and locks.

Files are JSON in a versioned envelope, written atomically (temp file, fsync, rename), read
tolerantly: a corrupt or unknown-version file is set aside with a warning and treated as missing,
so the caller refetches instead of crashing. Nothing here builds a path from unvalidated text.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from papercli.errors import UsageError
from papercli.models import CATEGORY_RE, LazyPattern, Paper, file_stem
from papercli.store import fastcache
from papercli.store.files import FileLock, atomic_write, dump_json, load_json, read_file

FORMAT = "papercli.listing"
PAPER_FORMAT = "papercli.paper"
VERSION = 1
SOURCES = ("hf", "arxiv")
_DAY_FILE = LazyPattern(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.json")
_STATE_NAME = LazyPattern(r"[A-Za-z0-9_\-]{1,64}")
CACHE_LOCK_WAIT = 60.0  # seconds a cache write or a clear waits for the other side


def _private_group(info: os.stat_result) -> bool:
    import grp
    import pwd

    try:
        group = grp.getgrgid(info.st_gid)
        owner = pwd.getpwuid(info.st_uid)
    except KeyError:
        return False
    return group.gr_name == owner.pw_name and set(group.gr_mem) <= {owner.pw_name}


def _day_of(name: str) -> date | None:
    """The day a listing file is for; None for any other name (``2026-13-45.json`` too)."""
    if not (name.isascii() and _DAY_FILE.fullmatch(name)):
        return None
    try:
        return date.fromisoformat(name[:10])
    except ValueError:
        return None


class Listing(NamedTuple):
    """One source's papers for one listing day (and arXiv category), as fetched."""

    # A NamedTuple, not a dataclass: see models._PaperFields (start-up cost).

    source: str
    day: date
    papers: tuple[Paper, ...]
    fetched_at: datetime
    category: str | None = None
    complete: bool = False  # the day is over at the source: never refetched automatically
    note: str | None = None  # how the listing came to be: "stale-repeat", "api-backfill", ...
    etag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The on-disk envelope."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "source": self.source,
            "day": self.day.isoformat(),
            "category": self.category,
            "fetched_at": self.fetched_at.isoformat(),
            "complete": self.complete,
            "note": self.note,
            "etag": self.etag,
            "papers": [p.to_dict() for p in self.papers],
        }


def _ignore(_message: str) -> None:
    pass


class Store:
    """The data directory: ``cache/`` (derived, safe to clear) and ``state/`` (yours)."""

    # A plain class, not a dataclass: see models._PaperFields (start-up cost).
    __slots__ = ("_days", "_holding", "_listings", "root", "warn")

    def __init__(self, root: Path, warn: Callable[[str], None] = _ignore) -> None:
        self.root = root
        self.warn = warn
        # One invocation reads a listing once, however many rules look at it.
        self._listings: dict[tuple[str, date, str | None], Listing | None] = {}
        self._days: dict[tuple[str, str | None], list[date]] = {}
        self._holding = 0

    def __repr__(self) -> str:
        return f"Store({self.root!r})"

    @property
    def cache_dir(self) -> Path:
        """Cached listings and papers; everything here can be fetched again."""
        return self.root / "cache"

    @property
    def state_dir(self) -> Path:
        """Digest state and the reading list: not derived, never cleared by ``cache clear``."""
        return self.root / "state"

    # -- paths -------------------------------------------------------------------------------

    def listing_path(self, source: str, day: date, category: str | None = None) -> Path:
        """Where a listing lives; the category is validated before it becomes a directory."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        base = self.cache_dir / source
        if source == "arxiv":
            if not category or not CATEGORY_RE.fullmatch(category):
                raise UsageError(f"not an arXiv category: {category!r}")
            base = base / category
        return base / f"{day.isoformat()}.json"

    def paper_path(self, paper_id: str) -> Path:
        """Where a looked-up paper lives (the id is validated before it becomes a name)."""
        return self.cache_dir / "papers" / f"{file_stem(paper_id)}.json"

    # -- tolerant reading --------------------------------------------------------------------

    def _read_envelope(self, path: Path, kind: str) -> dict[str, Any] | None:
        try:
            raw = read_file(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None  # missing, or the data dir is not a directory (said on writing)
            self.warn(f"cannot read {path}: {exc.strerror}; fetching it again")
            return None
        try:
            data = load_json(raw)
            if not isinstance(data, dict) or data.get("format") != kind:
                raise ValueError("not a papercli file")
            if data.get("version") != VERSION:
                self._set_aside(path, f"unknown version {data.get('version')!r}")
                return None
        except (ValueError, UnicodeDecodeError):
            self._set_aside(path, "corrupt")
            return None
        return data

    def _set_aside(self, path: Path, why: str) -> None:
        aside = path.with_name(path.name + ".bad")
        try:
            os.replace(path, aside)
        except OSError as exc:  # a read-only cache: leave it, and say so
            self.warn(f"cache file {path} is {why}; ignoring it (cannot move it: {exc.strerror})")
            return
        self.warn(f"cache file {path} is {why}; moved it to {aside.name} and fetching again")

    def read_listing(
        self, source: str, day: date, category: str | None = None, *, memo: bool = True
    ) -> Listing | None:
        """A cached listing, or None when it is missing or unusable (with a warning).

        Read once per run and remembered; ``memo=False`` reads the file afresh and keeps
        nothing (the index reads every file once and must not hold a year of papers).
        """
        key = (source, day, category)
        if not memo:
            return self._load_listing(source, day, category)
        if key not in self._listings:
            self._listings[key] = self._load_listing(source, day, category)
        return self._listings[key]

    def _load_listing(self, source: str, day: date, category: str | None) -> Listing | None:
        path = self.listing_path(source, day, category)
        fast = fastcache.load(path, self.cache_dir, source, day, category)
        if fast is not None:
            return fast
        data = self._read_envelope(path, FORMAT)
        if data is None:
            return None
        try:
            listing = Listing(
                source=source,
                day=day,
                category=category,
                papers=tuple(Paper.from_dict(p) for p in data["papers"]),
                fetched_at=datetime.fromisoformat(data["fetched_at"]),
                complete=bool(data.get("complete")),
                note=data.get("note"),
                etag=data.get("etag"),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            self._set_aside(path, "corrupt")
            return None
        fastcache.save(path, self.cache_dir, listing)
        return listing

    def write_listing(self, listing: Listing) -> None:
        """Write a listing atomically."""
        path = self.listing_path(listing.source, listing.day, listing.category)
        with self.cache_lock(shared=True):
            atomic_write(path, dump_json(listing.to_dict()))
            fastcache.save(path, self.cache_dir, listing)
        self._listings[(listing.source, listing.day, listing.category)] = listing
        self._days.pop((listing.source, listing.category), None)

    def listing_days(self, source: str, category: str | None = None) -> list[date]:
        """The days cached for a source (and category), oldest first."""
        key = (source, category)
        if key not in self._days:
            directory = self.listing_path(source, date(2000, 1, 1), category).parent
            try:
                names = os.listdir(directory)
            except OSError:
                names = []
            self._days[key] = sorted(day for n in names if (day := _day_of(n)) is not None)
        return list(self._days[key])

    def cached_categories(self) -> list[str]:
        """arXiv categories with at least one cached listing."""
        try:
            names = os.listdir(self.cache_dir / "arxiv")
        except OSError:
            return []
        return sorted(n for n in names if CATEGORY_RE.fullmatch(n))

    def read_paper(self, paper_id: str) -> Paper | None:
        """A looked-up paper from the cache."""
        path = self.paper_path(paper_id)
        data = self._read_envelope(path, PAPER_FORMAT)
        if data is None:
            return None
        try:
            return Paper.from_dict(data["paper"])
        except (KeyError, TypeError, ValueError):
            self._set_aside(path, "corrupt")
            return None

    def write_paper(self, paper: Paper) -> None:
        """Cache one looked-up paper."""
        envelope = {
            "format": PAPER_FORMAT,
            "version": VERSION,
            "fetched_at": datetime.now(UTC).isoformat(),
            "paper": paper.to_dict(),
        }
        with self.cache_lock(shared=True):
            atomic_write(self.paper_path(paper.id), dump_json(envelope))

    # -- state, locks, housekeeping -----------------------------------------------------------

    def state_path(self, name: str) -> Path:
        """A state file under ``state/``; names are validated (they can come from --name)."""
        if not _STATE_NAME.fullmatch(name):
            raise UsageError(f"invalid name {name!r}: use letters, digits, - and _")
        return self.state_dir / f"{name}.json"

    def lock(self, name: str, timeout: float = 0.0, **options: Any) -> FileLock:
        """A lock named ``name`` under the data dir (``options``: those of FileLock)."""
        if not _STATE_NAME.fullmatch(name):
            raise UsageError(f"invalid lock name {name!r}")
        return FileLock(self.root / "locks" / f"{name}.lock", timeout=timeout, **options)

    def cache_lock(
        self, *, shared: bool, timeout: float = CACHE_LOCK_WAIT, read_only: bool = False
    ) -> contextlib.AbstractContextManager[object]:
        """Held shared while a run writes the cache, and exclusively by ``clear_cache``: a
        clear never pulls a file from under a write (or from a run ``holding_cache``)."""
        if shared and self._holding:
            return contextlib.nullcontext()  # this run holds it already
        return FileLock(
            self.root / "locks" / "cache.lock", timeout=timeout, shared=shared, read_only=read_only
        )

    @contextlib.contextmanager
    def holding_cache(self, timeout: float = CACHE_LOCK_WAIT) -> Iterator[None]:
        """Hold the shared cache lock across many reads and writes (a digest reading the days
        it will record as covered); writes inside, from any thread, use this hold."""
        # Read-only where the data dir is (a dry run's reads); a write inside fails on its file.
        with self.cache_lock(shared=True, timeout=timeout, read_only=True):
            self._holding += 1
            try:
                yield
            finally:
                self._holding -= 1

    def exposure(self) -> str | None:
        """A warning when other users may write to the data dir, or None.

        They could plant links or files there for papercli to read as its own: a
        world-writable directory, or a group-writable one whose group is not the owner's
        private group (the one-user-one-group convention of most Linux systems).
        """
        if os.name == "nt":
            return None
        for directory in (self.root, self.cache_dir, self.state_dir, self.root / "locks"):
            try:
                info = os.stat(directory)
            except OSError:
                continue
            if info.st_mode & 0o002 or (info.st_mode & 0o020 and not _private_group(info)):
                return (
                    f"{directory} is writable by other users, who could plant files or links "
                    f"for papercli to read (chmod go-w {directory})"
                )
        return None

    def cache_files(self, *, copies: bool = False) -> Iterator[Path]:
        """Every file under the cache dir; the hidden fast copies of listings (see
        ``fastcache``) only when ``copies``: they are part of the files they copy."""
        if self.cache_dir.exists():
            # A link counts (it is removed, never followed), dangling or not.
            for path in self.cache_dir.rglob("*"):
                if (path.is_symlink() or path.is_file()) and (
                    copies or not fastcache.is_copy(path, self.cache_dir)
                ):
                    yield path

    def clear_cache(self, *, timeout: float = CACHE_LOCK_WAIT) -> int:
        """Delete every cached file (state and the reading list stay); returns the count.

        Waits up to ``timeout`` seconds for runs that write the cache, have the index open or
        build it to finish (BusyError after that), and holds those locks while it deletes.
        """
        with (
            self.cache_lock(shared=False, timeout=timeout),
            self.lock("index-open", timeout, what="the cache index"),
            self.lock("index", timeout),
        ):
            return self._clear()

    def _clear(self) -> int:
        self._listings.clear()
        self._days.clear()
        removed = 0
        for path in list(self.cache_files(copies=True)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += not fastcache.is_copy(path, self.cache_dir)
        for directory in sorted(self.cache_dir.rglob("*"), reverse=True):
            with contextlib.suppress(OSError):
                directory.rmdir()
        return removed
