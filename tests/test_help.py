"""Help reads as the source writes it, and every usage error off a terminal is one line."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from papercli.cli import COMMANDS, app, load

BOX = re.compile(r"[│╭╮╰╯─]")


def flat(text: str) -> str:
    """Text without box drawing and with all whitespace runs as one space."""
    return " ".join(BOX.sub(" ", text).split())


def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command and group as (argv words, fresh Click object), root first."""
    load()
    root = get_command(app)
    yield [], root
    for name in COMMANDS:
        command = root.commands[name]  # type: ignore[attr-defined]
        yield [name], command
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield [name, sub_name], sub


COMMAND_LINES = [words for words, _ in commands()]


def render(runner: CliRunner, words: list[str], columns: int) -> str:
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def paragraphs(doc: str) -> list[str]:
    return [flat(p) for p in inspect.cleandoc(doc).split("\n\n") if p.strip()]


@pytest.mark.parametrize("words", COMMAND_LINES, ids=lambda w: " ".join(w) or "papers")
def test_help_shows_every_source_string_as_written(runner: CliRunner, words: list[str]) -> None:
    command = dict((tuple(w), c) for w, c in commands())[tuple(words)]
    shown = flat(render(runner, words, 1000))
    expected = paragraphs(command.help or "")
    expected += [flat(p.help) for p in command.params if getattr(p, "help", None)]
    if command.epilog:
        expected.append(flat(command.epilog))
    assert expected, "every command has help text"
    for text in expected:
        assert text in shown, f"{text!r} is not shown as written"


def test_bracketed_text_survives_rich(runner: CliRunner) -> None:
    assert "as [topics.NAME] tables" in flat(render(runner, ["topics"], 80))
    assert "Send by SMTP ([digest.email])" in flat(render(runner, ["digest"], 200))


@pytest.mark.parametrize("words", [["today"], ["list"], ["export"], ["search"], ["saved"]])
def test_format_choices_wrap_between_words_at_80_columns(
    runner: CliRunner, words: list[str]
) -> None:
    shown = render(runner, words, 80)
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "FORMAT" in shown
    words_shown = set(re.findall(r"[a-z]+", shown))
    for name in ("markdown", "bibtex", "summary", "jsonl", "atom"):
        assert name in words_shown, f"{name} is cut at 80 columns"
    row = [line for line in shown.splitlines() if line.startswith("│ --format")]
    assert len(row) == 1 and "|" not in row[0]


def test_examples_are_indented_alike_in_every_command(runner: CliRunner) -> None:
    indents = {}
    for words in COMMAND_LINES:
        lines = render(runner, words, 100).splitlines()
        if not any(line.strip() == "Examples:" for line in lines):
            continue
        start = next(i for i, line in enumerate(lines) if line.strip() == "Examples:")
        heading = len(lines[start]) - len(lines[start].lstrip())
        for line in lines[start + 1 :]:
            if not line.strip():
                break
            indents[(" ".join(words), line.strip())] = len(line) - len(line.lstrip()) - heading
    assert len(indents) >= 20
    assert set(indents.values()) == {2}, indents


def test_download_dir_says_its_default_once(runner: CliRunner) -> None:
    shown = render(runner, ["download"], 120).splitlines()
    row = [line for line in shown if line.startswith("│ --dir")]
    assert len(row) == 1 and row[0].count("default") == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["today", "--frmat", "x"], "Error: No such option: --frmat"),
        (["today", "--limit", "0"], "Error: Invalid value for '--limit' / '-n'"),
        (["today", "--format", "yaml"], "Error: Invalid value for '--format' / '-f'"),
        (["--color", "sometimes", "today"], "Error: Invalid value for '--color'"),
        (["nosuch"], "Error: No such command 'nosuch'."),
        (["config", "set", "network.timeout"], "Error: Missing argument"),
        (["cache", "clear"], "Error: Invalid value: refusing to clear without --yes"),
    ],
)
def test_usage_errors_off_a_terminal_are_one_line(
    runner: CliRunner, args: list[str], error: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(error), lines
    assert len(lines) <= 2 and all(not BOX.search(line) for line in lines)
    assert all(line.startswith("Hint: see `papers") for line in lines[1:])
    assert result.stdout == ""


def test_a_typo_in_an_option_names_the_option_meant(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--sinse", "2w"])
    assert result.stderr.splitlines() == [
        "Error: No such option: --sinse (Possible options: --offline, --since)",
        "Hint: see `papers list --help`",
    ]
