"""JSON Feed 1.1: every field the specification requires, of listings and digests alike."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from papercli.digest.build import build
from papercli.digest.render import RENDERERS
from papercli.formats.writers import WRITERS
from papercli.models import Paper, Topic

PAPERS = [
    Paper(
        id="2611.00001",
        title="Diffusion <b>models</b> & you",
        authors=("Ada Lovelace", "Alan Turing"),
        abstract="We <script>alert(1)</script> propose.\nSecond line.",
        published="2026-11-20",
        listed="2026-11-27",
        categories=("cs.LG",),
        keywords=("diffusion",),
        upvotes=12,
        github="javascript:alert(1)",
        project_page="https://example.org/p?a=1&b=2",
        sources=("hf",),
    ),
    Paper(id="2611.00002", title="", authors=(), abstract=""),  # nothing but an id
    Paper(id="hep-th/9901001", title="Old \x1b[31mstyle\x07", published="not a date"),
]


def feed_of(papers: list[Paper]) -> dict:
    out = io.StringIO()
    WRITERS["jsonfeed"](papers, out, None)
    return json.loads(out.getvalue())


def rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_feed(feed: dict) -> None:
    """The JSON Feed 1.1 requirements, field by field (https://jsonfeed.org/version/1.1)."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url", "description", "icon", "favicon", "language"):
        assert key not in feed or isinstance(feed[key], str)
    for author in feed.get("authors", []):
        assert {"name", "url", "avatar"} & set(author)
    ids = []
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        ids.append(item["id"])
        # An item must have content_html or content_text (or both).
        assert isinstance(item.get("content_html"), str) or isinstance(
            item.get("content_text"), str
        )
        for key in ("url", "external_url", "title", "content_html", "content_text", "summary"):
            assert key not in item or isinstance(item[key], str)
        for key in ("date_published", "date_modified"):
            if key in item:
                assert rfc3339(item[key]).tzinfo is not None
        for author in item.get("authors", []):
            assert {"name", "url", "avatar"} & set(author)
        assert all(isinstance(t, str) for t in item.get("tags", []))
        for attachment in item.get("attachments", []):
            assert isinstance(attachment["url"], str) and isinstance(attachment["mime_type"], str)
    assert len(ids) == len(set(ids))  # ids are unique within the feed


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_a_listing_feed_meets_the_spec() -> None:
    feed = feed_of(PAPERS)
    check_feed(feed)
    first, bare, old = feed["items"]
    assert first["id"] == first["url"] == "https://arxiv.org/abs/2611.00001"
    assert first["title"] == "Diffusion <b>models</b> & you"  # title is plain text
    assert first["content_text"] == "We <script>alert(1)</script> propose.\nSecond line."
    assert first["date_published"] == "2026-11-20T00:00:00Z"
    assert first["date_modified"] == "2026-11-27T00:00:00Z"
    assert first["authors"] == [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}]
    assert first["tags"] == ["cs.LG", "diffusion"]
    assert first["attachments"] == [
        {"url": "https://arxiv.org/pdf/2611.00001", "mime_type": "application/pdf", "title": "PDF"}
    ]
    assert bare["content_text"] == bare["title"] == "2611.00002"
    assert old["title"] == "Old style" and "date_published" not in old
    assert old["id"] == "https://arxiv.org/abs/hep-th/9901001"
    assert feed_of([])["items"] == []


def test_content_html_is_escaped_text_and_safe_links() -> None:
    html = feed_of(PAPERS)["items"][0]["content_html"]
    parsed = Tags()
    parsed.feed(html)
    assert set(parsed.tags) == {"p", "a"}  # the <script> and <b> in the text stay text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert parsed.hrefs == [
        "https://arxiv.org/abs/2611.00001",
        "https://arxiv.org/pdf/2611.00001",
        "https://example.org/p?a=1&b=2",  # the javascript: link is left out
    ]


def test_the_digest_is_a_json_feed_too() -> None:
    digest = build(
        PAPERS,
        name="default",
        topics=[Topic("diffusion", keywords=("diffusion",))],
        since=date(2026, 11, 27),
        until=date(2026, 11, 27),
        generated=datetime(2026, 11, 27, 8, tzinfo=UTC),
    )
    feed = json.loads(RENDERERS["jsonfeed"](digest))
    check_feed(feed)
    assert feed["title"] == digest.subject()
    assert [i["id"] for i in feed["items"]] == [p.url for p in digest.papers()]
    assert feed["items"][0]["summary"]


def test_jsonfeed_on_the_command_line(runner: CliRunner) -> None:
    stdin = "".join(json.dumps(p.to_dict()) + "\n" for p in PAPERS)
    result = runner.invoke(app, ["export", "-", "--format", "jsonfeed"], input=stdin)
    assert result.exit_code == 0, result.stderr
    check_feed(json.loads(result.stdout))


def test_papers_digest_writes_a_json_feed(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    out = tmp_path / "papers.json"
    result = runner.invoke(app, ["digest", "--format", "jsonfeed", "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    feed = json.loads(out.read_text())
    check_feed(feed)
    assert len(feed["items"]) == 12 and feed["title"].startswith("papercli: 12 new papers")
    again = runner.invoke(app, ["digest", "--format", "jsonfeed", "--output", str(out)])
    assert again.exit_code == 10  # nothing new: the feed file is left as it was
    assert json.loads(out.read_text()) == feed
