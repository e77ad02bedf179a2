"""Pipes between papercli commands, the reading list, open, download, terminal niceties."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.cli import app

SATURDAY = "2026-06-13T15:00:00+00:00"


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def run(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_ids_pipe_into_export(runner: CliRunner, hf: FakeServer) -> None:
    ids = run(runner, "list", "--date", "2026-06-12", "-k", "agent*", "--format", "ids").stdout
    assert len(ids.splitlines()) >= 3
    requests = len(hf.requests)
    result = run(runner, "export", "--format", "bibtex", "-", stdin=ids)
    assert result.exit_code == 0, result.stderr
    entries = bibtexparser.loads(result.stdout).entries
    assert [e["eprint"] for e in entries] == ids.split()
    assert len(hf.requests) == requests  # all from the cache


def test_jsonl_through_jq_like_filter_into_show(runner: CliRunner, hf: FakeServer) -> None:
    records = run(runner, "today", "--format", "jsonl").stdout.splitlines()
    popular = "\n".join(r for r in records if json.loads(r)["upvotes"] > 4) + "\n"
    result = run(runner, "show", "-", "--format", "json", stdin=popular)
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert [p["id"] for p in shown] == [json.loads(r)["id"] for r in popular.splitlines()]
    text = run(runner, "show", "-", stdin=popular).stdout
    assert text.count("Abstract page:") == len(shown)


def test_plain_output_pipes_too(runner: CliRunner, hf: FakeServer) -> None:
    plain = run(runner, "today", "-n", "2").stdout
    result = run(runner, "export", "-", "-f", "ids", stdin=plain)
    assert result.stdout.split() == [line.split("\t")[0] for line in plain.splitlines()]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("2606.12730\n../../etc/passwd\n", "stdin line 2: not an arXiv id"),
        ('{"id": "../x"}\n', "stdin line 1: not a paper record"),
        ("\n# only comments\n", "no paper ids given"),
    ],
)
def test_bad_stdin_is_a_usage_error(runner: CliRunner, stdin: str, message: str) -> None:
    result = run(runner, "export", "-", stdin=stdin)
    assert result.exit_code == 2
    assert message in result.stderr


def test_reading_list_save_tag_export_unsave_offline(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    run(runner, "today")
    result = run(runner, "save", "2606.12730", "2606.06113", "--tag", "to-read")
    assert result.exit_code == 0, result.stderr
    assert "saved 2 new" in result.stderr
    run(runner, "save", "2606.12730", "--tag", "psych")
    assert run(runner, "cache", "clear", "--yes").exit_code == 0
    listed = run(runner, "saved", "-f", "json")
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == ["2606.06113", "2606.12730"]  # saved together: by id
    assert rows[0]["title"] and rows[0]["abstract"]  # the full record survived cache clear
    tagged = run(runner, "saved", "--tag", "psych", "-f", "ids").stdout.split()
    assert tagged == ["2606.12730"]
    bib = run(runner, "export", "--saved", "--format", "bibtex").stdout
    assert {e["eprint"] for e in bibtexparser.loads(bib).entries} == {"2606.12730", "2606.06113"}
    filtered = run(runner, "saved", "-k", "psychometric", "-f", "ids").stdout.split()
    assert filtered == ["2606.12730"]
    assert run(runner, "unsave", "2606.12730").exit_code == 0
    assert run(runner, "saved", "-f", "ids").stdout.split() == ["2606.06113"]
    missing = run(runner, "unsave", "2606.12730")
    assert "2606.12730 was not saved" in missing.stderr


def test_saving_jsonl_records_needs_no_network(runner: CliRunner, hf: FakeServer) -> None:
    records = run(runner, "today", "--format", "jsonl", "-n", "2").stdout
    requests = len(hf.requests)
    assert run(runner, "save", "-", stdin=records).exit_code == 0
    assert len(hf.requests) == requests
    assert len(run(runner, "saved", "-f", "ids").stdout.split()) == 2


def test_an_unreadable_reading_list_is_never_overwritten(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    path = isolated / "state" / "reading-list.json"
    path.parent.mkdir(parents=True)
    path.write_text("{broken")
    run(runner, "today")
    result = run(runner, "save", "2606.12730")
    assert result.exit_code == 3 and "reading list" in result.stderr
    assert path.read_text() == "{broken"


def test_export_needs_ids_or_saved(runner: CliRunner) -> None:
    assert run(runner, "export").exit_code == 2
    assert run(runner, "export", "2606.12730", "--saved").exit_code == 2


def test_csv_and_summary_on_listings(runner: CliRunner, hf: FakeServer) -> None:
    csv_out = run(runner, "today", "-f", "csv", "-n", "2").stdout.splitlines()
    assert csv_out[0].startswith("id,version,title,authors,")
    assert len(csv_out) == 3
    cards = run(runner, "today", "-f", "summary", "-n", "2").stdout
    assert "2606.06113" in cards and "▲ 13" in cards and "Structured Defect Grounding" in cards
    assert "╭" in cards and "\x1b[" not in cards


def test_links_are_clickable_when_colour_is_on(runner: CliRunner, hf: FakeServer) -> None:
    table = run(runner, "--color", "always", "today", "-f", "table", "-n", "1").stdout
    assert "\x1b]8;" in table and "https://arxiv.org/abs/2606.06113" in table


def test_no_color_env_is_respected(
    runner: CliRunner, hf: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = run(runner, "today", "-f", "summary", "-n", "1")
    assert "\x1b[" not in result.stdout


def test_momentum_shows_the_change_since_the_last_fetch(
    runner: CliRunner, hf: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    run(runner, "today")
    bumped = fixture("hf_daily_2026-06-12.json").replace(b'"upvotes": 13', b'"upvotes": 20')
    hf.route("/api/daily_papers", Reply(bumped, 200, JSON), query={"date": "2026-06-12"})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T17:00:00+00:00")
    table = run(runner, "today", "-f", "table", "-n", "1").stdout
    assert "20 (+7)" in table
    record = json.loads(run(runner, "today", "-f", "jsonl", "-n", "1").stdout)
    assert (record["upvotes"], record["upvotes_previous"]) == (20, 13)


def test_open_uses_the_browser(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    assert run(runner, "open", "2606.12730").exit_code == 0
    assert run(runner, "open", "arXiv:2606.12730v2", "--pdf").exit_code == 0
    assert opened == ["https://arxiv.org/abs/2606.12730", "https://arxiv.org/pdf/2606.12730"]
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    headless = run(runner, "open", "2606.12730")
    assert headless.stdout.strip() == "https://arxiv.org/abs/2606.12730"
    assert "no browser" in headless.stderr


def test_download_saves_pdfs_and_skips_what_exists(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAPERS_ARXIV_PDF_URL", server.url)
    pdf = b"%PDF-1.5\n" + b"x" * 50_000
    server.route("/pdf/2606.12730", Reply(pdf, 200, {"Content-Type": "application/pdf"}))
    server.route(
        "/pdf/2606.06113", Reply(b"<html>not yet</html>", 200, {"Content-Type": "text/html"})
    )
    server.route("/pdf/hep-th/9901001", Reply(pdf, 200))
    target = tmp_path / "pdfs"
    result = run(
        runner, "download", "2606.12730", "hep-th/9901001", "2606.06113", "-d", str(target)
    )
    assert result.exit_code == 5
    assert (target / "2606.12730.pdf").read_bytes() == pdf
    assert (target / "hep-th_9901001.pdf").exists()
    assert not (target / "2606.06113.pdf").exists()
    assert "not a PDF for 2606.06113" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["2606.12730.pdf", "hep-th_9901001.pdf"]
    again = run(runner, "download", "2606.12730", "-d", str(target))
    assert again.exit_code == 0 and "exists; skipped" in again.stderr
    assert server.hits("/pdf/2606.12730") == 1


def test_an_unreadable_dismissed_list_is_never_overwritten(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    path = isolated / "state" / "dismissed.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "papercli.dismissals", "version": 9, "papers": []}')
    run(runner, "today")
    result = run(runner, "dismiss", "2606.12730")
    assert result.exit_code == 3, result.stderr
    assert "list of dismissed papers" in result.stderr and "known version" in result.stderr
    assert json.loads(path.read_text())["version"] == 9
