"""A fake arXiv query API over a set of papers, answering the way export.arxiv.org does.

It parses ``search_query`` (``cat:`` clauses joined by OR, ``all:``/``ti:`` words, and a
``submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`` window, joined by AND), ``id_list``,
``start``, ``max_results``, ``sortBy`` and ``sortOrder``; pages at most 2,000 entries; answers
an offset past 30,000 or a malformed query with HTTP 400 and an error entry; and reports
``opensearch:totalResults`` / ``startIndex`` / ``itemsPerPage`` as arXiv does (see
shared/formats/arxiv_api_query_testing_start*_max10_*.xml).

Hostile variants are switches on the same fake: ``page_cap`` (pages shorter than asked while
totalResults stays large), ``claim_total`` (a totalResults that lies), ``ignore_start`` (every
page is the first) and ``ignore_window`` (papers from outside the submittedDate window).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from fakeserver import ATOM, FakeServer, Reply

PAGE_MAX = 2000
OFFSET_MAX = 30000


@dataclass(frozen=True)
class ApiPaper:
    """One paper the fake knows: its id (versionless), first submission and categories."""

    id: str
    published: datetime
    categories: tuple[str, ...]
    title: str = ""
    version: int = 1

    @property
    def primary(self) -> str:
        return self.categories[0]


def papers_in(
    start: datetime, end: datetime, count: int, categories: tuple[str, ...], first: int = 1
) -> list[ApiPaper]:
    """``count`` papers submitted evenly over [start, end), with ids 2608.NNNNN from ``first``."""
    step = (end - start) / max(count, 1)
    return [
        ApiPaper(f"2608.{first + n:05d}", start + step * n, categories, f"Paper {first + n}")
        for n in range(count)
    ]


@dataclass
class FakeArxivApi:
    """Serve ``papers`` at ``/api/query`` of a FakeServer; see the module docstring."""

    papers: list[ApiPaper] = field(default_factory=list)
    page_cap: int | None = None
    claim_total: int | None = None
    ignore_start: bool = False
    ignore_window: bool = False
    queries: list[dict[str, str]] = field(default_factory=list)

    def install(self, server: FakeServer) -> FakeArxivApi:
        server.respond("/api/query", self.answer)
        return self

    # -- the query language --------------------------------------------------------------

    def matches(self, search: str) -> list[ApiPaper]:
        """Papers matching a search_query, or ValueError for one arXiv would refuse."""
        found = list(self.papers)
        for clause in _split(search, " AND "):
            clause = clause.strip()
            while clause.startswith("(") and clause.endswith(")"):
                clause = clause[1:-1].strip()
            window = re.fullmatch(r"submittedDate:\[(\d{12}) TO (\d{12})\]", clause)
            if window:
                if self.ignore_window:
                    continue
                low, high = (_minute(v) for v in window.groups())
                found = [p for p in found if low <= p.published.replace(second=0) <= high]
                continue
            terms = [t.strip() for t in clause.split(" OR ")]
            found = [p for p in found if any(_term(p, t) for t in terms)]
        return found

    def answer(self, query: dict[str, str]) -> Reply:
        self.queries.append(dict(query))
        try:
            start = int(query.get("start", "0"))
            size = min(int(query.get("max_results", "10")), PAGE_MAX)
            if start < 0 or size < 0 or start + size > OFFSET_MAX:
                raise ValueError("start and max_results must stay within 30000")
            found = (
                self.matches(query.get("search_query", ""))
                if query.get("search_query")
                else list(self.papers)
            )
        except ValueError as exc:
            return Reply(error_feed(str(exc)), 400, ATOM)
        ids = [i.strip() for i in query.get("id_list", "").split(",") if i.strip()]
        if ids:
            by_id = {p.id: p for p in found}
            found = [by_id[i.split("v")[0]] for i in ids if i.split("v")[0] in by_id]
        elif query.get("sortBy") == "submittedDate":
            found.sort(key=lambda p: (p.published, p.id))
            if query.get("sortOrder") == "descending":
                found.reverse()
        offset = 0 if self.ignore_start else start
        page = found[offset : offset + size]
        if self.page_cap is not None:
            page = page[: self.page_cap]
        total = len(found) if self.claim_total is None else self.claim_total
        return Reply(feed(page, total, start), 200, ATOM)


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside parentheses and brackets."""
    parts, depth, current, n = [], 0, "", 0
    while n < len(text):
        char = text[n]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if depth == 0 and text.startswith(separator, n):
            parts.append(current)
            current, n = "", n + len(separator)
            continue
        current += char
        n += 1
    return [*parts, current]


def _minute(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%d%H%M").replace(tzinfo=UTC)


def _term(paper: ApiPaper, term: str) -> bool:
    field_name, _, value = term.partition(":")
    value = value.strip('"')
    if field_name == "cat":
        return any(c == value or c.split(".")[0] == value for c in paper.categories)
    if field_name in ("all", "ti"):
        return value.lower() in paper.title.lower()
    raise ValueError(f"unknown field in {term!r}")


def feed(papers: list[ApiPaper], total: int, start: int) -> bytes:
    """An Atom page in the 2026 format of export.arxiv.org."""
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/fake</id>\n  <title>arXiv Query: fake</title>\n"
        "  <updated>2026-08-22T12:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    ]
    for p in papers:
        when = p.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        cats = "".join(
            f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>\n'
            for c in p.categories
        )
        parts.append(
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{p.id}v{p.version}</id>\n"
            f"    <title>{escape(p.title or p.id)}</title>\n"
            f"    <updated>{when}</updated>\n"
            f'    <link href="https://arxiv.org/abs/{p.id}v{p.version}" rel="alternate" '
            'type="text/html"/>\n'
            "    <summary>An abstract.</summary>\n"
            f"{cats}"
            f"    <published>{when}</published>\n"
            f"    <arxiv:primary_category term={quoteattr(p.primary)}/>\n"
            "    <author>\n      <name>Ada Lovelace</name>\n    </author>\n"
            "  </entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()


def error_feed(reason: str) -> bytes:
    """arXiv's error answer: one entry whose id names /api/errors."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns="http://www.w3.org/2005/Atom">\n'
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <entry>\n    <id>https://arxiv.org/api/errors#bad_query</id>\n"
        f"    <title>Error</title>\n    <summary>{escape(reason)}</summary>\n  </entry>\n"
        "</feed>\n"
    ).encode()


def utc(value: str) -> datetime:
    """``2026-08-20 15:00`` (UTC) as an aware datetime, for building papers."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
