"""Papers by id, by text and by topic: ``show``, ``resolve``, ``search`` and topic counts.

An id is answered from the cache, else from Hugging Face and the arXiv API (then cached);
search ranks the cache's index with BM25 and can ask the sources' own search too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papercli.core.listing import Outcome, Span
from papercli.core.session import Session
from papercli.errors import NotFoundError, OfflineError, PaperCliError, SourceError
from papercli.models import Paper, merge_all
from papercli.query.filters import PaperText, topic_matches

if TYPE_CHECKING:
    from papercli.query.ranking import Hit


def show(session: Session, paper_id: str) -> Paper:
    """One paper in full: from the cache, else from HF and the arXiv API (then cached)."""
    records = session.index().by_id(paper_id)
    complete = any(r.title and r.abstract for r in records)
    if records and (complete or session.offline) and not session.refresh:
        return merge_all(records)[0]
    if session.offline:
        raise OfflineError(f"{paper_id} is not in the cache", hint="drop --offline to look it up")
    from papercli.sources import arxiv as arxiv_source
    from papercli.sources import hf as hf_source

    settings = session.settings
    failures: list[SourceError] = []
    for name, lookup in (
        (
            "Hugging Face",
            lambda: [hf_source.fetch_paper(session.client(), settings["network.hf_url"], paper_id)],
        ),
        (
            "arXiv",
            lambda: arxiv_source.lookup(
                session.client(), settings["network.arxiv_api_url"], [paper_id]
            ),
        ),
    ):
        try:
            answers = [p for p in lookup() if p is not None]
        except SourceError as exc:
            failures.append(exc)
            continue
        for found in answers:
            if found.id == paper_id:
                records.append(found)
            else:  # another paper is no answer, and must not be cached under this id
                session.warn(f"{name} answered {found.id} when asked for {paper_id}; ignored it")
    if not records:
        if failures:
            raise failures[0]
        raise NotFoundError(f"no paper {paper_id} on Hugging Face or arXiv")
    for exc in failures:
        session.warn(f"{exc}; showing what the other sources had")
    paper = merge_all(records)[0]
    session.store.write_paper(paper)
    return paper


@dataclass
class SearchOutcome:
    """Ranked hits, and remote sources that failed."""

    hits: list[Hit] = field(default_factory=list)
    failures: list[PaperCliError] = field(default_factory=list)


def search(
    session: Session, text: str, span: Span | None, *, remote: bool, limit: int = 200
) -> SearchOutcome:
    """Papers ranked by relevance to ``text``: BM25 over the cache's index (title 3x, keywords
    2x), and with ``remote`` HF's and arXiv's search results too (cached, then ranked alike)."""
    from papercli.query.ranking import Hit, Query, matched_terms, rank_key, rank_papers

    outcome = SearchOutcome()
    if remote and not session.offline:
        for paper in _remote_search(session, text, outcome):
            session.store.write_paper(paper)
    index = session.index()
    index.refresh()
    bounds = (span.since, span.until) if span else None
    found = index.search(text, limit, bounds)
    if not index.fts:
        outcome.hits = rank_papers(merge_all([p for p, _ in found]), text, whole_phrase=True)
        outcome.hits = outcome.hits[:limit]
        return outcome
    best: dict[str, float] = {}
    for paper, score in found:
        best[paper.id] = max(score, best.get(paper.id, score))
    query = Query.parse(text, whole_phrase=True)
    for paper_id, score in best.items():
        paper = merge_all(index.by_id(paper_id))[0]
        outcome.hits.append(Hit(paper, score, matched_terms(paper, query)))
    outcome.hits.sort(key=rank_key)
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
    index = session.index()
    papers = index.papers(
        span.since, span.until, hf=True, categories=session.store.cached_categories()
    )
    views = [PaperText(p) for p in merge_all(papers)]
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


def from_library(session: Session, text: str, name: str) -> tuple[list[Paper], int, str]:
    """The arXiv papers of a reference manager's export, how many entries were skipped and
    the file's format. A paper already in the cache keeps its cached record (categories,
    upvotes); the others are saved with what the file says, so no request is made."""
    from papercli.sources.library_import import read_library

    found = read_library(text, name)
    if not found.papers:
        from papercli.errors import UsageError

        raise UsageError(
            f"{name}: no arXiv papers among its {found.skipped} {found.format} entries",
            hint="papers are matched by arXiv eprint, arXiv URL or arXiv DOI (10.48550/arXiv.X)",
        )
    index = session.index()
    papers = [merge_all([*index.by_id(p.id), p])[0] for p in found.papers]
    return merge_all(papers), found.skipped, found.format
