"""TeX accents and escapes in names, as arXiv's metadata spells them, decoded to Unicode.

arXiv keeps author names as their submitters typed them: ``S\\"uli``, ``Jo\\~ao``,
``B{\\o}ggild``, ``\\v{Z}iga``, ``Ak{\\i}n``. A search for "Süli", BibTeX and a merge with
Hugging Face's UTF-8 spelling all need the letters, so the parsers decode them here. The
decoder knows the accents and special letters of LaTeX's text mode; anything else (an
unknown command, a lone brace) is kept as it was sent.
"""

from __future__ import annotations

import unicodedata

# Accent commands and the combining mark each puts on the letter that follows.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_LETTERS = {
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "ss": "ß", "SS": "SS",
    "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
}  # fmt: skip
# Control symbols that stand for text: ``\&`` is an ampersand, ``\,`` a thin space, ``\-``
# a hyphenation hint.
_ESCAPED = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", ",": " ", "\\": " ", "-": "",
}  # fmt: skip
# An accent on \i or \j goes on the dotted letter: \'{\i} is í.
_DOTLESS = {"ı": "i", "ȷ": "j"}


def needs_decoding(text: str) -> bool:
    """Does ``text`` hold TeX markup this module would change?"""
    return "\\" in text or "{" in text or "~" in text


def decode(text: str) -> str:
    """``Jo\\~ao S\\"uli`` -> ``João Süli``; text without TeX markup is returned as it is."""
    if not needs_decoding(text):
        return text
    out, _ = _Decoder(text).run(0, top=True)
    return unicodedata.normalize("NFC", out).replace("\u00a0", " ")


class _Decoder:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def run(self, pos: int, *, top: bool) -> tuple[str, int]:
        """Decode from ``pos`` to the end (or, inside a group, to its closing brace)."""
        text = self.text
        out: list[str] = []
        while pos < len(text):
            char = text[pos]
            if char == "}" and not top:
                return "".join(out), pos + 1
            piece, pos = self.token(pos)
            out.append(piece)
        return "".join(out), pos

    def token(self, pos: int) -> tuple[str, int]:
        """One unit: a character, a {group} or a command with its argument."""
        text = self.text
        char = text[pos]
        if char == "{":
            end = _closing(text, pos)
            if end is None:
                return "{", pos + 1  # a lone brace is text
            inner, _ = _Decoder(text[pos + 1 : end]).run(0, top=True)
            return inner, end + 1
        if char == "~":
            return "\u00a0", pos + 1
        if char != "\\" or pos + 1 >= len(text):
            return char, pos + 1
        nxt = text[pos + 1]
        if not nxt.isalpha():
            if nxt in _ACCENTS:
                return self.accent(nxt, pos + 2, pos)
            if nxt in _ESCAPED:
                return _ESCAPED[nxt], pos + 2
            return text[pos : pos + 2], pos + 2
        end = pos + 1
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        after = end
        while after < len(text) and text[after] == " ":
            after += 1  # TeX drops the spaces after a control word
        if name in _ACCENTS:
            return self.accent(name, after, pos)
        if name in _LETTERS:
            return _LETTERS[name], after
        return text[pos:end], end  # an unknown command stays as it was

    def accent(self, name: str, pos: int, start: int) -> tuple[str, int]:
        """An accent command applied to the unit at ``pos``."""
        text = self.text
        if pos >= len(text) or text[pos] == "}":
            return text[start:pos], pos
        base, end = self.token(pos)
        if not base:
            return text[start:end], end
        first = _DOTLESS.get(base[0], base[0])
        return first + _ACCENTS[name] + base[1:], end


def _closing(text: str, start: int) -> int | None:
    """The index of the brace closing the one at ``start``, or None when it never closes."""
    depth = 0
    pos = start
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return None
