"""A compact, already-validated copy of each listing file, for reading the cache fast.

Every cached ``papers today`` or ``papers list`` reads a few listing files, and decoding their
JSON and passing every record through ``Paper.from_dict`` was most of the command body. So
after a listing is read (or written) its validated papers are also written, as ``marshal``
bytes of plain tuples, under ``cache/.fast/`` (``.fast/hf/2026-11-27.json.m``). The JSON stays
the source of truth: the copy records the JSON file's (mtime_ns, size, inode) and is used
only while those still match; any change, a copy from another papercli version, or one that
cannot be read makes the reader go back to the JSON. A directory of their own keeps the
copies out of ``listing_days`` and the index's file scan; ``cache clear`` removes them too.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from papercli.errors import StorageError
from papercli.models import Paper
from papercli.store.files import atomic_write, read_file

if TYPE_CHECKING:
    from papercli.store.cache import Listing

# Bumped when the tuple layout or Paper's fields change; the field names are in the key too,
# so a copy written by a papercli with other fields is never read as this one's.
_MAGIC = "papercli.fast/1"
_FIELDS: tuple[str, ...] = Paper._fields
_make = tuple.__new__


COPIES = ".fast"  # under the cache dir: cache/.fast/hf/2026-11-27.json.m


def sidecar(path: Path, cache_dir: Path) -> Path:
    """Where the copy of the listing file at ``path`` (under ``cache_dir``) lives."""
    relative = path.relative_to(cache_dir)
    return cache_dir / COPIES / relative.parent / f"{relative.name}.m"


def is_copy(path: Path, cache_dir: Path) -> bool:
    """True for a path under the copies' directory."""
    return path.relative_to(cache_dir).parts[:1] == (COPIES,)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # a link or a FIFO: the JSON reader refuses it and says so
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def load(
    path: Path, cache_dir: Path, source: str, day: date, category: str | None
) -> Listing | None:
    """The listing at ``path`` from its copy, or None when there is no current copy."""
    from papercli.store.cache import Listing

    stamp = _stamp(path)
    if stamp is None:
        return None
    try:
        # Only papercli writes these (0600, in the data dir whose exposure it warns about),
        # and what is read back is plain tuples checked field by field count below.
        data = marshal.loads(read_file(sidecar(path, cache_dir)))  # noqa: S302
        magic, fields, seen, fetched_at, complete, note, etag, rows = data
        if magic != _MAGIC or fields != _FIELDS or tuple(seen) != stamp:
            return None
        width = len(_FIELDS)
        # Rows are whole Papers, urls included (``save`` writes every field), so each is
        # made without ``Paper.__new__``'s keyword handling: a year's index build reads
        # 150,000 of them.
        papers = tuple(
            _make(Paper, row) for row in rows if type(row) is tuple and len(row) == width
        )
        if len(papers) != len(rows):
            return None
        return Listing(
            source=source,
            day=day,
            category=category,
            papers=papers,
            fetched_at=datetime.fromisoformat(fetched_at),
            complete=complete,
            note=note,
            etag=etag,
        )
    except (OSError, EOFError, ValueError, TypeError):
        return None


def save(path: Path, cache_dir: Path, listing: Listing) -> None:
    """Write the copy of the listing just read from (or written to) ``path``; best effort."""
    stamp = _stamp(path)
    if stamp is None:
        return
    rows = tuple(map(tuple, listing.papers))  # a Paper is the tuple of its fields, in order
    data = (
        _MAGIC,
        _FIELDS,
        stamp,
        listing.fetched_at.isoformat(),
        bool(listing.complete),
        listing.note,
        listing.etag,
        rows,
    )
    # A read-only or full cache still works, just without the shortcut. No fsync: a copy
    # that a crash damaged fails to load or to match its JSON's stamp, and is rewritten.
    with contextlib.suppress(OSError, ValueError, StorageError):
        atomic_write(sidecar(path, cache_dir), marshal.dumps(data), sync=False)
