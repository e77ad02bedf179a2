"""Commands that list papers: today, list, fetch, show."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from papercli.cli import root
from papercli.cli.common import (
    chosen_format,
    current_day,
    emit,
    hidden,
    hint_arxiv_off,
    open_session,
    read_items,
    settings,
    shown_notes,
    terminal,
)
from papercli.cli.options import (
    FIELDS_HELP,
    AllOpt,
    AuthorOpt,
    CategoryOpt,
    DateOpt,
    DaysOpt,
    ExcludeOpt,
    FieldsOpt,
    Format,
    FormatOpt,
    HasCodeOpt,
    JqOpt,
    KeywordOpt,
    LimitOpt,
    MinUpvotesOpt,
    OfflineOpt,
    PagerOpt,
    QuietOpt,
    RefreshOpt,
    Shaping,
    SinceOpt,
    SortKey,
    SortOpt,
    SourceOpt,
    TemplateOpt,
    TopicOpt,
    TypeOpt,
    UntilOpt,
    WhereOpt,
    WhyOpt,
    choose_sources,
    make_criteria,
    make_shaping,
)
from papercli.core import listing
from papercli.core.session import Session
from papercli.errors import UsageError
from papercli.formats.terminal import Terminal, render_detail, write_detail_text, write_message
from papercli.query import filters
from papercli.query.dates import resolve_range
from papercli.store.fts_query import keywords_query

if TYPE_CHECKING:
    from papercli.formats.table import Column


def show_listing(
    outcome: listing.Outcome,
    criteria: filters.Criteria,
    *,
    sort: SortKey,
    limit: int | None,
    shaping: Shaping,
    term: Terminal,
    quiet: bool,
    why: bool,
    pager: bool | None = None,
    notes: Sequence[str] = (),
    listed: bool = False,
    session: Session | None = None,
) -> None:
    """Filter, sort, cut and print a listing; exit non-zero if a source failed.

    ``notes`` head the pager; ``listed`` shows the listing date column even for one day.
    ``session`` (closed, its store still readable) is for --sort for-you and for dimming
    dismissed papers in tables.
    """
    outcome.raise_if_empty()
    for failure in outcome.failures:  # the sources that did answer are shown
        write_message(
            sys.stderr, "warning", f"{failure} (nothing cached to show)", color=term.err_color
        )
    papers = outcome.papers if outcome.selected else filters.apply(outcome.papers, criteria)
    scores = None
    extra = None
    dimmed: frozenset[str] = frozenset()
    if session is not None and chosen_format(shaping, term) is Format.table:
        dimmed = hidden(session)  # only a table draws them (dim); other formats read nothing
    columns: list[Column] = []
    if sort is SortKey.for_you and session is not None:
        from papercli.cli.foryou import for_you_order, nearest_column

        papers, scores, extra = for_you_order(session, papers, why=why, quiet=quiet, term=term)
        why = False  # the reasons are the model's: its terms and the nearest saved paper
        if extra is not None:
            columns.append(nearest_column(extra))
    elif sort is SortKey.relevance:
        from papercli.query import ranking

        query = ranking.criteria_query(criteria)
        if not query:
            raise UsageError("--sort relevance needs -k keywords or a --topic with keywords")
        papers, scores = ranking.by_relevance(papers, query)
    elif not outcome.selected:  # else already in this order (``streamed_selection``)
        papers = filters.sort_papers(papers, sort.value)
    total = len(papers)
    if limit is not None:
        papers = papers[:limit]
    if not papers and not quiet:
        write_message(sys.stderr, "info", "no papers matched", color=term.err_color)
    reasons = {p.id: criteria.why(filters.PaperText(p)) for p in papers} if why else None
    if extra is not None:
        reasons = {i: list(map(str, e["for_you_terms"])) for i, e in extra.items()}  # type: ignore[call-overload]
    emit(
        papers, shaping.fmt, term, why=reasons, scores=scores, pager=pager, shaping=shaping,
        total=total, notes=notes, listed=listed, extra=extra, dimmed=dimmed, columns=columns,
    )  # fmt: skip
    if outcome.failures:
        raise typer.Exit(int(outcome.failures[0].exit_code))


# What a long listing can filter and sort as it reads, writing record by record after.
_STREAMED_SORTS = frozenset({SortKey.upvotes, SortKey.date, SortKey.title, SortKey.id})
_STREAMED_FORMATS = frozenset(
    {Format.plain, Format.json, Format.jsonl, Format.ids, Format.csv, Format.tsv}
)


def streamed_selection(
    criteria: filters.Criteria, sort: SortKey, shaping: Shaping, *, why: bool, term: Terminal
) -> listing.Selection | None:
    """The Selection for ``list_span`` when the output is written record by record in an
    order known before reading (a long span then never holds all its papers), else None.

    Tables, --jq, --why, relevance and For you need every paper at once, as do the
    document formats (a BibTeX or HTML file is written whole).
    """
    chosen = chosen_format(shaping, term)
    if why or shaping.jq is not None or sort not in _STREAMED_SORTS:
        return None
    if shaping.template is None and chosen not in _STREAMED_FORMATS:
        return None
    key, reverse = filters.sort_spec(sort.value)
    return listing.Selection(
        lambda paper: criteria.accepts(filters.PaperText(paper)), key, reverse=reverse
    )


def future_span(first: date, last: date, *, quiet: bool, term: Terminal) -> bool:
    """True (and says so) when a span starts after the newest day any source can list."""
    latest = current_day()  # the UTC day: no source lists a later one
    if first <= latest:
        return False
    if not quiet:
        span = str(first) if first == last else f"{first}..{last}"
        write_message(
            sys.stderr,
            "info",
            f"{span} is in the future: nothing is listed yet (today is {latest})",
            color=term.err_color,
        )
    return True


@root.command("today", epilog=FIELDS_HELP)
def today(
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
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    jq: JqOpt = None,
    template: TemplateOpt = None,
    sort: SortOpt = SortKey.upvotes,
    limit: LimitOpt = None,
    why: WhyOpt = False,
    pager: PagerOpt = None,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The latest papers: HF Daily Papers and the newest mailing of your arXiv categories.

    Examples:
      papers today
      papers today -c cs.CL -k "language model" --min-upvotes 5
      papers today --format jsonl | jq -c 'select(.upvotes > 20)'
      papers today --fields id,title,upvotes --format csv
      papers today --jq '.[] | select(.upvotes > 20) | .title'
      papers today --template '{id}  {title} ({upvotes})'
    """
    config = settings()
    shaping = make_shaping(fmt, fields, jq, template)
    hf, cats = choose_sources(config, source, category)
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic,
    )  # fmt: skip
    term = terminal()
    with open_session(config, offline=offline, refresh=refresh, quiet=quiet, term=term) as session:
        outcome = listing.today(session, hf=hf, categories=cats)
    show_listing(
        outcome, criteria, sort=sort, limit=limit, shaping=shaping, term=term, quiet=quiet,
        why=why, pager=pager, notes=shown_notes(session), session=session,
    )  # fmt: skip
    hint_arxiv_off(config, term, asked=bool(source or category), quiet=quiet)


@root.command("list", epilog=FIELDS_HELP)
def list_(
    on: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    days: DaysOpt = None,
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
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    jq: JqOpt = None,
    template: TemplateOpt = None,
    sort: SortOpt = SortKey.upvotes,
    limit: LimitOpt = None,
    why: WhyOpt = False,
    pager: PagerOpt = None,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Papers listed over a span of days (default: the last 7), fetching what is missing.

    Examples:
      papers list --since 2w -k diffusion --exclude survey
      papers list --date 2026-W48 --sort date --format json
      papers list --offline --date yesterday
    """
    config = settings()
    shaping = make_shaping(fmt, fields, jq, template)
    hf, cats = choose_sources(config, source, category)
    since_day, until_day = resolve_range(
        on=on, since=since, until=until, days=days, today=current_day(), default_days=6
    )
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic,
    )  # fmt: skip
    term = terminal()
    if future_span(since_day, until_day, quiet=quiet, term=term):
        emit([], shaping.fmt, term, pager=pager, shaping=shaping)
        return
    with open_session(config, offline=offline, refresh=refresh, quiet=quiet, term=term) as session:
        outcome = listing.list_span(
            session,
            listing.Span(since_day, until_day),
            hf=hf,
            categories=cats,
            keywords_match=keywords_query(criteria.keywords, all_required=criteria.all_keywords),
            select=streamed_selection(criteria, sort, shaping, why=why, term=term),
        )
    show_listing(
        outcome, criteria, sort=sort, limit=limit, shaping=shaping, term=term, quiet=quiet,
        why=why, pager=pager, notes=shown_notes(session), listed=True, session=session,
    )  # fmt: skip
    hint_arxiv_off(config, term, asked=bool(source or category), quiet=quiet)


@root.command("fetch")
def fetch(
    on: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    days: DaysOpt = None,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    refresh: RefreshOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fill the cache for a day or span (default: today), with progress on a terminal.

    Examples:
      papers fetch --days 30 --source hf
      papers fetch --since 2026-11-01 --until 2026-11-15 -c cs.CL
    """
    config = settings()
    hf, cats = choose_sources(config, source, category)
    since_day, until_day = resolve_range(
        on=on, since=since, until=until, days=days, today=current_day()
    )
    term = terminal()
    if future_span(since_day, until_day, quiet=quiet, term=term):
        return
    span = listing.Span(since_day, until_day)
    with open_session(config, refresh=refresh, quiet=quiet, term=term) as session:
        outcome = listing.refresh_span(session, span, hf=hf, categories=cats)
        count = listing.count_span(session, span, hf=hf, categories=cats)
        session.info(
            f"cached {count} papers listed {since_day}..{until_day} in {session.store.root}"
        )
    outcome.raise_if_empty()  # fetch shows no papers: any failure is the answer


class DetailFormat(StrEnum):
    """Output formats of ``show``."""

    card = "card"
    text = "text"
    json = "json"
    bibtex = "bibtex"
    ris = "ris"
    csljson = "csljson"
    jsonfeed = "jsonfeed"


@root.command("show")
def show(
    paper_id: Annotated[
        str, typer.Argument(metavar="ID", help="arXiv id, abs/pdf URL, oai id, or - for stdin.")
    ],
    fmt: Annotated[
        DetailFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="card (default on a terminal), text (in a pipe), json, or a reference "
            "manager's bibtex, ris, csljson, jsonfeed.",
        ),
    ] = None,
    offline: OfflineOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """One paper in full: authors, dates, categories, abstract, AI summary, links.

    With - it reads ids or JSONL records from stdin and shows each (json: an array).

    Examples:
      papers show 2606.13392
      papers show https://arxiv.org/abs/2606.13392v2 --format json
      papers today --format jsonl | jq -c 'select(.upvotes > 20)' | papers show -
    """
    from papercli.core import lookup  # only `show` resolves ids

    config = settings()
    items = read_items([paper_id])
    term = terminal()
    with open_session(config, offline=offline, refresh=refresh, term=term) as session:
        outcome = lookup.resolve(session, items)
    outcome.raise_if_empty()
    chosen = fmt or (DetailFormat.card if term.stdout_tty else DetailFormat.text)
    if chosen is DetailFormat.json:
        import json

        from papercli.formats.records import safe_dict

        records = [safe_dict(p) for p in outcome.papers]
        data = records if paper_id == "-" else records[0]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif chosen not in (DetailFormat.card, DetailFormat.text):
        from papercli.formats.writers import write

        write(chosen.value, outcome.papers, sys.stdout)
    for number, paper in enumerate(outcome.papers):
        if chosen is DetailFormat.card:
            render_detail(paper, sys.stdout, term)
        elif chosen is DetailFormat.text:
            sys.stdout.write("\n" if number else "")
            write_detail_text(paper, sys.stdout)
    if outcome.failures:
        raise typer.Exit(int(outcome.failures[0].exit_code))
