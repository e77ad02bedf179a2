"""Checks that an output is inert, each with the parser a reader of that format would use.

Every check fails loudly with what it found: a link that is not http(s) or goes to a host the
corpus never offered, an element or attribute papercli never writes, a control character or
a terminal sequence other than colour and well-formed OSC 8 links to checked targets.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import bibtexparser
import feedparser
import html5lib
from markdown_it import MarkdownIt

from papercli.checks import valid_link
from papercli.formats.html import STYLE
from papercli.models import is_valid_id

# The only hosts a link in any output may point to: arXiv and Hugging Face (built from ids),
# doi.org (built from checked DOIs) and the hosts of the corpus's well-formed links.
HOSTS = {"arxiv.org", "doi.org", "github.com", "x.example", "example.org", "huggingface.co"}
SECTION = re.compile(r"section-[0-9]+")  # the digest's contents link to its own headings
ATOM = "{http://www.w3.org/2005/Atom}"
ISO_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# C0 (but tab and newline), DEL, C1, bidi overrides and isolates, lone surrogates.
CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
SGR = re.compile(r"\x1b\[[0-9;]*m")
OSC8 = re.compile(r"\x1b\]8;([^;\x1b\x07]*);([^\x1b\x07]*)\x1b\\")
ATTACKER_LABELS = {"click me", "click", "img"}  # the texts of the links the corpus injects


def assert_link(href: str | None, where: str) -> None:
    """An http(s) link, well formed, to a host the corpus offered."""
    assert href is not None, where
    if href.startswith("#"):
        assert SECTION.fullmatch(href[1:]), f"{where}: anchor {href!r}"
        return
    assert valid_link(href) == href, f"{where}: not a checked link: {href!r}"
    host = urlsplit(href).hostname or ""
    assert host in HOSTS, f"{where}: link to {host!r}: {href!r}"


def assert_no_controls(text: str, where: str = "output") -> None:
    """No control, escape, bidi-override character or lone surrogate anywhere."""
    found = CONTROL.search(text)
    if found is not None:
        around = text[max(0, found.start() - 40) : found.start() + 40]
        raise AssertionError(f"{where}: {found.group()!r} at {found.start()}: {around!r}")


def assert_terminal(text: str) -> int:
    """Only colour (SGR) and OSC 8 links to checked targets; returns the number of links."""
    links = 0
    for match in OSC8.finditer(text):
        if match.group(2):
            assert_link(match.group(2), "OSC 8 target")
            assert match.group(2).isascii() and match.group(2).isprintable()
            links += 1
    rest = OSC8.sub("", SGR.sub("", text))
    assert "\x1b" not in rest, repr(rest[rest.index("\x1b") - 40 : rest.index("\x1b") + 40])
    assert_no_controls(rest)
    return links


def _tokens(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _tokens(token.children)


def assert_markdown(text: str) -> list[tuple[str, str]]:
    """CommonMark (with GFM tables): no raw HTML, no images, only checked links.

    Returns (href, link text) of every link.
    """
    assert_no_controls(text)
    parser = MarkdownIt("commonmark").enable("table")
    links: list[tuple[str, str]] = []
    tokens = list(_tokens(parser.parse(text)))
    for i, token in enumerate(tokens):
        assert token.type not in ("html_inline", "html_block", "image"), token
        if token.type == "link_open":
            label = ""
            for following in tokens[i + 1 :]:
                if following.type == "link_close":
                    break
                label += following.content
            links.append((token.attrGet("href"), label))
    for href, label in links:
        assert_link(href, f"markdown link {label!r}")
        assert label.strip().lower() not in ATTACKER_LABELS, label
    assert_html(parser.render(text), fragment=True)
    return links


_HTML_TAGS = {
    "html", "head", "meta", "title", "body", "table", "thead", "tbody", "tr", "th", "td", "a",
    "br", "small", "div", "p", "h1", "h2", "h3", "strong", "em", "code", "blockquote", "ul",
    "ol", "li", "hr", "style", "main",
}  # fmt: skip
_HTML_ATTRS = {"href", "style", "lang", "charset", "name", "content", "align", "class", "id"}
_HTML_CLASSES = {"n", "t", "d", "small", "links", "meta"}  # formats/html.py's own


def assert_html(text: str, *, fragment: bool = False) -> list[tuple[str, str]]:
    """Parsed as a browser would (html5lib): only papercli's elements, attributes and links.

    Returns (href, text) of every link.
    """
    assert_no_controls(text)
    parse = html5lib.parseFragment if fragment else html5lib.parse
    root = parse(text, namespaceHTMLElements=False)
    links = []
    titles = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        if element.tag == "DOCUMENT_FRAGMENT":
            continue
        assert element.tag in _HTML_TAGS, f"injected element <{element.tag}>"
        titles += element.tag == "title"
        if element.tag == "style":  # only the listing's own style sheet, word for word
            assert "".join(element.itertext()) == STYLE, "injected <style>"
        for name, value in element.attrib.items():
            assert name in _HTML_ATTRS, f"injected attribute {name}={value!r} on <{element.tag}>"
            assert name != "class" or set(value.split()) <= _HTML_CLASSES, value
            assert name != "id" or SECTION.fullmatch(value), value
        if element.tag == "a":
            label = "".join(element.itertext())
            assert_link(element.get("href"), f"<a> {label!r}")
            assert label.strip().lower() not in ATTACKER_LABELS, label
            links.append((element.get("href"), label))
    assert titles <= 1
    return links


_ATOM_TAGS = {
    "feed", "id", "title", "updated", "author", "name", "generator", "link", "entry",
    "published", "category", "summary", "content",
}  # fmt: skip


def assert_atom(text: str, entries: int | None = None) -> None:
    """Well-formed XML of Atom's elements only, each entry whole; feedparser agrees."""
    assert_no_controls(text)
    root = ET.fromstring(text.encode("utf-8"))
    found = 0
    for element in root.iter():
        assert element.tag.startswith(ATOM), element.tag
        name = element.tag.removeprefix(ATOM)
        assert name in _ATOM_TAGS, f"injected element <{name}>"
        if name == "link" and element.get("rel") != "self":
            assert_link(element.get("href"), "atom link")
            assert urlsplit(element.get("href")).hostname == "arxiv.org"
        if name in ("updated", "published"):
            assert ISO_STAMP.fullmatch(element.text or ""), (name, element.text)
    for entry in root.iter(f"{ATOM}entry"):
        found += 1
        for child in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{child}")) == 1, child
        assert len(entry.findall(f"{ATOM}published")) <= 1
        assert len(entry.findall(f"{ATOM}link")) == 2
    if entries is not None:
        assert found == entries
    feed = feedparser.parse(text.encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == found
    for entry in feed.entries:
        for link in entry.links:
            assert_link(link["href"], "feedparser link")


def assert_records(records: list[dict]) -> None:
    """Paper records (JSON): link fields checked links or null, dates ISO or null."""
    for record in records:
        for key in ("url", "pdf_url"):
            assert_link(record[key], key)
            assert urlsplit(record[key]).hostname == "arxiv.org"
        for key in ("github", "project_page"):
            if record[key] is not None:
                assert_link(record[key], key)
        for key in ("published", "listed"):
            assert record[key] is None or ISO_DAY.fullmatch(record[key]), (key, record[key])
        assert_no_controls(json.dumps(record, ensure_ascii=False))


def assert_json(text: str, fmt: str) -> int:
    """``json``/``jsonl`` output; returns the number of records."""
    assert_no_controls(text)
    records = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert_records(records)
    return len(records)


def assert_table(text: str, fmt: str) -> None:
    """CSV or TSV: every link column a checked link or empty."""
    assert_no_controls(text)
    reader = csv.DictReader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t")
    for row in reader:
        for key in ("url", "pdf_url", "github", "project_page"):
            if row[key]:
                assert_link(row[key], key)


def assert_plain(text: str) -> None:
    """Plain TSV: five columns, the last an arXiv link."""
    assert_no_controls(text)
    for line in text.splitlines():
        cells = line.split("\t")
        assert len(cells) == 5, cells
        assert_link(cells[4], "plain url")


def assert_bibtex(text: str, entries: int) -> None:
    """Parsed by bibtexparser: one entry per paper, each url an arXiv link."""
    assert_no_controls(text)
    parsed = bibtexparser.loads(text).entries
    assert len(parsed) == entries
    for entry in parsed:
        assert_link(entry["url"], "bibtex url")


def assert_ris(text: str, entries: int) -> None:
    """Read by rispy: one record per paper, every tag on its own line, arXiv links only."""
    import rispy

    assert_no_controls(text)
    parsed = rispy.loads(text)
    assert len(parsed) == entries
    for entry in parsed:
        for url in entry.get("urls", []):
            assert_link(url, "RIS UR")
            assert urlsplit(url).hostname == "arxiv.org"
    for line in text.splitlines():
        assert not line or re.match(r"[A-Z][A-Z0-9]  - ", line), f"not an RIS tag line: {line!r}"


def assert_csljson(text: str, entries: int) -> None:
    """CSL-JSON items: the URL an arXiv link, no control characters."""
    assert_no_controls(text)
    items = json.loads(text)
    assert len(items) == entries
    for item in items:
        assert_link(item["URL"], "CSL URL")
        assert urlsplit(item["URL"]).hostname == "arxiv.org"


def assert_jsonfeed(text: str, entries: int | None = None) -> None:
    """JSON Feed 1.1: item links to arXiv, dates RFC 3339, content_html as html5lib reads it."""
    assert_no_controls(text)
    feed = json.loads(text)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    if entries is not None:
        assert len(feed["items"]) == entries
    for key in ("home_page_url", "feed_url"):
        if key in feed:
            assert_link(feed[key], key)
    for item in feed["items"]:
        for url in (item["id"], item["url"], *(a["url"] for a in item.get("attachments", []))):
            assert_link(url, "JSON Feed item")
            assert urlsplit(url).hostname == "arxiv.org"
        for key in ("date_published", "date_modified"):
            if key in item:
                assert ISO_STAMP.fullmatch(item[key]), (key, item[key])
        if "content_html" in item:
            assert_html(item["content_html"], fragment=True)


def assert_note(text: str) -> None:
    """A Markdown note: YAML front matter that PyYAML reads to papercli's keys only, and a
    body that CommonMark reads with no link, image or raw HTML at all."""
    import yaml

    assert_no_controls(text)
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    data = yaml.safe_load(head)
    assert set(data) <= {"id", "title", "authors", "published", "tags", "url", "pdf"}, data
    for key in ("url", "pdf"):
        assert_link(data[key], f"note {key}")
        assert urlsplit(data[key]).hostname == "arxiv.org"
    assert data["published"] is None or ISO_DAY.fullmatch(str(data["published"]))
    assert assert_markdown(body) == []


def assert_listing(text: str, fmt: str, count: int) -> None:
    """Any ``--format`` of a listing, checked by the reader of that format."""
    if fmt == "markdown":
        links = assert_markdown(text)
        assert len(links) == count
    elif fmt == "html":
        assert_html(text)
    elif fmt == "atom":
        assert_atom(text, count)
    elif fmt in ("json", "jsonl"):
        assert assert_json(text, fmt) == count
    elif fmt in ("csv", "tsv"):
        assert_table(text, fmt)
    elif fmt == "plain":
        assert_plain(text)
    elif fmt == "bibtex":
        assert_bibtex(text, count)
    elif fmt == "ris":
        assert_ris(text, count)
    elif fmt == "csljson":
        assert_csljson(text, count)
    elif fmt == "jsonfeed":
        assert_jsonfeed(text, count)
    elif fmt == "ids":
        assert len(text.split()) == count and all(is_valid_id(x) for x in text.split())
    else:
        assert_terminal(text)


def assert_digest(text: str, fmt: str, count: int) -> None:
    """Any digest format, checked by the reader of that format."""
    if fmt == "markdown":
        assert_markdown(text)
    elif fmt == "json":
        assert_no_controls(text)
        records = [p for g in json.loads(text)["groups"] for p in g["papers"]]
        assert len(records) == count
        assert_records(records)
    elif fmt == "text":
        assert_terminal(text)
        urls = [line.strip() for line in text.splitlines() if "://" in line]
        assert len(urls) == count
        for url in urls:
            assert_link(url, "text digest link")
    else:
        assert_listing(text, fmt, count)
