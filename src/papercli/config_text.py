"""The config file as text: reading it, parsing it within bounds, and the line numbers
that error messages name. What the values mean: ``papercli.config``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from papercli.errors import ConfigError
from papercli.models import LazyPattern


class Lines:
    """Where keys and table headers sit in TOML text, for error messages.

    Indexed once, on the first question: a config with thousands of topics must not be
    scanned once per topic.
    """

    _KEY = LazyPattern(r"""^\s*(?:"([^"]+)"|([A-Za-z0-9_.\-]+))\s*=""")
    _HEADER = LazyPattern(r"""^\s*\[\s*([^\[\]]+?)\s*\]""")

    def __init__(self, text: str) -> None:
        self.text = text
        self._first: dict[str, int] | None = None

    def _index(self) -> dict[str, int]:
        if self._first is None:
            first: dict[str, int] = {}
            for number, line in enumerate(self.text.splitlines(), 1):
                if match := self._HEADER.match(line):
                    name = "[" + re.sub(r"\s*\.\s*", ".", match.group(1).replace('"', "")) + "]"
                    first.setdefault(name, number)
                elif match := self._KEY.match(line):
                    name = match.group(1) or match.group(2)
                    first.setdefault(name, number)
                    first.setdefault(name.rsplit(".", 1)[-1], number)
            self._first = first
        return self._first

    def of(self, *names: str) -> int | None:
        """The first line holding any of ``names`` (a key, or ``[a.b]`` for a table)."""
        index = self._index()
        return next((index[n] for n in names if n in index), None)

    def key(self, dotted: str) -> str:
        """``line N`` of a dotted key (or its last part), ``line ?`` if not found."""
        return f"line {self.of(dotted, dotted.rsplit('.', 1)[-1]) or '?'}"


class Where:
    """``FILE, line N, topic NAME`` for an error message, worked out only if one is raised."""

    __slots__ = ("lines", "name", "path")

    def __init__(self, path: Path, lines: Lines, name: str) -> None:
        self.path, self.lines, self.name = path, lines, name

    def __str__(self) -> str:
        name = self.name
        line = self.lines.of(f"[topics.{name}]", f"topics.{name}", name) or "?"
        return f"{self.path}, line {line}, topic {name[:80]!r}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_MAX_KEY_PARTS = 32


def _key_part(line: str) -> str:
    """The key of a TOML line: inside a ``[table]`` header, or before ``=``."""
    stripped = line.strip()
    if stripped.startswith("["):
        return stripped.split("]", 1)[0]
    return stripped.split("=", 1)[0]


def parse_config_text(text: str, path: Path) -> dict[str, Any]:
    """TOML text of a config file; a syntax error names the file, line and column."""
    import tomllib

    for number, line in enumerate(text.splitlines(), 1):
        # tomllib takes time quadratic in a dotted key's length (a 20,000-part key: 11 s);
        # no setting is nested deeper than topics.NAME.FIELD.
        if line.count(".") > _MAX_KEY_PARTS and _key_part(line).count(".") > _MAX_KEY_PARTS:
            raise ConfigError(
                f"config file {path}, line {number}: a key nested more than {_MAX_KEY_PARTS} "
                "levels deep",
                hint="fix it, or start over with `papers config init --force`",
            )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not valid TOML: {exc}",
            hint="fix it, or start over with `papers config init --force`",
        ) from None
    except RecursionError:
        raise ConfigError(
            f"config file {path} nests arrays or tables too deeply to read",
            hint="fix it, or start over with `papers config init --force`",
        ) from None


def read_config_file(path: Path, cache_dir: Path | None = None) -> tuple[dict[str, Any], str]:
    """Parse the config file; a missing file is an empty config. Returns (data, text).

    With ``cache_dir``, a large config's parsed form is kept there (see ``parsed_copy``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if cache_dir is None or len(text) < _COPY_FROM:
        return parse_config_text(text, path), text
    return parsed_copy(text, path, cache_dir), text


# tomllib is pure Python: 10,000 topics (~700 KB) take it ~0.5 s on a fast machine, which is
# the floor of every command. Configs that big keep their parsed form in the cache dir, as
# marshal bytes named by a hash of the text: any edit is a new name, so a copy is never stale.
# Smaller ones parse in a few ms and keep nothing.
_COPY_FROM = 64 * 1024
_COPY_MAGIC = "papercli.config/1"


def parsed_copy(text: str, path: Path, cache_dir: Path) -> dict[str, Any]:
    """``parse_config_text(text, path)``, read from (or saved to) a copy in ``cache_dir``."""
    import hashlib
    import marshal
    import os

    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()
    copy = cache_dir / f"config-{digest}.m"
    try:
        fd = os.open(copy, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            # Written only by papercli, under the data dir; the settings built from it are
            # checked key by key exactly as a fresh parse's are.
            magic, seen, data = marshal.loads(handle.read())  # noqa: S302
        if magic == _COPY_MAGIC and seen == digest and type(data) is dict:
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    data = parse_config_text(text, path)
    try:
        blob = marshal.dumps((_COPY_MAGIC, digest, data))
    except ValueError:
        return data  # a TOML date or time: marshal has no such type
    _save_copy(copy, blob)
    return data


def _save_copy(copy: Path, blob: bytes) -> None:
    import contextlib
    import os
    import tempfile

    # A read-only or broken data dir just goes without the copy.
    with contextlib.suppress(OSError):
        copy.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=copy.parent, prefix=".config-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, copy)  # replaces a link at ``copy``, never writes through it
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        # The copies of earlier versions of the file are never read again.
        for old in copy.parent.glob("config-*.m"):
            if old.name != copy.name:
                with contextlib.suppress(OSError):
                    old.unlink()
