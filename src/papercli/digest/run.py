"""Running a digest: read what each channel is owed, build, and select what is new there.

The caller holds the digest's lock for the whole run, so overlapping runs (cron and an
interactive one) never deliver the same papers twice or tear the state file. Fetching and
reading happen under the cache's shared lock, so ``papers cache clear`` cannot pull a listing
from under a digest between the moment it is read and the moment it is recorded as covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from papercli import schedule
from papercli.core import listing
from papercli.core.session import Session
from papercli.digest.build import Digest, build
from papercli.digest.coverage import (
    MAX_SPAN_DAYS,
    DayRead,
    Plan,
    coverage_for,
    days_label,
    label,
    plan,
    read_day,
    sources_of,
)
from papercli.errors import OfflineError, PaperCliError, SourceError
from papercli.models import Paper, Topic, merge_all
from papercli.query.dates import current_day
from papercli.query.filters import Criteria, apply
from papercli.query.ranking import by_relevance, criteria_query
from papercli.store import dismissals
from papercli.store.digest_state import CoverageUpdate, DigestState


@dataclass(frozen=True)
class DigestRequest:
    """What the user asked of ``papers digest``."""

    name: str = "default"
    criteria: Criteria = field(default_factory=Criteria)
    topics: tuple[Topic, ...] = ()
    include_other: bool = True
    days: int | None = None
    hf: bool = True
    categories: tuple[str, ...] = ()
    per_group: int | None = None
    for_you: int = 5  # the For you section's length (0: none)
    sort_for_you: bool = False  # rank each group by For you instead of upvotes


@dataclass
class Gathered:
    """Every owed day this run read, and the sources that failed."""

    reads: dict[tuple[str, date], DayRead] = field(default_factory=dict)
    failures: list[PaperCliError] = field(default_factory=list)


@dataclass(frozen=True)
class Selection:
    """One channel's digest: the papers new there, and the coverage delivering it completes."""

    channel: str
    digest: Digest
    coverage: dict[str, CoverageUpdate]

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids the digest delivers."""
        return tuple(p.id for p in self.digest.papers())


def until_day(session: Session) -> date:
    """The last day a digest run covers: today as date arguments mean it, the UTC day."""
    return current_day(session.now())


def plans(
    session: Session, request: DigestRequest, state: DigestState, channels: list[str]
) -> list[Plan]:
    """What each channel is owed, with a warning for days older than the span limit."""
    sources = sources_of(request.hf, request.categories)
    until = until_day(session)
    state.prune(current_day(session.now()))
    result = [
        plan(c, state.channel(c), sources, until, request.days) for c in dict.fromkeys(channels)
    ]
    for key, days in {k: v for p in result for k, v in p.given_up.items()}.items():
        session.warn(
            f"{label(key)}: {days_label(days)} never reached this digest completely and "
            f"{'is' if len(days) == 1 else 'are'} more than {MAX_SPAN_DAYS} days old; "
            f"a digest goes back at most {MAX_SPAN_DAYS} days"
        )
    return result


def gather(session: Session, owed: list[Plan], wait: float) -> Gathered:
    """Fetch what the owed days lack (unless offline), then read each of them once."""
    wanted: dict[str, set[date]] = {}
    for p in owed:
        for key, days in p.days.items():
            wanted.setdefault(key, set()).update(days)
    gathered = Gathered()
    if not any(wanted.values()):
        return gathered
    first = min(d for days in wanted.values() for d in days)
    until = max(p.until for p in owed)
    categories = [k.partition("/")[2] for k, v in wanted.items() if k != "hf" and v]
    with session.store.holding_cache(timeout=wait):
        if not session.offline:
            outcome = listing.refresh_span(
                session,
                listing.Span(first, until),
                hf=bool(wanted.get("hf")),
                categories=categories,
            )
            gathered.failures = outcome.failures
        now = session.now()
        for key, days in wanted.items():
            for day in sorted(days):
                gathered.reads[(key, day)] = read_day(session.store, key, day, now)
    if session.offline:
        gaps = [
            f"{label(key)} {days_label(missing)}"
            for key, days in wanted.items()
            if (missing := sorted(d for d in days if gathered.reads[(key, d)].missing))
        ]
        if gaps:
            gathered.failures.append(
                OfflineError(
                    "offline, not cached: " + "; ".join(gaps[:6]),
                    hint="run `papers fetch` while online; those days come in a later digest",
                )
            )
    return gathered


def _source_notes(
    papers: list[Paper], days: list[date], request: DigestRequest, failures: list[PaperCliError]
) -> list[str]:
    notes = []
    weekend_only = bool(days) and all(schedule.is_weekend(d) for d in days)
    wanted = [("hf", "Hugging Face", request.hf), ("arxiv", "arXiv", bool(request.categories))]
    for source, name, enabled in wanted:
        failed = [f for f in failures if isinstance(f, SourceError) and name in f.source]
        if not enabled or (not failed and any(source in p.sources for p in papers)):
            continue
        if failed:
            notes.append(
                f"{name} could not be reached ({failed[0].message}); "
                "its papers will come in a later digest"
            )
        elif weekend_only:
            verb = "features no papers" if source == "hf" else "makes no announcements"
            notes.append(f"{name} {verb} on weekends")
        else:
            notes.append(
                f"{name} listed nothing new in this span (a holiday, or not announced yet)"
            )
    return notes


@dataclass(frozen=True)
class _Picks:
    papers: list[Paper]
    dismissed: frozenset[str]


def _for_you(
    session: Session, request: DigestRequest, new: list[Paper]
) -> tuple[_Picks, dict[str, float] | None]:
    """The For you section's papers, the dismissed ids (never in a digest), and the For you
    scores when groups are ranked by them."""
    from papercli.core import foryou

    dismissed = frozenset(dismissals.dismissed_ids(session.store))
    ranking = foryou.rank(session, new) if request.sort_for_you else None
    picks = foryou.recommend(session, new, ranking) if request.for_you else None
    order = ranking.scores if ranking else None
    return _Picks((picks or [])[: request.for_you], dismissed), order


def select(
    session: Session,
    request: DigestRequest,
    state: DigestState,
    owed: Plan,
    gathered: Gathered,
) -> Selection:
    """Build the digest of what ``owed.channel`` has not received from the days it is owed."""
    found: list[Paper] = []
    for key, days in owed.days.items():
        for day in days:
            read = gathered.reads.get((key, day))
            if read is not None:
                found.extend(read.papers)
    papers = merge_all(found)
    delivered = state.channel(owed.channel).delivered
    new = [p for p in apply(papers, request.criteria) if p.id not in delivered]
    picks, order = _for_you(session, request, new)
    new = [p for p in new if p.id not in picks.dismissed]
    query = criteria_query(Criteria(topics=request.topics, keywords=request.criteria.keywords))
    all_days = sorted({d for days in owed.days.values() for d in days})
    digest = build(
        new,
        name=request.name,
        topics=request.topics,
        since=owed.since,
        until=owed.until,
        generated=session.now(),
        relevance=by_relevance(new, query)[1] if query else {},
        notes=_source_notes(papers, all_days, request, gathered.failures),
        include_other=request.include_other,
        per_group=request.per_group,
        for_you=picks.papers,
        order=order,
    )
    return Selection(owed.channel, digest, coverage_for(owed, gathered.reads))
