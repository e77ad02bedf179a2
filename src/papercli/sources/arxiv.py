"""arXiv: the RSS listing of the latest mailing, and the query API for look-ups and backfill.

The RSS feed is parsed in ``arxiv_rss`` (ElementTree: feedparser sanitises its HTML). The API's
Atom is parsed by feedparser, over bytes fetched by our own client (its URL fetching has no
timeout), by element name, never position (both formats have drifted; see
shared/formats/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from papercli.errors import UpstreamError, UsageError
from papercli.models import Paper, abs_url, clean_text, parse_id, pdf_url, validated
from papercli.sources.arxiv_rss import RSS_SOURCE, Mailing, parse_rss
from papercli.sources.http import HttpClient
from papercli.sources.tex import decode

__all__ = ["RSS_SOURCE", "Mailing", "parse_rss"]  # the RSS parser lives in arxiv_rss
API_SOURCE = "arXiv API"
PACE = "arxiv"  # RSS and API share arXiv's one-request-every-3-seconds rule
API_PAGE = 500
API_MAX_RESULTS = 30000  # the API refuses to page further


@dataclass(slots=True)
class ApiPage:
    """One page of API results, with each paper's first-submission time."""

    papers: list[Paper]
    total: int
    submitted: dict[str, datetime] = field(default_factory=dict)


def _parse_feed(content: bytes, source: str) -> Any:
    """feedparser over bytes, turning every way it can fail into UpstreamError."""
    head = content.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise UpstreamError(
            f"{source} answered with an HTML page, not a feed",
            source=source,
            hint="arXiv may be rate limiting or down; try again in a few minutes",
        )
    import feedparser

    try:
        parsed = feedparser.parse(content)
    except Exception as exc:  # feedparser can raise on odd input (kurtmckee/feedparser#599)
        raise UpstreamError(
            f"{source} sent a feed that cannot be parsed ({exc})", source=source
        ) from None
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and problem is not None and not _harmless(problem):
        raise UpstreamError(
            f"{source} sent a malformed or truncated feed ({str(problem)[:80]})",
            source=source,
            hint="the download may have been cut off; try again",
        )
    if not parsed.get("version"):
        raise UpstreamError(f"{source} sent something that is not a feed", source=source)
    return parsed


def _harmless(problem: Exception) -> bool:
    # A declared-vs-detected encoding mismatch is recoverable; broken XML is not.
    return type(problem).__name__ in ("CharacterEncodingOverride", "NonXMLContentType")


def _categories(entry: Any) -> tuple[str, ...]:
    terms = (clean_text(tag.get("term")) for tag in entry.get("tags", []) if tag.get("term"))
    return tuple(dict.fromkeys(t for t in terms if t))


def _in_category(paper: Paper, category: str) -> bool:
    wanted = category.lower()
    return any(c.lower() == wanted or c.lower().split(".")[0] == wanted for c in paper.categories)


def relative_type(paper: Paper, category: str) -> str | None:
    """The announce type of ``paper`` as seen from one category (new there, or cross-listed)."""
    replaced = (paper.announce_type or "").startswith("replace")
    primary = (paper.primary_category or "").lower()
    wanted = category.lower()
    home = primary == wanted or primary.split(".")[0] == wanted
    if home:
        return "replace" if replaced else "new"
    return "replace-cross" if replaced else "cross"


def split_by_category(papers: Iterable[Paper], categories: Iterable[str]) -> dict[str, list[Paper]]:
    """Split a combined feed (``rss/cs.CL+cs.LG``) into per-category listings."""
    papers = list(papers)
    return {
        category: [
            p.with_changes(announce_type=relative_type(p, category))
            for p in papers
            if _in_category(p, category)
        ]
        for category in categories
    }


def latest_mailing(client: HttpClient, base_url: str, categories: Iterable[str]) -> Mailing:
    """The latest mailing of several categories, in one request."""
    path = "+".join(categories)
    response = client.get(f"{base_url}/rss/{path}", source=RSS_SOURCE, allow=(400,), pace=PACE)
    mailing = parse_rss(response.content)  # a 400 feed error raises UsageError here
    if response.status == 400:
        raise UpstreamError(
            f"{RSS_SOURCE} returned HTTP 400 for {response.url}",
            source=RSS_SOURCE,
            url=response.url,
            status=400,
        )
    return mailing


def _api_entry(entry: Any) -> tuple[Paper, datetime | None]:
    paper_id, version = parse_id(entry.get("id", ""))
    published = entry.get("published_parsed")
    submitted = datetime(*published[:6], tzinfo=UTC) if published else None
    primary = entry.get("arxiv_primary_category") or {}
    categories = _categories(entry)
    primary_term = clean_text(primary.get("term")) or (categories[0] if categories else None)
    if primary_term and primary_term not in categories:
        categories = (primary_term, *categories)
    return (
        Paper(
            id=paper_id,
            version=version,
            title=clean_text(entry.get("title")),
            authors=tuple(
                name
                for a in entry.get("authors", [])
                if (name := clean_text(decode(a.get("name") or "")))
            ),
            abstract=clean_text(entry.get("summary")),
            published=submitted.date().isoformat() if submitted else None,
            categories=categories,
            primary_category=primary_term,
            url=abs_url(paper_id),
            pdf_url=pdf_url(paper_id),
            sources=("arxiv",),
            doi=clean_text(entry.get("arxiv_doi")) or None,
            journal_ref=clean_text(entry.get("arxiv_journal_ref")) or None,
            arxiv_comment=clean_text(entry.get("arxiv_comment")) or None,
        ),
        submitted,
    )


def parse_api(content: bytes) -> ApiPage:
    """Parse an export.arxiv.org/api/query Atom page; error entries raise UpstreamError."""
    parsed = _parse_feed(content, API_SOURCE)
    entries = parsed.get("entries", [])
    for entry in entries:
        if "/api/errors" in str(entry.get("id", "")):
            reason = clean_text(entry.get("summary")) or "unknown error"
            raise UpstreamError(f"{API_SOURCE} said: {reason}", source=API_SOURCE)
    try:
        total = int(parsed.get("feed", {}).get("opensearch_totalresults", len(entries)))
    except (TypeError, ValueError):
        total = len(entries)
    page = ApiPage(papers=[], total=total)
    for entry in entries:
        try:
            paper, submitted = _api_entry(entry)
        except UsageError:
            continue
        paper = validated(paper)
        page.papers.append(paper)
        if submitted:
            page.submitted[paper.id] = submitted
    return page


def query(
    client: HttpClient,
    base_url: str,
    *,
    search: str = "",
    ids: Iterable[str] = (),
    sort: str = "submittedDate",
    order: str = "ascending",
    limit: int = API_MAX_RESULTS,
    on_page: Any = None,
) -> ApiPage:
    """Run an API query, paging until the results or ``limit`` run out."""
    id_list = ",".join(ids)
    result = ApiPage(papers=[], total=0)
    start = 0
    empty_retries = 1
    while start < min(limit, API_MAX_RESULTS):
        size = min(API_PAGE, limit - start)
        response = client.get(
            f"{base_url}/api/query",
            source=API_SOURCE,
            params={
                "search_query": search,
                "id_list": id_list,
                "start": start,
                "max_results": size,
                "sortBy": sort,
                "sortOrder": order,
            },
            allow=(400,),
            pace=PACE,
        )
        page = parse_api(response.content)
        if response.status == 400:
            raise UpstreamError(f"{API_SOURCE} returned HTTP 400", source=API_SOURCE, status=400)
        result.total = page.total
        if not page.papers and start < page.total and empty_retries:
            # The API sometimes returns an empty page mid-way; a retry recovers (arxiv.py#175).
            empty_retries -= 1
            continue
        result.papers.extend(page.papers)
        result.submitted.update(page.submitted)
        if on_page:
            on_page(len(result.papers), page.total)
        if not page.papers or (id_list and not search):
            break
        start += len(page.papers)
        if start >= page.total:
            break
    return result


def lookup(client: HttpClient, base_url: str, ids: list[str]) -> list[Paper]:
    """Papers by id, in batches (a malformed id would otherwise fail the whole call)."""
    found: list[Paper] = []
    for offset in range(0, len(ids), 50):
        batch = ids[offset : offset + 50]
        found.extend(query(client, base_url, ids=batch, sort="relevance", limit=len(batch)).papers)
    return found


def search_query(text: str) -> str:
    """A free-text query as an API ``search_query``: every word and "phrase" required."""
    parts = re.findall(r'"([^"]+)"|(\S+)', text)
    clauses = []
    for phrase, word in parts:
        term = re.sub(r'[()":]', " ", phrase or word).strip()
        if term:
            clauses.append(f'all:"{term}"' if " " in term else f"all:{term}")
    return " AND ".join(clauses)


def window_query(categories: Iterable[str], start: datetime, end: datetime) -> str:
    """``(cat:A OR cat:B) AND submittedDate:[...]``: first submissions in a UTC span."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    fmt = "%Y%m%d%H%M"
    return f"({cats}) AND submittedDate:[{start.strftime(fmt)} TO {end.strftime(fmt)}]"
