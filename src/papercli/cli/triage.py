"""``papers triage``: walk a listing one card at a time and save or dismiss with one key."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import open_session, settings, terminal
from papercli.cli.options import (
    AllOpt,
    AuthorOpt,
    CategoryOpt,
    ExcludeOpt,
    HasCodeOpt,
    KeywordOpt,
    MinUpvotesOpt,
    OfflineOpt,
    SortKey,
    SortOpt,
    SourceOpt,
    TopicOpt,
    TypeOpt,
    WhereOpt,
    choose_sources,
    make_criteria,
)
from papercli.core.session import Session
from papercli.errors import UsageError
from papercli.formats.terminal import Terminal, render_detail
from papercli.models import Paper

LEGEND = "s save · d dismiss · o open · n/space next · p previous · q quit"
CLEAR = "\x1b[H\x1b[2J"


@root.command("triage")
def triage(
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="The last N days (default: today).")
    ] = None,
    keyword: KeywordOpt = None,
    all_keywords: AllOpt = False,
    exclude: ExcludeOpt = None,
    where: WhereOpt = None,
    author: AuthorOpt = None,
    category: CategoryOpt = None,
    type_: TypeOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    topic: TopicOpt = None,
    source: SourceOpt = None,
    sort: SortOpt = SortKey.for_you,
    offline: OfflineOpt = False,
) -> None:
    """Go through a listing one card at a time on a terminal, in For you order.

    Papers already saved or dismissed are left out.

    Keys: s save, d dismiss (both move on), o open in the browser ($BROWSER), n or space
    next, p previous, q quit. Each key takes effect at once, so Ctrl-C loses nothing.
    Needs a terminal on stdin and stdout (exit 2 otherwise).

    Examples:
      papers triage
      papers triage --days 3 -k diffusion
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("papers triage needs a terminal on stdin and stdout")
    from papercli.cli.foryou import decided, for_you_order, last_days
    from papercli.core import listing
    from papercli.query import filters

    config = settings()
    hf, cats = choose_sources(config, source, category)
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic,
    )  # fmt: skip
    term = terminal()
    with open_session(config, offline=offline, term=term) as session:
        if days is None:
            outcome = listing.today(session, hf=hf, categories=cats)
        else:
            outcome = listing.list_span(session, last_days(days), hf=hf, categories=cats)
    outcome.raise_if_empty()
    gone = decided(session)  # what was saved or dismissed is decided already
    papers = [p for p in filters.apply(outcome.papers, criteria) if p.id not in gone]
    if sort is SortKey.for_you:
        papers = for_you_order(session, papers, why=False, quiet=False, term=term)[0]
    elif sort is not SortKey.relevance:
        papers = filters.sort_papers(papers, sort.value)
    if not papers:
        raise UsageError("no papers to triage")
    _walk(session, papers, term)


def _walk(session: Session, papers: list[Paper], term: Terminal) -> None:
    from contextlib import closing

    from papercli.cli.keys import read_keys

    _draw(papers, 0, "", term)
    with closing(read_keys()) as keys:  # the terminal's mode comes back on every way out
        _loop(session, papers, term, keys)
    sys.stdout.write("\n")


def _loop(session: Session, papers: list[Paper], term: Terminal, keys: Iterator[str]) -> None:
    position, status = 0, ""
    for key in keys:
        paper = papers[position]
        if key == "q":
            break
        if key in "sd":
            status = _decide(session, paper, save=key == "s")
            position = min(position + 1, len(papers) - 1)
            if paper is papers[-1]:
                status += "; that was the last one"
        elif key == "o":
            status = _open(paper)
        elif key in "n ":
            status = "" if position + 1 < len(papers) else "that is the last one"
            position = min(position + 1, len(papers) - 1)
        elif key == "p":
            status = "" if position else "that is the first one"
            position = max(position - 1, 0)
        else:
            status = f"unknown key {key!r}: {LEGEND}"
        _draw(papers, position, status, term)


def _decide(session: Session, paper: Paper, *, save: bool) -> str:
    from papercli.store import dismissals, library

    # Written at once, under the same locks as `papers save` and `papers dismiss`.
    if save:
        library.add(session.store, [paper], [], session.now())
        return f"saved {paper.id}"
    dismissals.add(session.store, [paper], session.now())
    return f"dismissed {paper.id}"


def _open(paper: Paper) -> str:
    import webbrowser

    from papercli.models import abs_url

    url = abs_url(paper.id)
    return f"opened {url}" if webbrowser.open(url) else f"no browser found: {url}"


def _draw(papers: list[Paper], position: int, status: str, term: Terminal) -> None:
    out = sys.stdout
    out.write(CLEAR)
    out.write(f"{position + 1} of {len(papers)}    {LEGEND}\n")
    render_detail(papers[position], out, term)
    if status:
        out.write(status + "\n")
    out.flush()
