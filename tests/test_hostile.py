"""Hostile upstream text stays inert text in every format; hostile ids never become paths."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import feedparser
import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply
from papercli.cli import app

ESCAPES = "\x1b[31mRED\x1b[0m \x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \x1b[2J"
MARKUP = "[bold]Bold[/bold] [link=http://evil.example]x[/link]"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
BIDI = "\u202eevil\u202c"
TITLE = f"{ESCAPES} {MARKUP} {HTML} {BIDI} nul\x00here"
FORMULA_AUTHOR = "=cmd|' /C calc'!A0"


def hostile_day() -> bytes:
    items = [
        {
            "paper": {
                "id": "2606.99999",
                "title": TITLE,
                "summary": f"Abstract {HTML} {ESCAPES} {MARKUP} {BIDI}.",
                "authors": [{"name": FORMULA_AUTHOR}, {"name": f"Mallory {HTML}"}],
                "upvotes": 7,
                "ai_summary": f"{MARKUP} {HTML}",
                "ai_keywords": ["[red]kw[/red]", "=SUM(A1)"],
                "githubRepo": "javascript:alert(1)",
                "projectPage": "https://example.org/?a=1&b=<2>",
                "submittedOnDailyAt": "2026-06-12T00:00:00.000Z",
            },
            "numComments": 1,
        },
        {"paper": {"id": "../../../../etc/passwd", "title": "traversal"}},
        {"paper": {"id": "2606.00001/../../x", "title": "traversal"}},
        {"paper": {"id": "..%2F..%2Fx", "title": "traversal"}},
    ]
    return json.dumps(items).encode()


@pytest.fixture
def hostile(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": hostile_day()})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    return server


def run(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def assert_inert(text: str) -> None:
    for bad in ("\x1b[31m", "\x1b[2J", "\x1b]8;;http://evil", "\u202e", "\u202c", "\x00", "\x07"):
        assert bad not in text, repr(bad)


FORMATS = ["plain", "json", "jsonl", "csv", "tsv", "markdown", "bibtex", "html", "atom", "ids"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_machine_format_keeps_hostile_text_inert(
    fmt: str, runner: CliRunner, hostile: FakeServer
) -> None:
    result = run(runner, "today", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert_inert(out)
    assert "2606.99999" in out
    assert "passwd" not in out and "traversal" not in out
    if fmt == "html":
        assert "<script>" not in out and "<img" not in out
    if fmt == "markdown":
        assert not re.search(r"(?<!\\)<", out)  # every < is escaped: no HTML gets through
    if fmt == "html":
        assert "&lt;script&gt;" in out and "javascript:" not in out
    if fmt == "markdown":
        assert "\\[link=http://evil.example\\]" in out and "\\<script\\>" in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0]["authors"].startswith("'=cmd")
    if fmt == "atom":
        entry = feedparser.parse(out.encode()).entries[0]
        assert '<script>alert("x")</script>' in entry.title  # text, escaped in the XML
    if fmt == "bibtex":
        assert bibtexparser.loads(out).entries[0]["eprint"] == "2606.99999"
    if fmt in ("json", "jsonl"):
        record = json.loads(out.splitlines()[1 if fmt == "json" else 0].rstrip(","))
        assert record["github"] is None  # javascript: is not a link
        assert "[bold]Bold[/bold]" in record["title"]


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize("fmt", ["table", "summary"])
def test_rich_output_shows_markup_as_text(
    fmt: str, color: str, runner: CliRunner, hostile: FakeServer
) -> None:
    result = run(runner, "--color", color, "today", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout)
    assert "[bold]" in result.stdout  # shown, not interpreted
    assert not re.search(r"\x1b\]8;[^\x1b]*evil", result.stdout)  # no link to the attacker
    if color == "always":
        assert re.search(r"\x1b\]8;[^\x1b]*https://arxiv\.org/abs/2606\.99999", result.stdout)


def test_show_and_digest_keep_hostile_text_inert(
    runner: CliRunner, hostile: FakeServer, tmp_path: Path
) -> None:
    run(runner, "today")
    shown = run(runner, "show", "2606.99999", "--offline")
    assert shown.exit_code == 0
    assert_inert(shown.stdout)
    for fmt in ("html", "markdown", "text", "atom", "json"):
        out = tmp_path / f"digest.{fmt}"
        result = run(runner, "digest", "--dry-run", "--format", fmt, "--output", str(out))
        assert result.exit_code == 0, result.stderr
        assert_inert(result.stdout)
        assert "2606.99999" in result.stdout  # the hostile paper is there, defused
        if fmt == "html":
            assert "<script>" not in result.stdout and 'href="javascript:' not in result.stdout
        assert not out.exists()  # a dry run writes nothing
    out = tmp_path / "digest.html"
    written = run(runner, "digest", "--format", "html", "--output", str(out))
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    text = out.read_text()
    assert_inert(text)
    assert "2606.99999" in text and "<script>" not in text and 'href="javascript:' not in text


def test_hostile_messages_on_stderr_are_inert(runner: CliRunner, server: FakeServer, monkeypatch):
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    server.route(
        "/api/daily_papers", Reply(json.dumps({"error": ESCAPES + HTML}).encode(), 200, JSON)
    )
    result = run(runner, "today")
    assert result.exit_code == 5
    assert_inert(result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "../../etc/passwd"],
        ["show", "2606.00001/../../../x"],
        ["save", "..%2F..%2Fx"],
        ["download", "../x", "--dir", "."],
        ["open", "file:///etc/passwd"],
        ["digest", "--name", "../../x", "--dry-run"],
        ["today", "--category", "../../etc"],
        ["list", "--category", "cs.CL/../../x"],
    ],
)
def test_ids_names_and_categories_never_become_paths(
    args: list[str], runner: CliRunner, isolated: Path, tmp_path: Path
) -> None:
    before = sorted(p for p in tmp_path.rglob("*"))
    result = run(runner, *args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_traversal_ids_from_upstream_are_dropped(
    runner: CliRunner, hostile: FakeServer, isolated: Path, tmp_path: Path
) -> None:
    result = run(runner, "today", "--format", "ids")
    assert result.stdout.split() == ["2606.99999"]
    assert "skipped 3 item(s)" in result.stderr
    files = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(f.startswith("home/") for f in files), files
