"""File primitives every part of the store uses: atomic writes, compact JSON, advisory locks.

Files in the data dir are opened without following a symbolic link at their final component
(``O_NOFOLLOW``; checked beforehand where the OS has no such flag): someone who can write
to the data dir must not make papercli read, create or write a file elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from papercli.errors import BusyError, ConfigError, StorageError

T = TypeVar("T")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
# What a symbolic link at the final component makes open(O_NOFOLLOW) fail with (FreeBSD: EMLINK).
_LINK_ERRORS = (errno.ELOOP, errno.EMLINK)
LINK_REASON = "a symbolic link, which papercli does not follow in its data dir"


class UnsafePathError(OSError):
    """A data-dir path that is a symbolic link or not a regular file: refused, not followed."""


class RefusedPathError(StorageError):
    """A lock or index path papercli refuses to use (a link): an error, never worked around."""


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
            raise RefusedPathError(
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


def atomic_write(path: Path, data: bytes, *, private: bool = True, sync: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never half.

    The new file keeps the old one's mode; a file that did not exist is 0600 when
    ``private`` and otherwise gets what the umask allows (see ``file_mode``). A symbolic
    link at ``path`` is replaced, never written through. A disk that is full, a read-only
    directory or a file where a directory should be raises StorageError (one line, its own
    exit code) and leaves the old file as it was. Temp files that killed writers left beside
    ``path`` are removed first (see ``_remove_stale_temps``). ``sync=False`` skips the fsync,
    for derived files whose readers detect a damaged one and rebuild it.
    """
    import tempfile

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = file_mode(path, private=private)
        _remove_stale_temps(path)
        while True:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            # Held until the rename: a live writer's temp file is never taken for a stale one.
            _lock_fd(fd, blocking=True)
            if os.fstat(fd).st_nlink:
                break
            os.close(fd)  # a cleaner unlinked it before we locked it: start again
        with os.fdopen(fd, "wb") as handle:
            if mode != 0o600 and os.name != "nt":
                os.fchmod(fd, mode)
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
            if os.name != "nt":
                os.replace(tmp, path)  # still locked, so no cleaner can take it first
        if os.name == "nt":  # pragma: no cover - Windows cannot rename an open file
            os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise storage_error(exc, path) from None
        raise


def _remove_stale_temps(path: Path) -> None:
    """Delete ``.NAME.*.tmp`` files beside ``path`` that no live writer holds.

    Every writer holds an exclusive lock on its temp file until the rename, and the kernel
    drops the lock when a process dies, so a temp file whose lock can be taken was left by a
    killed write (kill -9, power loss) and would otherwise stay forever.
    """
    prefix = f".{path.name}."
    try:
        entries = [e.name for e in os.scandir(path.parent)]
    except OSError:
        return
    for name in entries:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        stale = path.parent / name
        try:
            fd = os.open(stale, os.O_RDWR | _NOFOLLOW | _FLAGS)
        except OSError:
            continue  # renamed or removed meanwhile, or not ours to open
        try:
            if _lock_fd(fd, blocking=False, unsupported=False):
                with contextlib.suppress(OSError):
                    stale.unlink()
        finally:
            os.close(fd)


def load_json(raw: bytes | str) -> Any:
    """Parse a JSON file that something other than papercli may have written.

    Raises ValueError for anything unusable, including nesting deep enough to exhaust the
    stack (which ``json.loads`` lets escape as RecursionError), NaN, Infinity and numbers
    too large for a float. (An integer too long to convert is a ValueError already.)
    """
    import json  # here, not at the top: a cached listing reads its marshal copy, not JSON

    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def load_own_list(
    path: Path, fmt: str, version: int, what: str, parse: Callable[[dict[str, Any]], T]
) -> T | None:
    """A list the user keeps (the reading list, the dismissed papers), parsed; None if absent.

    The file is the user's own data, so one that cannot be read, is not ``fmt`` ``version``,
    or that ``parse`` rejects (ValueError, KeyError, TypeError, AttributeError) is a
    ConfigError naming ``what``, and callers never write over it.
    """
    try:
        raw = read_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing kept yet (a file where the data dir should be is said on writing)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the {what} {path}: {exc.strerror}",
            hint="papercli reads only the file itself; fix or move it",
        ) from None
    try:
        data = load_json(raw)
        if data.get("format") != fmt or data.get("version") != version:
            raise ValueError(f"not a papercli {what} of a known version")
        return parse(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{what} {path} is unreadable ({exc})",
            hint="fix or move the file away; papercli will not overwrite it",
        ) from None


def _finite(text: str) -> float:
    # 1e400 parses as inf, which int() turns into OverflowError far from here.
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is not a finite number")
    return number


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


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
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# What opening a lock file for writing fails with where the data dir is read-only to us.
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


class FileLock:
    """An advisory lock on a file (flock on POSIX, msvcrt on Windows), released on exit.

    Waits up to ``timeout`` seconds for another holder, telling ``on_wait`` once what it is
    waiting for, then raises BusyError. ``shared`` locks (readers and writers of the cache)
    coexist; an exclusive one (``cache clear``) waits until none is held. A lock file that
    cannot be created is a StorageError, unless ``read_only`` says the holder only reads: then
    on a read-only data dir the lock is taken through a read-only handle, or, when the file
    does not exist, not at all (nobody can write where we cannot create a file either).
    """

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 0.0,
        poll: float = 0.1,
        shared: bool = False,
        what: str = "",
        on_wait: Callable[[str], None] | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.timeout = timeout
        self.poll = poll
        self.shared = shared
        self.what = what or path.name
        self.on_wait = on_wait
        self._handle: Any = None

    def __enter__(self) -> FileLock:
        mode = "r+b"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open_nofollow(self.path, os.O_RDWR | os.O_CREAT)
        except UnsafePathError as exc:
            raise RefusedPathError(
                f"refusing to use the lock {self.path}: it is {exc.strerror}",
                hint="remove it; papercli creates its lock files itself",
            ) from None
        except OSError as exc:
            if not (self.read_only and exc.errno in _NOT_WRITABLE):
                raise storage_error(exc, self.path) from None
            try:
                fd, mode = _open_nofollow(self.path, os.O_RDONLY), "rb"
            except UnsafePathError:
                raise storage_error(exc, self.path) from None
            except OSError:
                return self  # held by nobody: a reader of a data dir no one can write
        handle = os.fdopen(fd, mode)
        deadline = time.monotonic() + self.timeout
        told = False
        while not _lock_fd(handle.fileno(), blocking=False, shared=self.shared):
            if time.monotonic() >= deadline:
                handle.close()
                raise BusyError(
                    f"another papercli run holds {self.what}",
                    hint="wait for it to finish, or use --wait SECONDS",
                )
            if not told and self.on_wait is not None and self.timeout >= 1:
                self.on_wait(f"waiting up to {self.timeout:.0f} s for another papercli run "
                             f"to release {self.what}")  # fmt: skip
                told = True
            time.sleep(self.poll)
        self._handle = handle
        return self

    def try_exclusive(self) -> bool:
        """Turn a held shared lock into an exclusive one, if nobody else holds it.

        When that fails the shared lock is taken again (flock may drop it on the way).
        """
        if self._handle is None:
            raise RuntimeError("lock is not held")
        fd = self._handle.fileno()
        if _lock_fd(fd, blocking=False):
            return True
        _lock_fd(fd, blocking=True, shared=True)
        return False

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                _unlock_fd(self._handle.fileno())
            self._handle.close()
            self._handle = None


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(
        fd: int, *, blocking: bool, shared: bool = False, unsupported: bool = True
    ) -> bool:
        # No shared locks on Windows: a shared lock is exclusive there, which only serialises.
        # Temp files cannot be deleted while their writer has them open, so no lock is needed.
        del shared, unsupported
        if blocking:
            return True
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(
        fd: int, *, blocking: bool, shared: bool = False, unsupported: bool = True
    ) -> bool:
        """Take flock on ``fd``; False when ``blocking`` is off and someone else holds it.

        On a file system without locks the answer is ``unsupported``.
        """
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode if blocking else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                return unsupported
            raise
        return True

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
