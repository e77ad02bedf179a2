"""Single key presses from a terminal, without Enter (POSIX cbreak mode)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator


def read_keys() -> Iterator[str]:
    """Keys as they are pressed, until end of input; the terminal is restored on exit.

    cbreak (not raw) mode keeps Ctrl-C a signal, so it interrupts like anywhere else.
    """
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        while True:
            data = os.read(fd, 32)
            if not data:
                return
            yield from data.decode("utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
