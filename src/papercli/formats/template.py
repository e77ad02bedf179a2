"""``--template``: one line of text per paper, from ``{key}`` placeholders over the Paper keys.

A deliberately tiny language, not ``str.format``: a placeholder is a key and nothing else
(no attribute or index access, no conversions or format specs), so a template can never
reach into Python objects. ``{{`` and ``}}`` are literal braces. Values are sanitized and
put on one line; lists are joined with ``, ``; a missing value is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from papercli.errors import UsageError
from papercli.formats.escape import one_line


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: literal text and key names, alternating (text first and last)."""

    texts: tuple[str, ...]
    keys: tuple[str, ...]

    def render(self, record: Mapping[str, object]) -> str:
        """The template filled in from one record (no trailing newline)."""
        out = [self.texts[0]]
        for key, text in zip(self.keys, self.texts[1:], strict=True):
            out.append(value_text(record.get(key)))
            out.append(text)
        return "".join(out)


def value_text(value: object) -> str:
    """How a value reads in a template: lists joined with ``, ``, None empty, one line."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(one_line(str(v)) for v in value if v is not None)
    return one_line(str(value))


def _error(message: str, position: int) -> UsageError:
    return UsageError(
        f"--template: {message} at character {position + 1}",
        hint="write {key} for a value, {{ and }} for literal braces; keys: see --help",
    )


def parse_template(text: str, known: Sequence[str]) -> Template:
    """Parse a template; an unknown key, a lone brace or anything but a key is a UsageError."""
    texts: list[str] = []
    keys: list[str] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith(("{{", "}}"), i):
            literal.append(char)
            i += 2
        elif char == "}":
            raise _error("a lone }", i)
        elif char == "{":
            end = text.find("}", i + 1)
            if end < 0:
                raise _error("an unclosed {", i)
            name = text[i + 1 : end].strip()
            if name not in known:
                what = "an unknown key" if name.isidentifier() else "not a key"
                raise UsageError(
                    f"--template: {what} {{{one_line(name)[:40]}}} at character {i + 1}",
                    hint="keys: " + ", ".join(known),
                )
            texts.append("".join(literal))
            keys.append(name)
            literal = []
            i = end + 1
        else:
            literal.append(char)
            i += 1
    texts.append("".join(literal))
    return Template(tuple(texts), tuple(keys))


def render_lines(template: Template, records: Iterable[Mapping[str, object]]) -> Iterable[str]:
    """One line per record, each ending with a newline."""
    for record in records:
        yield template.render(record) + "\n"
