"""The papercli error hierarchy and the exit-code table cron users script against."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes. Stable: documented in the README and in ``papers --help``."""

    OK = 0
    INTERNAL = 1  # a bug: unexpected exception
    USAGE = 2  # bad option, date, id or filter expression
    CONFIG = 3  # the config file is unreadable or invalid
    NETWORK = 4  # a source could not be reached or kept failing, and nothing cached could stand in
    UPSTREAM = (
        5  # a source answered with something unusable (HTML for JSON, broken feed, API error)
    )
    NOT_FOUND = 6  # the paper does not exist at any source
    OFFLINE = 7  # --offline and the data asked for is not in the cache
    BUSY = 8  # another papercli run holds the lock
    SEND = 9  # the digest could not be delivered (SMTP)
    NOTHING_NEW = 10  # digest: nothing new since the last one (not an error)
    STORAGE = 11  # the data dir or an output file cannot be written (full, read-only, not a dir)
    REFUSED = 12  # digest: delivered, but the SMTP server refused some recipients (named)
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM that papercli deferred to finish recording a delivery


class PaperCliError(Exception):
    """Base of every error papercli expects; the CLI turns it into one line and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(PaperCliError):
    """The user asked for something malformed: a bad date, id or option value."""

    exit_code = ExitCode.USAGE


class ExpressionError(UsageError):
    """A ``--where`` expression that does not parse; carries the caret position."""

    def __init__(self, message: str, expression: str, position: int) -> None:
        super().__init__(message)
        self.expression = expression
        self.position = position

    def caret_lines(self, width: int = 72) -> list[str]:
        """The expression with a caret under the offending character (a long one is cut to
        the ``width`` characters around it)."""
        text, position = self.expression, self.position
        if len(text) > width:
            start = max(0, min(position - width // 2, len(text) - width))
            text = (
                ("..." if start else "")
                + text[start : start + width]
                + ("..." if start + width < len(text) else "")
            )
            position = position - start + (3 if start else 0)
        return [f"  {text}", "  " + " " * position + "^"]


class ConfigError(PaperCliError):
    """The config file cannot be read or holds an invalid value."""

    exit_code = ExitCode.CONFIG


class SourceError(PaperCliError):
    """A source failed; names the source and what was asked of it."""

    exit_code = ExitCode.NETWORK

    def __init__(
        self,
        message: str,
        *,
        source: str,
        url: str | None = None,
        status: int | None = None,
        attempts: int = 1,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.source = source
        self.url = url
        self.status = status
        self.attempts = attempts


class NetworkError(SourceError):
    """The source could not be reached, timed out or kept answering with errors."""

    exit_code = ExitCode.NETWORK


class UpstreamError(SourceError):
    """The source answered, but with something papercli cannot use."""

    exit_code = ExitCode.UPSTREAM


class NotFoundError(PaperCliError):
    """A paper that no source knows."""

    exit_code = ExitCode.NOT_FOUND


class OfflineError(PaperCliError):
    """``--offline`` was given and the cache does not hold what was asked for."""

    exit_code = ExitCode.OFFLINE


class BusyError(PaperCliError):
    """Another papercli process holds the lock this run needs."""

    exit_code = ExitCode.BUSY


class StorageError(PaperCliError):
    """A file papercli must write cannot be written: the disk is full, the directory is
    read-only, or a path that must be a directory is something else."""

    exit_code = ExitCode.STORAGE


class SendError(PaperCliError):
    """The digest could not be delivered."""

    exit_code = ExitCode.SEND


class Terminated(BaseException):
    """SIGTERM, raised where papercli let it wait for a delivery to be recorded (exit 143)."""
