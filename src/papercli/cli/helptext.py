"""Help shown as the source writes it: Rich markup escaped, prose reflowed, examples kept.

Typer renders help through Rich markup, so ``[topics.NAME]`` vanished as an unknown style
and ``Send by SMTP ([digest.email])`` lost its brackets. It also keeps the single line breaks
of a docstring's later paragraphs and dedents an "Examples:" block only when nothing else
follows the first paragraph. ``prepare`` fixes all three, once per command, and only when
help is actually shown (it is the one caller of ``rich.markup``), so running a command
costs nothing.
"""

from __future__ import annotations

import inspect
from typing import Any

EXAMPLE_INDENT = "  "


def escape_markup(text: str) -> str:
    """``text`` with every Rich markup tag escaped, so it is shown as written."""
    from rich.markup import escape

    return escape(text)


def _is_block(lines: list[str]) -> bool:
    """A heading line ("Examples:") followed by indented lines: kept line by line."""
    return (
        len(lines) > 1
        and lines[0].rstrip().endswith(":")
        and all(line.startswith((" ", "\t")) for line in lines[1:] if line.strip())
    )


def command_help(doc: str) -> str:
    """A command's docstring as Typer should receive it (markup escaped, layout fixed)."""
    paragraphs = [p for p in inspect.cleandoc(doc).split("\n\n") if p.strip()]
    shown = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if _is_block(lines):
            body = [EXAMPLE_INDENT + line.strip() for line in lines[1:] if line.strip()]
            shown.append("\n".join([lines[0].strip(), *body]))
        else:
            shown.append(" ".join(line.strip() for line in lines))
    if not shown:
        return ""
    first, rest = escape_markup(shown[0]), [escape_markup(p) for p in shown[1:]]
    if not rest:
        return first
    # Typer dedents everything after the first paragraph by its smallest indentation
    # (inspect.cleandoc), measured from its second line on. A leading newline makes an
    # unindented line the second one, so example blocks keep their indentation everywhere.
    return first + "\n\n\n" + "\n\n".join(rest)


def prepare(command: Any) -> None:
    """Escape and reflow the help of a Click command, its parameters and its subcommands."""
    if getattr(command, "_papers_help_ready", False):
        return
    command._papers_help_ready = True
    if command.help:
        command.help = command_help(command.help)
    if getattr(command, "epilog", None):
        command.epilog = escape_markup(command.epilog)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = escape_markup(param.help)
    for sub in getattr(command, "commands", {}).values():
        prepare(sub)
