"""What an untrusted value may look like: links, ISO dates, DOIs and clean text.

Part of the base: ``Paper.from_dict`` applies these where records enter (cache and state
files, stdin, every source parser), and the writers apply them again before a link lands in
a document. Patterns compile on first use, so start-up pays only for those a run needs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any


class LazyPattern:
    """A regex compiled on first use, so start-up pays only for the patterns a run needs."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return getattr(self._compiled, name)


# Characters no link may hold: whitespace, C0 and C1 controls, and the invisible format
# characters (bidi overrides, zero-width, BOM, tags) that disguise where a link goes.
_UNSAFE = (
    r"\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    r"\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f"
)
# An absolute http(s) URL: a host (no user:password@ in front of it, which is how a link
# pretends to go elsewhere), an optional port, then anything without an unsafe character.
_LINK = LazyPattern(
    rf"https?://(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~%]|[^\x00-\x7f{_UNSAFE}])+)"
    rf"(?::[0-9]{{1,5}})?(?:[/?#][^{_UNSAFE}]*)?",
    re.IGNORECASE,
)
MAX_LINK = 2048  # longer links are refused by browsers and mail clients alike
_DOI = LazyPattern(rf"10\.[0-9]{{4,9}}/[^{_UNSAFE}]+")
_ISO_DAY = LazyPattern(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])")
_GOOD_DAYS: set[str] = set()  # a cache holds a few dozen distinct days: check each once
# What ``models.sanitize`` strips, as bytes (ASCII text) and as a character class (the rest).
_ASCII_UNSAFE = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_TEXT_UNSAFE = LazyPattern(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def valid_link(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host and no whitespace, control
    or invisible character (nothing a terminal, browser or Markdown parser acts on), else None.
    """
    if type(value) is str and len(value) <= MAX_LINK and _LINK.fullmatch(value) is not None:
        return value
    return None


def valid_day(value: object) -> str | None:
    """``value`` when it is an ISO calendar date (``2026-11-27``), else None."""
    if type(value) is not str:
        return None
    if value in _GOOD_DAYS:
        return value
    if _ISO_DAY.fullmatch(value) is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None
    _GOOD_DAYS.add(value)
    return value


def valid_doi(value: object) -> str | None:
    """``value`` when it is a DOI (``10.NNNN/suffix``, no whitespace or controls), else None.

    The arXiv API sometimes sends several DOIs separated by spaces: the first is kept.
    """
    if type(value) is not str or not value.strip():
        return None
    first = value.split(maxsplit=1)[0]
    return first if len(first) <= MAX_LINK and _DOI.fullmatch(first) else None


def is_clean(text: str) -> bool:
    """True when ``text`` has nothing ``models.sanitize`` would strip (a fast test)."""
    if text.isascii():  # a flag on the string: free
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_UNSAFE)) == len(raw)
    return _TEXT_UNSAFE.search(text) is None
