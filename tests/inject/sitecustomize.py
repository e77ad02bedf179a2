"""Test-only fault injection, loaded by any Python started with this directory on PYTHONPATH.

With PAPERS_TEST_ENOSPC set to a file-name pattern (fnmatch), ``os.fsync`` on a file whose
name matches fails with ENOSPC, as it does on a full disk, so that a real papercli process
runs out of space at one exact step (the temp file of an intent, of the state file, ...).
"""

import errno
import fnmatch
import os

_PATTERN = os.environ.get("PAPERS_TEST_ENOSPC")

if _PATTERN:
    _real_fsync = os.fsync

    def _fsync(fd: int) -> None:
        try:
            name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            name = ""
        if fnmatch.fnmatch(name, _PATTERN):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _real_fsync(fd)

    os.fsync = _fsync
