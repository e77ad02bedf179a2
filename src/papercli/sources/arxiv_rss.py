"""rss.arxiv.org feeds (RSS 2.0 and Atom): the mailing date they state and their papers.

Read with ElementTree by namespace and element name, never by position. Not feedparser: it
takes an RSS ``description`` for HTML and sanitises it, so ``R&D`` came back as ``R&amp;D``
and ``</think>`` vanished from abstracts. Here every field is the text arXiv sent, its XML
escapes decoded once. Documents that declare entities are refused: a feed never needs one.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from papercli import schedule
from papercli.errors import UpstreamError, UsageError
from papercli.models import Paper, abs_url, clean_text, parse_id, pdf_url, validated
from papercli.sources.authors import split_creators

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

RSS_SOURCE = "arXiv RSS"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
# ``arXiv:2608.19199v1 Announce Type: new \nAbstract: ...``: the prefix of every description.
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_PREFIX = re.compile(r"\s*arXiv:\S+\s+Announce Type:\s*(\S+)\s*(?:Abstract:\s*)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mailing:
    """One RSS download: the mailing date the feed states, and its papers."""

    day: date
    papers: tuple[Paper, ...]
    skipped: int = 0  # items without a usable id, left out (and said)


def reject_non_xml(content: bytes, source: str) -> None:
    """An HTML page (a rate-limit or error page) or a document declaring entities."""
    head = content.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise UpstreamError(
            f"{source} answered with an HTML page, not a feed",
            source=source,
            hint="arXiv may be rate limiting or down; try again in a few minutes",
        )
    # Entities (billion laughs, external files) can only be declared in a DOCTYPE, and no
    # feed has one: refusing it anywhere makes ElementTree safe for untrusted bytes.
    if _DOCTYPE.search(content):
        raise UpstreamError(f"{source} sent a document with a DOCTYPE, not a feed", source=source)


def parse_xml(content: bytes, source: str) -> Element:
    """The root element of a feed; broken or truncated XML raises UpstreamError."""
    if not content.strip():
        raise UpstreamError(f"{source} sent an empty answer, not a feed", source=source)
    reject_non_xml(content, source)
    from xml.etree import ElementTree

    try:
        return ElementTree.fromstring(content)  # noqa: S314 (no DOCTYPE: checked above)
    except (LookupError, ValueError) as exc:  # an unknown or impossible declared encoding
        raise UpstreamError(
            f"{source} sent a feed in an encoding it cannot be read in ({exc})", source=source
        ) from None
    except ElementTree.ParseError as exc:
        if _bad_utf8(content):
            # One stray byte must not cost a whole mailing: parse it as U+FFFD instead.
            try:
                return ElementTree.fromstring(content.decode("utf-8", "replace"))  # noqa: S314
            except ElementTree.ParseError:
                pass
        raise UpstreamError(
            f"{source} sent a malformed or truncated feed ({exc})",
            source=source,
            hint="the download may have been cut off; try again",
        ) from None


def _bad_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _text(element: Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _day(raw: str) -> date | None:
    """The calendar date a feed states, in the feed's own offset (US Eastern for arXiv)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        return None


def _eastern_day(raw: str) -> date | None:
    """A build time (``lastBuildDate``, Atom ``updated``) as the US-Eastern date it falls on."""
    raw = raw.strip()
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.date()
    return schedule.to_eastern(moment).date()


def _abstract(description: str) -> tuple[str, str | None]:
    """Split ``arXiv:ID Announce Type: new Abstract: ...`` into (abstract, announce type)."""
    match = _PREFIX.match(description)
    if match is None:
        return clean_text(description), None
    return clean_text(description[match.end() :]), match.group(1).lower()


def _paper(
    day: date,
    raw_id: str,
    title: str,
    description: str,
    announce: str,
    creators: str,
    categories: list[str],
    doi: str,
    journal_ref: str,
) -> Paper:
    paper_id, version = parse_id(raw_id)
    abstract, stated = _abstract(description)
    kind = clean_text(announce).lower() or stated
    cats = tuple(dict.fromkeys(c for c in (clean_text(c) for c in categories) if c))
    authors = split_creators(creators)
    return validated(
        Paper(
            id=paper_id,
            version=version,
            title=clean_text(title),
            authors=authors.names,
            abstract=abstract,
            listed=day.isoformat(),
            categories=cats,
            # The feed does not mark the primary category, but always lists it first.
            primary_category=cats[0] if cats else None,
            announce_type=kind if kind in ANNOUNCE_TYPES else None,
            url=abs_url(paper_id),
            pdf_url=pdf_url(paper_id),
            sources=("arxiv",),
            doi=clean_text(doi) or None,
            journal_ref=clean_text(journal_ref) or None,
            affiliations=authors.affiliations,
        )
    )


def _rss_items(channel: Element, day: date) -> tuple[list[Paper], int]:
    papers: list[Paper] = []
    items = channel.findall("item")
    for item in items:
        try:
            papers.append(
                _paper(
                    day,
                    _text(item.find("guid")) or _text(item.find("link")),
                    _text(item.find("title")),
                    _text(item.find("description")),
                    _text(item.find(f"{ARXIV}announce_type")),
                    _text(item.find(f"{DC}creator")),
                    [_text(c) for c in item.findall("category")],
                    _text(item.find(f"{ARXIV}DOI")),
                    _text(item.find(f"{ARXIV}journal_reference")),
                )
            )
        except (UsageError, ValueError, TypeError, AttributeError):
            continue  # an item without a usable id cannot be merged or cached
    return papers, len(items)


def _atom_entries(feed: Element, day: date) -> tuple[list[Paper], int]:
    papers: list[Paper] = []
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        creators = _text(entry.find(f"{DC}creator")) or ", ".join(
            _text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")
        )
        try:
            papers.append(
                _paper(
                    day,
                    _text(entry.find(f"{ATOM}id")),
                    _text(entry.find(f"{ATOM}title")),
                    _text(entry.find(f"{ATOM}summary")),
                    _text(entry.find(f"{ARXIV}announce_type")),
                    creators,
                    [c.get("term", "") for c in entry.findall(f"{ATOM}category")],
                    _text(entry.find(f"{ARXIV}DOI")),
                    _text(entry.find(f"{ARXIV}journal_reference")),
                )
            )
        except (UsageError, ValueError, TypeError, AttributeError):
            continue
    return papers, len(entries)


def _feed_error(title: str, description: str) -> None:
    if title.strip().lower().startswith("feed error"):
        reason = clean_text(description or title)
        raise UsageError(f"arXiv rejected the feed request: {reason}", hint="check the category")


def parse_rss(content: bytes) -> Mailing:
    """Parse an rss.arxiv.org feed (RSS 2.0 or Atom) into its mailing date and papers."""
    root = parse_xml(content, RSS_SOURCE)
    if root.tag == f"{RDF}RDF":
        raise UpstreamError(
            f"{RSS_SOURCE} sent the legacy RDF format (retired in 2024)",
            source=RSS_SOURCE,
            hint="point network.arxiv_rss_url at https://rss.arxiv.org",
        )
    if root.tag == "rss" and (channel := root.find("channel")) is not None:
        _feed_error(_text(channel.find("title")), _text(channel.find("description")))
        first = channel.find("item")
        day = (
            _day(_text(channel.find("pubDate")))
            or (_day(_text(first.find("pubDate"))) if first is not None else None)
            or _eastern_day(_text(channel.find("lastBuildDate")))
        )
        if day is None:
            raise UpstreamError(f"{RSS_SOURCE} sent a feed without a date", source=RSS_SOURCE)
        papers, count = _rss_items(channel, day)
    elif root.tag == f"{ATOM}feed":
        _feed_error(_text(root.find(f"{ATOM}title")), _text(root.find(f"{ATOM}subtitle")))
        first = root.find(f"{ATOM}entry")
        day = (_day(_text(first.find(f"{ATOM}published"))) if first is not None else None) or (
            _eastern_day(_text(root.find(f"{ATOM}updated")))
        )
        if day is None:
            raise UpstreamError(f"{RSS_SOURCE} sent a feed without a date", source=RSS_SOURCE)
        papers, count = _atom_entries(root, day)
    else:
        raise UpstreamError(f"{RSS_SOURCE} sent something that is not a feed", source=RSS_SOURCE)
    if count and not papers:
        raise UpstreamError(f"{RSS_SOURCE} sent items without arXiv ids", source=RSS_SOURCE)
    return Mailing(day=day, papers=tuple(papers), skipped=count - len(papers))
