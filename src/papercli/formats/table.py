"""Tables on a terminal: the listing a reader scans, and the small label/value tables.

The listing keeps what people look for (votes, comments, code, when it was listed, the
category) and gives the title the room: at 80 columns authors shrink to "First Author
et al." and dates to ``06-12``. Upstream text reaches Rich only as ``Text`` after
``sanitize``; Rich is imported only when a table is drawn.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from papercli.formats.escape import link_target
from papercli.formats.summary import authors_in, upvote_cell
from papercli.formats.terminal import Terminal, console
from papercli.models import Paper, abs_url, sanitize

NARROW = 100  # below this width: one author, short dates


@dataclass(frozen=True, slots=True)
class Column:
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


@dataclass(slots=True)
class _Spec:
    """One column of the listing before it is laid out: what it shows and how much it matters."""

    heading: str
    cells: list[Any]
    rank: int  # the lowest rank goes first when the width runs out
    options: dict[str, Any] = field(default_factory=dict)
    width: int = 0  # the room it takes (no-wrap columns) or at least needs (wrapping ones)
    shrink_to: int = 0  # it may narrow down to this before any column is dropped


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


def _measure(spec: _Spec, cap: int | None = None) -> int:
    longest = max([len(spec.heading), *(len(str(cell)) for cell in spec.cells)])
    return min(longest, cap) if cap else longest


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
    from rich import box
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

    con = console(out, term)
    wide = con.width >= NARROW
    authors_width = 18 if not wide else min(32, con.width // 5)
    titles = []
    for paper in papers:
        url = abs_url(paper.id)
        title = Text(sanitize(paper.title), style=Style(link=url) if term.links else "")
        code = link_target(paper.github)
        if code:
            count = f" {stars(paper.github_stars)}" if paper.github_stars and wide else ""
            title.append(" ·", style="dim")
            title.append(
                " code" + count,
                style=Style(color="green", link=code if term.links else None),
            )
        titles.append(title)
    categories = [category_cell(p) for p in papers]
    right = {"justify": "right", "no_wrap": True}
    specs = [
        _Spec("ID", [p.id for p in papers], 100, {"no_wrap": True, "style": "cyan"}),
        _Spec("Title", titles, 99, {"min_width": 24, "overflow": "fold"}, width=24),
        _Spec("▲", [upvote_cell(p) for p in papers], 90, {**right, "style": "bold"}),
        # Its cells are written once its width is known ("H. Zhang et al." needs 15).
        _Spec(
            "Authors",
            [],
            80,
            {"overflow": "ellipsis", "no_wrap": True, "style": "dim"},
            width=authors_width,
            shrink_to=15,
        ),
    ]
    if scores is not None:
        specs.append(_Spec("Score", [f"{scores.get(p.id, 0.0):.2f}" for p in papers], 85, right))
    dates = listed_cells(papers, always=bool(listed), wide=wide) if listed is not False else None
    if dates is not None:
        specs.append(
            _Spec("Listed", [dates[p.id] for p in papers], 75 if listed else 45, {"no_wrap": True})
        )
    if why is not None:
        reasons = [Text(sanitize("; ".join(why.get(p.id, [])))) for p in papers]
        specs.append(
            _Spec("Why", reasons, 70, {"max_width": 30, "overflow": "fold", "style": "green"}, 12)
        )
    for number, column in enumerate(columns):
        shown = column.narrow if column.narrow is not None and not wide else column.cells
        cells = [Text(sanitize(shown.get(p.id, ""))) for p in papers]
        options = {"max_width": column.max_width, "overflow": "ellipsis", "no_wrap": True}
        specs.append(_Spec(column.heading, cells, 65 - number, options))
    specs.append(
        _Spec(
            "Cat",
            [Text(c, style="dim italic" if is_source else "") for c, is_source in categories],
            50,
            {"no_wrap": True, "style": "magenta", "max_width": 10, "overflow": "ellipsis"},
        )
    )
    if any(p.comments for p in papers):
        specs.append(_Spec("Cmts", [str(p.comments or "") for p in papers], 40, right))
    for spec in specs:
        if not spec.width:
            spec.width = _measure(spec, spec.options.get("max_width"))
    order = ["Score", "▲", "Cmts", "ID", "Title", "Authors", "Cat", "Listed"]
    gap = 3 if wide else 2
    kept = _fit(specs, con.width, gap)
    kept.sort(key=lambda s: order.index(s.heading) if s.heading in order else len(order))
    # Every width is decided here, so Rich never squeezes a date or a tag to fit: the
    # title takes what the others leave.
    for spec in kept:
        if spec.heading == "Authors":
            spec.cells = [Text(authors_in(p, spec.width)) for p in papers]
    title = kept[[s.heading for s in kept].index("Title")]
    others = sum(spec.width for spec in kept if spec is not title)
    title.width = max(title.width, con.width - others - gap * (len(kept) - 1))
    for spec in kept:
        spec.options["width"] = spec.width
    # Columns are the box's one-space separator plus padding apart: two spaces narrow, three
    # wide (the edges are never padded).
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
        padding=(0, 1, 0, 1) if wide else (0, 1, 0, 0),
    )  # fmt: skip
    for spec in kept:
        table.add_column(spec.heading, **spec.options)
    for paper, row in zip(papers, zip(*(spec.cells for spec in kept), strict=True), strict=True):
        table.add_row(*row, style="dim" if paper.id in dimmed else None)
    con.print(table)
    if footer:
        con.print(Text(footer, style="dim"))


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
