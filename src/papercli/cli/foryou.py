"""For you: dismiss, undismiss, ``for-you``, and the For you order other listings sort by."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from papercli.cli import root
from papercli.cli.common import (
    current_day,
    flush_notices,
    hidden,
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
    ExcludeOpt,
    FieldsOpt,
    FormatOpt,
    HasCodeOpt,
    JqOpt,
    KeywordOpt,
    LimitOpt,
    MinUpvotesOpt,
    OfflineOpt,
    PagerOpt,
    QuietOpt,
    SortKey,
    SourceOpt,
    TemplateOpt,
    TopicOpt,
    TypeOpt,
    WhereOpt,
    choose_sources,
    make_criteria,
    make_shaping,
)
from papercli.core.session import Session
from papercli.formats.terminal import Terminal
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.core.listing import Span
    from papercli.formats.table import Column

IdsArg = Annotated[list[str], typer.Argument(metavar="ID...", help="arXiv ids, or - for stdin.")]
ForYouWhyOpt = Annotated[
    bool,
    typer.Option("--why", help="Show the terms that weighed most and the nearest saved paper."),
]


def decided(session: Session) -> frozenset[str]:
    """Papers already saved or dismissed: ``for-you`` and ``triage`` leave them out."""
    from papercli.store import library

    return hidden(session) | frozenset(library.saved_ids(session.store))


def last_days(days: int) -> Span:
    """The last ``days`` days, up to the current day."""
    from datetime import timedelta

    from papercli.core.listing import Span

    last = current_day()
    return Span(last - timedelta(days=days - 1), last)


def for_you_order(
    session: Session, papers: list[Paper], *, why: bool, quiet: bool, term: Terminal
) -> tuple[list[Paper], dict[str, float] | None, dict[str, dict[str, object]] | None]:
    """``papers`` in For you order, their scores and (with ``why``) the model's reasons."""
    from papercli.core import foryou

    ranking = foryou.rank(session, papers)
    flush_notices(session, quiet=quiet, term=term)
    extra = None
    if why and ranking.model is not None:
        extra = foryou.explain(ranking.model, ranking.papers)
    return ranking.papers, ranking.scores, extra


def nearest_column(extra: dict[str, dict[str, object]]) -> Column:
    """The table column of --why with for-you: the title of the nearest saved paper."""
    from papercli.formats.table import Column

    return Column("Like", {i: str(e["nearest_saved"] or "") for i, e in extra.items()}, 40)


@root.command("dismiss")
def dismiss(ids: IdsArg, offline: OfflineOpt = False, quiet: QuietOpt = False) -> None:
    """Mark papers "not interested": For you ranks their kind lower and never shows them.

    Examples:
      papers dismiss 2606.13392
      papers today -k survey --format ids | papers dismiss -
    """
    from papercli.core import lookup
    from papercli.store import dismissals

    config = settings()
    items = read_items(ids)
    term = terminal()
    with open_session(config, offline=offline, quiet=quiet, term=term) as session:
        outcome = lookup.resolve(session, items)
        outcome.raise_if_empty()
        added = dismissals.add(session.store, outcome.papers, session.now())
        session.info(f"dismissed {added} new, {len(outcome.papers) - added} already dismissed")
    if outcome.failures:
        raise typer.Exit(int(outcome.failures[0].exit_code))


@root.command("undismiss")
def undismiss(ids: IdsArg) -> None:
    """Take papers off the dismissed list."""
    from papercli.store import dismissals

    config = settings()
    wanted = [item if isinstance(item, str) else item.id for item in read_items(ids)]
    with open_session(config, offline=True) as session:
        missing = dismissals.remove(session.store, wanted)
        for paper_id in missing:
            session.warn(f"{paper_id} was not dismissed")
        session.info(f"undismissed {len(wanted) - len(missing)}")


@root.command("for-you", epilog=FIELDS_HELP)
def for_you(
    days: Annotated[int, typer.Option("--days", min=1, help="The last N days.")] = 3,
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
    limit: LimitOpt = 20,
    why: ForYouWhyOpt = False,
    pager: PagerOpt = None,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The best papers of the last days for you, learnt from what you save and dismiss.

    Dismissed papers never show. --why adds the terms that weighed most and the nearest
    saved paper (JSON keys "for_you_terms" and "nearest_saved").

    Examples:
      papers for-you
      papers for-you --days 7 --why
      papers for-you --format ids | papers save -
    """
    from papercli.cli.listing import show_listing
    from papercli.core import listing

    config = settings()
    shaping = make_shaping(fmt, fields, jq, template)
    hf, cats = choose_sources(config, source, category)
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic,
    )  # fmt: skip
    term = terminal()
    with open_session(config, offline=offline, quiet=quiet, term=term) as session:
        outcome = listing.list_span(session, last_days(days), hf=hf, categories=cats)
        gone = decided(session)
    # What you saved or dismissed is decided already: for-you shows only what is left.
    outcome.papers = [p for p in outcome.papers if p.id not in gone]
    show_listing(
        outcome, criteria, sort=SortKey.for_you, limit=limit, shaping=shaping, term=term,
        quiet=quiet, why=why, pager=pager, notes=shown_notes(session), listed=True,
        session=session,
    )  # fmt: skip
