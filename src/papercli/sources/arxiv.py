"""arXiv: the RSS listing of the latest mailing, and the query API for look-ups and backfill.

The RSS feed is parsed in ``arxiv_rss`` (ElementTree: feedparser sanitises its HTML). The API's
Atom is parsed by feedparser, over bytes fetched by our own client (its URL fetching has no
timeout), by element name, never position (both formats have drifted; see
shared/formats/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
# One query never makes more requests than this: 60 at arXiv's 3 s is three minutes, and
# 30,000 papers. A backfill shares one such budget across its queries (see core.refresh).
API_MAX_REQUESTS = 60


@dataclass(slots=True)
class ApiPage:
    """API results, with each paper's first-submission time, and how the paging went."""

    papers: list[Paper]
    total: int
    submitted: dict[str, datetime] = field(default_factory=dict)
    entries: int = 0  # entries on the page as sent, usable or not
    skipped: int = 0  # entries without a usable id
    outside: int = 0  # entries submitted outside the submittedDate window asked for
    requests: int = 0
    complete: bool = True  # False when paging stopped before the results ran out
    notes: list[str] = field(default_factory=list)  # why paging stopped early, for the user


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
    raw_total = str(parsed.get("feed", {}).get("opensearch_totalresults", "")).strip()
    # A count is a short run of ASCII digits; anything else (or 5,000 digits) is not one.
    plain = raw_total.isascii() and raw_total.isdigit() and len(raw_total) <= 9
    total = int(raw_total) if plain else len(entries)
    page = ApiPage(papers=[], total=total, entries=len(entries))
    for entry in entries:
        try:
            paper, submitted = _api_entry(entry)
            paper = validated(paper)
        except (UsageError, ValueError, TypeError, AttributeError):
            page.skipped += 1
            continue
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
    window: tuple[datetime, datetime] | None = None,
    max_requests: int = API_MAX_REQUESTS,
    on_page: Callable[[int, int], None] | None = None,
) -> ApiPage:
    """Run an API query, paging until the results, ``limit`` or ``max_requests`` run out.

    Trusts entries, not counts: paging stops on a page shorter than asked (arXiv fills every
    page but the last), on a page that adds no id not seen before (a server ignoring
    ``start``), and at the request bound. With ``window`` (the submittedDate span the query
    asks for), entries submitted outside it are dropped and counted. ``complete`` says
    whether the results ran out, rather than a bound or an anomaly ending the paging.
    """
    id_list = ",".join(ids)
    result = ApiPage(papers=[], total=0)
    seen: set[str] = set()
    start = 0
    empty_retries = 1
    while start < min(limit, API_MAX_RESULTS):
        if result.requests >= max_requests:
            result.complete = False
            result.notes.append(
                f"{API_SOURCE}: stopped after {result.requests} requests "
                f"({len(result.papers)} of {result.total} results)"
            )
            break
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
        result.requests += 1
        page = parse_api(response.content)
        if response.status == 400:
            raise UpstreamError(f"{API_SOURCE} returned HTTP 400", source=API_SOURCE, status=400)
        result.total = page.total
        if not page.entries and start < page.total and empty_retries:
            # The API sometimes returns an empty page mid-way; a retry recovers (arxiv.py#175).
            empty_retries -= 1
            continue
        new = _take(result, page, seen, window)
        if on_page:
            on_page(len(result.papers), max(page.total, len(result.papers)))
        if id_list and not search:
            break
        start += page.entries
        # arXiv's counts are off by a few now and then; a page short by more is not that.
        near_end = page.total - start <= max(5, page.total // 100)
        if (new and (start >= page.total or page.entries < size) and near_end) or (
            not page.entries and near_end
        ):
            break
        if not new or page.entries < size:
            result.complete = False
            result.notes.append(
                f"{API_SOURCE} sent {page.entries} entries"
                + (", none of them new," if not new else "")
                + f" for {size} asked at start={start - page.entries} while reporting "
                f"{page.total} results; stopped paging"
            )
            break
    return result


def _take(
    result: ApiPage, page: ApiPage, seen: set[str], window: tuple[datetime, datetime] | None
) -> int:
    """Add a page's papers not seen before (and inside ``window``) to ``result``."""
    new = 0
    result.skipped += page.skipped
    for paper in page.papers:
        if paper.id in seen:
            continue
        seen.add(paper.id)
        submitted = page.submitted.get(paper.id)
        # The query's bounds are whole minutes, the end minute included.
        if window is not None and (
            submitted is None or not window[0] <= submitted < window[1] + timedelta(minutes=1)
        ):
            result.outside += 1
            continue
        new += 1
        result.papers.append(paper)
        if submitted is not None:
            result.submitted[paper.id] = submitted
    return new


def lookup(client: HttpClient, base_url: str, ids: list[str]) -> list[Paper]:
    """Papers by id, in batches (a malformed id would otherwise fail the whole call)."""
    found: list[Paper] = []
    for offset in range(0, len(ids), 50):
        batch = ids[offset : offset + 50]
        page = query(client, base_url, ids=batch, sort="relevance", limit=len(batch))
        # An answer about another paper is no answer: it must not be shown or cached as this.
        found.extend(p for p in page.papers if p.id in batch)
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
