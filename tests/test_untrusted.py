"""The hostile-record corpus (tests/fixtures/hostile/) through every command and format.

Records arrive three ways: JSONL on stdin (``export -``, ``show -``, ``save -``), files in
the data dir edited by hand (a cached listing, a looked-up paper, the reading list), and
upstream bodies (HF's daily listing, an arXiv feed, the arXiv API). Each output is read by
the parser its readers use (tests/inert.py): CommonMark, html5lib, an XML parser and
feedparser, json, csv, bibtexparser, and a scan of the terminal sequences.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import ATOM, JSON, XML, FakeServer, Reply
from inert import (
    assert_digest,
    assert_listing,
    assert_markdown,
    assert_no_controls,
    assert_records,
    assert_terminal,
)
from papercli.cli import app

CORPUS = Path(__file__).parent / "fixtures" / "hostile"
RECORDS = (CORPUS / "records.jsonl").read_text()
COUNT = sum(1 for line in RECORDS.splitlines() if line.startswith("{"))
LISTING_FORMATS = (
    "plain json jsonl ids csv tsv markdown bibtex html atom ris csljson jsonfeed".split()
)
RICH_FORMATS = ["table", "summary"]
DIGEST_FORMATS = ["markdown", "html", "text", "json", "atom", "jsonfeed"]
NOW = "2026-06-12T15:00:00+00:00"


def run(runner: CliRunner, *args: str, stdin: str | None = None, code: int = 0):
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, (result.exit_code, result.stderr, result.stdout[-500:])
    assert "Traceback" not in result.stderr
    assert_no_controls(result.stderr, "stderr")
    return result


def check(fmt: str, text: str, count: int) -> None:
    if fmt in RICH_FORMATS:
        assert assert_terminal(text) >= count  # the links are there, and only checked ones
    else:
        assert_listing(text, fmt, count)


@pytest.fixture
def cached(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir whose files were edited by hand: a listing, a paper, the reading list."""
    monkeypatch.setenv("PAPERS_NOW", NOW)
    (isolated / "cache" / "hf").mkdir(parents=True)
    (isolated / "cache" / "papers").mkdir()
    (isolated / "state").mkdir()
    shutil.copy(CORPUS / "cache_hf_2026-06-12.json", isolated / "cache/hf/2026-06-12.json")
    shutil.copy(CORPUS / "cache_paper_2606.90030.json", isolated / "cache/papers/2606.90030.json")
    shutil.copy(CORPUS / "state_reading-list.json", isolated / "state/reading-list.json")
    return isolated


@pytest.mark.parametrize("fmt", LISTING_FORMATS)
def test_stdin_records_through_export_in_every_format(fmt: str, runner: CliRunner) -> None:
    result = run(runner, "export", "--format", fmt, "-", stdin=RECORDS)
    check(fmt, result.stdout, COUNT)


def check_detail(fmt: str, text: str, count: int) -> None:
    """``show`` output: Rich cards, plain text or a JSON array."""
    if fmt == "json":
        records = json.loads(text)
        assert_records(records if isinstance(records, list) else [records])
    else:
        links = assert_terminal(text)
        assert links >= (2 * count if fmt == "card" else 0)  # abstract page and PDF, at least


@pytest.mark.parametrize("fmt", ["card", "text", "json"])
def test_stdin_records_through_show(fmt: str, runner: CliRunner) -> None:
    result = run(runner, "--color", "always", "show", "-", "--format", fmt, stdin=RECORDS)
    assert result.stdout.count("2606.900") >= COUNT
    check_detail(fmt, result.stdout, COUNT)


@pytest.mark.parametrize("fmt", LISTING_FORMATS + RICH_FORMATS)
def test_saved_stdin_records_stay_inert_in_every_later_listing(
    fmt: str, runner: CliRunner, isolated: Path
) -> None:
    run(runner, "save", "-", stdin=RECORDS)
    stored = json.loads((isolated / "state" / "reading-list.json").read_text())
    assert_records([item["paper"] for item in stored["papers"]])  # kept clean, not as sent
    result = run(runner, "--color", "always", "saved", "--format", fmt)
    check(fmt, result.stdout, COUNT)


@pytest.mark.parametrize("fmt", LISTING_FORMATS + RICH_FORMATS)
def test_a_hand_edited_cache_listing_stays_inert(fmt: str, runner: CliRunner, cached: Path) -> None:
    result = run(
        runner, "--color", "always", "list", "--date", "2026-06-12", "--offline", "-f", fmt
    )
    check(fmt, result.stdout, COUNT)


@pytest.mark.parametrize("fmt", LISTING_FORMATS + RICH_FORMATS)
def test_a_hand_edited_reading_list_stays_inert(fmt: str, runner: CliRunner, cached: Path) -> None:
    result = run(runner, "--color", "always", "saved", "--format", fmt)
    check(fmt, result.stdout, 4)


@pytest.mark.parametrize("fmt", ["card", "text", "json"])
def test_a_hand_edited_cached_paper_stays_inert(fmt: str, runner: CliRunner, cached: Path) -> None:
    shown = run(runner, "--color", "always", "show", "2606.90030", "--offline", "-f", fmt)
    assert "2606.90030" in shown.stdout
    check_detail(fmt, shown.stdout, 1)
    exported = run(runner, "export", "2606.90030", "--offline", "--format", "markdown")
    assert_markdown(exported.stdout)


@pytest.mark.parametrize("fmt", DIGEST_FORMATS)
def test_the_digest_of_a_hand_edited_cache_stays_inert(
    fmt: str, runner: CliRunner, cached: Path
) -> None:
    result = run(runner, "digest", "--dry-run", "--offline", "--days", "1", "--format", fmt)
    assert_digest(result.stdout, fmt, COUNT)


@pytest.fixture
def upstream(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """Hugging Face, the arXiv feed and the arXiv API, each sending hostile bodies."""
    monkeypatch.setenv("PAPERS_NOW", NOW)
    server.serve_hf_days({"2026-06-12": (CORPUS / "hf_daily_2026-06-12.json").read_bytes()})
    rss = (CORPUS / "arxiv_rss_cs.CL_2026-08-17.xml").read_bytes()
    server.route("/rss/cs.CL", Reply(rss, 200, XML))
    api = (CORPUS / "arxiv_api_2608.90042.xml").read_bytes()
    server.route("/api/query", Reply(api, 200, ATOM))
    server.route("/api/papers/2608.90042", Reply(b'{"error": "not found"}', 404, JSON))
    return server


@pytest.mark.parametrize("fmt", LISTING_FORMATS + RICH_FORMATS)
def test_hostile_upstream_listings_stay_inert(
    fmt: str, runner: CliRunner, upstream: FakeServer
) -> None:
    result = run(runner, "--color", "always", "today", "--source", "hf", "--format", fmt)
    check(fmt, result.stdout, COUNT)


@pytest.mark.parametrize("fmt", LISTING_FORMATS + RICH_FORMATS)
def test_a_hostile_arxiv_feed_stays_inert(
    fmt: str, runner: CliRunner, upstream: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-08-17T15:00:00+00:00")
    feed = run(runner, "--color", "always", "today", "--source", "arxiv", "-c", "cs.CL", "-f", fmt)
    check(fmt, feed.stdout, 2)  # the hostile item and its plain neighbour


@pytest.mark.parametrize("fmt", DIGEST_FORMATS)
def test_the_digest_of_hostile_upstreams_stays_inert(
    fmt: str, runner: CliRunner, upstream: FakeServer
) -> None:
    result = run(runner, "digest", "--dry-run", "--source", "hf", "--format", fmt)
    assert_digest(result.stdout, fmt, COUNT)


@pytest.mark.parametrize("fmt", ["card", "text", "json"])
def test_a_hostile_api_answer_stays_inert(
    fmt: str, runner: CliRunner, upstream: FakeServer
) -> None:
    shown = run(runner, "--color", "always", "show", "2608.90042", "-f", fmt)
    assert "2608.90042" in shown.stdout
    check_detail(fmt, shown.stdout, 1)
    if fmt == "json":
        for listing_fmt in LISTING_FORMATS:
            exported = run(runner, "export", "2608.90042", "--offline", "-f", listing_fmt)
            check(listing_fmt, exported.stdout, 1)


REFUSED = [line for line in (CORPUS / "records_refused.jsonl").read_text().splitlines() if line]


@pytest.mark.parametrize("line", REFUSED)
@pytest.mark.parametrize("command", ["show", "save", "export"])
def test_ill_typed_records_are_refused_in_one_clean_line(
    line: str, command: str, runner: CliRunner, isolated: Path
) -> None:
    result = run(runner, command, "-", stdin=line + "\n", code=2)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: stdin line 1: ")
    assert not (isolated / "state" / "reading-list.json").exists()


def test_stdin_records_as_notes_stay_inert(runner: CliRunner, tmp_path: Path) -> None:
    from inert import assert_note

    vault = tmp_path / "vault"
    run(runner, "export", "-", "--format", "note", "--dir", str(vault), stdin=RECORDS)
    notes = sorted(vault.glob("*.md"))
    assert len(notes) == COUNT
    for note in notes:
        assert_note(note.read_text(encoding="utf-8"))
