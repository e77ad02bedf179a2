"""Escaping untrusted text for each format it lands in: HTML, Markdown, XML, LaTeX, URLs.

Everything upstream sends is text, never markup: these helpers are the only way it enters a
document. Each one sanitizes first (no control characters or terminal escapes). Links were
checked where the record entered; they are checked again here (a record built in code, or a
future path in, must not be able to smuggle one) and encoded for the place they land.
"""

from __future__ import annotations

import re

from papercli.checks import valid_link
from papercli.models import LazyPattern, sanitize

# Enough to keep untrusted text from becoming links, images, emphasis, code or HTML; a
# leading # or > would start a heading or a quote.
_MD_SPECIAL = LazyPattern(r"([\\`*_\[\]<>|~])")
_MD_LEADING = LazyPattern(r"^([#>+\-=])")
_LATEX = {
    "\\": r"\textbackslash{}",
    # Not \{ and \}: BibTeX counts those as braces too, so a lone one broke the file.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
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
    """The URL if it is an absolute http(s) link (no javascript:, data:, controls or
    whitespace), else None."""
    return valid_link(url)


# Characters that end or reshape a Markdown link destination (or a GFM table cell), or that
# a lax Markdown renderer might act on; none of them is needed literally in a link.
_MD_URL = {ord(c): f"%{ord(c):02X}" for c in '<>()\\`|" '}


def md_url(url: str | None) -> str | None:
    """A checked link, percent-encoded for a Markdown destination ``[text](HERE)``."""
    link = valid_link(url)
    return link.translate(_MD_URL) if link else None


def _percent_encode(text: str, keep: str) -> str:
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char in keep):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def link_target(url: str | None) -> str | None:
    """A checked link as printable ASCII only, for an OSC 8 terminal hyperlink.

    The terminal ends the target at any control character, so nothing outside ``!``..``~``
    may reach it: an international host goes as IDNA, anything else is percent-encoded.
    """
    link = valid_link(url)
    if link is None or link.isascii():
        return link
    scheme, _, rest = link.partition("://")
    cut = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    host, tail = rest[:cut], rest[cut:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = _percent_encode(host, ".-:[]")
    return f"{scheme}://{host}{_percent_encode(tail, _URL_SAFE)}"


_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def doi_url(doi: str) -> str:
    """The doi.org link of a DOI, its suffix percent-encoded (DOIs may hold ``<>#?;``)."""
    return "https://doi.org/" + _percent_encode(doi, "/.-_~():;")


_LINE_BREAKS = LazyPattern(r"[\s\u2028\u2029]+")


def one_line(text: str | None) -> str:
    """Sanitized text on one line with single spaces: safe as one line of a line format.

    Tabs and newlines become spaces, and so do U+2028/U+2029, which ``str.splitlines`` and
    JavaScript treat as line breaks (a title must never start a second RIS or YAML line).
    """
    return _LINE_BREAKS.sub(" ", sanitize(text or "")).strip()
