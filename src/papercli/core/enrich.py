"""arXiv metadata for Hugging Face papers: categories, primary category, v1 date, DOI.

HF's records carry no arXiv categories, so ``-c cs.CL`` and a topic's ``categories`` could
never match them. When a day's HF listing is downloaded, the papers that lack them are looked
up with the arXiv API's ``id_list`` (one request per listing, up to 100 ids, paced like every
arXiv request) and the listing is cached with them. The cached path never asks: a listing is
enriched only when it is fetched. When arXiv cannot be reached the listing is cached without
them, marked not final so the next fetch tries again, and the user is told once.
"""

from __future__ import annotations

from papercli.core.session import Session
from papercli.errors import SourceError
from papercli.models import Paper
from papercli.store.cache import Listing

BATCH = 100  # ids per id_list request: one request covers a normal HF day
PENDING = "arxiv-metadata-pending"


def lacks_metadata(paper: Paper) -> bool:
    """A paper the arXiv API has not described yet (HF sends no categories)."""
    return not paper.categories


def carry_over(papers: list[Paper], before: Listing | None) -> list[Paper]:
    """Keep the metadata an earlier download of the day already looked up."""
    if before is None:
        return papers
    known = {p.id: p for p in before.papers if not lacks_metadata(p)}
    return [
        with_arxiv(p, known[p.id]) if p.id in known and lacks_metadata(p) else p for p in papers
    ]


def with_arxiv(paper: Paper, described: Paper | None) -> Paper:
    """An HF record with the arXiv API's bibliographic metadata; its own text stays."""
    if described is None:
        return paper
    version = max(v for v in (paper.version, described.version, 0) if v is not None) or None
    return paper.with_changes(
        version=version,
        published=described.published or paper.published,  # v1, not HF's featuring date
        categories=described.categories,
        primary_category=described.primary_category,
        doi=described.doi or paper.doi,
        journal_ref=described.journal_ref or paper.journal_ref,
        arxiv_comment=described.arxiv_comment or paper.arxiv_comment,
    )


def enrich(session: Session, listings: list[Listing]) -> list[Listing]:
    """The listings with arXiv metadata on every paper that lacked it.

    A listing whose lookup failed keeps its papers as they were, loses ``complete`` (so it is
    fetched again) and is noted ``arxiv-metadata-pending``; one that succeeded loses that note.
    """
    wanted = list(
        dict.fromkeys(p.id for listing in listings for p in listing.papers if lacks_metadata(p))
    )
    if not wanted:
        return listings
    from papercli.sources import arxiv

    found: dict[str, Paper] = {}
    failure: SourceError | None = None
    base = session.settings["network.arxiv_api_url"]
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        session.progress("arXiv metadata", start, len(wanted))
        try:
            page = arxiv.query(
                session.client(), base, ids=batch, sort="relevance", limit=len(batch)
            )
        except SourceError as exc:
            failure = exc
            break
        found.update((p.id, p) for p in page.papers)
    session.progress("arXiv metadata", len(wanted), len(wanted))
    days = ", ".join(sorted({str(listing.day) for listing in listings}))
    if failure is not None:
        session.warn(
            f"{failure}; Hugging Face papers of {days} have no arXiv categories yet, so -c "
            "and topic categories skip them (tried again on the next fetch)"
        )
    out = []
    for listing in listings:
        papers = tuple(with_arxiv(p, found.get(p.id)) for p in listing.papers)
        missed = failure is not None and any(
            lacks_metadata(p) and p.id not in found for p in papers
        )
        note = PENDING if missed else (None if listing.note == PENDING else listing.note)
        out.append(
            listing._replace(papers=papers, complete=listing.complete and not missed, note=note)
        )
    return out
