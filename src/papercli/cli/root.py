"""The Typer app, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from papercli import __version__
from papercli.errors import ExitCode, PaperCliError, Terminated


class ColorChoice(StrEnum):
    """When to colour output."""

    auto = "auto"
    always = "always"
    never = "never"


EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 2 usage, 3 config, 4 network, 5 bad upstream data, 6 not found, "
    "7 not cached (--offline), 8 busy (locked), 9 e-mail failed, 10 nothing new (digest), "
    "11 cannot write (disk full, read-only), 12 digest delivered but recipients refused, "
    "130 interrupted, 143 terminated (SIGTERM)."
)


def report_error(exc: PaperCliError) -> None:
    """Print a PaperCliError as ``Error:`` (+ caret, ``Hint:``) on stderr."""
    from papercli.cli.common import terminal
    from papercli.formats.terminal import write_error

    write_error(sys.stderr, exc, color=terminal().err_color)


def report_usage_error(exc: typer.TyperException) -> int:
    """A Click usage error as papercli's own ``Error:`` line (+ ``Hint:``); its exit code."""
    ctx = getattr(exc, "ctx", None)
    hint = f"see `{ctx.command_path} --help`" if ctx is not None else None
    report_error(PaperCliError(" ".join(exc.format_message().split()), hint=hint))
    return int(getattr(exc, "exit_code", ExitCode.USAGE))


class PapersCommand(TyperCommand):
    """A command whose help is shown as its source writes it (see ``helptext``)."""

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        from papercli.cli.helptext import prepare

        prepare(self)
        super().format_help(ctx, formatter)


class PapersGroup(TyperGroup):
    """Maps exceptions from every command to one stderr line and an exit code."""

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        from papercli.cli.helptext import prepare

        prepare(self)
        super().format_help(ctx, formatter)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the app; off a terminal a usage error is one line, not Typer's boxed panel.

        Cron logs and pipes read stderr line by line (the README promises one line per
        error); on a terminal Typer's panel, with the usage above it, is kept.
        """
        if not standalone_mode or sys.stderr.isatty():
            return super().main(*args, standalone_mode=standalone_mode, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            report_error(PaperCliError("aborted"))
            sys.exit(1)
        except typer.TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already shown
                sys.exit(int(getattr(exc, "exit_code", ExitCode.USAGE)))
            sys.exit(report_usage_error(exc))
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PaperCliError as exc:
            report_error(exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:
            # `papers today | head` closed the pipe: not an error. Point stdout at devnull so
            # the interpreter's final flush does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Terminated:
            raise typer.Exit(int(ExitCode.TERMINATED)) from None
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("PAPERS_DEBUG"):
                raise
            report_error(
                PaperCliError(
                    f"unexpected {type(exc).__name__}: {exc} (set PAPERS_DEBUG=1 for the traceback)"
                )
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


app = typer.Typer(
    cls=PapersGroup,
    name="papers",
    help=(
        "Daily papers from Hugging Face and arXiv: in your terminal, your pipes and your inbox."
        f"\n\n{EXIT_CODES_HELP}"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Start with `papers today`. Docs: the README; config: `papers config path`.",
)


# Commands register here when their module is imported, and reach the app only when
# ``install`` is asked for them: Typer spends ~2 ms per command building its options.
_COMMANDS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {}
_GROUPS: dict[str, typer.Typer] = {}
_INSTALLED: set[str] = set()


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a command (like ``app.command``), installed on demand."""

    def declare(func: Callable[..., Any]) -> Callable[..., Any]:
        _COMMANDS[name or func.__name__] = (func, kwargs)
        return func

    return declare


def group(name: str, sub: typer.Typer) -> None:
    """Declare a command group (``papers config ...``), installed on demand."""
    _GROUPS[name] = sub


def install(names: list[str]) -> typer.Typer:
    """Put the named commands and groups on the app, in this order; returns the app."""
    for name in names:
        if name in _INSTALLED:
            continue
        if name in _COMMANDS:
            func, kwargs = _COMMANDS[name]
            app.command(name, cls=PapersCommand, **kwargs)(func)
        elif name in _GROUPS:
            sub = _GROUPS[name]
            for info in sub.registered_commands:
                if info.cls in (None, TyperCommand):
                    info.cls = PapersCommand
            app.add_typer(sub, name=name, cls=PapersGroup)
        else:
            continue
        _INSTALLED.add(name)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"papercli {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    color: Annotated[
        ColorChoice,
        typer.Option(
            "--color",
            metavar="WHEN",
            help="Colour: auto (a terminal without NO_COLOR), always or never.",
        ),
    ] = ColorChoice.auto,
    _version_flag: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Daily papers from Hugging Face and arXiv."""
    from papercli.cli.common import GLOBAL_OPTIONS

    GLOBAL_OPTIONS["color"] = color.value
