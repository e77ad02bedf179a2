"""File primitives every part of the store uses: atomic writes, compact JSON, advisory locks.

Files in the data dir are opened without following a symbolic link at their final component
(``O_NOFOLLOW``; checked beforehand where the OS has no such flag): someone who can write
to the data dir must not make papercli read, create or write a file elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from papercli.errors import BusyError, StorageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
# What a symbolic link at the final component makes open(O_NOFOLLOW) fail with (FreeBSD: EMLINK).
_LINK_ERRORS = (errno.ELOOP, errno.EMLINK)
LINK_REASON = "a symbolic link, which papercli does not follow in its data dir"


class UnsafePathError(OSError):
    """A data-dir path that is a symbolic link or not a regular file: refused, not followed."""


def _refused(path: Path | str, reason: str = LINK_REASON, code: int = errno.ELOOP) -> OSError:
    return UnsafePathError(code, reason, str(path))


def _open_nofollow(path: Path, flags: int, mode: int = 0o600) -> int:
    if not _NOFOLLOW and os.path.islink(path):  # Windows: no O_NOFOLLOW; look first
        raise _refused(path)
    try:
        return os.open(path, flags | _NOFOLLOW | _FLAGS, mode)
    except OSError as exc:
        if exc.errno in _LINK_ERRORS and os.path.islink(path):
            raise _refused(path) from None
        raise


def read_file(path: Path) -> bytes:
    """The bytes of a data-dir file, read without following a symbolic link.

    Raises FileNotFoundError when it is missing, UnsafePathError (an OSError whose
    ``strerror`` says why) when it is a link or not a regular file (a FIFO would block the
    run for ever), and OSError for the rest.
    """
    fd = _open_nofollow(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refused(path, "not a regular file", errno.EINVAL)
        return handle.read()


def refuse_links(*paths: Path | str) -> None:
    """Raise StorageError if any of ``paths`` is a symbolic link (for files papercli cannot
    open itself, such as the SQLite index and its journals)."""
    for path in paths:
        if os.path.islink(path):
            raise StorageError(
                f"refusing to use {path}: it is {LINK_REASON}",
                hint="remove the link; papercli creates the file itself",
            )


def current_umask() -> int:
    """The process umask, read without changing it where the OS tells (Linux's /proc)."""
    with (
        contextlib.suppress(OSError, ValueError, IndexError),
        open("/proc/self/status", "rb") as status,
    ):
        for line in status:
            if line.startswith(b"Umask:"):
                return int(line.split()[1], 8)
    # Elsewhere set and restore it; a restrictive value in between, so that a file another
    # thread creates meanwhile is, if anything, more private than asked.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def file_mode(path: Path, *, private: bool) -> int:
    """The mode a file written to ``path`` should get.

    The mode of the file it replaces, if any (a user's ``chmod`` stands); else 0600 for a
    private file (state, the cache, a config that may hold credentials), and for any other
    file (``--output``, PDFs) what the umask allows, as for any file a program creates.
    """
    try:
        return stat.S_IMODE(os.stat(path).st_mode) & 0o777  # never set-id bits on data
    except OSError:
        return 0o600 if private else 0o666 & ~current_umask()


def set_mode(path: Path, mode: int) -> None:
    """chmod ``path`` (a file papercli just wrote); a no-op where modes mean nothing."""
    if os.name != "nt":
        os.chmod(path, mode)


def atomic_write(path: Path, data: bytes, *, private: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half.

    The new file keeps the old one's mode; a file that did not exist is 0600 when
    ``private`` and otherwise gets what the umask allows (see ``file_mode``). A symbolic
    link at ``path`` is replaced, never written through. A disk that is full, a read-only
    directory or a file where a directory should be raises StorageError (one line, its own
    exit code) and leaves the old file as it was.
    """
    import tempfile

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = file_mode(path, private=private)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            if mode != 0o600 and os.name != "nt":
                os.fchmod(fd, mode)
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
            fd = _open_nofollow(self.path, os.O_RDWR | os.O_CREAT)
        except UnsafePathError as exc:
            raise StorageError(
                f"refusing to use the lock {self.path}: it is {exc.strerror}",
                hint="remove it; papercli creates its lock files itself",
            ) from None
        except OSError as exc:
            raise storage_error(exc, self.path) from None
        handle = os.fdopen(fd, "r+b")
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
