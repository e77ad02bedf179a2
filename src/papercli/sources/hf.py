"""Hugging Face Daily Papers: the daily listing, one paper, and paper search.

Shapes and quirks are described in shared/formats/README.md: upvotes live on ``paper``,
comments on the wrapper, the HF day is the date part of ``paper.submittedOnDailyAt``.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, NamedTuple

from papercli.errors import UpstreamError, UsageError
from papercli.models import Paper, abs_url, clean_text, parse_id, pdf_url, validated
from papercli.sources.http import HttpClient, Response

SOURCE = "Hugging Face"
PAGE_LIMIT = 100  # the API's maximum
# HF features 20-50 papers a day, 150 at most so far: beyond these a server is misbehaving
# (one that ignores `p` or `limit` once sent 400,000 records for a day).
MAX_PAGES = 10
MAX_PAPERS = 1000
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: Any) -> str | None:
    if not isinstance(value, str) or not _DAY.match(value):
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


def _url(value: Any) -> str | None:
    text = _text(value)
    return text if text and re.match(r"https?://", text) else None


def _org(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("fullname")) or _text(value.get("name"))
    return None


def paper_from_json(item: dict[str, Any], listed: str | None = None) -> Paper:
    """One paper from a daily-papers wrapper item or a bare ``/api/papers/{id}`` object.

    Raises ValueError when the item has no valid arXiv id.
    """
    body = item.get("paper") if isinstance(item.get("paper"), dict) else item
    raw_id = body.get("id")
    if not isinstance(raw_id, str):
        raise ValueError("no id")
    try:
        paper_id, version = parse_id(raw_id)
    except UsageError:
        raise ValueError(f"bad id {raw_id!r}") from None
    authors = body.get("authors") if isinstance(body.get("authors"), list) else []
    keywords = body.get("ai_keywords") if isinstance(body.get("ai_keywords"), list) else []
    paper = Paper(
        id=paper_id,
        version=version,
        title=_text(body.get("title")) or _text(item.get("title")) or "",
        # One malformed name costs that name, never the paper.
        authors=tuple(
            name for a in authors if isinstance(a, dict) and (name := _text(a.get("name")))
        ),
        abstract=_text(body.get("summary")) or _text(item.get("summary")) or "",
        published=_day(body.get("publishedAt")),
        listed=_day(body.get("submittedOnDailyAt")) or listed,
        upvotes=_int(body.get("upvotes")),
        comments=_int(item.get("numComments")),
        ai_summary=_text(body.get("ai_summary")),
        keywords=tuple(k for k in (clean_text(k) for k in keywords if isinstance(k, str)) if k),
        github=_url(body.get("githubRepo")),
        github_stars=_int(body.get("githubStars")),
        project_page=_url(body.get("projectPage")),
        organization=_org(body.get("organization")) or _org(item.get("organization")),
        url=abs_url(paper_id),
        pdf_url=pdf_url(paper_id),
        sources=("hf",),
    )
    return validated(paper)


def _bounded_int(text: str) -> int | None:
    # No count HF keeps needs 19 digits; a longer one becomes "unknown" for that one field
    # instead of failing the whole body (int() refuses 4,300 digits).
    return int(text) if len(text) <= 18 else None


def _load_json(content: bytes, what: str) -> Any:
    head = content.lstrip()[:64].lower()
    if head.startswith((b"<!doctype html", b"<html", b"<")):
        raise UpstreamError(
            f"{SOURCE} answered {what} with an HTML page, not JSON",
            source=SOURCE,
            hint="a proxy or captive portal may be in the way; check network.hf_url",
        )
    try:
        return json.loads(content, parse_int=_bounded_int)
    except RecursionError:
        raise UpstreamError(
            f"{SOURCE} sent JSON for {what} nested too deeply to read", source=SOURCE
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpstreamError(
            f"{SOURCE} sent malformed JSON for {what} ({exc.__class__.__name__}: {str(exc)[:60]})",
            source=SOURCE,
            hint="the response may have been cut off; try again",
        ) from None


def parse_daily(content: bytes, listed: date | None = None) -> tuple[list[Paper], int]:
    """Parse a daily-papers (or search) response: (papers, number of unusable items)."""
    data = _load_json(content, "the daily papers")
    if isinstance(data, dict) and "error" in data:
        raise UpstreamError(f"{SOURCE} said: {str(data['error'])[:200]}", source=SOURCE)
    if not isinstance(data, list):
        raise UpstreamError(f"{SOURCE} sent {type(data).__name__}, expected a list", source=SOURCE)
    papers: list[Paper] = []
    skipped = 0
    day = listed.isoformat() if listed else None
    for item in data:
        try:
            papers.append(paper_from_json(item, day))
        except (ValueError, TypeError, AttributeError):
            skipped += 1
    if data and not papers:
        raise UpstreamError(f"{SOURCE} sent {len(data)} items, none of them a paper", source=SOURCE)
    return papers, skipped


def parse_paper(content: bytes) -> Paper:
    """Parse ``/api/papers/{id}``."""
    data = _load_json(content, "the paper")
    if not isinstance(data, dict):
        raise UpstreamError(f"{SOURCE} sent {type(data).__name__}, expected a paper", source=SOURCE)
    try:
        return paper_from_json(data)
    except (ValueError, TypeError, AttributeError) as exc:
        raise UpstreamError(f"{SOURCE} sent an unusable paper ({exc})", source=SOURCE) from None


def fetch_daily_page(client: HttpClient, base_url: str, day: date, page: int = 0) -> Response:
    """GET one page of a day's listing; a 400 (a day HF thinks is in the future) is returned."""
    return client.get(
        f"{base_url}/api/daily_papers",
        source=SOURCE,
        params={"date": day.isoformat(), "limit": PAGE_LIMIT, "p": page},
        allow=(400,),
    )


class Daily(NamedTuple):
    """A day's listing: papers (unique by id), unusable items, and why paging stopped early."""

    papers: list[Paper]
    skipped: int
    notes: tuple[str, ...] = ()


def daily(client: HttpClient, base_url: str, day: date) -> Daily | None:
    """All papers HF featured on ``day``; None when HF says the day has not begun.

    Pages are read while they come back full, each paper kept once (the first time its id
    appears), and paging stops when a page adds nothing new, after MAX_PAGES pages or at
    MAX_PAPERS papers, with a note saying so.
    """
    papers: dict[str, Paper] = {}
    skipped = 0
    notes: list[str] = []
    for page in range(MAX_PAGES):
        response = fetch_daily_page(client, base_url, day, page)
        if response.status == 400:
            if page == 0:
                return None
            break
        batch, bad = parse_daily(response.content, day)
        skipped += bad
        new = 0
        for paper in batch:
            if paper.id in papers:
                continue
            if len(papers) >= MAX_PAPERS:
                notes.append(
                    f"{SOURCE} sent more than {MAX_PAPERS} papers for {day}; kept the first "
                    f"{MAX_PAPERS} (no day has had that many: the listing may be wrong)"
                )
                return Daily(list(papers.values()), skipped, tuple(notes))
            papers[paper.id] = paper
            new += 1
        if len(batch) + bad < PAGE_LIMIT:
            break  # a short page is the last
        if not new:
            notes.append(
                f"{SOURCE} sent page {page + 1} of {day} with no paper not already listed "
                "(does it ignore the page number?); stopped paging"
            )
            break
    else:
        notes.append(
            f"{SOURCE}: stopped after {MAX_PAGES} full pages ({len(papers)} papers) for {day}; "
            "the listing may be incomplete"
        )
    return Daily(list(papers.values()), skipped, tuple(notes))


def fetch_paper(client: HttpClient, base_url: str, paper_id: str) -> Paper | None:
    """One paper from ``/api/papers/{id}``; None when HF does not know it."""
    response = client.get(f"{base_url}/api/papers/{paper_id}", source=SOURCE, allow=(404,))
    if response.status == 404:
        return None
    return parse_paper(response.content)


def search(client: HttpClient, base_url: str, query: str, limit: int = 50) -> list[Paper]:
    """HF's paper search (``/api/papers/search``)."""
    response = client.get(
        f"{base_url}/api/papers/search",
        source=SOURCE,
        params={"q": query, "limit": min(limit, PAGE_LIMIT)},
    )
    return parse_daily(response.content)[0]
