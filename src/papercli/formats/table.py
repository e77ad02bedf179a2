"""Tables on a terminal: the listing a reader scans, and the small label/value tables.

The listing keeps what people look for (votes, comments, code, when it was listed, the
category) and gives the title the room: at 80 columns authors shrink to "First Author
et al." and dates to ``06-12``. The listing is laid out by ``formats.cells`` (Rich's
console and table cost more than the rest of a cached command); the small grids still use
Rich, imported only when one is drawn. Upstream text is always ``sanitize``d first.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple, TextIO

from papercli.formats.cells import (
    PLAIN,
    Painter,
    Run,
    Style,
    cut,
    plain_of,
    screen_width,
    slice_runs,
    wrap,
)
from papercli.formats.cells import width as cell_width
from papercli.formats.escape import link_target
from papercli.formats.summary import authors_in, upvote_cell
from papercli.formats.terminal import Terminal, console
from papercli.models import Paper, abs_url, sanitize

NARROW = 100  # below this width: one author, short dates


class Column(NamedTuple):
    """A column a command adds to the listing table (``saved``: tags, saved date)."""

    heading: str
    cells: Mapping[str, str]  # paper id -> text
    max_width: int | None = None
    narrow: Mapping[str, str] | None = None  # shorter text below NARROW columns


def stars(count: int) -> str:
    """``★950``, ``★1.2k``: GitHub stars in a few characters, one word."""
    return f"★{count / 1000:.1f}k" if count >= 1000 else f"★{count}"


def category_cell(paper: Paper) -> tuple[str, bool]:
    """The primary category, else the source (and True when it is a source)."""
    category = paper.primary_category or (paper.categories[0] if paper.categories else "")
    if category:
        return sanitize(category), False
    return sanitize(", ".join(paper.sources)), True


def listed_cells(papers: Sequence[Paper], *, always: bool, wide: bool) -> dict[str, str] | None:
    """Listing dates, when they tell papers apart (or ``always``): ``06-12`` if one year."""
    days = {p.listed for p in papers if p.listed}
    if not days or (not always and len(days) == 1):
        return None
    short = not wide and len({day[:4] for day in days}) == 1
    return {p.id: sanitize((p.listed or "")[5 if short else 0 :]) for p in papers}


def limit_footer(shown: int, total: int | None) -> str | None:
    """``8 of 124 papers`` when --limit cut the listing; None when nothing was left out."""
    if total is None or total <= shown:
        return None
    return f"{shown} of {total} papers (--limit {shown})"


class _Spec:
    """One column of the listing before it is laid out: what it shows and how much it matters.

    ``rank``: the lowest goes first when the width runs out; ``right``: right-justified;
    ``wraps``: onto more lines, else cut with an ellipsis; ``width``: the room it takes (or,
    wrapping, at least needs); ``shrink_to``: how narrow it may get before a column goes.
    """

    __slots__ = (
        "cells", "heading", "max_width", "rank", "right", "shrink_to", "style", "width", "wraps",
    )  # fmt: skip

    def __init__(
        self,
        heading: str,
        cells: list[list[Run]],
        rank: int,
        style: Style = PLAIN,
        *,
        right: bool = False,
        wraps: bool = False,
        max_width: int | None = None,
        width: int = 0,
        shrink_to: int = 0,
    ) -> None:
        self.heading, self.cells, self.rank, self.style = heading, cells, rank, style
        self.right, self.wraps, self.max_width = right, wraps, max_width
        self.width, self.shrink_to = width, shrink_to


def _fit(specs: list[_Spec], width: int, gap: int) -> list[_Spec]:
    """The columns that fit in ``width``: shrink what may shrink, then drop the least important."""
    kept = list(specs)
    while True:
        excess = sum(s.width for s in kept) + gap * (len(kept) - 1) - width
        if excess <= 0 or len(kept) <= 2:
            return kept
        shrinkable = [s for s in kept if s.width > s.shrink_to > 0]
        if shrinkable:
            spec = min(shrinkable, key=lambda s: s.rank)
            spec.width -= min(excess, spec.width - spec.shrink_to)
            continue
        kept.remove(min(kept, key=lambda s: s.rank))


def _measure(spec: _Spec) -> int:
    longest = max([cell_width(spec.heading), *(cell_width(plain_of(c)) for c in spec.cells)])
    return min(longest, spec.max_width) if spec.max_width else longest


def _one(text: str, style: Style = PLAIN) -> list[Run]:
    return [(text, style)]


def render_table(
    papers: Sequence[Paper],
    out: TextIO,
    term: Terminal,
    *,
    why: dict[str, list[str]] | None = None,
    scores: dict[str, float] | None = None,
    listed: bool | None = None,
    columns: Sequence[Column] = (),
    footer: str | None = None,
    dimmed: Collection[str] = (),
) -> None:
    """The listing: upvotes, comments, id, title (a link, with a code marker), authors,
    category, and the listing date (``listed``: always; None: when days mix; False: never);
    ``dimmed`` rows (dismissed papers) are drawn dim.

    When the width runs out, the least important columns go first (comments, then the
    category, then the date when it is optional); the title always keeps 24 columns.
    """
    screen = screen_width(term.width)
    wide = screen >= NARROW
    authors_width = 18 if not wide else min(32, screen // 5)
    titles = []
    for paper in papers:
        title = _one(sanitize(paper.title), Style(link=abs_url(paper.id)))
        code = link_target(paper.github)
        if code:
            count = f" {stars(paper.github_stars)}" if paper.github_stars and wide else ""
            title += [(" ·", Style(("dim",))), (" code" + count, Style(color="green", link=code))]
        titles.append(title)
    specs = [
        _Spec("ID", [_one(p.id) for p in papers], 100, Style(color="cyan")),
        _Spec("Title", titles, 99, wraps=True, width=24),
        _Spec("▲", [_one(upvote_cell(p)) for p in papers], 90, Style(("bold",)), right=True),
        # Its cells are written once its width is known ("H. Zhang et al." needs 15).
        _Spec("Authors", [], 80, Style(("dim",)), width=authors_width, shrink_to=15),
    ]
    if scores is not None:
        cells = [_one(f"{scores.get(p.id, 0.0):.2f}") for p in papers]
        specs.append(_Spec("Score", cells, 85, right=True))
    dates = listed_cells(papers, always=bool(listed), wide=wide) if listed is not False else None
    if dates is not None:
        specs.append(_Spec("Listed", [_one(dates[p.id]) for p in papers], 75 if listed else 45))
    if why is not None:
        reasons = [_one(sanitize("; ".join(why.get(p.id, [])))) for p in papers]
        specs.append(
            _Spec("Why", reasons, 70, Style(color="green"), wraps=True, max_width=30, shrink_to=12)
        )
    for number, column in enumerate(columns):
        shown = column.narrow if column.narrow is not None and not wide else column.cells
        cells = [_one(sanitize(shown.get(p.id, ""))) for p in papers]
        specs.append(_Spec(column.heading, cells, 65 - number, max_width=column.max_width))
    categories = []
    for paper in papers:
        category, is_source = category_cell(paper)
        categories.append(_one(category, Style(("dim", "italic")) if is_source else PLAIN))
    specs.append(_Spec("Cat", categories, 50, Style(color="magenta"), max_width=10))
    if any(p.comments for p in papers):
        cells = [_one(str(p.comments or "")) for p in papers]
        specs.append(_Spec("Cmts", cells, 40, right=True))
    for spec in specs:
        if not spec.width:
            spec.width = _measure(spec)
    order = ["Score", "▲", "Cmts", "ID", "Title", "Authors", "Cat", "Listed"]
    gap = 3 if wide else 2
    kept = _fit(specs, screen, gap)
    kept.sort(key=lambda s: order.index(s.heading) if s.heading in order else len(order))
    # Every width is decided here: the title takes what the others leave.
    for spec in kept:
        if spec.heading == "Authors":
            spec.cells = [_one(authors_in(p, spec.width)) for p in papers]
    title = kept[[s.heading for s in kept].index("Title")]
    others = sum(spec.width for spec in kept if spec is not title)
    title.width = max(title.width, screen - others - gap * (len(kept) - 1))
    painter = Painter(styled=term.styled or term.stdout_tty, color=term.color, links=term.links)
    lines = [_line([[(s.heading, Style(("bold",)))] for s in kept], kept, gap, painter)]
    lines.append("─" * (sum(s.width for s in kept) + gap * (len(kept) - 1)))
    for row, paper in enumerate(papers):
        extra = ("dim",) if paper.id in dimmed else ()
        cells = [spec.cells[row] for spec in kept]
        lines.extend(_row(cells, kept, gap, painter, extra))
    if footer:
        lines.append(painter.paint(footer, Style(("dim",))))
    out.write("\n".join(lines) + "\n")


def _row(
    cells: list[list[Run]], specs: list[_Spec], gap: int, painter: Painter, extra: tuple[str, ...]
) -> list[str]:
    """The lines of one table row: wrapping cells spill onto more lines, others are cut."""
    laid: list[list[list[Run]]] = []
    for runs, spec in zip(cells, specs, strict=True):
        if painter.styled:
            runs = [(text, _merged(style, spec.style, extra)) for text, style in runs]
        text = plain_of(runs)
        if spec.wraps:
            laid.append([slice_runs(runs, a, b) for a, b in wrap(text, spec.width)])
        elif cell_width(text) > spec.width:
            laid.append([[(cut(text, spec.width), runs[0][1])]])
        else:
            laid.append([runs])
    height = max(len(parts) for parts in laid)
    return [
        _line([parts[n] if n < len(parts) else [] for parts in laid], specs, gap, painter)
        for n in range(height)
    ]


def _merged(cell: Style, column: Style, row: tuple[str, ...]) -> Style:
    """A run's own style over its column's, with the row's attributes (dim) added."""
    attributes = (*column.attributes, *row, *cell.attributes)
    return Style(attributes, cell.color or column.color, cell.link)


def _line(cells: list[list[Run]], specs: list[_Spec], gap: int, painter: Painter) -> str:
    """One line of the table, each cell padded to its column; no trailing spaces."""
    pieces = []
    for runs, spec in zip(cells, specs, strict=True):
        if len(runs) == 1:  # most cells: one run
            text, style = runs[0]
            room, drawn = spec.width - cell_width(text), painter.paint(text, style)
        else:
            room = spec.width - cell_width(plain_of(runs))
            drawn = "".join(painter.paint(text, style) for text, style in runs)
        pieces.append(" " * room + drawn if spec.right else drawn + " " * room)
    return (" " * gap).join(pieces).rstrip()


def render_grid(
    rows: Sequence[Sequence[str]],
    out: TextIO,
    term: Terminal,
    *,
    headings: Sequence[str],
    wrap: int | None = None,
    right: Sequence[int] = (),
) -> None:
    """A small table (topics and their counts): the column ``wrap`` wraps, the rest fit."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for number, heading in enumerate(headings):
        table.add_column(
            heading,
            no_wrap=number != wrap,
            overflow="fold" if number == wrap else "ellipsis",
            justify="right" if number in right else "left",
            ratio=1 if number == wrap else None,
        )
    for row in rows:
        table.add_row(*(Text(sanitize(cell)) for cell in row))
    console(out, term).print(table)


def aligned(rows: Sequence[tuple[str, str]]) -> str:
    """Label/value lines with the values in one column, for terminals and pipes alike."""
    width = max((len(label) for label, _ in rows), default=0)
    return "".join(f"{label:<{width}}  {sanitize(value)}\n" for label, value in rows)
