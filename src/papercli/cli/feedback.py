"""What a terminal shows while papercli works: progress bars and what the network waits for.

One Rich ``Live`` display on stderr holds both (Rich allows one at a time): the bars the
core reports through ``Session.progress``, and a spinner per source whose request has had
no answer for a second ("Hugging Face: no answer yet (4 s), attempt 2 of 3") or that waits
to retry. Built only when stderr is a terminal and --quiet is off; off a terminal nothing is
drawn and cron logs stay clean.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papercli.sources.http import Wait

QUIET_FOR = 1.0  # seconds a request may take before the spinner says it is waiting


class Feedback:
    """Progress bars and wait spinners on stderr, started on first use, thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._live: Any = None
        self._bars: Any = None
        self._tasks: dict[str, Any] = {}
        self._waits: dict[int, tuple[Wait, float]] = {}  # key -> (latest event, since)
        self._spinners: dict[str, Any] = {}

    def _start(self) -> None:
        if self._live is None:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                self, console=Console(stderr=True), transient=True, refresh_per_second=8
            )
            self._live.start()

    def progress(self, task: str, done: int, total: int) -> None:
        """A bar per task: ``fetch`` reports days done of days to fetch."""
        with self._lock:
            if self._bars is None:
                from rich.progress import Progress

                self._bars = Progress(auto_refresh=False)
            if task not in self._tasks:
                self._tasks[task] = self._bars.add_task(task, total=total)
            self._bars.update(self._tasks[task], completed=done, total=total)
        self._start()

    def wait(self, event: Wait) -> None:
        """What the HTTP client reports: a request sent, a retry scheduled, an answer."""
        with self._lock:
            if event.state == "done":
                self._waits.pop(event.key, None)
            else:
                self._waits[event.key] = (event, self._clock())
        if event.state != "done":
            self._start()

    def lines(self) -> list[tuple[str, str]]:
        """(source, text) of the waits to show now; the oldest wait speaks for its source."""
        now = self._clock()
        with self._lock:
            waits = sorted(self._waits.values(), key=lambda item: item[1])
        by_source: dict[str, list[tuple[Wait, float]]] = {}
        for event, since in waits:
            by_source.setdefault(event.source, []).append((event, since))
        lines = []
        for source, items in by_source.items():
            retrying = [(e, t) for e, t in items if e.state == "retry"]
            more = f" ({len(items)} requests)" if len(items) > 1 else ""
            if retrying:
                event, since = retrying[0]
                left = math.ceil(max(0.0, event.delay - (now - since)))
                text = (
                    f"{source} {event.problem}; trying again in {left} s "
                    f"(attempt {event.attempt + 1} of {event.attempts}){more}"
                )
                lines.append((source, text))
                continue
            event, since = items[0]
            if now - since < QUIET_FOR:
                continue
            attempt = f", attempt {event.attempt} of {event.attempts}" if event.attempts > 1 else ""
            lines.append((source, f"{source}: no answer yet ({now - since:.0f} s){attempt}{more}"))
        return lines

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.spinner import Spinner
        from rich.text import Text

        parts: list[Any] = []
        with self._lock:
            if self._bars is not None and self._tasks:
                parts.append(self._bars.make_tasks_table(self._bars.tasks))
        for source, line in self.lines():
            spinner = self._spinners.setdefault(source, Spinner("dots"))
            spinner.text = Text(line)
            parts.append(spinner)
        return Group(*parts)

    def say(self, text: str) -> bool:
        """Print a line above the display if it is up (so it is not torn); False if not."""
        if self._live is None:
            return False
        from rich.text import Text

        from papercli.models import sanitize

        self._live.console.print(Text(sanitize(text)))
        return True

    def stop(self) -> None:
        """Take the display off the screen (it is transient: nothing stays behind)."""
        if self._live is not None:
            self._live.stop()
            self._live = None
