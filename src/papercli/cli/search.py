"""``papers search`` (relevance over the cache, optionally HF and arXiv) and ``papers topics``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import current_day, emit, hidden, open_session, settings, terminal
from papercli.cli.options import (
    FIELDS_HELP,
    AllOpt,
    AuthorOpt,
    CategoryOpt,
    DateOpt,
    DaysOpt,
    ExcludeOpt,
    FieldsOpt,
    FormatOpt,
    HasCodeOpt,
    JqOpt,
    KeywordOpt,
    MinUpvotesOpt,
    OfflineOpt,
    PagerOpt,
    QuietOpt,
    SinceOpt,
    TemplateOpt,
    TopicOpt,
    TypeOpt,
    UntilOpt,
    WhereOpt,
    choices,
    make_criteria,
    make_shaping,
)
from papercli.core import listing, lookup
from papercli.formats.terminal import write_message
from papercli.query import filters
from papercli.query.dates import resolve_range


class SearchSort(StrEnum):
    """Orders of search results."""

    relevance = "relevance"
    for_you = "for-you"


@root.command("search", epilog=FIELDS_HELP)
def search(
    query: Annotated[str, typer.Argument(help='Words and "quoted phrases".')],
    on: DateOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    days: DaysOpt = None,
    remote: Annotated[
        bool,
        typer.Option("--remote", help="Also ask HF's and arXiv's search; cache what they find."),
    ] = False,
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
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
    jq: JqOpt = None,
    template: TemplateOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Best N results.")] = 20,
    sort: Annotated[
        SearchSort,
        typer.Option("--sort", metavar="KEY", help=f"Order: {choices(SearchSort)}."),
    ] = SearchSort.relevance,
    pager: PagerOpt = None,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rank cached papers by relevance (BM25 over title, abstract, keywords; titles weigh most).

    Searches the whole cache unless a date span is given. Shows each result's score and the
    query terms it matched; JSON adds "score" and "matched" keys.

    Examples:
      papers search "diffusion transformer"
      papers search '"world model" robot' --since 30d --min-upvotes 5
      papers search "speculative decoding" --remote --format json
      papers search "world model" --template '{score}  {id}  {title}'
    """
    config = settings()
    shaping = make_shaping(fmt, fields, jq, template)
    span = None
    if any(v is not None for v in (on, since, until, days)):
        first, last = resolve_range(on=on, since=since, until=until, days=days, today=current_day())
        span = listing.Span(first, last)
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic,
    )  # fmt: skip
    term = terminal()
    with open_session(config, offline=offline, quiet=quiet, term=term) as session:
        outcome = lookup.search(session, query, span, remote=remote)
    hits = [h for h in outcome.hits if criteria.accepts(filters.PaperText(h.paper))]
    if sort is SearchSort.for_you:
        from papercli.cli.foryou import for_you_order

        # The query picks the papers (its best 5 x N); For you orders them.
        by_id = {h.paper.id: h for h in hits[: limit * 5]}
        order = for_you_order(
            session, [h.paper for h in by_id.values()], why=False, quiet=quiet, term=term
        )[0]
        hits = [by_id[p.id] for p in order]
    hits = hits[:limit]
    if not hits and not quiet:
        write_message(sys.stderr, "info", "no papers matched", color=term.err_color)
    emit(
        [h.paper for h in hits],
        shaping.fmt,
        term,
        scores={h.paper.id: h.score for h in hits},
        why={h.paper.id: list(h.matched) for h in hits},
        pager=pager,
        shaping=shaping,
        dimmed=hidden(session),
    )
    if outcome.failures and not hits:
        raise outcome.failures[0]


@root.command("topics")
def topics(
    days: Annotated[
        int, typer.Option("--days", min=1, help="Count papers of the last N days.")
    ] = 7,
) -> None:
    """The topics in your config, with how many cached papers of the last N days match each.

    Topics live in the config file as [topics.NAME] tables; see `papers config path`.
    """
    config = settings()
    first, last = resolve_range(on=None, since=None, until=None, days=days, today=current_day())
    term = terminal()
    if not config.topics:
        write_message(
            sys.stderr,
            "info",
            f"no topics configured; add [topics.NAME] tables to {config.config_path}",
            color=term.err_color,
        )
        return
    with open_session(config, offline=True, term=term) as session:
        counts = lookup.topic_counts(session, listing.Span(first, last))
    rows = []
    for name, topic in config.topics.items():
        parts = [
            f"{field}: {', '.join(values)}"
            for field, values in (
                ("keywords", topic.keywords),
                ("exclude", topic.exclude),
                ("categories", topic.categories),
                ("authors", topic.authors),
            )
            if values
        ]
        rows.append((name, str(counts[name]), "; ".join(parts)))
    if term.stdout_tty:
        from papercli.formats.table import render_grid

        render_grid(
            rows, sys.stdout, term, headings=("Topic", "Papers", "Matches"), wrap=2, right=(1,)
        )
    else:
        from papercli.models import sanitize_line

        for row in rows:
            sys.stdout.write("\t".join(sanitize_line(cell) for cell in row) + "\n")
    span = f"{first}..{last}"
    write_message(
        sys.stderr, "info", f"counts of cached papers listed {span}", color=term.err_color
    )
