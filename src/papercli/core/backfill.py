"""Backfills from the arXiv API: the mailings RSS did not give us, bounded and explained.

A backfill asks the query API for first submissions in each mailing's submission window,
five mailings per query, and files them under the mailing that announces them. It says on
stderr what it fills and why, draws progress on a terminal, stops at BACKFILL_MAX_REQUESTS,
and never writes a day whose window it did not page through (the next run fills that).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from papercli import schedule
from papercli.core.refresh import BACKFILL, _write_arxiv
from papercli.core.session import Session
from papercli.models import Paper

if TYPE_CHECKING:
    from papercli.sources.arxiv import ApiPage

# One backfill (one command) makes at most this many API requests: five minutes at arXiv's
# 3 s. What it could not fill is said, and the next run carries on from the cache.
BACKFILL_MAX_REQUESTS = 100


def backfill_arxiv(
    session: Session, categories: list[str], days: list[date], *, why: str = ""
) -> None:
    """Fill mailings from the API: first submissions in each mailing's submission window.

    The API knows submission times, not announcements, so replacements are missing and a
    paper held in moderation lands a day early; RSS downloads stay authoritative. Says on
    stderr what it fills and ``why``; bounded by BACKFILL_MAX_REQUESTS, and a day whose
    window the paging did not finish is not written (so a later run fills it).
    """
    # A date arXiv does not mail on gets no listing: its submissions belong to the next one.
    days = sorted(d for d in days if schedule.has_mailing(d))
    if not categories or not days:
        return
    from papercli.sources import arxiv

    client = session.client()
    base = session.settings["network.arxiv_api_url"]
    chunks = [days[n : n + 5] for n in range(0, len(days), 5)]
    what = schedule.describe(days[0]) if len(days) == 1 else (
        f"{len(days)} mailings, {days[0]}..{days[-1]}"
    )  # fmt: skip
    pace = session.settings["network.arxiv_delay"]
    slow = f" (at least {len(chunks)} requests, {pace:g} s apart)" if len(chunks) > 1 else ""
    cats = ", ".join(categories)
    session.say(
        f"{why}; filling {what} from the arXiv API{slow}"
        if why
        else f"filling arXiv {cats} for {what} from the API{slow}"
    )
    left = BACKFILL_MAX_REQUESTS
    for number, chunk in enumerate(chunks):
        if left <= 0:
            rest = [d for c in chunks[number:] for d in c]
            session.warn(
                f"arXiv API: stopped after {BACKFILL_MAX_REQUESTS} requests; "
                f"{len(rest)} mailing(s) from {rest[0]} not filled (run again to continue)"
            )
            return
        start, _ = schedule.submission_window(chunk[0])
        _, end = schedule.submission_window(chunk[-1])
        result = arxiv.query(
            client,
            base,
            search=arxiv.window_query(categories, start, end),
            window=(start, end),
            max_requests=min(left, arxiv.API_MAX_REQUESTS),
            on_page=lambda done, total: session.progress("arXiv API", done, max(total, done)),
        )
        left -= result.requests
        _report(session, result, start, end)
        _file_backfill(session, categories, chunk, result)


def _report(session: Session, result: ApiPage, start: datetime, end: datetime) -> None:
    """Say what the paging left out, and why."""
    for note in result.notes:
        session.warn(note)
    if result.outside:
        session.warn(
            f"arXiv API sent {result.outside} paper(s) submitted outside "
            f"{start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC, the window asked for; "
            "left them out"
        )
    if result.skipped:
        session.warn(f"arXiv API: skipped {result.skipped} entries without a usable arXiv id")


def _file_backfill(
    session: Session, categories: list[str], chunk: list[date], result: object
) -> None:
    """Write each day of a chunk whose submission window the paging covered."""
    from papercli.sources import arxiv

    assert isinstance(result, arxiv.ApiPage)
    covered = chunk
    if not result.complete:
        # Results come oldest first: a day is whole if a later submission was seen.
        last = max(result.submitted.values(), default=None)
        covered = [
            d for d in chunk if last is not None and schedule.submission_window(d)[1] <= last
        ]
    by_day: dict[date, list[Paper]] = {d: [] for d in covered}
    for paper in result.papers:
        submitted = result.submitted.get(paper.id)
        day = schedule.mailing_for_submission(submitted) if submitted else None
        if day in by_day:
            by_day[day].append(paper.with_changes(listed=day.isoformat()))
    for day, papers in by_day.items():
        for category, share in arxiv.split_by_category(papers, categories).items():
            if share or session.store.read_listing("arxiv", day, category) is None:
                _write_arxiv(session, category, day, share, note=BACKFILL, complete=bool(share))
