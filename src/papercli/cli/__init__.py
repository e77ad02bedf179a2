"""The ``papers`` command line: Typer commands over the core, one module per group.

Thin by rule: a command parses its options, calls ``core`` or ``digest``, and renders with
``formats``. It never holds business logic, and nothing outside ``cli`` ever imports it. The
one place errors become exit codes is ``root.PapersGroup``.

Start-up is a feature: ``main`` imports only the module that defines the command being run
(all of them for ``--help``, completion or an unknown command), so ``papers today`` does not
pay for building the digest, config or library commands.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
from typing import Any

from papercli.errors import ExitCode, Terminated

# Command (or command group) -> the module under papercli.cli that registers it.
COMMANDS = {
    "today": "listing",
    "list": "listing",
    "fetch": "listing",
    "show": "listing",
    "search": "search",
    "topics": "search",
    "digest": "digest",
    "feeds": "feeds",
    "zotero": "zotero",
    "save": "library",
    "saved": "library",
    "unsave": "library",
    "export": "library",
    "open": "library",
    "download": "library",
    "dismiss": "foryou",
    "undismiss": "foryou",
    "for-you": "foryou",
    "triage": "triage",
    "config": "config",
    "cache": "cache",
}
_GLOBAL_OPTIONS_WITH_VALUE = {"--color"}


def load(command: str | None = None) -> Any:
    """The Typer app with ``command`` installed (every command if None or unknown)."""
    names = [command] if command in COMMANDS else list(COMMANDS)
    for module in dict.fromkeys(COMMANDS[name] for name in names):
        importlib.import_module(f"papercli.cli.{module}")
    from papercli.cli.root import install

    return install(names)


def command_in(argv: list[str]) -> str | None:
    """The command word of a command line, skipping the global options before it."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def __getattr__(name: str) -> Any:
    if name == "app":
        return load()
    raise AttributeError(name)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated()


def main() -> None:
    """Console-script entry point.

    Ends with ``os._exit`` after flushing stdout and stderr: tearing down the interpreter
    (hundreds of modules) costs 20-30 ms, a fifth of a cached ``papers today``, and
    papercli leaves nothing to it: files are closed, threads joined and databases committed
    before a command returns. PAPERS_DEBUG=1 keeps the normal exit.
    """
    # SIGTERM (from kill, systemd or a cron wrapper's timeout) unwinds like Ctrl-C: locks are
    # released, temp files removed and the exit code is 143, whatever the command is doing.
    signal.signal(signal.SIGTERM, _terminate)
    completing = any(key.endswith("_COMPLETE") for key in os.environ)
    # Importing allocates thousands of objects and no garbage cycles worth collecting.
    gc.disable()
    app = load(None if completing else command_in(sys.argv[1:]))
    gc.enable()
    if os.environ.get("PAPERS_DEBUG"):
        app(prog_name="papers")
        return
    code = int(ExitCode.INTERRUPTED)
    try:
        try:
            app(prog_name="papers")  # also under `python -m papercli`
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except Terminated:  # arrived outside a command (while Typer parsed the options)
            code = int(ExitCode.TERMINATED)
        # The command is over (its state recorded): a signal now has nothing to stop, and
        # one arriving in the flush below would otherwise end in a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        # A reader that went away (papers ... | head) is not an error.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BrokenPipeError, ValueError):
                stream.flush()
    except KeyboardInterrupt:  # in the instants between the command's end and the above
        code = code or int(ExitCode.INTERRUPTED)
    except Terminated:
        code = code or int(ExitCode.TERMINATED)
    os._exit(code)
