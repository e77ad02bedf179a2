"""Running a digest: fetch, keep what is new, build, deliver, and only then remember it.

The caller holds the digest's lock from ``prepare`` to ``record``, so overlapping runs (cron
and an interactive one) never deliver the same papers twice or tear the state file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from papercli import schedule
from papercli.core import listing
from papercli.core.session import Session
from papercli.digest.build import Digest, build
from papercli.errors import PaperCliError, SourceError
from papercli.models import Paper, Topic
from papercli.query.filters import Criteria, apply
from papercli.query.ranking import by_relevance, criteria_query
from papercli.store.digest_state import DigestState, load_state, save_state
from papercli.store.files import atomic_write

MAX_SPAN_DAYS = 30


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


@dataclass
class Prepared:
    """A built digest and what recording it will change."""

    digest: Digest
    state: DigestState
    complete_until: date | None
    failures: list[PaperCliError]


def _span(session: Session, request: DigestRequest, state: DigestState) -> tuple[date, date]:
    now = session.now()
    until = max(now.astimezone().date(), schedule.hf_today(now))
    if request.days:
        return until - timedelta(days=request.days - 1), until
    if state.last_complete:
        since = date.fromisoformat(state.last_complete)
    else:
        since = until - timedelta(days=1)
    if (until - since).days >= MAX_SPAN_DAYS:
        session.warn(
            f"the last complete digest is older than {MAX_SPAN_DAYS} days; going back that far"
        )
        since = until - timedelta(days=MAX_SPAN_DAYS - 1)
    return since, until


def _source_notes(
    papers: list[Paper],
    span: listing.Span,
    request: DigestRequest,
    failures: list[PaperCliError],
) -> list[str]:
    notes = []
    weekend_only = all(schedule.is_weekend(d) for d in span.days())
    wanted = [("hf", "Hugging Face", request.hf), ("arxiv", "arXiv", bool(request.categories))]
    for source, label, enabled in wanted:
        if not enabled or any(source in p.sources for p in papers):
            continue
        failed = [f for f in failures if isinstance(f, SourceError) and label in f.source]
        if failed:
            notes.append(
                f"{label} could not be reached ({failed[0].message}); "
                "its papers will come in the next digest"
            )
        elif weekend_only:
            verb = "features no papers" if source == "hf" else "makes no announcements"
            notes.append(f"{label} {verb} on weekends")
        else:
            notes.append(
                f"{label} listed nothing new in this span (a holiday, or not announced yet)"
            )
    return notes


def prepare(session: Session, request: DigestRequest) -> Prepared:
    """Fetch what the digest needs and build it from the papers no earlier digest delivered."""
    state = load_state(session.store, request.name)
    since, until = _span(session, request, state)
    span = listing.Span(since, until)
    outcome = listing.list_span(session, span, hf=request.hf, categories=list(request.categories))
    listed = apply(outcome.papers, request.criteria)
    new = [p for p in listed if p.id not in state.seen]
    query = criteria_query(Criteria(topics=request.topics, keywords=request.criteria.keywords))
    relevance = by_relevance(new, query)[1] if query else {}
    digest = build(
        new,
        name=request.name,
        topics=request.topics,
        since=since,
        until=until,
        generated=session.now(),
        relevance=relevance,
        notes=_source_notes(outcome.papers, span, request, outcome.failures),
        include_other=request.include_other,
        per_group=request.per_group,
    )
    return Prepared(
        digest=digest,
        state=state,
        complete_until=None if outcome.failures or session.offline else until,
        failures=outcome.failures,
    )


def record(session: Session, prepared: Prepared, *, sent: bool) -> None:
    """Remember what was delivered; called only after the digest was written or sent.

    With nothing new (``sent`` false) only the covered span advances, and only when every
    source answered: a run that failed leaves the state file untouched.
    """
    if not sent and prepared.complete_until is None:
        return
    now = session.now()
    papers = prepared.digest.papers() if sent else []
    prepared.state.delivered(
        papers, now.astimezone().date(), complete_until=prepared.complete_until
    )
    if sent:
        prepared.state.last_sent_at = now.isoformat()
    save_state(session.store, prepared.state)


def write_output(path_text: str, text: str) -> None:
    """Write a rendered digest to a file atomically (a reader never sees half a digest)."""
    from pathlib import Path

    atomic_write(Path(path_text).expanduser(), text.encode("utf-8"))
