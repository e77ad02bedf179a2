"""The use cases: today's papers, a date range, one paper, the cache. Never prints, never exits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from papercli import schedule
from papercli.errors import (
    NotFoundError,
    OfflineError,
    PaperCliError,
    SourceError,
    UpstreamError,
    UsageError,
)
from papercli.filters import PaperText, topic_matches
from papercli.listings import (
    backfill_arxiv,
    hf_days,
    latest_arxiv,
    latest_hf,
)
from papercli.models import Paper, is_valid_id, merge_all
from papercli.session import Session

if TYPE_CHECKING:
    from papercli.ranking import Hit

PDF_LIMIT = 200 * 1024 * 1024  # the largest PDF download accepted


@dataclass
class Outcome:
    """Papers to show, and the sources that failed with nothing cached to stand in."""

    papers: list[Paper] = field(default_factory=list)
    failures: list[PaperCliError] = field(default_factory=list)

    def raise_if_empty(self) -> None:
        """Nothing to show and something failed: the failure is the answer."""
        if self.failures and not self.papers:
            raise self.failures[0]


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
            outcome.failures.append(exc)
            session.warn(f"{exc} (no cached listing to show)")
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
            message = f"{label}: nothing to show"
            if session.offline:
                message += " (not cached; run `papers fetch` while online)"
            session.warn(message)
            outcome.failures.append(
                OfflineError(message)
                if session.offline
                else SourceError(message, source="arXiv", hint="try again later")
            )
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


def fetch(session: Session, span: Span, *, hf: bool, categories: list[str]) -> Outcome:
    """Fill the cache for a span; what was already final on disk is not fetched again."""
    outcome = Outcome()
    now = session.now()
    if hf:
        days = [d for d in span.days() if d <= schedule.hf_today(now)]
        try:
            for listing in hf_days(session, days).values():
                if listing is not None:
                    outcome.papers.extend(listing.papers)
        except SourceError as exc:
            outcome.failures.append(exc)
    if categories:
        feed_day = schedule.arxiv_feed_day(now)
        if span.since <= feed_day <= span.until:
            latest_arxiv(session, categories)
        past = schedule.mailing_days(span.since, min(span.until, feed_day - timedelta(days=1)))
        missing = _missing_mailings(session, categories, past)
        for cats, days in _by_categories(missing).items():
            try:
                backfill_arxiv(session, list(cats), days)
            except SourceError as exc:
                outcome.failures.append(exc)
        outcome.papers.extend(_cached_arxiv(session, categories, span))
    outcome.papers = merge_all(outcome.papers)
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


def _cached_arxiv(session: Session, categories: list[str], span: Span) -> list[Paper]:
    papers: list[Paper] = []
    for category in categories:
        for day in session.store.listing_days("arxiv", category):
            if span.since <= day <= span.until:
                listing = session.store.read_listing("arxiv", day, category)
                if listing is not None:
                    papers.extend(listing.papers)
    return papers


def _cached_hf(session: Session, span: Span) -> tuple[list[Paper], list[date]]:
    papers: list[Paper] = []
    cached = set(session.store.listing_days("hf"))
    today = schedule.hf_today(session.now())
    missing = []
    for day in span.days():
        if day > today:
            continue
        listing = session.store.read_listing("hf", day) if day in cached else None
        if listing is None:
            missing.append(day)
        else:
            papers.extend(listing.papers)
    return papers, missing


def list_span(session: Session, span: Span, *, hf: bool, categories: list[str]) -> Outcome:
    """Papers listed in a span: from the cache, fetching what is missing unless offline."""
    if not session.offline:
        return fetch(session, span, hf=hf, categories=categories)
    outcome = Outcome()
    gaps: list[str] = []
    if hf:
        papers, missing = _cached_hf(session, span)
        outcome.papers.extend(papers)
        if missing:
            gaps.append(f"Hugging Face {_days_label(missing)}")
    if categories:
        outcome.papers.extend(_cached_arxiv(session, categories, span))
        feed_day = schedule.arxiv_feed_day(session.now())
        days = schedule.mailing_days(span.since, min(span.until, feed_day))
        for day, cats in sorted(_missing_mailings(session, categories, days).items()):
            gaps.append(f"arXiv {_group_label(cats)} {day}")
    if gaps:
        message = "offline, not cached: " + "; ".join(gaps[:6]) + ("; ..." if len(gaps) > 6 else "")
        if outcome.papers:
            session.warn(message)
        else:
            outcome.failures.append(OfflineError(message, hint="run `papers fetch` while online"))
    outcome.papers = merge_all(outcome.papers)
    return outcome


def _days_label(days: list[date]) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0]}..{days[-1]} ({len(days)} days)"


def show(session: Session, paper_id: str) -> Paper:
    """One paper in full: from the cache, else from HF and the arXiv API (then cached)."""
    from papercli.sources import arxiv as arxiv_source
    from papercli.sources import hf as hf_source

    records = [p for p in iter_cached(session) if p.id == paper_id]
    complete = any(r.title and r.abstract for r in records)
    if records and (complete or session.offline) and not session.refresh:
        return merge_all(records)[0]
    if session.offline:
        raise OfflineError(f"{paper_id} is not in the cache", hint="drop --offline to look it up")
    settings = session.settings
    failures: list[SourceError] = []
    for lookup in (
        lambda: hf_source.fetch_paper(session.client(), settings["network.hf_url"], paper_id),
        lambda: next(
            iter(
                arxiv_source.lookup(session.client(), settings["network.arxiv_api_url"], [paper_id])
            ),
            None,
        ),
    ):
        try:
            found = lookup()
        except SourceError as exc:
            failures.append(exc)
            continue
        if found is not None:
            records.append(found)
    if not records:
        if failures:
            raise failures[0]
        raise NotFoundError(f"no paper {paper_id} on Hugging Face or arXiv")
    for exc in failures:
        session.warn(f"{exc}; showing what the other sources had")
    paper = merge_all(records)[0]
    session.store.write_paper(paper)
    return paper


def iter_cached(session: Session, span: Span | None = None) -> Iterator[Paper]:
    """Every cached record (listings, and looked-up papers when no span is given), unmerged."""
    store = session.store
    for source, category in [("hf", None)] + [("arxiv", c) for c in store.cached_categories()]:
        for day in store.listing_days(source, category):
            if span is not None and not span.since <= day <= span.until:
                continue
            listing = store.read_listing(source, day, category)
            if listing is not None:
                yield from listing.papers
    if span is None:
        yield from store.looked_up_papers()


def cached_papers(session: Session, span: Span | None = None) -> list[Paper]:
    """Every cached paper of a span (or of the whole cache), merged by id."""
    return merge_all(list(iter_cached(session, span)))


@dataclass
class SearchOutcome:
    """Ranked hits, and remote sources that failed."""

    hits: list[Hit] = field(default_factory=list)
    failures: list[PaperCliError] = field(default_factory=list)


def search(session: Session, text: str, span: Span | None, *, remote: bool) -> SearchOutcome:
    """Rank cached papers (and, with ``remote``, HF's and arXiv's search results) by relevance."""
    outcome = SearchOutcome()
    papers = cached_papers(session, span)
    if remote and not session.offline:
        found = _remote_search(session, text, outcome)
        for paper in found:
            session.store.write_paper(paper)
        papers = merge_all([*papers, *found])
    from papercli.ranking import rank_papers

    outcome.hits = rank_papers(papers, text)
    return outcome


def _remote_search(session: Session, text: str, outcome: SearchOutcome) -> list[Paper]:
    from papercli.sources import arxiv as arxiv_source
    from papercli.sources import hf as hf_source

    settings = session.settings
    found: list[Paper] = []
    try:
        found.extend(hf_source.search(session.client(), settings["network.hf_url"], text))
    except SourceError as exc:
        outcome.failures.append(exc)
        session.warn(f"{exc}; searching without Hugging Face")
    query = arxiv_source.search_query(text)
    if query:
        try:
            page = arxiv_source.query(
                session.client(),
                settings["network.arxiv_api_url"],
                search=query,
                sort="relevance",
                order="descending",
                limit=50,
            )
            found.extend(page.papers)
        except SourceError as exc:
            outcome.failures.append(exc)
            session.warn(f"{exc}; searching without arXiv")
    return merge_all(found)


def topic_counts(session: Session, span: Span) -> dict[str, int]:
    """How many cached papers of a span match each configured topic."""
    views = [PaperText(p) for p in cached_papers(session, span)]
    return {
        name: sum(1 for view in views if topic_matches(view, topic))
        for name, topic in session.settings.topics.items()
    }


def resolve(session: Session, items: Sequence[str | Paper]) -> Outcome:
    """Papers for ids (cache, else HF and arXiv) and records given whole (from JSONL)."""
    outcome = Outcome()
    for item in items:
        if isinstance(item, Paper):
            outcome.papers.append(item)
            continue
        try:
            outcome.papers.append(show(session, item))
        except (NotFoundError, OfflineError, SourceError) as exc:
            outcome.failures.append(exc)
    # With nothing found the first failure becomes the error; the rest are warnings.
    for exc in outcome.failures[0 if outcome.papers else 1 :]:
        session.warn(str(exc))
    outcome.papers = merge_all(outcome.papers)
    return outcome


def pdf_path(directory: Path, paper_id: str) -> Path:
    """Where ``download`` saves a paper: ``2606.13392.pdf``, ``hep-th_9901001.pdf``."""
    if not is_valid_id(paper_id):
        raise UsageError(f"not an arXiv id: {paper_id!r}")
    return directory / f"{paper_id.replace('/', '_')}.pdf"


def download(session: Session, ids: Sequence[str], directory: Path, *, force: bool) -> Outcome:
    """Save PDFs from arXiv, one request at a time and arxiv_delay apart, as arXiv asks."""
    outcome = Outcome()
    base = session.settings["network.arxiv_pdf_url"]
    for number, paper_id in enumerate(ids, 1):
        target = pdf_path(directory, paper_id)
        if target.exists() and not force:
            session.info(f"{target} exists; skipped (--force to download again)")
            continue
        url = f"{base}/pdf/{paper_id}"
        try:
            session.client().download(
                url,
                target,
                source="arXiv PDF",
                max_bytes=PDF_LIMIT,
                pace="arxiv",
                progress=lambda done, total, n=number: session.progress(
                    f"PDF {n}/{len(ids)}", done, total or done
                ),
            )
        except SourceError as exc:
            outcome.failures.append(exc)
            session.warn(str(exc))
            continue
        with target.open("rb") as handle:
            is_pdf = handle.read(5) == b"%PDF-"
        if not is_pdf:
            target.unlink()
            error = UpstreamError(
                f"arXiv sent something that is not a PDF for {paper_id} (not available yet?)",
                source="arXiv PDF",
                url=url,
            )
            outcome.failures.append(error)
            session.warn(str(error))
            continue
        session.info(f"saved {target}")
    return outcome
