"""What the commands share: the terminal, the clock, settings and sessions, and output."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TextIO

from papercli.cli.options import Format, Shaping
from papercli.config import Settings, load_settings
from papercli.core.session import Session
from papercli.errors import PaperCliError, UsageError
from papercli.formats.terminal import Terminal, write_message
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.formats.table import Column

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


def current_day() -> date:
    """The day date arguments like ``today`` and ``7d`` count from: the current UTC day."""
    from papercli.query import dates

    return dates.current_day(now())


def settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The effective settings; a bad config raises ConfigError (exit 3)."""
    config = load_settings(overrides)
    for warning in config.warnings:
        write_message(sys.stderr, "warning", warning, color=terminal().err_color)
    return config


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
    session = Session.create(config, offline=offline, refresh=refresh, now=now)
    feedback = None
    if term.stderr_tty and not quiet:
        from papercli.cli.feedback import Feedback

        feedback = Feedback()
        session.progress = feedback.progress
        session.waiting = feedback.wait

    def live(text: str) -> None:
        if not quiet and not (feedback is not None and feedback.say(text)):
            write_message(sys.stderr, "info", text, color=term.err_color)

    session.live = live
    try:
        yield session
    finally:
        if feedback is not None:
            feedback.stop()
        session.close()
        flush_notices(session, quiet=quiet, term=term)


def flush_notices(session: Session, *, quiet: bool, term: Terminal) -> None:
    """Print collected notices on stderr (info lines only without --quiet)."""
    for notice in session.notices:
        if notice.level == "info" and quiet:
            continue
        write_message(sys.stderr, notice.level, notice.text, color=term.err_color)
        session.shown.append(notice)
    session.notices.clear()


def emit(
    papers: Sequence[Paper],
    fmt: Format | None,
    term: Terminal,
    *,
    why: dict[str, list[str]] | None = None,
    scores: dict[str, float] | None = None,
    pager: bool | None = None,
    shaping: Shaping | None = None,
    total: int | None = None,
    notes: Sequence[str] = (),
    listed: bool = False,
    extra: Mapping[str, Mapping[str, object]] | None = None,
    columns: Sequence[Column] = (),
    dimmed: Collection[str] = (),
) -> None:
    """Write papers to stdout in the chosen format (a table only on request or a terminal).

    ``scores`` and ``why`` become table columns, and ``score`` / ``matched`` keys in JSON;
    ``extra`` keys (``tags``, ``saved_at``) go to the machine formats and ``columns`` to the
    table. Tables and cards taller than the terminal go through the pager unless ``pager``
    is False, with ``notes`` (which day each source shows) on top. ``total`` is how many
    papers there were before --limit: the table says "8 of 124 papers".
    ``shaping`` (from ``make_shaping``) overrides ``fmt`` and adds --fields, --jq, --template.
    ``dimmed`` papers (dismissed ones) are drawn dim in tables.
    """
    shaping = shaping or Shaping(fmt)
    chosen = chosen_format(shaping, term)
    if shaping.template is None and chosen in (Format.table, Format.summary):
        from papercli.formats.table import limit_footer, render_table
        from papercli.formats.terminal import render_summary, write_paged

        footer = limit_footer(len(papers), total)

        def draw(out: TextIO, width: int | None) -> None:
            shown = term._replace(width=width) if width else term
            if chosen is Format.table:
                render_table(
                    papers, out, shown, why=why, scores=scores, listed=listed,
                    columns=columns, footer=footer, dimmed=dimmed,
                )  # fmt: skip
            else:
                render_summary(papers, out, shown, footer=footer)

        write_paged(draw, sys.stdout, term, pager=pager, header=notes)
    else:
        _write_records(papers, chosen, shaping, _extras(papers, why, scores, extra))
    sys.stdout.flush()


def chosen_format(shaping: Shaping, term: Terminal) -> Format:
    """The format a listing is written in: ``--format``, else a table on a terminal and
    plain text in a pipe."""
    return shaping.fmt or (Format.table if term.stdout_tty else Format.plain)


def hidden(session: Session) -> frozenset[str]:
    """The dismissed papers' ids (tables draw them dim); none when the file is unreadable."""
    from papercli.store import dismissals

    try:
        return frozenset(dismissals.dismissed_ids(session.store))
    except PaperCliError as exc:
        session.warn(str(exc))
        return frozenset()


def _extras(
    papers: Sequence[Paper],
    why: dict[str, list[str]] | None,
    scores: dict[str, float] | None,
    added: Mapping[str, Mapping[str, object]] | None,
) -> dict[str, dict[str, object]]:
    extra: dict[str, dict[str, object]] = {}
    if why is None and scores is None and not added:
        return extra  # nothing to add: a streamed listing is not read an extra time
    for paper in papers:
        record: dict[str, object] = {}
        if scores is not None:
            record["score"] = round(scores.get(paper.id, 0.0), 4)
        if why is not None:
            record["matched"] = why.get(paper.id, [])
        record.update((added or {}).get(paper.id, {}))
        extra[paper.id] = record
    return extra


def _write_records(
    papers: Sequence[Paper], chosen: Format, shaping: Shaping, extra: dict[str, dict[str, object]]
) -> None:
    if shaping.template is not None:
        from papercli.formats.records import record
        from papercli.formats.template import render_lines

        sys.stdout.writelines(render_lines(shaping.template, (record(p, extra) for p in papers)))
    elif shaping.jq is not None:
        import io

        from papercli.formats.jqfilter import run_jq
        from papercli.formats.records import write_json

        document = io.StringIO()
        write_json(papers, document, extra, shaping.fields)
        sys.stdout.write(run_jq(shaping.jq, document.getvalue()))
    elif chosen is Format.atom and shaping.fields is None:
        from papercli.config import load_settings
        from papercli.formats.atom import self_link, write_atom

        # Only a configured feed URL says where a feed on stdout will live.
        link = self_link(load_settings()["feeds.base_url"], None)
        write_atom(papers, sys.stdout, extra, updated=now(), link=link)
    else:
        from papercli.formats.writers import write

        write(chosen.value, papers, sys.stdout, extra, shaping.fields)


def shown_notes(session: Session) -> list[str]:
    """The info lines a session printed (which day each source shows), for a pager header."""
    return [notice.text for notice in session.shown if notice.level == "info"]


ARXIV_HINT = (
    "arXiv is off: follow some categories with "
    "`papers config set sources.arxiv_categories cs.CL,cs.LG`"
)


def hint_arxiv_off(config: Settings, term: Terminal, *, asked: bool, quiet: bool) -> None:
    """On a terminal, say once per run how to turn arXiv on, until the user sets the key.

    ``asked``: the command line already chose sources or categories, so it knows.
    """
    if asked or quiet or not term.stderr_tty or config.categories:
        return
    if config.origins.get("sources.arxiv_categories", "default") != "default":
        return  # set on purpose, even to nothing: the user knows
    write_message(sys.stderr, "hint", ARXIV_HINT, color=term.err_color)


def read_items(args: Sequence[str]) -> list[str | Paper]:
    """Ids from the arguments; ``-`` reads ids or JSONL records from stdin, one per line.

    A stdin line that starts with ``{`` is a Paper record (as ``--format jsonl`` writes);
    any other line contributes its first field, so ``--format plain`` and ``ids`` both pipe.
    """
    from papercli.models import parse_id
    from papercli.store.files import load_json

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
                    items.append(Paper.from_dict(load_json(text)))
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
