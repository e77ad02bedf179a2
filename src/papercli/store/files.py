"""File primitives every part of the store uses: atomic writes, compact JSON, advisory locks."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import time
from pathlib import Path
from typing import Any

from papercli.errors import BusyError, StorageError


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half.

    A disk that is full, a read-only directory or a file where a directory should be raises
    StorageError (one line, its own exit code) and leaves the old file as it was.
    """
    import tempfile

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise storage_error(exc, path) from None
        raise


def storage_error(exc: OSError, path: Path) -> StorageError:
    """The one-line error for a file papercli could not write."""
    code, reason = exc.errno or 0, exc.strerror or type(exc).__name__
    if code == errno.EEXIST:
        # mkdir(exist_ok=True) reports a file standing in the way as EEXIST.
        code, reason = errno.ENOTDIR, "Not a directory"
    hint = {
        errno.ENOSPC: "free some space, or point PAPERS_HOME at another disk",
        errno.EDQUOT: "free some space, or point PAPERS_HOME at another disk",
        errno.EROFS: "the file system is read-only; point PAPERS_HOME somewhere writable",
        errno.EACCES: "check the permissions, or point PAPERS_HOME somewhere writable",
        errno.ENOTDIR: "a file stands where a directory should be; move it away",
    }.get(code)
    return StorageError(f"cannot write {path}: {reason}", hint=hint)


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON, the form of every file papercli writes."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class FileLock:
    """An advisory lock on a file (flock on POSIX, msvcrt on Windows), released on exit.

    ``shared`` locks (readers and writers of the cache) coexist; an exclusive one (``cache
    clear``) waits until none is held. A lock file that cannot be created is a StorageError.
    """

    def __init__(
        self, path: Path, *, timeout: float = 0.0, poll: float = 0.1, shared: bool = False
    ) -> None:
        self.path = path
        self.timeout = timeout
        self.poll = poll
        self.shared = shared
        self._handle: Any = None

    def __enter__(self) -> FileLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+b")
        except OSError as exc:
            raise storage_error(exc, self.path) from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                _lock(handle, self.shared)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise BusyError(
                        f"another papercli run holds {self.path.name}",
                        hint="wait for it to finish, or use --wait SECONDS",
                    ) from None
                time.sleep(self.poll)
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                _unlock(self._handle)
            self._handle.close()
            self._handle = None


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: Any, shared: bool) -> None:  # noqa: ARG001
        # msvcrt has no shared locks: readers exclude each other there, which is only slower.
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: Any) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: Any, shared: bool) -> None:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)

    def _unlock(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
