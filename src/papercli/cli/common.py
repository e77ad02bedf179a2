"""What the commands share: option types, settings and session set-up, output selection."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, TextIO

import typer

from papercli.config import Settings, load_settings
from papercli.core.session import Session
from papercli.errors import UsageError
from papercli.formats.terminal import Terminal, write_message
from papercli.models import CATEGORY_RE, Paper
from papercli.query import filters


class Format(StrEnum):
    """Output formats of the listing commands."""

    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    ids = "ids"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"
    bibtex = "bibtex"
    html = "html"
    atom = "atom"
    summary = "summary"


class SortKey(StrEnum):
    """Orders of a listing."""

    upvotes = "upvotes"
    date = "date"
    title = "title"
    id = "id"
    relevance = "relevance"


class SourceChoice(StrEnum):
    """Upstream sources."""

    hf = "hf"
    arxiv = "arxiv"


class AnnounceType(StrEnum):
    """arXiv announcement types."""

    new = "new"
    cross = "cross"
    replace = "replace"
    replace_cross = "replace-cross"


KeywordOpt = Annotated[
    list[str] | None,
    typer.Option("--keyword", "-k", help='Keyword or "quoted phrase" (repeatable; any matches).'),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Require every -k keyword, not any.")]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", "-x", help="Drop papers with this word.")
]
WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where", "-w", help="Filter expression, e.g. 'ti:\"diffusion\" AND upvotes>=10'."
    ),
]
AuthorOpt = Annotated[
    list[str] | None, typer.Option("--author", "-a", help="Author name (accents optional).")
]
TypeOpt = Annotated[
    list[AnnounceType] | None,
    typer.Option("--type", "-t", help="arXiv announcement type (default from the config)."),
]
MinUpvotesOpt = Annotated[int | None, typer.Option("--min-upvotes", min=0, help="At least N.")]
HasCodeOpt = Annotated[bool, typer.Option("--has-code", help="Only papers with a code link.")]
TopicOpt = Annotated[
    list[str] | None, typer.Option("--topic", "-T", help="A topic from the config (repeatable).")
]
PagerOpt = Annotated[
    bool | None,
    typer.Option(
        "--pager/--no-pager", help="Page long tables (default: when taller than the screen)."
    ),
]
WhyOpt = Annotated[bool, typer.Option("--why", help="Show which keywords and topics matched.")]


def make_criteria(
    config: Settings,
    *,
    keywords: list[str] | None,
    all_keywords: bool,
    exclude: list[str] | None,
    where: str | None,
    authors: list[str] | None,
    categories: list[str] | None,
    types: list[AnnounceType] | None,
    min_upvotes: int | None,
    has_code: bool,
    topics: list[str] | None,
) -> filters.Criteria:
    """Criteria from the filter options; unknown topics are a usage error."""
    chosen = []
    for name in topics or ():
        if name not in config.topics:
            known = ", ".join(sorted(config.topics)) or "none configured"
            raise UsageError(f"unknown topic {name!r} (topics: {known})")
        chosen.append(config.topics[name])
    return filters.Criteria(
        keywords=tuple(keywords or ()),
        all_keywords=all_keywords,
        exclude=tuple(exclude or ()),
        where=where,
        authors=tuple(authors or ()),
        categories=tuple(categories or ()),
        types=tuple(t.value for t in types or ()),
        default_types=tuple(config["sources.arxiv_announce_types"]),
        min_upvotes=min_upvotes,
        has_code=has_code,
        topics=tuple(chosen),
    )


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", help="Output format; default: table on a terminal, plain in a pipe."
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never open a network connection; use the cache.")
]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Fetch again even if cached.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or info lines on stderr (errors stay).")
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category", "-c", help="arXiv category to follow and keep (repeatable), e.g. cs.CL."
    ),
]
SourceOpt = Annotated[
    list[SourceChoice] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="Show at most N papers.")
]
SortOpt = Annotated[SortKey, typer.Option("--sort", help="Order of the listing.")]
DateOpt = Annotated[str | None, typer.Option("--date", "-d", help="One day, week or month.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="First day (date, 7d, 2w...).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Last day (default: today).")]
DaysOpt = Annotated[int | None, typer.Option("--days", help="The last N days.")]


# Global options of this invocation, set by the app callback before any command runs.
GLOBAL_OPTIONS: dict[str, str] = {"color": "auto"}


def terminal() -> Terminal:
    """Is stdout/stderr a terminal, and may we colour (``--color``, ``NO_COLOR``)."""
    out_tty = sys.stdout.isatty()
    err_tty = sys.stderr.isatty()
    choice = GLOBAL_OPTIONS["color"]
    no_color = bool(os.environ.get("NO_COLOR"))
    if choice == "always":
        color, err_color = True, True
    elif choice == "never":
        color, err_color = False, False
    else:
        color, err_color = out_tty and not no_color, err_tty and not no_color
    return Terminal(
        stdout_tty=out_tty,
        stderr_tty=err_tty,
        styled=out_tty or choice == "always",
        color=color,
        err_color=err_color,
    )


def now() -> datetime:
    """The current time; ``PAPERS_NOW`` (ISO 8601) pretends another, to reproduce a run."""
    fake = os.environ.get("PAPERS_NOW")
    if not fake:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(fake)
    except ValueError:
        raise UsageError(f"PAPERS_NOW is not an ISO 8601 time: {fake!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def today_local() -> date:
    """The user's calendar day, for date arguments like ``today`` and ``7d``."""
    return now().astimezone().date()


def settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The effective settings; a bad config raises ConfigError (exit 3)."""
    config = load_settings(overrides)
    for warning in config.warnings:
        write_message(sys.stderr, "warning", warning, color=terminal().err_color)
    return config


class _Bar:
    """A Rich progress bar on stderr, started on first use."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __call__(self, task: str, done: int, total: int) -> None:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
        if task not in self._tasks:
            self._tasks[task] = self._progress.add_task(task, total=total)
        self._progress.update(self._tasks[task], completed=done, total=total)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def open_session(
    config: Settings,
    *,
    offline: bool = False,
    refresh: bool = False,
    quiet: bool = False,
    term: Terminal | None = None,
) -> Iterator[Session]:
    """A session whose notices reach stderr when it ends (also when it fails)."""
    term = term or terminal()
    bar = _Bar() if term.stderr_tty and not quiet else None
    session = Session.create(config, offline=offline, refresh=refresh, now=now)
    if bar is not None:
        session.progress = bar
    try:
        yield session
    finally:
        if bar is not None:
            bar.stop()
        session.close()
        flush_notices(session, quiet=quiet, term=term)


def flush_notices(session: Session, *, quiet: bool, term: Terminal) -> None:
    """Print collected notices on stderr (info lines only without --quiet)."""
    for notice in session.notices:
        if notice.level == "info" and quiet:
            continue
        write_message(sys.stderr, notice.level, notice.text, color=term.err_color)
    session.notices.clear()


def choose_sources(
    config: Settings, sources: Sequence[SourceChoice] | None, categories: Sequence[str] | None
) -> tuple[bool, list[str]]:
    """Which sources a command reads: (HF on?, arXiv categories)."""
    for category in categories or ():
        if not CATEGORY_RE.fullmatch(category):
            raise UsageError(f"not an arXiv category: {category!r}", hint="e.g. cs.CL, math.AG")
    cats = list(dict.fromkeys(categories or config.categories))
    if sources:
        wanted = {s.value for s in sources}
        hf = "hf" in wanted
        if "arxiv" in wanted and not cats:
            raise UsageError(
                "arXiv needs categories",
                hint="pass --category cs.CL or set sources.arxiv_categories in the config",
            )
        return hf, cats if "arxiv" in wanted else []
    return bool(config["sources.hf"]), cats


def emit(
    papers: Sequence[Paper],
    fmt: Format | None,
    term: Terminal,
    *,
    why: dict[str, list[str]] | None = None,
    scores: dict[str, float] | None = None,
    pager: bool | None = None,
) -> None:
    """Write papers to stdout in the chosen format (a table only on request or a terminal).

    ``scores`` and ``why`` become table columns, and ``score`` / ``matched`` keys in JSON.
    Tables and cards taller than the terminal go through the pager unless ``pager`` is False.
    """
    from papercli.formats.terminal import render_summary, render_table, write_paged
    from papercli.formats.writers import WRITERS

    chosen = fmt or (Format.table if term.stdout_tty else Format.plain)
    if chosen in (Format.table, Format.summary):

        def draw(out: TextIO, width: int | None) -> None:
            shown = term._replace(width=width) if width else term
            if chosen is Format.table:
                render_table(papers, out, shown, why=why, scores=scores)
            else:
                render_summary(papers, out, shown)

        write_paged(draw, sys.stdout, term, pager=pager)
    else:
        extra: dict[str, dict[str, object]] = {}
        for paper in papers:
            record: dict[str, object] = {}
            if scores is not None:
                record["score"] = round(scores.get(paper.id, 0.0), 4)
            if why is not None:
                record["matched"] = why.get(paper.id, [])
            extra[paper.id] = record
        WRITERS[chosen.value](papers, sys.stdout, extra)
    sys.stdout.flush()


def read_items(args: Sequence[str]) -> list[str | Paper]:
    """Ids from the arguments; ``-`` reads ids or JSONL records from stdin, one per line.

    A stdin line that starts with ``{`` is a Paper record (as ``--format jsonl`` writes);
    any other line contributes its first field, so ``--format plain`` and ``ids`` both pipe.
    """
    from papercli.models import parse_id

    items: list[str | Paper] = []
    for arg in args:
        if arg != "-":
            items.append(parse_id(arg)[0])
            continue
        for number, line in enumerate(sys.stdin, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if text.startswith("{"):
                try:
                    items.append(Paper.from_dict(json.loads(text)))
                except (ValueError, KeyError, TypeError) as exc:
                    raise UsageError(f"stdin line {number}: not a paper record ({exc})") from None
            else:
                try:
                    items.append(parse_id(text.split()[0])[0])
                except UsageError as exc:
                    raise UsageError(f"stdin line {number}: {exc.message}") from None
    if not items:
        raise UsageError("no paper ids given", hint="pass ids, or - to read them from stdin")
    return items
