"""Which function writes each ``--format`` of a listing, imported only when it is chosen.

A cached ``papers today`` in a pipe loads the plain writer and nothing else: BibTeX, RIS,
CSL-JSON, Atom, JSON Feed and HTML cost nothing until someone asks for them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TextIO

from papercli.formats.records import Extra
from papercli.models import Paper

Writer = Callable[[Iterable[Paper], TextIO, Extra], None]

# format -> (module under papercli.formats, function)
_PLACES = {
    "plain": ("tabular", "write_plain"),
    "ids": ("tabular", "write_ids"),
    "csv": ("tabular", "write_csv"),
    "tsv": ("tabular", "write_tsv"),
    "json": ("records", "write_json"),
    "jsonl": ("records", "write_jsonl"),
    "markdown": ("markdown", "write_markdown"),
    "bibtex": ("bibtex", "write_bibtex"),
    "html": ("html", "write_html"),
    "atom": ("atom", "write_atom"),
    "ris": ("ris", "write_ris"),
    "csljson": ("csljson", "write_csljson"),
    "jsonfeed": ("jsonfeed", "write_jsonfeed"),
}
# Formats whose records ``--fields`` can shape: their writers take a ``fields`` argument.
SELECTABLE = frozenset({"json", "jsonl", "csv", "tsv"})


class _Writers(Mapping[str, Writer]):
    """A read-only map of format name to writer that imports each writer on first use."""

    def __getitem__(self, name: str) -> Writer:
        module, function = _PLACES[name]
        return getattr(importlib.import_module(f"papercli.formats.{module}"), function)

    def __iter__(self) -> Iterator[str]:
        return iter(_PLACES)

    def __len__(self) -> int:
        return len(_PLACES)


WRITERS: Mapping[str, Writer] = _Writers()


def write(
    name: str,
    papers: Iterable[Paper],
    out: TextIO,
    extra: Extra = None,
    fields: Sequence[str] | None = None,
) -> None:
    """Write papers in format ``name``; ``fields`` only for the SELECTABLE formats."""
    writer: Callable[..., None] = WRITERS[name]
    if fields is None:
        writer(papers, out, extra)
    elif name in SELECTABLE:
        writer(papers, out, extra, fields)
    else:
        raise ValueError(f"--fields does not apply to {name}")
