"""Defence in depth: every writer escapes links and dates for its own context, even for a
record that never passed ``Paper.from_dict`` (built in code, or by a future path in)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from inert import assert_digest, assert_listing, assert_markdown, assert_terminal
from papercli.digest.build import build
from papercli.digest.render import RENDERERS
from papercli.formats.escape import doi_url, link_target, md_url
from papercli.formats.table import render_table
from papercli.formats.terminal import Terminal, render_detail, render_summary
from papercli.formats.writers import WRITERS
from papercli.models import Paper

OSC_TITLE = "\x1b]0;pwned\x07"
# Raw Paper objects: the gate is bypassed on purpose, so only the writers stand in the way.
UNCHECKED = [
    Paper(
        id="2606.90101",
        title="javascript everywhere",
        url="javascript:alert(document.domain)",
        pdf_url="data:text/html,<script>alert(1)</script>",
        github="javascript:alert(2)",
        project_page=f"https://x.example/{OSC_TITLE}",
        published="2026-06-10</published><title>pwned</title><published>2026-06-10",
        listed="<x/>",
        upvotes=5,
        sources=("hf",),
    ),
    Paper(
        id="2606.90102",
        title="breakouts",
        github="https://x.example/>)[click me](javascript:alert(6))",
        project_page='https://x.example/"onmouseover="alert(1)"<b>|x|</b>',
        doi="10.1000/<script>alert(1)</script>\x1b[2J",
        published="2026-06-10",
        listed="2026-06-12",
        upvotes=3,
        sources=("hf",),
    ),
    Paper(
        id="2606.90103",
        title="escapes in links",
        url=f"https://arxiv.org/abs/2606.90103{OSC_TITLE}",
        pdf_url="https://arxiv.org/pdf/2606.90103\x1b[2J",
        github="https://github.com/x\x9b2J",
        project_page="https://例え.jp/パス?q=\u202e",
        listed="2026-06-12",
        sources=("hf",),
    ),
]
FORMATS = sorted(WRITERS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_listing_writer_checks_links_again(fmt: str) -> None:
    out = io.StringIO()
    WRITERS[fmt](UNCHECKED, out, None)
    assert_listing(out.getvalue(), fmt, len(UNCHECKED))


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_digest_renderer_checks_links_again(fmt: str) -> None:
    digest = build(
        UNCHECKED,
        name="default",
        topics=[],
        since=date(2026, 6, 11),
        until=date(2026, 6, 12),
        generated=datetime(2026, 6, 12, 6, 0, tzinfo=UTC),
    )
    text = RENDERERS[fmt](digest)
    assert_digest(text, fmt, len(UNCHECKED))
    if fmt == "markdown":
        hrefs = [href for href, _label in assert_markdown(text)]
        assert not any("javascript" in href for href in hrefs)  # the breakout link is gone


@pytest.mark.parametrize("render", [render_table, render_summary])
def test_rich_tables_and_cards_link_only_checked_targets(render) -> None:
    out = io.StringIO()
    render(UNCHECKED, out, Terminal(styled=True, color=True, width=120))
    links = assert_terminal(out.getvalue())
    assert links >= len(UNCHECKED)


def test_a_rich_detail_card_links_only_checked_targets() -> None:
    for paper in UNCHECKED:
        out = io.StringIO()
        render_detail(paper, out, Terminal(styled=True, color=True, width=120))
        assert assert_terminal(out.getvalue()) >= 2  # abstract page and PDF


def test_markdown_destinations_are_percent_encoded() -> None:
    assert md_url("https://x.example/>)[a](javascript:b)") == (
        "https://x.example/%3E%29[a]%28javascript:b%29"
    )
    assert md_url("https://x.example/a b") is None
    assert md_url('https://x.example/<|`\\">') == "https://x.example/%3C%7C%60%5C%22%3E"
    assert md_url("javascript:alert(1)") is None
    # CommonMark reads the destination back as one link to the same place.
    (link,) = assert_markdown(f"[t]({md_url('https://x.example/a_(b)?q=1&r=2')})")
    assert link == ("https://x.example/a_%28b%29?q=1&r=2", "t")


def test_osc8_targets_are_printable_ascii() -> None:
    assert link_target("https://例え.jp/パス?q=1") == (
        "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=1"
    )
    assert link_target("https://a.example/\x1b]8;;x\x1b\\") is None
    assert link_target("https://a.example/\x9c") is None
    assert link_target("data:,x") is None
    assert doi_url("10.1000/a<b>#c?d") == "https://doi.org/10.1000/a%3Cb%3E%23c%3Fd"
