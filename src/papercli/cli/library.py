"""The reading list and papers as files: save, saved, unsave, export, open, download."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import emit, open_session, read_items, settings, terminal
from papercli.cli.options import (
    FIELDS_HELP,
    AllOpt,
    AuthorOpt,
    ExcludeOpt,
    FieldsOpt,
    Format,
    FormatOpt,
    JqOpt,
    KeywordOpt,
    OfflineOpt,
    PagerOpt,
    QuietOpt,
    TemplateOpt,
    TopicOpt,
    WhereOpt,
    choices,
    make_criteria,
    make_shaping,
)
from papercli.core import listing, lookup
from papercli.core.session import Session
from papercli.errors import StorageError, UsageError
from papercli.models import Paper
from papercli.query import filters
from papercli.store import library

IdsArg = Annotated[list[str], typer.Argument(metavar="ID...", help="arXiv ids, or - for stdin.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]


@root.command("save")
def save(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID...]", help="arXiv ids, or - for stdin.")
    ] = None,
    tag: TagOpt = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help="A BibTeX, RIS or CSL-JSON export."),
    ] = None,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Save papers to your reading list, with their full record (available offline).

    --from reads a Zotero or Mendeley export (BibTeX, RIS or CSL-JSON) and saves the arXiv
    papers in it, matched by eprint, arXiv URL or arXiv DOI; it says how many it matched and
    skipped, and needs no network.

    Examples:
      papers save 2606.13392 --tag to-read
      papers list -k diffusion --format ids | papers save - --tag diffusion
      papers save --from ~/Zotero/library.bib --tag zotero
    """
    config = settings()
    if bool(ids) == (from_file is not None):
        raise UsageError("give ids (or -) or --from FILE, not both and not neither")
    items = read_items(ids) if ids else []
    text = read_text(from_file) if from_file is not None else None
    term = terminal()
    with open_session(config, offline=offline, quiet=quiet, term=term) as session:
        if text is not None:  # --from FILE
            found, skipped, kind = lookup.from_library(session, text, str(from_file))
            session.info(
                f"{from_file} ({kind}): {len(found)} arXiv papers matched, {skipped} skipped"
            )
            outcome = listing.Outcome(papers=found)
        else:
            outcome = lookup.resolve(session, items)
        outcome.raise_if_empty()
        added = library.add(session.store, outcome.papers, tag or [], session.now())
        session.info(
            f"saved {added} new, {len(outcome.papers) - added} already saved"
            + (f" (tags: {', '.join(tag)})" if tag else "")
        )
    if outcome.failures:
        raise typer.Exit(int(outcome.failures[0].exit_code))


def read_text(path: Path) -> str:
    """A file the user named, as text; one clear line when it cannot be read."""
    try:
        return path.expanduser().read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"cannot read {path}: {reason}") from None


@root.command("saved", epilog=FIELDS_HELP)
def saved(
    tag: Annotated[str | None, typer.Option("--tag", help="Only this tag.")] = None,
    keyword: KeywordOpt = None,
    all_keywords: AllOpt = False,
    exclude: ExcludeOpt = None,
    where: WhereOpt = None,
    author: AuthorOpt = None,
    topic: TopicOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    jq: JqOpt = None,
    template: TemplateOpt = None,
    pager: PagerOpt = None,
) -> None:
    """Your reading list (oldest first), with the usual filters and formats.

    Each paper comes with its tags and when it was saved: table columns, and "tags" and
    "saved_at" keys (or trailing columns) in the machine formats.
    """
    config = settings()
    shaping = make_shaping(fmt, fields, jq, template)
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=None, types=None, min_upvotes=None, has_code=False,
        topics=topic,
    )  # fmt: skip
    criteria = criteria.with_changes(default_types=())  # saved on purpose: never hidden by type
    with open_session(config, offline=True) as session:
        entries = library.saved(session.store, tag)
    papers = filters.apply([e.paper for e in entries], criteria)
    from papercli.formats.table import Column

    extra = {e.paper.id: {"tags": list(e.tags), "saved_at": e.saved_at} for e in entries}
    columns = [
        Column("Tags", {e.paper.id: ", ".join(e.tags) for e in entries}, max_width=24),
        Column(
            "Saved",
            {e.paper.id: e.saved_at[:10] for e in entries},
            narrow={e.paper.id: short_day(e.saved_at[:10], entries) for e in entries},
        ),
    ]
    emit(
        papers, shaping.fmt, terminal(), pager=pager, shaping=shaping, extra=extra,
        columns=columns,
    )  # fmt: skip


def short_day(day: str, entries: list[library.Saved]) -> str:
    """``08-22`` when every paper was saved in one year, else the whole date."""
    return day[5:] if len({e.saved_at[:4] for e in entries}) == 1 else day


@root.command("unsave")
def unsave(ids: IdsArg) -> None:
    """Remove papers from your reading list."""
    config = settings()
    wanted = [item if isinstance(item, str) else item.id for item in read_items(ids)]
    with open_session(config, offline=True) as session:
        missing = library.remove(session.store, wanted)
        for paper_id in missing:
            session.warn(f"{paper_id} was not saved")
        session.info(f"removed {len(wanted) - len(missing)}")


# export also writes Markdown notes into a directory; the listing formats go to stdout.
ExportFormat = StrEnum("ExportFormat", {**{f.name: f.value for f in Format}, "note": "note"})


@root.command("export", epilog=FIELDS_HELP)
def export(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID...]", help="arXiv ids, or - for stdin.")
    ] = None,
    from_saved: Annotated[bool, typer.Option("--saved", help="Export the reading list.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="With --saved: only this tag.")] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{choices(ExportFormat)} (default: bibtex); note writes files to --dir.",
        ),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", "-d", help="With --format note: the notes folder (an Obsidian vault)."
        ),
    ] = None,
    fields: FieldsOpt = None,
    jq: JqOpt = None,
    template: TemplateOpt = None,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write papers in a format for other tools; BibTeX by default.

    --format note writes one Markdown note per paper into --dir, with YAML front matter
    (id, title, authors, published, tags from the reading list, url, pdf) and the abstract.
    Run it again and it updates those keys only: your other keys and what you wrote stay.

    Examples:
      papers export --saved > refs.bib
      papers export --saved --format ris > papers.ris
      papers export --saved --format note --dir ~/vault/papers
      papers list -k diffusion --format ids | papers export - -f csljson > refs.json
      papers today --format jsonl | jq -c 'select(.upvotes > 20)' | papers export - -f csv
    """
    config = settings()
    if tag is not None and not from_saved:
        raise UsageError("--tag needs --saved", hint=f"papers export --saved --tag {tag}")
    if from_saved == bool(ids):
        raise UsageError("give ids (or -) or --saved, not both and not neither")
    notes = fmt is not None and fmt.value == "note"
    if notes and directory is None:
        raise UsageError("--format note writes files: give the folder with --dir DIR")
    if directory is not None and not notes:
        raise UsageError("--dir is for --format note; other formats go to stdout")
    if notes and (fields or jq or template):
        raise UsageError("--fields, --jq and --template shape stdout, not notes")
    shaping = None
    if not notes:
        chosen_format = Format(fmt.value) if fmt else None
        if chosen_format is None and not (fields or jq or template):
            chosen_format = Format.bibtex
        shaping = make_shaping(chosen_format, fields, jq, template)
    term = terminal()
    with open_session(config, offline=offline, quiet=quiet, term=term) as session:
        # The reading list is read only when it is asked for: its tags are the notes' tags.
        saved_entries = library.saved(session.store) if from_saved or notes else []
        if from_saved:
            chosen = [e for e in saved_entries if tag is None or tag in e.tags]
            outcome = listing.Outcome(papers=[e.paper for e in chosen])
        else:
            outcome = lookup.resolve(session, read_items(ids or []))
        outcome.raise_if_empty()
        if directory is not None:
            tags = {e.paper.id: e.tags for e in saved_entries}
            _write_notes(session, directory, outcome.papers, tags)
    if shaping is not None:
        emit(outcome.papers, shaping.fmt, term, pager=False, shaping=shaping)
    if outcome.failures:
        raise typer.Exit(int(outcome.failures[0].exit_code))


def _write_notes(
    session: Session, directory: Path, papers: list[Paper], tags: dict[str, list[str]]
) -> None:
    from papercli.formats import notes
    from papercli.store.notes import write_notes

    result = write_notes(
        directory.expanduser(),
        papers,
        name=notes.note_name,
        render=lambda paper, text: notes.render_note(paper, tags.get(paper.id, []), text),
        claims=notes.is_note_of,
    )
    for path, reason in result.skipped:
        session.warn(f"skipped {path}: {reason}")
    counts = [
        f"{len(result.created)} created",
        f"{len(result.updated)} updated",
        f"{len(result.unchanged)} unchanged",
    ] + ([f"{len(result.skipped)} skipped"] if result.skipped else [])
    session.info(f"notes in {directory}: {', '.join(counts)}")
    if result.skipped:
        raise StorageError(f"{len(result.skipped)} note(s) in {directory} could not be updated")


@root.command("open")
def open_(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="arXiv id.")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="The PDF instead of the abstract page.")
    ] = False,
) -> None:
    """Open a paper's abstract page (or PDF) in your browser."""
    import webbrowser

    from papercli.models import abs_url, parse_id
    from papercli.models import pdf_url as pdf_link

    paper = parse_id(paper_id)[0]
    url = pdf_link(paper) if pdf else abs_url(paper)
    if not webbrowser.open(url):
        typer.echo(url)
        typer.echo("no browser found; the link is above", err=True)


@root.command("download")
def download(
    ids: IdsArg,
    directory: Annotated[
        Path,
        typer.Option(
            "--dir",
            "-d",
            show_default=False,
            help="Where to save (default: the current directory).",
        ),
    ] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Download again if present.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Save PDFs from arXiv, one at a time and arxiv_delay seconds apart, as arXiv asks.

    Examples:
      papers download 2606.13392 --dir ~/papers
      papers saved --tag to-read --format ids | papers download - -d ~/papers
    """
    config = settings()
    wanted = [item if isinstance(item, str) else item.id for item in read_items(ids)]
    term = terminal()
    with open_session(config, quiet=quiet, term=term) as session:
        from papercli.core.downloads import download as download_pdfs

        outcome = download_pdfs(session, list(dict.fromkeys(wanted)), directory, force=force)
    if outcome.failures:
        # Each failure was already reported as a warning; the exit code says one happened.
        raise typer.Exit(int(outcome.failures[0].exit_code))
