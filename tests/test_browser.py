"""The HTML listing and the digest HTML, rendered by headless Chromium on a phone and a desktop.

Each page is loaded at 390 and 1,200 px wide; no page may scroll sideways and every paper's
title must be on screen. Screenshots stay under $PAPERS_SCREENSHOTS (default: the temp dir's
papercli-screenshots/) for a person, or CI, to look at. Skipped when Debian's chromium is not
installed (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import chromium
from fakeserver import XML, FakeServer, Reply, fixture
from papercli.cli import app

pytestmark = pytest.mark.skipif(
    chromium.executable() is None,
    reason="Debian's chromium is not installed (apt-get install chromium)",
)

WIDTHS = [(390, 844), (1200, 900)]
FRIDAY = "2026-08-22T15:00:00+00:00"  # HF shows Fri 2026-08-21, arXiv its mailing of that day
LONG_WORD = "Supercalifragilistic" * 12  # an unbroken 240-character word in a title

MEASURE = """
(() => {
  const titles = %s;
  const width = document.documentElement.clientWidth;
  const links = Array.from(document.querySelectorAll("a"));
  const problems = [];
  for (const title of titles) {
    const link = links.find(a => a.textContent.trim() === title);
    if (!link) { problems.push({title, problem: "missing"}); continue; }
    const box = link.getBoundingClientRect();
    const style = getComputedStyle(link);
    if (box.width < 1 || box.height < 1 || style.visibility !== "visible"
        || box.left < 0 || box.right > width + 0.5) {
      problems.push({title, left: box.left, right: box.right, width: box.width});
    }
  }
  return {
    viewport: width,
    scrollWidth: document.documentElement.scrollWidth,
    meta: !!document.querySelector('meta[name="viewport"]'),
    problems,
  };
})()
"""


def screenshots() -> Path:
    return Path(
        os.environ.get("PAPERS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "papercli-screenshots"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Browser]:
    with chromium.Browser() as opened:
        yield opened


@pytest.fixture
def sources(server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeServer:
    server.serve_hf_days({"2026-08-21": fixture("hf_daily_2026-06-12.json")})
    server.route("/rss/cs.CL", Reply(fixture("arxiv_rss_cs.CL_2026-08-21.xml"), 200, XML))
    monkeypatch.setenv("PAPERS_NOW", FRIDAY)
    monkeypatch.setenv("PAPERS_CATEGORIES", "cs.CL")
    (tmp_path / "config.toml").write_text(
        '[topics.agents]\nkeywords = ["agent*"]\n[topics.safety]\nkeywords = ["safety"]\n'
    )
    return server


def pages(runner: CliRunner, tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """name -> (page, the titles it must show)."""
    listing = runner.invoke(app, ["today", "--format", "json"])
    assert listing.exit_code == 0, listing.stderr
    papers = json.loads(listing.stdout)
    long = {**papers[0], "id": "2608.99999", "title": f"A {LONG_WORD} title"}
    records = "\n".join(json.dumps(p) for p in [*papers, long]) + "\n"
    exported = runner.invoke(app, ["export", "-", "--format", "html"], input=records)
    assert exported.exit_code == 0, exported.stderr
    digest = runner.invoke(app, ["digest", "--dry-run", "--format", "html"])
    assert digest.exit_code == 0, digest.stderr
    found = {
        "listing": (exported.stdout, [p["title"] for p in [*papers, long]]),
        "digest": (digest.stdout, [p["title"] for p in papers]),
    }
    written = {}
    for name, (html, titles) in found.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        written[name] = (path, titles)
    return written


@pytest.mark.parametrize("name", ["listing", "digest"])
def test_pages_fit_a_phone_and_a_desktop_and_show_every_title(
    browser: chromium.Browser, runner: CliRunner, sources: FakeServer, tmp_path: Path, name: str
) -> None:
    page, titles = pages(runner, tmp_path)[name]
    assert len(titles) >= 12
    for width, height in WIDTHS:
        shot = screenshots() / f"{name}-{width}.png"
        seen = browser.render(page, width, height, MEASURE % json.dumps(titles), shot)
        assert seen["meta"], "a viewport meta, or phones lay the page out 980 px wide"
        assert seen["viewport"] == width
        assert seen["scrollWidth"] <= width, f"{name} scrolls sideways at {width} px"
        assert seen["problems"] == [], f"{name} at {width} px: {seen['problems'][:3]}"
        assert shot.stat().st_size > 10_000  # a real picture of the page


def test_the_listing_heading_states_span_and_counts(runner: CliRunner, sources: FakeServer) -> None:
    page = runner.invoke(app, ["today", "--format", "html"]).stdout
    assert "<h1>Papers listed 2026-06-12 to 2026-08-21</h1>" in page
    assert "18 papers (Hugging Face 12, arXiv 6)" in page
    assert "<style>" in page and "<link" not in page and "<script" not in page  # self-contained
    assert 'href="https://huggingface.co/papers/2606.06113"' in page


def test_the_digest_lists_its_sections_and_links_hugging_face(
    runner: CliRunner, sources: FakeServer
) -> None:
    page = runner.invoke(app, ["digest", "--dry-run", "--format", "html"]).stdout
    sections = [line for line in page.splitlines() if line.startswith("<ul")]
    assert len(sections) == 1
    for number, title in enumerate(("agents", "safety", "Other papers"), 1):
        assert f'href="#section-{number}">{title}</a>' in sections[0]
        assert f'<h2 id="section-{number}"' in page
    assert 'href="https://huggingface.co/papers/2606.06113">Hugging Face</a>' in page
    arxiv_only = "2608.19199"
    assert f"huggingface.co/papers/{arxiv_only}" not in page
