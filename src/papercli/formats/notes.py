"""Markdown notes for Obsidian and Logseq: one file per paper, YAML front matter and abstract.

A note is named by a readable slug of its title and its id (``attention-is-all-you-need-
1706.03762.md``). papercli owns seven front-matter keys (``id``, ``title``, ``authors``,
``published``, ``tags``, ``url``, ``pdf``) and writes the body only when it creates the
note: on later runs it rewrites those keys and leaves every other key, every comment and
the whole body exactly as the user left them.

Titles and names are untrusted: every YAML value is a double-quoted scalar with its quotes,
backslashes and line breaks escaped, so no title can end the front matter or add a key, and
file names keep only letters, digits and hyphens.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from papercli.formats.citation import iso_day, page_url, pdf_link
from papercli.formats.escape import md, one_line
from papercli.models import Paper, file_stem

KEYS = ("id", "title", "authors", "published", "tags", "url", "pdf")
SLUG_LIMIT = 60
_FENCE = "---"
_ENDS = ("---", "...")
# A top-level key of a block-style mapping: "key:", "key: value", '"quoted key": value'.
_KEY_LINE = re.compile(r"""^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#\-'"][^:]*?)\s*:(?:\s|$)""")
_UNHASHED = re.compile(r"(?<!\\)#")
_NOT_YAML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # YAML cannot hold these at all


def slug(title: str, limit: int = SLUG_LIMIT) -> str:
    """Lower-case letters and digits of a title joined by hyphens, accents folded, at most
    ``limit`` characters (cut at a hyphen when one is near): stable, and safe as a file name."""
    text = unicodedata.normalize("NFKD", one_line(title))
    text = unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    joined = "-".join(words)
    if len(joined) <= limit:
        return joined
    cut = joined[:limit]
    return cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut.rstrip("-")


def note_name(paper: Paper) -> str:
    """``<slug>-<id>.md`` (``<id>.md`` for a title with no letters); an old-style id's slash
    becomes an underscore (``hep-th_9901001``)."""
    stem = file_stem(paper.id)
    words = slug(paper.title)
    return f"{words}-{stem}.md" if words else f"{stem}.md"


def yaml_str(text: str | None) -> str:
    """A YAML double-quoted scalar: JSON's escapes, which YAML 1.1 and 1.2 both read."""
    clean = _NOT_YAML.sub("\ufffd", one_line(text))
    return json.dumps(clean, ensure_ascii=False)


def _list(key: str, values: Sequence[str]) -> list[str]:
    items = [yaml_str(v) for v in values if one_line(v)]
    if not items:
        return [f"{key}: []\n"]
    return [f"{key}:\n", *(f"  - {item}\n" for item in items)]


def front_matter(paper: Paper, tags: Sequence[str]) -> dict[str, list[str]]:
    """papercli's front-matter keys, each as its YAML lines."""
    day = iso_day(paper.published)
    return {
        "id": [f"id: {yaml_str(paper.id)}\n"],
        "title": [f"title: {yaml_str(paper.title)}\n"],
        "authors": _list("authors", paper.authors),
        "published": [f"published: {yaml_str(day) if day else 'null'}\n"],
        "tags": _list("tags", tags),
        "url": [f"url: {yaml_str(page_url(paper))}\n"],
        "pdf": [f"pdf: {yaml_str(pdf_link(paper))}\n"],
    }


def _text(text: str) -> str:
    # Obsidian reads "#word" anywhere as a tag; upstream text must not tag the user's notes.
    return _UNHASHED.sub(r"\\#", md(one_line(text)))


def _body(paper: Paper) -> str:
    parts = ["", f"# {_text(paper.title) or paper.id}", ""]
    if one_line(paper.abstract):
        parts += ["## Abstract", "", _text(paper.abstract), ""]
    parts += ["## Notes", "", ""]
    return "\n".join(parts)


def _key(line: str) -> str | None:
    match = _KEY_LINE.match(line)
    if match is None:
        return None
    key = match.group(1)
    if key[:1] == '"':
        try:
            return str(json.loads(key))
        except ValueError:
            return key
    return key.strip("'")


def _is_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _blocks(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """Front-matter lines grouped by top-level key (comments and blanks stay with the key
    above them; what comes before the first key has no key)."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        key = _key(line)
        if key is not None:
            blocks.append((key, [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def _split(text: str) -> tuple[list[str], str, str] | None:
    """(front-matter lines, closing fence line, body) when the text starts with front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != _FENCE:
        return None
    for number in range(1, len(lines)):
        if lines[number].rstrip("\r\n") in _ENDS:
            closing = lines[number] if lines[number].endswith("\n") else lines[number] + "\n"
            return lines[1:number], closing, "".join(lines[number + 1 :])
    return None


def render_note(paper: Paper, tags: Sequence[str], existing: str | None = None) -> str:
    """The note's text: a new note when ``existing`` is None, else ``existing`` with
    papercli's keys rewritten and everything else kept byte for byte."""
    ours = front_matter(paper, tags)
    head = _FENCE + "\n" + "".join(line for k in KEYS for line in ours[k]) + _FENCE + "\n"
    if existing is None:
        return head + _body(paper)
    found = _split(existing)
    if found is None:  # no front matter (any more): put ours on top of the user's text
        return head + existing
    lines, closing, body = found
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    kept: list[str] = []
    written: set[str] = set()
    for key, block in _blocks(lines):
        if key in ours:
            if key not in written:  # a key given twice is invalid YAML: keep one
                kept += ours[key]
                written.add(key)
            kept += [line for line in block[1:] if _is_comment(line)]
        else:
            kept += block
    kept += [line for k in KEYS if k not in written for line in ours[k]]
    return _FENCE + "\n" + "".join(kept) + closing + body


def is_note_of(paper: Paper, text: str) -> bool:
    """Whether ``text`` is this paper's note: its front matter's ``id`` is the paper's."""
    found = _split(text)
    if found is None:
        return False
    for key, block in _blocks(found[0]):
        if key == "id":
            value = block[0].split(":", 1)[1].strip()
            try:
                value = str(json.loads(value)) if value.startswith('"') else value.strip("'")
            except ValueError:
                return False
            return value == paper.id
    return False
