"""Cache or fetch: one source's listing for a day, the latest listing, and backfills.

The rules (shared/formats/README.md): HF days are UTC and fill during the day; an arXiv
mailing is dated by the feed's US-Eastern date, can be empty (weekends, holidays), can repeat
the previous mailing under a new date, and a weekend-dated batch belongs to Friday. A listing
already on disk is never shrunk by a later download.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from papercli import schedule
from papercli.core import enrich as enrichment
from papercli.core import mailings
from papercli.core.mailings import BACKFILL, MOVED, STALE
from papercli.core.session import Session
from papercli.errors import SourceError, UpstreamError
from papercli.models import Paper, merge_all
from papercli.store.cache import Listing

if TYPE_CHECKING:
    from papercli.store.index import FileMeta

__all__ = ["BACKFILL", "MOVED", "STALE"]
HF_LOOK_BACK = 8  # days: HF features nothing older than a week (huggingface_hub#2745)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ago(then: datetime, now: datetime) -> str:
    """``5 min ago``: how old a cached listing is."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _fresh(session: Session, cached: Listing | FileMeta) -> bool:
    """Fetched within the TTL (cache.ttl_minutes)."""
    return (session.now() - cached.fetched_at).total_seconds() < session.settings.ttl_seconds


def _ids(papers: Iterable[Paper]) -> frozenset[str]:
    return frozenset(p.id for p in papers)


# -- Hugging Face ------------------------------------------------------------------------------


def _hf_complete(day: date, fetched: datetime) -> bool:
    # An HF day is the papers featured that UTC day: once it has ended the list is final.
    return fetched >= datetime.combine(day + timedelta(days=1), time(0), UTC)


def _with_momentum(papers: list[Paper], before: Listing | None) -> list[Paper]:
    """Carry the upvotes of the previous download, so views can show the change."""
    if before is None:
        return papers
    old = {p.id: p.upvotes for p in before.papers}
    return [p.with_changes(upvotes_previous=old[p.id]) if p.id in old else p for p in papers]


def hf_usable(session: Session, cached: Listing | FileMeta | None) -> bool:
    """Can a cached HF day be shown without fetching: final, or fetched within the TTL."""
    if session.offline:
        return True
    if cached is None or session.refresh:
        return False
    return cached.complete or _fresh(session, cached)


def _hf_cached(session: Session, day: date) -> tuple[Listing | None, bool]:
    """The cached listing of an HF day, and whether it can be used without fetching."""
    cached = session.store.read_listing("hf", day)
    return cached, hf_usable(session, cached)


def hf_day(session: Session, day: date, *, enrich: bool = True) -> Listing | None:
    """HF's listing of ``day``, from the cache when it is final or fresh, else fetched (and,
    with ``enrich``, given arXiv's metadata: core.enrich).

    None when HF says the day has not begun (it answers 400 for future dates).
    """
    cached, usable = _hf_cached(session, day)
    if usable:
        return cached
    from papercli.sources import hf  # only when fetching: cache reads stay light

    try:
        result = hf.daily(session.client(), session.settings["network.hf_url"], day)
    except SourceError as exc:
        if cached is None:
            raise
        session.warn(
            f"{exc}; showing the cached Hugging Face listing of {day} "
            f"(fetched {ago(cached.fetched_at, session.now())})"
        )
        return cached
    if result is None:
        return None
    papers, skipped, notes = result
    if skipped:
        session.warn(f"Hugging Face: skipped {skipped} item(s) of {day} without a usable arXiv id")
    for note in notes:
        session.warn(note)
    if session.cancelled:
        return cached  # Ctrl-C arrived while this request was in flight: write nothing
    now = session.now()
    papers = _with_momentum(papers, cached)
    if cached is not None:
        # Merge, never drop: a paper HF listed before stays, even if this answer lacks it.
        fresh = {p.id for p in papers}
        papers += [p for p in cached.papers if p.id not in fresh]
    papers = enrichment.carry_over(papers, cached)
    listing = Listing(
        source="hf",
        day=day,
        papers=tuple(papers),
        fetched_at=now,
        complete=_hf_complete(day, now),
    )
    if enrich:
        listing = enrichment.enrich(session, [listing])[0]
    elif any(enrichment.lacks_metadata(p) for p in listing.papers):
        # The caller enriches later; until then the listing is not final.
        listing = listing._replace(complete=False, note=enrichment.PENDING)
    if session.cancelled:
        return cached
    session.store.write_listing(listing)
    return listing


def hf_days(session: Session, days: list[date]) -> dict[date, Listing | None]:
    """Several HF days: cached ones as they are, the rest fetched a few at a time.

    HF allows 500 requests per 5 minutes; network.hf_concurrency (8) bounds the parallelism.
    """
    results: dict[date, Listing | None] = {}
    todo = []
    for day in days:
        cached, usable = _hf_cached(session, day)
        if usable:
            results[day] = cached
        else:
            todo.append(day)
    workers = max(1, min(session.settings["network.hf_concurrency"], len(todo)))
    if len(todo) <= 1 or workers == 1:
        for n, day in enumerate(todo, 1):
            results[day] = hf_day(session, day, enrich=False)
            session.progress("Hugging Face", n, len(todo))
        _enrich_days(session, [results[d] for d in todo], results)
        return {day: results[day] for day in days}
    from concurrent.futures import ThreadPoolExecutor

    session.client()  # build once, before the threads share it
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        fetched = pool.map(lambda d: hf_day(session, d, enrich=False), todo)
        for n, (day, listing) in enumerate(zip(todo, fetched, strict=True), 1):
            results[day] = listing
            session.progress("Hugging Face", n, len(todo))
    except BaseException:
        # Ctrl-C or a failure: requests in flight finish, but write nothing more.
        session.cancelled = True
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    _enrich_days(session, [results[d] for d in todo], results)
    return {day: results[day] for day in days}


def _enrich_days(
    session: Session, fetched: list[Listing | None], results: dict[date, Listing | None]
) -> None:
    """arXiv metadata for the days just fetched, in batches across days (not one per day)."""
    pending = [
        listing for listing in fetched if listing is not None and listing.note == enrichment.PENDING
    ]
    if not pending or session.offline:
        return
    for listing in enrichment.enrich(session, pending):
        if listing.note != enrichment.PENDING:
            # Final again only if the day was over when HF was asked.
            listing = listing._replace(
                note=None, complete=_hf_complete(listing.day, listing.fetched_at)
            )
        if session.cancelled:
            return
        session.store.write_listing(listing)
        results[listing.day] = listing


def latest_hf(session: Session) -> Listing | None:
    """The newest non-empty HF day up to today (UTC), with a notice saying which and why."""
    today = schedule.hf_today(session.now())
    skipped: list[str] = []
    unopened = 0
    for back in range(HF_LOOK_BACK):
        day = today - timedelta(days=back)
        listing = hf_day(session, day)
        if listing is None:
            if not session.offline:
                unopened += 1
                skipped.append(f"HF has not opened {schedule.describe(day)} yet")
            continue
        if listing.papers:
            why = f"{skipped[0]}; showing " if skipped else ""
            session.info(
                f"Hugging Face: {why}{schedule.describe(day)}, {len(listing.papers)} papers"
            )
            return listing
        reason = "weekends are empty" if schedule.is_weekend(day) else "nothing featured yet"
        skipped.append(f"nothing on {schedule.describe(day)} ({reason})")
    if session.offline:
        session.warn("Hugging Face: no listing in the cache (run `papers fetch` while online)")
        return None
    raise _hf_found_nothing(today, unopened)


def _hf_found_nothing(today: date, unopened: int) -> UpstreamError:
    """Eight days without a paper is no filter's doing: say what HF answered."""
    first = today - timedelta(days=HF_LOOK_BACK - 1)
    span = f"{schedule.describe(first)} to {schedule.describe(today)}"
    empty = HF_LOOK_BACK - unopened
    if empty == 0:
        return UpstreamError(
            f"Hugging Face answered 'not open yet' for every day from {span}",
            source="Hugging Face",
            hint="HF refuses dates after today in UTC: check the system clock (and PAPERS_NOW)",
        )
    opened = f" ({unopened} not open yet)" if unopened else ""
    return UpstreamError(
        f"Hugging Face listed no paper on any day from {span}{opened}",
        source="Hugging Face",
        hint="HF may be changing its API or having an outage; try again later",
    )


# -- arXiv -------------------------------------------------------------------------------------


def _newest(session: Session, category: str, until: date, *, shown: bool) -> Listing | None:
    """The newest cached listing of a category up to ``until``; ``shown``: only real batches."""
    for day in reversed(session.store.listing_days("arxiv", category)):
        if day > until:
            continue
        listing = session.store.read_listing("arxiv", day, category)
        if listing is None:
            continue
        if not shown or listing.papers:
            return listing
    return None


def _write_arxiv(
    session: Session, category: str, day: date, papers: list[Paper], **kw: object
) -> None:
    """Write a mailing, keeping whatever an earlier download of the same day already had."""
    old = session.store.read_listing("arxiv", day, category)
    if old is not None and old.papers:
        papers = merge_all([*old.papers, *papers])
    session.store.write_listing(
        Listing(
            source="arxiv",
            day=day,
            category=category,
            papers=tuple(papers),
            fetched_at=session.now(),
            **kw,  # type: ignore[arg-type]
        )
    )


def store_mailing(session: Session, category: str, day: date, papers: list[Paper]) -> None:
    """File one category's share of an RSS download under the right date, or flag it stale."""
    target = mailings.weekend_target(day) if papers else day
    previous = _newest(session, category, target - timedelta(days=1), shown=True)
    if papers and previous is not None and _ids(papers) == _ids(previous.papers):
        _write_arxiv(session, category, day, [], note=f"{STALE}:{previous.day.isoformat()}")
        return
    if target != day:
        _write_arxiv(
            session, category, day, [], note=f"{MOVED}:{target.isoformat()}", complete=True
        )
        papers = [p.with_changes(listed=target.isoformat()) for p in papers]
    _write_arxiv(session, category, target, papers, complete=bool(papers))


class _Cached:
    """One category's cached mailings, as the decisions in core.mailings see them."""

    def __init__(self, session: Session, category: str) -> None:
        self.session = session
        self.category = category

    def listing(self, day: date) -> Listing | None:
        return self.session.store.read_listing("arxiv", day, self.category)

    def newest(self, until: date, *, shown: bool) -> Listing | None:
        return _newest(self.session, self.category, until, shown=shown)


def backfill_arxiv(
    session: Session, categories: list[str], days: list[date], *, why: str = ""
) -> None:
    """Fill mailings from the API: ``core.backfill.backfill_arxiv`` (bounded, and saying
    what it fills and why), reached from here too."""
    from papercli.core.backfill import backfill_arxiv as fill

    fill(session, categories, days, why=why)


class ArxivView(NamedTuple):
    """What ``today`` shows for one category, and why (or why nothing)."""

    category: str
    listing: Listing | None
    reason: str
    failure: SourceError | None = None  # the download that failed, when nothing is cached


def latest_arxiv(session: Session, categories: list[str]) -> list[ArxivView]:
    """The latest mailing of each category: RSS first, the API to fill gaps it leaves."""
    if not categories:
        return []
    now = session.now()
    feed_day = schedule.arxiv_feed_day(now)
    ttl = session.settings.ttl_seconds
    need = [
        c
        for c in categories
        if session.refresh or mailings.feed_needed(_Cached(session, c), now, ttl)
    ]
    if need and not session.offline:
        from papercli.sources import arxiv

        try:
            mailing = arxiv.latest_mailing(
                session.client(), session.settings["network.arxiv_rss_url"], need
            )
        except SourceError as exc:
            failure: SourceError | None = exc
        else:
            failure = None
            if mailing.skipped:
                session.warn(
                    f"arXiv RSS: skipped {mailing.skipped} item(s) of {mailing.day} without a "
                    "usable arXiv id or version"
                )
            for category, papers in arxiv.split_by_category(mailing.papers, need).items():
                store_mailing(session, category, mailing.day, papers)
            _fill_gaps(session, need)
    else:
        failure = None
    views = []
    for category in categories:
        newest = _newest(session, category, feed_day, shown=False)
        shown = _newest(session, category, feed_day, shown=True)
        lost = failure if shown is None and category in need else None
        views.append(ArxivView(category, shown, mailings.reason(newest, shown, feed_day), lost))
    if failure is not None and any(v.listing for v in views):
        session.warn(f"{failure}; showing cached arXiv listings")
    return views


def _fill_gaps(session: Session, categories: list[str]) -> None:
    """Fill from the API the newest mailing the cache lacks (one the feed repeated, or one no
    run saw while the feed served it), before an older one is shown."""
    now = session.now()
    ttl = session.settings.ttl_seconds
    todo: dict[tuple[date, str], list[str]] = {}
    for category in categories:
        cached = _Cached(session, category)
        day = mailings.fill_target(cached, now, ttl)
        if day is not None:
            why = _fill_reason(cached.listing(day), day, schedule.arxiv_feed_day(now))
            todo.setdefault((day, why), []).append(category)
    for (day, why), cats in todo.items():
        whose = f"{cats[0]}'s" if len(cats) == 1 else f"{', '.join(cats)}'s"
        try:
            backfill_arxiv(session, cats, [day], why=f"{whose} {why}")
        except SourceError as exc:
            session.warn(f"{exc}; could not fill arXiv {', '.join(cats)} for {day}")


def _fill_reason(listing: Listing | None, day: date, feed_day: date) -> str:
    """Why a mailing is filled from the API, for the line that says so."""
    if mailings.is_stale(listing):
        repeated = (listing.note or "").split(":", 1)[1] if listing else ""
        return f"feed of {schedule.describe(day)} repeats {repeated}"
    if listing is not None and listing.note == BACKFILL:
        return f"last API fill of {schedule.describe(day)} found nothing"
    if schedule.is_weekend(feed_day):
        return f"feed is empty on {WEEKDAYS[feed_day.weekday()]}"
    if day != feed_day:
        return f"feed of {schedule.describe(feed_day)} did not carry {schedule.describe(day)}"
    return f"mailing of {schedule.describe(day)} is not cached"
