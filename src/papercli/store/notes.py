"""A directory of the user's Markdown notes, one per paper, that papercli creates and updates.

A paper's note is found by the id at the end of its file name, so a note keeps its name
(and the links to it) when the paper's title changes. A note is read, rendered anew by the
caller from what it holds, and replaced atomically only when its text changed; a note that
cannot be read as UTF-8 is left alone. Nothing here decides what a note says.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papercli.errors import StorageError
from papercli.models import Paper, file_stem
from papercli.store.files import atomic_write, storage_error

# How often a note edited while we render it is read again before it is left for next time.
_ATTEMPTS = 3


@dataclass
class NotesResult:
    """What a run did to each note."""

    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _index(directory: Path) -> dict[str, list[str]]:
    """Note names by the id stem they end with (``…-2611.00001.md``, ``hep-th_9901001.md``)."""
    try:
        names = sorted(e.name for e in os.scandir(directory) if e.name.endswith(".md"))
    except OSError as exc:
        raise StorageError(f"cannot list {directory}: {exc.strerror or exc}") from None
    found: dict[str, list[str]] = {}
    for name in names:
        stem = name[:-3]
        # An old-style id has hyphens of its own (hep-th_9901001): try every tail.
        tails = [stem] + [stem[i + 1 :] for i, c in enumerate(stem) if c == "-"]
        for tail in tails:
            found.setdefault(tail, []).append(name)
    return found


def _read(path: Path) -> str | None:
    """The note's text, None when there is none; OSError or UnicodeDecodeError otherwise."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


class _Unreadable(Exception):
    pass


def _read_note(path: Path) -> str | None:
    try:
        return _read(path)
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text") from None
    except OSError as exc:
        raise _Unreadable(exc.strerror or type(exc).__name__) from None


def _write_one(
    path: Path, paper: Paper, render: Callable[[Paper, str | None], str], result: NotesResult
) -> None:
    target = path.resolve() if path.is_symlink() else path  # keep the user's symlink
    try:
        before = _read_note(target)
        for _ in range(_ATTEMPTS):
            text = render(paper, before)
            if text == before:
                result.unchanged.append(path)
                return
            now = _read_note(target)
            if now != before:  # edited while we rendered it: start again from the new text
                before = now
                continue
            # A note is the user's file: it keeps its mode, or gets the umask's if new.
            atomic_write(target, text.encode("utf-8", "replace"), private=False)
            (result.created if before is None else result.updated).append(path)
            return
    except _Unreadable as exc:
        result.skipped.append((path, f"cannot read it ({exc}); left as it is"))
        return
    result.skipped.append((path, "it kept changing while papercli wrote it; run again"))


def _claimed(
    directory: Path, names: list[str], paper: Paper, claims: Callable[[Paper, str], bool]
) -> str | None:
    for name in names:
        try:
            text = _read_note(directory / name)
        except _Unreadable:
            continue
        if text is not None and claims(paper, text):
            return name
    return None


def write_notes(
    directory: Path,
    papers: Sequence[Paper],
    *,
    name: Callable[[Paper], str],
    render: Callable[[Paper, str | None], str],
    claims: Callable[[Paper, str], bool],
) -> NotesResult:
    """Create or update one note per paper in ``directory`` (created if missing).

    ``name`` gives a new note's file name, ``render`` the note's text from the paper and the
    note's current text (None for a new note), ``claims`` whether a file is that paper's
    note. A note under another name ending with the id (the title changed) keeps its name
    if it claims the paper. Raises StorageError when the directory or a note cannot be
    written.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, directory) from None
    if not directory.is_dir():
        raise storage_error(NotADirectoryError(20, "Not a directory"), directory)
    index = _index(directory)
    result = NotesResult()
    for paper in {p.id: p for p in papers}.values():
        fresh = name(paper)
        others = [n for n in index.get(file_stem(paper.id), []) if n != fresh]
        chosen = fresh
        if not (directory / fresh).exists() and others:
            chosen = _claimed(directory, others, paper, claims) or fresh
        _write_one(directory / chosen, paper, render, result)
    return result
