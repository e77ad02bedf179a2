"""Escaping untrusted text for each format it lands in: HTML, Markdown, XML, LaTeX, URLs.

Everything upstream sends is text, never markup: these helpers are the only way it enters a
document. Each one sanitizes first (no control characters or terminal escapes).
"""

from __future__ import annotations

import re

from papercli.models import LazyPattern, sanitize

# Enough to keep untrusted text from becoming links, images, emphasis, code or HTML; a
# leading # or > would start a heading or a quote.
_MD_SPECIAL = LazyPattern(r"([\\`*_\[\]<>|~])")
_MD_LEADING = LazyPattern(r"^([#>+\-=])")
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = LazyPattern("|".join(re.escape(c) for c in _LATEX))


def h(text: str | None) -> str:
    """HTML-escaped text, quotes included (safe in attributes)."""
    import html

    return html.escape(sanitize(text or ""), quote=True)


def md(text: str) -> str:
    """Markdown-escaped text: no links, emphasis or HTML sneak in."""
    return _MD_LEADING.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", sanitize(text)))


def xml_text(text: str | None) -> str:
    """Escaped XML character data (sanitize also drops what XML 1.0 forbids).

    html.escape's entities are XML's too; xml.sax.saxutils would pull in urllib at start-up.
    """
    import html

    return html.escape(sanitize(text or ""), quote=True)


def xml_attr(text: str | None) -> str:
    """A quoted XML attribute value."""
    return f'"{xml_text(text)}"'


def latex(text: str) -> str:
    """LaTeX specials escaped."""
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], sanitize(text))


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (no javascript: or data: links)."""
    if url and url.lower().startswith(("https://", "http://")):
        return sanitize(url)
    return None


_LINE_BREAKS = LazyPattern(r"[\s\u2028\u2029]+")


def one_line(text: str | None) -> str:
    """Sanitized text on one line with single spaces: safe as one line of a line format.

    Tabs and newlines become spaces, and so do U+2028/U+2029, which ``str.splitlines`` and
    JavaScript treat as line breaks (a title must never start a second RIS or YAML line).
    """
    return _LINE_BREAKS.sub(" ", sanitize(text or "")).strip()
