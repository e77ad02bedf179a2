"""Listings: the latest papers of each source (``today``) and the papers of a span of days.

Spans are read from the JSON listings, or through the SQLite index when they are long; what
is missing is fetched first unless the session is offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from papercli import schedule
from papercli.core.backfill import backfill_arxiv
from papercli.core.refresh import (
    hf_days,
    hf_usable,
    latest_arxiv,
    latest_hf,
)
from papercli.core.session import Session
from papercli.errors import OfflineError, PaperCliError, SourceError
from papercli.models import Paper, merge_all, merge_runs


class Outcome:
    """Papers to show, and the sources that failed with nothing cached to stand in."""

    # A plain class, not a dataclass: see models._PaperFields (start-up cost).
    __slots__ = ("failures", "papers", "selected")

    def __init__(
        self, papers: list[Paper] | None = None, failures: list[PaperCliError] | None = None
    ) -> None:
        self.papers: Sequence[Paper] = [] if papers is None else papers
        self.failures: list[PaperCliError] = [] if failures is None else failures
        # True when ``papers`` already passed a Selection: filtered, and in its order.
        self.selected = False

    def raise_if_empty(self) -> None:
        """Nothing to show and something failed: the failure is the answer.

        When several sources failed, one error names them all (the first decides the exit
        code): a machine without network should hear about both sources at once.
        """
        if not self.failures or self.papers:
            return
        first = self.failures[0]
        messages = list(dict.fromkeys(f.message for f in self.failures))
        if len(messages) == 1:
            raise first
        combined = PaperCliError("; ".join(messages), hint=first.hint)
        combined.exit_code = first.exit_code
        raise combined


class Selection:
    """Which papers a listing keeps and in what order, applied as a long span is read, so
    that it never holds all its papers at once (``store.spill``)."""

    __slots__ = ("accepts", "key", "reverse")  # a plain class: see Outcome

    def __init__(
        self,
        accepts: Callable[[Paper], bool],
        key: Callable[[Paper], object],
        *,
        reverse: bool = False,
    ) -> None:
        self.accepts = accepts
        self.key = key
        self.reverse = reverse


def _group_label(categories: list[str]) -> str:
    return ", ".join(categories)


def today(session: Session, *, hf: bool, categories: list[str]) -> Outcome:
    """The latest listing of each enabled source, merged by id."""
    outcome = Outcome()
    found: list[Paper] = []
    if hf:
        try:
            listing = latest_hf(session)
        except SourceError as exc:
            outcome.failures.append(exc)  # reported once, by the caller
        else:
            if listing is not None:
                found.extend(listing.papers)
    views = latest_arxiv(session, categories)
    groups: dict[tuple[date | None, str], list[str]] = {}
    for view in views:
        key = (view.listing.day if view.listing else None, view.reason)
        groups.setdefault(key, []).append(view.category)
        if view.listing is not None:
            found.extend(view.listing.papers)
    for (day, reason), cats in groups.items():
        label = f"arXiv {_group_label(cats)}"
        if day is None:
            failure = next((v.failure for v in views if v.category in cats and v.failure), None)
            if failure is not None:
                outcome.failures.append(failure)
            elif session.offline:
                message = f"{label}: not cached (run `papers fetch` while online)"
                outcome.failures.append(OfflineError(message))
            else:
                message = f"{label}: nothing to show"
                outcome.failures.append(SourceError(message, source="arXiv", hint="try later"))
            continue
        count = sum(len(v.listing.papers) for v in views if v.category in cats and v.listing)
        why = f"{reason}, showing " if reason else ""
        session.info(f"{label}: {why}{schedule.describe(day)}, {count} announcements")
    outcome.papers = merge_all(found)
    return outcome


class Span(NamedTuple):
    """An inclusive range of listing days."""

    since: date
    until: date

    def days(self) -> list[date]:
        """Every day in the span."""
        return schedule.all_days(self.since, self.until)


# Spans longer than this read through the SQLite index; shorter ones read the few JSON
# files directly, which is faster than importing sqlite3 and checking the index.
INDEX_MIN_DAYS = 15


def refresh_span(session: Session, span: Span, *, hf: bool, categories: list[str]) -> Outcome:
    """Fetch what a span lacks (or what is stale); days final on disk are not fetched again.

    Returns an Outcome with no papers and the sources that failed.
    """
    outcome = Outcome()
    now = session.now()
    if hf:
        days = [d for d in span.days() if d <= schedule.hf_today(now)]
        if len(days) > INDEX_MIN_DAYS and not session.refresh:
            # Ask the index which days are final, instead of parsing every listing.
            meta = session.index().file_meta("hf")
            days = [d for d in days if not hf_usable(session, meta.get(d))]
        try:
            hf_days(session, days)
        except SourceError as exc:
            outcome.failures.append(exc)
    if categories:
        feed_day = schedule.arxiv_feed_day(now)
        if span.since <= feed_day <= span.until:
            views = latest_arxiv(session, categories)
            outcome.failures += list(dict.fromkeys(v.failure for v in views if v.failure))
        past = schedule.mailing_days(span.since, min(span.until, feed_day - timedelta(days=1)))
        missing = _missing_mailings(session, categories, past)
        for cats, days in _by_categories(missing).items():
            try:
                why = "refreshing" if session.refresh else "not in the cache"
                backfill_arxiv(session, list(cats), days, why=f"arXiv {', '.join(cats)} {why}")
            except SourceError as exc:
                outcome.failures.append(exc)
    return outcome


def _missing_mailings(
    session: Session, categories: list[str], days: list[date]
) -> dict[date, list[str]]:
    missing: dict[date, list[str]] = {}
    for category in categories:
        cached = set(session.store.listing_days("arxiv", category))
        for day in days:
            if session.refresh or day not in cached:
                missing.setdefault(day, []).append(category)
    return missing


def _by_categories(missing: dict[date, list[str]]) -> dict[tuple[str, ...], list[date]]:
    grouped: dict[tuple[str, ...], list[date]] = {}
    for day, cats in sorted(missing.items()):
        grouped.setdefault(tuple(cats), []).append(day)
    return grouped


def _read_span(session: Session, span: Span, hf: bool, categories: list[str]) -> list[Paper]:
    """Records of a short span, read from the JSON listings."""
    store = session.store
    sources = ([("hf", None)] if hf else []) + [("arxiv", c) for c in categories]
    papers: list[Paper] = []
    for source, category in sources:
        for day in store.listing_days(source, category):
            if span.since <= day <= span.until:
                listing = store.read_listing(source, day, category)
                if listing is not None:
                    papers.extend(listing.papers)
    return papers


def _read_indexed(
    session: Session,
    span: Span,
    hf: bool,
    categories: list[str],
    match: str | None,
    select: Selection | None,
) -> Sequence[Paper]:
    """A long span's papers, merged, through the index; with ``select`` also filtered and
    sorted, and spilled to a temporary file when there may be too many to hold."""
    from papercli.store.spill import HOLD, sort_bounded

    index = session.index()
    index.refresh()

    def ask(question: Callable[..., Any]) -> Any:
        return question(span.since, span.until, hf=hf, categories=categories, match=match)

    def read() -> Sequence[Paper]:
        if select is None:
            return merge_all(ask(index.papers))
        if ask(index.most_papers) <= HOLD:
            kept = filter(select.accepts, merge_all(ask(index.papers)))
            return sorted(kept, key=select.key, reverse=select.reverse)
        # Sorted by id, a paper's records come together and merge one paper at a time.
        kept = filter(select.accepts, merge_runs(ask(index.papers_by_id)))
        return sort_bounded(kept, select.key, reverse=select.reverse)

    # Nothing is written before the papers are all read: damage met on the way is answered
    # from an index in memory, as damage met on opening is.
    return index.reading(read)


def _gaps(session: Session, span: Span, hf: bool, categories: list[str]) -> list[str]:
    """What an offline listing of a span lacks, for the warning."""
    gaps = []
    now = session.now()
    if hf:
        cached = set(session.store.listing_days("hf"))
        today = schedule.hf_today(now)
        missing = [d for d in span.days() if d <= today and d not in cached]
        if missing:
            gaps.append(f"Hugging Face {_days_label(missing)}")
    if categories:
        feed_day = schedule.arxiv_feed_day(now)
        days = schedule.mailing_days(span.since, min(span.until, feed_day))
        for day, cats in sorted(_missing_mailings(session, categories, days).items()):
            gaps.append(f"arXiv {_group_label(cats)} {day}")
    return gaps


def list_span(
    session: Session,
    span: Span,
    *,
    hf: bool,
    categories: list[str],
    keywords_match: str | None = None,
    select: Selection | None = None,
) -> Outcome:
    """Papers listed in a span, merged: from the cache, fetching what is missing unless offline.

    ``keywords_match`` is an FTS query that may narrow long spans read through the index; the
    caller's filters still decide (it must match a superset of what they accept). With
    ``select``, a long span comes back already filtered and sorted (``Outcome.selected``),
    spilled to a temporary file when it is too long to hold.
    """
    outcome = Outcome()
    if not session.offline:
        outcome = refresh_span(session, span, hf=hf, categories=categories)
    if len(span.days()) > INDEX_MIN_DAYS:
        outcome.papers = _read_indexed(session, span, hf, categories, keywords_match, select)
        outcome.selected = select is not None
    else:
        outcome.papers = merge_all(_read_span(session, span, hf, categories))
    gaps = _gaps(session, span, hf, categories) if session.offline else []
    if gaps:
        message = "offline, not cached: " + "; ".join(gaps[:6]) + ("; ..." if len(gaps) > 6 else "")
        if outcome.papers:
            session.warn(message)
        else:
            outcome.failures.append(OfflineError(message, hint="run `papers fetch` while online"))
    return outcome


def count_span(session: Session, span: Span, *, hf: bool, categories: list[str]) -> int:
    """How many records the cache holds for a span (from the index, reading no JSON)."""
    index = session.index()
    index.refresh()
    return index.most_papers(span.since, span.until, hf=hf, categories=categories)


def _days_label(days: list[date]) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0]}..{days[-1]} ({len(days)} days)"
