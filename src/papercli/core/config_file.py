"""The config file on disk: the commented starter, and edits that keep comments and validity.

``papers config set`` changes one value in place: the line (or multi-line array) holding the key
is replaced, the rest of the file is left byte for byte, and the result must load cleanly
before it replaces the old file. tomllib reads; tomli-w writes the value.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from papercli.config import (
    KEYS,
    TOPIC_NAME_RE,
    Key,
    convert,
    parse_config_text,
    validate_config_text,
)
from papercli.errors import ConfigError, UsageError
from papercli.store.files import atomic_write

TOPIC_FIELDS = ("keywords", "exclude", "categories", "authors")
_HEADER = re.compile(r"^\s*\[")


def starter_text() -> str:
    """The commented starter config (the same text as config.example.toml)."""
    return resources.files("papercli").joinpath("config.example.toml").read_text("utf-8")


def init_config(path: Path, *, force: bool = False) -> None:
    """Write the starter config; refuses to overwrite unless ``force``."""
    if path.exists() and not force:
        raise UsageError(f"{path} already exists", hint="use --force to replace it")
    atomic_write(path, starter_text().encode("utf-8"))


def _key_for(dotted: str) -> tuple[Key, list[str], str]:
    """The Key, the table path and the leaf name of a dotted setting or topic field."""
    parts = dotted.split(".")
    if parts[0] == "topics":
        if len(parts) != 3 or parts[2] not in TOPIC_FIELDS or not TOPIC_NAME_RE.fullmatch(parts[1]):
            close = suggest_key(dotted)
            raise UsageError(
                f"not a topic setting: {dotted!r}",
                hint=f"did you mean {close}?"
                if close
                else f"use topics.NAME.FIELD with FIELD one of {', '.join(TOPIC_FIELDS)}",
            )
        kind = "topic_categories" if parts[2] == "categories" else "list"
        return Key(dotted, kind, ()), parts[:2], parts[2]
    key = KEYS.get(dotted)
    if key is None:
        close = suggest_key(dotted)
        hint = f"did you mean {close}?" if close else "`papers config show` lists them"
        raise UsageError(f"unknown setting {dotted!r}", hint=hint)
    return key, parts[:-1], parts[-1]


def settable_keys(topics: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Every key ``config set`` takes: the settings, and the fields of these topics."""
    return [*KEYS, *(f"topics.{name}.{field}" for name in topics for field in TOPIC_FIELDS)]


def suggest_key(dotted: str) -> str | None:
    """The setting a mistyped key most likely meant (``network.timout``, ``timeout``)."""
    import difflib

    parts = dotted.split(".")
    topic = [parts[1]] if len(parts) == 3 and TOPIC_NAME_RE.fullmatch(parts[1]) else []
    candidates = settable_keys(topic)
    by_leaf = [key for key in candidates if key.rsplit(".", 1)[-1] == parts[-1]]
    if len(by_leaf) == 1:
        return by_leaf[0]
    close = difflib.get_close_matches(dotted, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def _parse_value(key: Key, raw: str) -> Any:
    """A command-line value: a TOML literal (``[...]``, ``true``) or plain text.

    A bad value is a usage error (exit 2), like any other bad argument: the file is fine.
    """
    text = raw.strip()
    value: Any = text
    if key.kind in ("list", "categories", "topic_categories", "types") and text.startswith("["):
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except (tomllib.TOMLDecodeError, RecursionError):
            raise UsageError(f"{key.name}: not a TOML array: {raw[:80]!r}") from None
    try:
        return convert(key, value, key.name)
    except ConfigError as exc:
        raise UsageError(exc.message, hint=exc.hint) from None


def _toml_value(value: Any) -> str:
    """One TOML value on one line (tomli-w alone spreads arrays over several lines)."""
    import tomli_w

    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[4:].rstrip("\n")


def _table_span(lines: list[str], table: list[str]) -> tuple[int, int] | None:
    """Line range (header, end) of ``[a.b]`` in the file; None when absent."""
    header = re.compile(
        r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(p) for p in table) + r"\s*\]\s*(?:#.*)?$"
    )
    for number, line in enumerate(lines):
        if header.match(line):
            end = number + 1
            while end < len(lines) and not _HEADER.match(lines[end]):
                end += 1
            return number, end
    return None


def _value_extent(lines: list[str], start: int, end: int) -> int:
    """Index after the last line of the (possibly multi-line) value starting at ``start``."""
    for stop in range(start + 1, end + 1):
        try:
            tomllib.loads("\n".join(lines[start:stop]))
            return stop
        except tomllib.TOMLDecodeError:
            continue
    raise ConfigError(f"cannot find the end of the value on line {start + 1}")


def edit_text(text: str, dotted: str, raw_value: str) -> str:
    """``text`` with one setting changed or added; comments and the rest untouched."""
    key, table, leaf = _key_for(dotted)
    value = _parse_value(key, raw_value)
    line = f"{leaf} = {_toml_value(value)}"
    lines = text.splitlines()
    span = _table_span(lines, table)
    if span is None:
        block = ["", f"[{'.'.join(table)}]", line] if lines else [f"[{'.'.join(table)}]", line]
        return "\n".join(lines + block) + "\n"
    start, end = span
    pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=")
    for number in range(start + 1, end):
        if pattern.match(lines[number]):
            stop = _value_extent(lines, number, end)
            comment = _trailing_comment(lines[stop - 1]) if stop == number + 1 else ""
            lines[number:stop] = [line + comment]
            return "\n".join(lines) + "\n"
    insert = end
    while insert > start + 1 and not lines[insert - 1].strip():
        insert -= 1
    lines.insert(insert, line)
    return "\n".join(lines) + "\n"


def _trailing_comment(line: str) -> str:
    """The ``  # comment`` after a one-line value, kept when the value is replaced."""
    for match in re.finditer("#", line):
        try:
            tomllib.loads(line[: match.start()])
        except tomllib.TOMLDecodeError:
            continue
        return "  " + line[match.start() :].strip()
    return ""


def set_value(path: Path, dotted: str, raw_value: str) -> None:
    """Change one setting in the config file, refusing any result that would not load."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    parse_config_text(text, path)  # refuse to edit a file that is already broken
    new_text = edit_text(text, dotted, raw_value)
    try:
        validate_config_text(new_text, path)
    except ConfigError as exc:
        # An edit may repair a file that was invalid; only a file the edit broke is the
        # value's fault (exit 2). A file invalid before and after is the file's (exit 3).
        validate_config_text(text, path)
        raise UsageError(
            f"cannot set {dotted} to {raw_value!r}: {exc.message}",
            hint="the key may be written in another form in the file; edit it by hand",
        ) from None
    atomic_write(path, new_text.encode("utf-8"))
