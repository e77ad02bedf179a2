"""A sorted listing too long to hold in memory, kept in an unlinked temporary file.

A year of cached papers listed without a keyword is 150,000 Papers: 450 MB as objects,
which is what ``papers list --since 2026-01-01 --format jsonl`` used to hold before writing
a line. ``sort_bounded`` holds up to ``HOLD`` papers as they come; past that it writes each
one to a temporary file (marshal bytes of its fields) and keeps only its sort key and where
it lies, then reads them back in order while the caller writes them out. Memory is then
the keys (~150 bytes a paper while sorting, 16 after), not the papers.

The file has no name (``tempfile.TemporaryFile``), so a killed run leaves nothing behind.
When it cannot be written (a full or read-only temp dir), the papers are held in memory as
before: slower to start on huge listings, never wrong.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import IO, overload

from papercli.models import Paper

HOLD = 20_000  # papers held as objects before spilling (~60 MB of typical arXiv records)
_make = tuple.__new__


def sort_bounded(
    papers: Iterable[Paper],
    key: Callable[[Paper], object],
    *,
    reverse: bool = False,
    hold: int | None = None,
) -> Sequence[Paper]:
    """``sorted(papers, key=key, reverse=reverse)``, spilled to disk past ``hold`` papers.

    ``papers`` is read once, to the end. Ties keep their order of arrival either way, as
    ``sorted`` keeps them (the spilled run sorts its keys stably too).
    """
    limit = HOLD if hold is None else hold
    stream = iter(papers)
    held: list[Paper] = []
    for paper in stream:
        held.append(paper)
        if len(held) > limit:
            break
    else:
        held.sort(key=key, reverse=reverse)
        return held
    run = _Run(key)
    try:
        run.extend(held)
        held = []  # written: the objects can go
        run.extend(stream)
        return run.sorted(reverse)
    except OSError:
        # A full or unwritable temp dir: everything goes back to memory, nothing is lost.
        # The run gives back every paper it took, in order (from the file, or from the chunk
        # not yet written); what it had not taken is the rest of ``held``, then the stream.
        taken = run.recover()
        taken.extend(held[len(taken) :])
        taken.extend(stream)
        taken.sort(key=key, reverse=reverse)
        return taken


_CHUNK = 1 << 20  # bytes written at a time


class _Run:
    """Papers being written to a spill file, with each one's key and place."""

    def __init__(self, key: Callable[[Paper], object]) -> None:
        self.key = key
        self.file: IO[bytes] | None = None
        self.entries: list[tuple[object, int, int]] = []  # (key, offset, size), as they came
        self.written = 0  # bytes on disk
        self.chunk = bytearray()  # bytes after those, not yet written

    def extend(self, papers: Iterable[Paper]) -> None:
        """Add papers (raises OSError when the file cannot be made or written)."""
        if self.file is None:
            import tempfile

            # Closed by the Spilled run that reads it back, or by ``recover``.
            self.file = tempfile.TemporaryFile(prefix="papercli-")  # noqa: SIM115
        key, entries, chunk = self.key, self.entries, self.chunk
        for paper in papers:
            data = marshal.dumps(tuple(paper))
            entries.append((key(paper), self.written + len(chunk), len(data)))
            chunk += data
            if len(chunk) >= _CHUNK:
                self._flush()

    def _flush(self) -> None:
        assert self.file is not None
        data = bytes(self.chunk)
        done = 0
        while done < len(data):  # a regular file takes it all at once, save on a full disk
            done += os.write(self.file.fileno(), data[done:])
        # Counted once all of it is on disk: after a failure the chunk still starts where
        # ``written`` says, and ``recover`` reads its papers from memory.
        self.written += len(data)
        self.chunk.clear()

    def sorted(self, reverse: bool) -> Spilled:
        """The run in key order, readable once its last chunk is written."""
        self._flush()
        assert self.file is not None
        self.entries.sort(key=itemgetter(0), reverse=reverse)
        offsets = array("q", (e[1] for e in self.entries))
        sizes = array("q", (e[2] for e in self.entries))
        self.entries = []
        return Spilled(self.file, offsets, sizes)

    def recover(self) -> list[Paper]:
        """Every paper added so far, in arrival order, after a failed write; closes the file."""
        papers = []
        for _, offset, size in self.entries:
            if offset + size <= self.written:
                assert self.file is not None
                data = os.pread(self.file.fileno(), size, offset)
            else:
                start = offset - self.written
                data = bytes(self.chunk[start : start + size])
            papers.append(_make(Paper, marshal.loads(data)))  # noqa: S302 - written just now
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
        return papers


class Spilled(Sequence[Paper]):
    """Papers in order, read back from the spill file as they are asked for."""

    __slots__ = ("_file", "_offsets", "_sizes")

    def __init__(self, file: IO[bytes], offsets: array[int], sizes: array[int]) -> None:
        self._file = file  # shared by slices; closed when the last of them is collected
        self._offsets = offsets
        self._sizes = sizes

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> Spilled: ...
    def __getitem__(self, index: int | slice) -> Paper | Spilled:
        if isinstance(index, slice):
            return Spilled(self._file, self._offsets[index], self._sizes[index])
        return self._read(self._offsets[index], self._sizes[index])

    def __iter__(self) -> Iterator[Paper]:
        read = self._read
        for offset, size in zip(self._offsets, self._sizes, strict=True):
            yield read(offset, size)

    def _read(self, offset: int, size: int) -> Paper:
        # Written by this process a moment ago, to a file that has no name to open it by.
        return _make(Paper, marshal.loads(os.pread(self._file.fileno(), size, offset)))  # noqa: S302
