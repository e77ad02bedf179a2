"""Text laid out in terminal cells: widths, wrapping, truncation and SGR styling.

The listing table is drawn with these instead of Rich: importing Rich's console and table
and letting it lay out 130 rows cost 60 ms of a cached ``papers today --format table``,
more than the rest of the command. Everything here works on sanitized text (no control
characters), so a cell's width is the sum of its characters' widths. Its types are tuples
and slotted classes, not dataclasses: each dataclass costs ~1.5 ms to create at import.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

ELLIPSIS = "…"
_ATTRIBUTES = {"bold": "1", "dim": "2", "italic": "3"}
_COLORS = {"red": "31", "green": "32", "yellow": "33", "magenta": "35", "cyan": "36"}


def char_width(char: str) -> int:
    """Cells one character takes: 2 for wide East Asian forms, 0 for combining marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Cells ``text`` takes on a terminal."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def screen_width(requested: int | None) -> int:
    """The width to lay out for: the one asked for, else $COLUMNS, the terminal's or 80."""
    if requested:
        return requested
    import shutil

    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        return shutil.get_terminal_size((80, 24)).columns or 80


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` cells, ending in an ellipsis when it had to be cut."""
    if width(text) <= room:
        return text
    if room <= 0:
        return ""
    kept, used = [], 0
    for char in text:
        size = char_width(char)
        if used + size > room - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


def wrap(text: str, room: int) -> list[tuple[int, int]]:
    """Where ``text`` breaks into lines of at most ``room`` cells: (start, end) offsets.

    Breaks at spaces (which are dropped at the break); a word longer than a line is folded.
    """
    room = max(room, 1)
    lines: list[tuple[int, int]] = []
    start = end = used = 0  # the current line: text[start:end], ``used`` cells wide
    index = 0
    while index < len(text):
        if text[index] == " ":
            index += 1
            continue
        stop = text.find(" ", index)
        stop = len(text) if stop < 0 else stop
        word = width(text[index:stop])
        gap = index - end  # the spaces since the line's last word, one cell each
        if end > start and used + gap + word <= room:
            end, used = stop, used + gap + word
        elif word <= room:
            if end > start:
                lines.append((start, end))
            start, end, used = index, stop, word
        else:  # a word wider than the line: folded into pieces that fill it
            if end > start:
                lines.append((start, end))
            piece, piece_used = index, 0
            for offset in range(index, stop):
                size = char_width(text[offset])
                if piece_used + size > room and offset > piece:
                    lines.append((piece, offset))
                    piece, piece_used = offset, 0
                piece_used += size
            start, end, used = piece, stop, piece_used
        index = stop
    if end > start or not lines:
        lines.append((start, end))
    return lines


class Style(NamedTuple):
    """How a run of text is drawn: attributes, a colour and a hyperlink target."""

    attributes: tuple[str, ...] = ()
    color: str | None = None
    link: str | None = None


PLAIN = Style()


class Painter:
    """Turns styled runs into text: nothing unless ``styled``; SGR codes (attributes and
    colours) only with ``color``; OSC 8 links only with ``links``."""

    __slots__ = ("color", "links", "styled")

    def __init__(self, *, styled: bool, color: bool, links: bool) -> None:
        self.styled, self.color, self.links = styled, color, links

    def paint(self, text: str, style: Style) -> str:
        """``text`` drawn in ``style`` (plain text when the output is not styled)."""
        if not self.styled or not text:
            return text
        codes = []
        if self.color:  # NO_COLOR or --color never: no SGR at all, bold and dim included
            codes = [_ATTRIBUTES[a] for a in dict.fromkeys(style.attributes) if a in _ATTRIBUTES]
            if style.color in _COLORS:
                codes.append(_COLORS[style.color])
        if codes:
            text = f"\x1b[{';'.join(codes)}m{text}\x1b[0m"
        if self.links and style.link:
            # The target passed link_target/abs_url: no control characters can end it early.
            text = f"\x1b]8;;{style.link}\x1b\\{text}\x1b]8;;\x1b\\"
        return text


Run = tuple[str, Style]


def plain_of(runs: Sequence[Run]) -> str:
    """The text of styled runs."""
    return "".join(text for text, _ in runs)


def slice_runs(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    """The runs covering ``plain_of(runs)[start:end]``."""
    out: list[Run] = []
    offset = 0
    for text, style in runs:
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            out.append((text[low - offset : high - offset], style))
        offset += len(text)
    return out
