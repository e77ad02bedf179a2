"""Chat messages stay within each service's documented limits however big or hostile the
digest, carry every paper exactly once in order, and keep untrusted text inert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from papercli.digest import discord, matrix, slack, webhook
from papercli.digest.build import Digest, build
from papercli.models import Paper, Topic

HOSTILE = "<!channel> @everyone @room *bold* _it_ [x](https://evil.example) <b>&amp; \x1b[31m"


def make_digest(count: int, *, title_len: int = 80, abstract_len: int = 600) -> Digest:
    papers = [
        Paper(
            id=f"2606.{10000 + n}",
            title=(f"Paper {n} {HOSTILE} " + "t" * title_len)[: title_len + 90],
            authors=tuple(f"Author {a} {HOSTILE}" for a in range(30)),
            abstract=("An abstract. " + HOSTILE + " word" * abstract_len)[: abstract_len * 5],
            listed="2026-06-12",
            primary_category="cs.CL",
            upvotes=n,
            github="https://github.com/x/y|<!here>" if n % 2 else "javascript:alert(1)",
            sources=("hf",),
        )
        for n in range(count)
    ]
    topics = (Topic(name="agents", keywords=("Paper 1",)), Topic(name="x" * 400, keywords=("2",)))
    return build(
        papers,
        name="default",
        topics=topics,
        since=date(2026, 6, 11),
        until=date(2026, 6, 12),
        generated=datetime(2026, 6, 12, 20, tzinfo=UTC),
        notes=(HOSTILE * 50,),
    )


SIZES = [(1, 80, 100), (60, 80, 600), (300, 6000, 20000)]


def ids_in_order(digest: Digest) -> list[str]:
    return [p.id for p in digest.papers()]


@pytest.mark.parametrize(("count", "title", "abstract"), SIZES)
def test_slack_messages_keep_to_block_kit_limits(count: int, title: int, abstract: int) -> None:
    digest = make_digest(count, title_len=title, abstract_len=abstract)
    parts = slack.render(digest)
    assert [i for p in parts for i in p.ids] == ids_in_order(digest)
    for part in parts:
        blocks = part.body["blocks"]
        assert 0 < len(blocks) <= 50
        assert part.body["text"]
        for block in blocks:
            if block["type"] == "header":
                assert 0 < len(block["text"]["text"]) <= 150
                assert block["text"]["type"] == "plain_text"
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
            for element in block.get("elements", ()):
                assert len(element["text"]) <= 3000
        text = json.dumps(part.body)
        assert "<!channel>" not in text and "<!here>" not in text and "javascript:" not in text
        assert "\\u001b" not in text


@pytest.mark.parametrize(("count", "title", "abstract"), SIZES)
def test_discord_messages_keep_to_embed_limits(count: int, title: int, abstract: int) -> None:
    digest = make_digest(count, title_len=title, abstract_len=abstract)
    parts = discord.render(digest, "papercli")
    assert [i for p in parts for i in p.ids] == ids_in_order(digest)
    for part in parts:
        body = part.body
        assert len(body["embeds"]) <= 10
        assert sum(discord.embed_chars(e) for e in body["embeds"]) <= 6000
        assert len(body["content"]) <= 2000
        assert body["allowed_mentions"] == {"parse": []}
        for embed in body["embeds"]:
            assert len(embed["title"]) <= 256
            assert len(embed["description"]) <= 4096
            assert len(embed["author"]["name"]) <= 256
            assert embed["url"].startswith("https://arxiv.org/abs/")
        assert "javascript:" not in json.dumps(body)
        assert "[x](https://evil.example)" not in json.dumps(body)


@pytest.mark.parametrize(("count", "title", "abstract"), SIZES)
def test_matrix_events_stay_well_under_the_event_size_limit(
    count: int, title: int, abstract: int
) -> None:
    digest = make_digest(count, title_len=title, abstract_len=abstract)
    parts = matrix.render(digest)
    assert [i for p in parts for i in p.ids] == ids_in_order(digest)
    for part in parts:
        assert len(json.dumps(part.body).encode()) < 40_000
        assert part.body["m.mentions"] == {}
        html = part.body["formatted_body"]
        assert html.count("<b>") == html.count("<b>Paper ")  # only papercli's own tags
        assert "&lt;b&gt;" in html  # the title's <b> arrives as text
        assert "javascript:" not in html and "\x1b" not in part.body["body"]


def test_a_webhook_digest_over_max_bytes_is_several_complete_documents() -> None:
    digest = make_digest(60)
    whole = webhook.render(digest)
    assert len(whole) == 1 and whole[0].body["part"] == whole[0].body["parts"] == 1
    parts = webhook.render(digest, max_bytes=20_000)
    assert len(parts) > 1
    assert [i for p in parts for i in p.ids] == ids_in_order(digest)
    for number, part in enumerate(parts, 1):
        body = part.body
        assert len(json.dumps(body, ensure_ascii=False).encode()) <= 20_000
        assert (body["part"], body["parts"]) == (number, len(parts))
        assert body["count"] == len(part.ids)
        assert [p["id"] for g in body["groups"] for p in g["papers"]] == list(part.ids)


def test_an_empty_digest_is_one_message_on_every_service() -> None:
    digest = make_digest(0)
    for render in (slack.render, discord.render, matrix.render, webhook.render):
        [part] = render(digest)
        assert part.ids == ()
