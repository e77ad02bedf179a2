"""``papers zotero push|pull``: papers into a running Zotero, and its library into the list."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from papercli.cli import root
from papercli.cli.common import open_session, read_items, settings, terminal
from papercli.cli.options import QuietOpt
from papercli.errors import UsageError

if TYPE_CHECKING:
    from papercli.models import Paper

zotero_app = typer.Typer(
    help="Zotero on this computer: push papers into it, pull its library into the reading list.",
    no_args_is_help=True,
)
root.group("zotero", zotero_app)


@zotero_app.command("push")
def push(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID...]", help="arXiv ids, or - for stdin.")
    ] = None,
    from_saved: Annotated[bool, typer.Option("--saved", help="Push the reading list.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="With --saved: only this tag.")] = None,
    add_tag: Annotated[
        list[str] | None, typer.Option("--add-tag", help="Tag the items in Zotero (repeatable).")
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Push papers an earlier push already added.")
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Add papers to the Zotero app through its connector (as the browser extension does).

    Each becomes a preprint with its arXiv id, DOI, abstract, authors, a link to the PDF,
    and as tags its arXiv categories, its reading-list tags and any --add-tag. Papers pushed
    before are skipped (--again to push them anyway). Zotero must be running; otherwise one
    line says how to start it or import a file instead (exit 4).

    Examples:
      papers zotero push 2606.13392 --add-tag to-read
      papers zotero push --saved --tag thesis
      papers list -k diffusion --format ids | papers zotero push -
    """
    from papercli.core import lookup
    from papercli.core.zotero import push as push_papers
    from papercli.store import library

    config = settings()
    if from_saved == bool(ids):
        raise UsageError("give ids (or -) or --saved, not both and not neither")
    if tag is not None and not from_saved:
        raise UsageError("--tag chooses from the reading list: use it with --saved")
    term = terminal()
    with open_session(config, quiet=quiet, term=term) as session:
        saved = {s.paper.id: s for s in library.saved(session.store)}
        if from_saved:
            papers = [s.paper for s in saved.values() if tag is None or tag in s.tags]
            if not papers:
                raise UsageError(
                    "nothing in the reading list" + (f" tagged {tag!r}" if tag else "")
                )
            failures = []
        else:
            outcome = lookup.resolve(session, read_items(ids or []))
            outcome.raise_if_empty()
            papers, failures = outcome.papers, outcome.failures

        def tags_of(paper: Paper) -> list[str]:
            mine = saved[paper.id].tags if paper.id in saved else []
            return [*paper.categories, *mine, *(add_tag or [])]

        done = push_papers(session, papers, tags_of, again=again)
        parts = [f"added {len(done.saved)} to Zotero"]
        if done.repeated:
            parts.append(f"{len(done.repeated)} Zotero already had from an interrupted push")
        if done.already:
            parts.append(f"skipped {len(done.already)} pushed before (--again to push them)")
        session.info("; ".join(parts))
        for paper_id in done.saved + done.repeated:
            sys.stdout.write(paper_id + "\n")
    if failures:
        raise typer.Exit(int(failures[0].exit_code))


@zotero_app.command("pull")
def pull(
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag them in the reading list [zotero].")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the ids; save nothing.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Seed the reading list with the arXiv papers of your Zotero library (read-only).

    Reads the library through Zotero's local API (Zotero must be running, with Settings >
    Advanced > "Allow other applications on this computer to communicate with Zotero"),
    finds each item's arXiv id (archive id, URL, DOI or Extra), and saves those papers with
    their full records. Prints the ids on stdout.

    Examples:
      papers zotero pull
      papers zotero pull --dry-run | wc -l
    """
    from papercli.core import lookup
    from papercli.core.zotero import read_library
    from papercli.store import library

    config = settings()
    term = terminal()
    failures = []
    with open_session(config, quiet=quiet, term=term) as session:
        found = read_library(session)
        skipped = f"; {found.without_id} without an arXiv id" if found.without_id else ""
        session.info(f"Zotero: {found.items} items, {len(found.ids)} arXiv papers{skipped}")
        if found.ids and not dry_run:
            outcome = lookup.resolve(session, found.ids)
            failures = outcome.failures
            added = library.add(session.store, outcome.papers, tag or ["zotero"], session.now())
            session.info(f"saved {added} new, {len(outcome.papers) - added} already saved")
        sys.stdout.writelines(f"{paper_id}\n" for paper_id in found.ids)
    if failures:
        raise typer.Exit(int(failures[0].exit_code))
