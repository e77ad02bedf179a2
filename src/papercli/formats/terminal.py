"""Everything shown to people: Rich tables and cards on stdout, notices and errors on stderr.

Upstream text reaches Rich only as ``Text`` objects (never parsed as markup) and after
``sanitize``; machine formats live in the other ``formats`` modules. Rich is imported only
when a table or card is drawn, so piped output starts faster.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, TextIO

from papercli.checks import valid_link
from papercli.errors import ExpressionError, PaperCliError
from papercli.models import Paper, abs_url, pdf_url, sanitize

if TYPE_CHECKING:
    from rich.console import Console

_ANSI = {"info": "", "warning": "\x1b[33m", "error": "\x1b[1;31m", "hint": "\x1b[36m"}
_LABEL = {"info": "", "warning": "Warning: ", "error": "Error: ", "hint": "Hint: "}


class Terminal(NamedTuple):
    """What this run's stdout and stderr are: terminals or pipes, and whether to colour."""

    stdout_tty: bool = False  # a real terminal: tables by default, and a pager for long ones
    stderr_tty: bool = False
    styled: bool = False  # let Rich draw for a terminal (also --color always in a pipe)
    color: bool = False
    err_color: bool = False
    width: int | None = None
    links: bool = True


def write_message(err: TextIO, level: str, text: str, *, color: bool) -> None:
    """One line on stderr: info, ``Warning:``, ``Error:`` or ``Hint:``."""
    line = _LABEL[level] + sanitize(text)
    if color and _ANSI[level]:
        line = f"{_ANSI[level]}{line}\x1b[0m"
    err.write(line + "\n")
    err.flush()


def write_error(err: TextIO, exc: PaperCliError, *, color: bool) -> None:
    """The one place a PaperCliError becomes text: ``Error:`` line, caret, ``Hint:``."""
    write_message(err, "error", exc.message, color=color)
    if isinstance(exc, ExpressionError):
        for line in exc.caret_lines():
            err.write(sanitize(line) + "\n")
    if exc.hint:
        write_message(err, "hint", exc.hint, color=color)


def write_paged(
    draw: Callable[[TextIO, int | None], None],
    out: TextIO,
    term: Terminal,
    *,
    pager: bool | None,
    header: Sequence[str] = (),
) -> None:
    """Draw to ``out``, through $PAGER (less -RFX) when on a terminal and taller than it.

    ``header`` lines (which day each source shows) were already printed on stderr, where
    the pager's first screen would scroll them away: a paged text repeats them on top.
    """
    if not term.stdout_tty or pager is False:
        draw(out, None)
        return
    import io
    import os
    import shlex
    import shutil
    import subprocess

    size = shutil.get_terminal_size()
    buffer = io.StringIO()
    draw(buffer, term.width or size.columns)
    text = buffer.getvalue()
    if pager is not True and text.count("\n") < size.lines - 1:
        out.write(text)
        return
    if header:
        text = "".join(sanitize(line) + "\n" for line in header) + "\n" + text
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit if one screen, keep colours, do not clear
    command = shlex.split(env.get("PAGER") or "less")
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env, text=True)
    except OSError:
        out.write(text)
        return
    try:
        assert process.stdin is not None
        process.stdin.write(text)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the user quit the pager early
    process.wait()


def console(out: TextIO, term: Terminal) -> Console:
    """A Rich console over ``out`` that never interprets markup or guesses highlights."""
    from rich.console import Console

    class QuietPipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 here; a reader that went away (`| head`) is no error, and the
            # CLI's one handler for it exits 0.
            self.quiet = True
            raise BrokenPipeError

    return QuietPipeConsole(
        file=out,
        force_terminal=term.styled or term.stdout_tty,
        no_color=not term.color,
        color_system="auto" if term.color else None,
        highlight=False,
        markup=False,
        emoji=False,
        width=term.width,
        soft_wrap=False,
    )


def detail_lines(paper: Paper) -> list[tuple[str, str]]:
    """Label/value pairs of one paper in full, shared by the card and the plain text."""
    # Imported here: the messages above are on every run's path, the cards are not.
    from papercli.formats.summary import count_noun, upvote_cell

    rows = [("Authors", ", ".join(paper.authors))]
    dates = []
    if paper.listed:
        dates.append(f"listed {paper.listed}")
    if paper.published:
        dates.append(f"published {paper.published}")
    rows.append(("Dates", ", ".join(dates)))
    if paper.categories:
        cats = [f"{c} (primary)" if c == paper.primary_category else c for c in paper.categories]
        rows.append(("Categories", ", ".join(cats)))
    if paper.announce_type:
        rows.append(("Announced", paper.announce_type))
    social = []
    if paper.upvotes is not None:
        noun = "upvote" if paper.upvotes == 1 else "upvotes"
        social.append(f"{upvote_cell(paper)} {noun}")
    if paper.comments is not None:
        social.append(count_noun(paper.comments, "comment"))
    if social:
        rows.append(("On HF", ", ".join(social)))
    if paper.organization:
        rows.append(("Organization", paper.organization))
    if paper.keywords:
        rows.append(("Keywords", ", ".join(paper.keywords)))
    if paper.arxiv_comment:
        rows.append(("Comment", paper.arxiv_comment))
    if paper.journal_ref:
        rows.append(("Journal", paper.journal_ref))
    rows.append(("Abstract page", abs_url(paper.id)))
    rows.append(("PDF", pdf_url(paper.id)))
    if paper.doi:
        from papercli.formats.escape import doi_url

        rows.append(("DOI", doi_url(paper.doi)))
    if valid_link(paper.github):
        stars = (
            f" ({count_noun(paper.github_stars, 'star')})" if paper.github_stars is not None else ""
        )
        rows.append(("Code", f"{paper.github}{stars}"))
    if valid_link(paper.project_page):
        rows.append(("Project", paper.project_page))
    rows.append(("Sources", ", ".join(paper.sources)))
    return [(label, sanitize(value)) for label, value in rows if value]


def write_detail_text(paper: Paper, out: TextIO, width: int = 80) -> None:
    """One paper as plain text, wrapped at ``width``."""
    version = f"v{paper.version}" if paper.version else ""
    out.write(f"{paper.id}{version}  {sanitize(paper.title)}\n\n")
    for label, value in detail_lines(paper):
        wrapped = textwrap.wrap(value, width - 15) or [""]
        out.write(f"{label + ':':<14} {wrapped[0]}\n")
        for line in wrapped[1:]:
            out.write(" " * 15 + line + "\n")
    for heading, body in (("AI summary", paper.ai_summary), ("Abstract", paper.abstract)):
        if body:
            out.write(f"\n{heading}\n")
            out.write(
                textwrap.fill(sanitize(body), width, initial_indent="  ", subsequent_indent="  ")
            )
            out.write("\n")


def render_detail(paper: Paper, out: TextIO, term: Terminal) -> None:
    """One paper as a Rich card."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    from papercli.formats.escape import link_target

    for label, value in detail_lines(paper):
        link = link_target(value.split(" ")[0]) if term.links else None
        style = Style(link=link) if link else ""
        grid.add_row(label, Text(value, style=style))
    # The full title opens the body, where it wraps; the border has room for the id only.
    parts: list[object] = [Text(sanitize(paper.title), style="bold"), Text(""), grid]
    for heading, body in (("AI summary", paper.ai_summary), ("Abstract", paper.abstract)):
        if body:
            parts.append(Text(""))
            parts.append(Text(heading, style="bold underline"))
            parts.append(Text(sanitize(body)))
    version = f"v{paper.version}" if paper.version else ""
    title = Text(f"{paper.id}{version}", style="cyan")
    console(out, term).print(Panel(Group(*parts), title=title, title_align="left"))


def render_summary(
    papers: Sequence[Paper], out: TextIO, term: Terminal, *, footer: str | None = None
) -> None:
    """One Rich panel per paper: the terminal's version of a card on the HF papers page."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.style import Style
    from rich.text import Text

    from papercli.formats.escape import link_target
    from papercli.formats.summary import count_noun, short_authors, summarize, upvote_cell

    con = console(out, term)
    for paper in papers:
        url = abs_url(paper.id)
        title = Text(
            sanitize(paper.title), style=Style(bold=True, link=url if term.links else None)
        )
        facts = [short_authors(paper, 4)]
        if paper.listed:
            facts.append(f"listed {paper.listed}")
        if paper.upvotes is not None:
            facts.append(f"▲ {upvote_cell(paper)}")
        if paper.comments:
            facts.append(count_noun(paper.comments, "comment"))
        if paper.primary_category:
            facts.append(sanitize(paper.primary_category))
        links = Text()
        for label, target in (
            ("abs", url),
            ("pdf", pdf_url(paper.id)),
            ("code", link_target(paper.github)),
            ("project", link_target(paper.project_page)),
        ):
            if target:
                links.append(label, style=Style(color="cyan", link=target if term.links else None))
                links.append("  ")
        body = Group(
            title,
            Text(" · ".join(facts), style="dim"),
            Text(sanitize(summarize(paper))),
            links,
        )
        con.print(Panel(body, title=Text(paper.id, style="cyan"), title_align="left"))
    if footer:
        con.print(Text(footer, style="dim"))


def render_markdown(text: str, out: TextIO, term: Terminal) -> None:
    """Markdown (papercli's own, its upstream text already escaped) drawn by Rich."""
    from rich.markdown import Markdown

    console(out, term).print(Markdown(text, hyperlinks=term.links))
