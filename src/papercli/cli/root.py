"""The Typer app, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

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


class PapersGroup(TyperGroup):
    """Maps exceptions from every command to one stderr line and an exit code."""

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
            app.command(name, **kwargs)(func)
        elif name in _GROUPS:
            app.add_typer(_GROUPS[name], name=name)
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
        typer.Option("--color", help="Colour: auto (a terminal without NO_COLOR), always, never."),
    ] = ColorChoice.auto,
    _version_flag: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Daily papers from Hugging Face and arXiv."""
    from papercli.cli.common import GLOBAL_OPTIONS

    GLOBAL_OPTIONS["color"] = color.value
