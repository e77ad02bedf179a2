"""Zotero on this computer: the connector server (what browser extensions use) and the local API.

Both listen on ``zotero.url`` (http://127.0.0.1:23119) while the Zotero app is open, as its
source defines them (chrome/content/zotero/xpcom/server/server_connector.js and
server_localAPI.js):

- ``GET /connector/ping`` answers 200 "Zotero is running".
- ``POST /connector/saveItems`` takes ``{"items": [...], "uri": ..., "sessionID": ...}`` in
  the translator item format and answers 201; a ``sessionID`` it has seen (within ten
  minutes) is 409 ``SESSION_EXISTS``: the items were saved by the first request, so papercli
  derives the id from what it saves and a repeat after a lost reply saves nothing twice.
  Attachments become links (the connector ignores files it did not upload itself).
- ``GET /api/users/0/items/top?format=json&start=N&limit=M`` is the local API (read-only,
  no key), when the user enabled it; otherwise 403 "Local API is not enabled". It pages
  with ``Total-Results``; items are ``{"key", "data": {...}}`` as in the web API v3.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from papercli.errors import NetworkError, UpstreamError, UsageError
from papercli.models import Paper, is_valid_id, parse_id
from papercli.sources.http import HttpClient

SOURCE = "Zotero"
CONNECTOR_API_VERSION = "3"
BATCH = 50  # items per saveItems request (the local API's write batch is 50 too)
PAGE = 100
MAX_PAGES = 500  # 50,000 items: past that, a library is read only in part (and says so)
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*|10\.48550/arXiv\.)"
    r"([0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?|[a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}(?:v[0-9]+)?)",
    re.IGNORECASE,
)

NOT_RUNNING_HINT = (
    "start Zotero (it listens there while it is open), or export a file and import it in "
    "Zotero (File > Import): papers export ID... --format ris > papers.ris"
)


def _creator(name: str) -> dict[str, str]:
    first, _, last = name.strip().rpartition(" ")
    if not first:
        return {"lastName": last, "firstName": "", "creatorType": "author"}
    return {"firstName": first, "lastName": last, "creatorType": "author"}


def zotero_item(paper: Paper, tags: Iterable[str]) -> dict[str, Any]:
    """A paper as a Zotero preprint, in the item format the connector's saveItems takes."""
    item: dict[str, Any] = {
        "id": f"papercli-{paper.id}",
        "itemType": "preprint",
        "title": paper.title,
        "creators": [_creator(a) for a in paper.authors if a.strip()],
        "abstractNote": paper.abstract,
        "date": paper.published or paper.listed or "",
        "url": paper.url,
        "DOI": paper.doi or f"10.48550/arXiv.{paper.id}",
        "repository": "arXiv",
        "archiveID": f"arXiv:{paper.id}",
        "libraryCatalog": "arXiv.org",
        "extra": f"arXiv: {paper.id}",
        "tags": [{"tag": t} for t in dict.fromkeys(tags) if t],
        "attachments": [
            {"title": "arXiv PDF", "url": paper.pdf_url, "mimeType": "application/pdf",
             "snapshot": False},
        ],
    }  # fmt: skip
    if paper.primary_category:
        item["extra"] += f" [{paper.primary_category}]"
    return item


def session_id(items: list[dict[str, Any]]) -> str:
    """A save session id derived from what is saved: the same batch, the same id."""
    text = json.dumps(items, sort_keys=True, ensure_ascii=False)
    return "papercli-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _not_running(url: str, what: str) -> NetworkError:
    return NetworkError(
        f"Zotero is not running: nothing answers at {url} ({what})",
        source=SOURCE,
        url=url,
        hint=NOT_RUNNING_HINT,
    )


def ping(client: HttpClient, base: str) -> None:
    """Check that Zotero (and not something else) answers at ``base``."""
    url = f"{base}/connector/ping"
    try:
        reply = client.get(url, source=SOURCE, allow=tuple(range(300, 600)))
    except NetworkError as exc:
        raise _not_running(base, exc.message.removeprefix(f"{SOURCE} ")) from None
    if reply.status != 200 or b"Zotero is running" not in reply.content[:2000]:
        raise UpstreamError(
            f"something other than Zotero answers at {base} (HTTP {reply.status})",
            source=SOURCE,
            url=url,
            hint="check zotero.url (Zotero listens on http://127.0.0.1:23119)",
        )


def save_items(client: HttpClient, base: str, items: list[dict[str, Any]]) -> bool:
    """Save one batch through the connector; False when Zotero already had this batch."""
    body = {"items": items, "uri": items[0]["url"] if items else "", "sessionID": session_id(items)}
    headers = {
        "Content-Type": "application/json",
        "X-Zotero-Connector-API-Version": CONNECTOR_API_VERSION,
    }
    try:
        reply = client.send(
            "POST",
            f"{base}/connector/saveItems",
            json.dumps(body, ensure_ascii=False).encode("utf-8"),
            target="Zotero",
            headers=headers,
            repeatable=True,  # a repeated session id is refused with 409: nothing twice
        )
    except NetworkError as exc:
        if "refused the connection" in exc.message:
            raise _not_running(base, "refused the connection") from None
        raise
    if reply.status == 201:
        return True
    if reply.status == 409 and b"SESSION_EXISTS" in reply.content:
        return False
    detail = ""
    if reply.status == 500 and b"libraryEditable" in reply.content:
        detail = ": the library selected in Zotero is read-only; select My Library"
    raise UpstreamError(
        f"Zotero refused the items (HTTP {reply.status}){detail}",
        source=SOURCE,
        url=f"{base}/connector/saveItems",
        status=reply.status,
    )


def library_items(client: HttpClient, base: str) -> Iterator[dict[str, Any]]:
    """Every top-level item of the user's library, through the local API, page by page."""
    url = f"{base}/api/users/0/items/top"
    start = 0
    for _page in range(MAX_PAGES):
        try:
            reply = client.get(
                url,
                source=SOURCE,
                params={"format": "json", "start": start, "limit": PAGE},
                headers={"Zotero-API-Version": "3"},
                allow=(403,),
            )
        except NetworkError as exc:
            if "refused" in exc.message:
                raise _not_running(base, "refused the connection") from None
            raise
        if reply.status == 403:
            raise UpstreamError(
                "Zotero's local API is off, so papercli cannot read the library",
                source=SOURCE,
                url=url,
                status=403,
                hint="in Zotero: Settings > Advanced > Allow other applications on this "
                "computer to communicate with Zotero",
            )
        try:
            items = json.loads(reply.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            items = None
        if not isinstance(items, list):
            raise UpstreamError("Zotero's local API answered something that is not a list of items",
                                source=SOURCE, url=url)  # fmt: skip
        yield from (i for i in items if isinstance(i, dict))
        total = reply.headers.get("total-results", "")
        start += len(items)
        if len(items) < PAGE or (total.isdigit() and start >= int(total)):
            return
    raise UpstreamError(
        f"the Zotero library has more than {MAX_PAGES * PAGE} items; read the first of them",
        source=SOURCE,
        url=url,
    )


def arxiv_id_of(item: dict[str, Any]) -> str | None:
    """The arXiv id a library item names (archive id, URL, DOI or extra), versionless."""
    data = item.get("data")
    if not isinstance(data, dict):
        return None
    for field in ("archiveID", "url", "DOI", "extra", "number"):
        value = data.get(field)
        if not isinstance(value, str):
            continue
        match = _ARXIV_IN_TEXT.search(value[:2000])
        if match:
            try:
                paper_id = parse_id(match.group(1))[0]
            except UsageError:
                continue
            if is_valid_id(paper_id):
                return paper_id
    return None
