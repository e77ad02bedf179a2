"""What the chat channels share: a digest cut into messages that each fit the service's limits.

A part is one message and the ids of the papers it carries, so a delivery that stops half
way records exactly the papers whose messages the service confirmed. A paper is never split
across messages; a group's heading travels with its first paper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from papercli.digest.build import Digest, Entry
from papercli.digest.render import _authors, _counts, _meta, _span
from papercli.formats.escape import safe_url
from papercli.models import sanitize

T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    """One message: its JSON body and the ids of the papers in it."""

    body: dict[str, Any]
    ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The form an intent keeps."""
        return {"ids": list(self.ids), "body": self.body}


@dataclass(frozen=True)
class Item:
    """A paper as a chat message shows it, with the group heading it opens (if any)."""

    entry: Entry
    group: str
    opens_group: bool
    group_size: int

    @property
    def paper_id(self) -> str:
        """The paper's id."""
        return self.entry.paper.id


@dataclass
class Bundle:
    """What one message carries while it is being filled."""

    units: list[Any] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    cost: dict[str, int] = field(default_factory=dict)


def items(digest: Digest) -> Iterator[Item]:
    """Every paper in display order, with its group."""
    for group in digest.groups:
        for number, entry in enumerate(group.entries):
            yield Item(entry, group.title, number == 0, len(group.entries))


def head_text(digest: Digest) -> str:
    """The line under a digest's title: its span and counts."""
    return f"{_span(digest)}: {_counts(digest)}."


def authors(entry: Entry) -> str:
    """At most six authors, then how many more."""
    return sanitize(_authors(entry))


def meta(entry: Entry) -> str:
    """Upvotes, comments, category, listing date, other topics."""
    return sanitize(" · ".join(_meta(entry)))


def links(entry: Entry) -> list[tuple[str, str]]:
    """(label, URL) pairs: the abstract page, the PDF, the code when it is an http(s) link."""
    paper = entry.paper
    found = [("arXiv", paper.url), ("PDF", paper.pdf_url)]
    code = safe_url(paper.github)
    if code:
        found.append(("code", code))
    return found


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def pack(
    units: Sequence[T],
    ids: Callable[[T], Sequence[str]],
    cost: Callable[[T], dict[str, int]],
    limits: dict[str, int],
) -> list[Bundle]:
    """Fill messages in order, starting a new one when the next unit would pass a limit.

    A unit that passes a limit on its own still gets a message of its own: the renderer
    clips each unit below the limits, so this only guards against a limit set too low.
    """
    bundles: list[Bundle] = [Bundle()]
    for unit in units:
        price = cost(unit)
        current = bundles[-1]
        over = any(current.cost.get(k, 0) + v > limits[k] for k, v in price.items())
        if over and current.units:
            current = Bundle()
            bundles.append(current)
        current.units.append(unit)
        current.ids.extend(ids(unit))
        for key, value in price.items():
            current.cost[key] = current.cost.get(key, 0) + value
    return [b for b in bundles if b.units]


def part_label(digest: Digest, number: int, total: int) -> str:
    """``papercli: 120 new papers, 2026-06-12 (part 2 of 3)``"""
    return digest.subject() + (f" (part {number} of {total})" if total > 1 else "")
