"""``papers feeds``: Atom feeds that feedparser reads, an OPML index an XML parser reads, and
a rolling window that a subscriber reads for weeks without a duplicate or a gap."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from digestenv import day_ids, hf_body
from fakeserver import JSON, FakeServer, Reply
from papercli.cli import app

MONDAY = date(2026, 6, 8)


def serve(
    server: FakeServer, days: dict[date, list[str]], titles: dict[str, str] | None = None
) -> None:
    server.route("/api/daily_papers", Reply(b"[]", 200, JSON))
    for day, ids in days.items():
        body = json.loads(hf_body(day, ids))
        for item in body:
            item["paper"]["title"] = (titles or {}).get(item["paper"]["id"], item["paper"]["title"])
        server.route(
            "/api/daily_papers", Reply(json.dumps(body).encode(), 200, JSON),
            query={"date": day.isoformat()},
        )  # fmt: skip


def run(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, day: date, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERS_NOW", f"{day.isoformat()}T21:00:00+00:00")
    return runner.invoke(app, ["feeds", "--source", "hf", *args])


def entry_ids(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return [e.id for e in parsed.entries]


@pytest.fixture
def topics(isolated: Path, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[topics.even]\nkeywords = ["zebra"]\n[topics.odd]\nkeywords = ["quokka"]\n'
    )


def titles_for(ids: list[str]) -> dict[str, str]:
    return {i: f"An {'zebra' if int(i[-1]) % 2 == 0 else 'quokka'} paper {i}" for i in ids}


def test_feeds_parse_and_the_index_lists_each_of_them(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    topics: None,
) -> None:  # fmt: skip
    ids = day_ids(MONDAY, 6)
    serve(server, {MONDAY: ids}, titles_for(ids))
    out = tmp_path / "feeds"
    result = run(runner, monkeypatch, MONDAY, "--dir", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "all.atom", "index.opml", "topic-even.atom", "topic-odd.atom",
    ]  # fmt: skip
    assert sorted(entry_ids(out / "all.atom")) == sorted(f"https://arxiv.org/abs/{i}" for i in ids)
    even = entry_ids(out / "topic-even.atom")
    assert len(even) == 3 and all(int(e[-1]) % 2 == 0 for e in even)
    root = ET.fromstring((out / "index.opml").read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    outlines = root.findall("./body/outline")
    assert sorted(o.get("xmlUrl") for o in outlines) == [
        "all.atom", "topic-even.atom", "topic-odd.atom",
    ]  # fmt: skip
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("title")
        assert (out / outline.get("xmlUrl")).exists()


def test_a_second_run_over_the_same_days_changes_nothing(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    topics: None,
) -> None:  # fmt: skip
    ids = day_ids(MONDAY, 8)
    serve(server, {MONDAY: ids}, titles_for(ids))
    out = tmp_path / "feeds"
    assert run(runner, monkeypatch, MONDAY, "--dir", str(out)).exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    again = run(runner, monkeypatch, MONDAY + timedelta(days=1), "--dir", str(out), "--days", "2")
    assert again.exit_code == 0, again.output
    assert "0 files written" in again.stderr
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after == before


def test_a_subscriber_polling_every_run_sees_every_paper_once_over_weeks(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Twenty weekdays of up to 7 papers, a window of 10, runs that re-read three days: the
    reader's de-duplicated history equals every paper listed, and no entry comes back."""
    out = tmp_path / "feeds"
    days = [
        MONDAY + timedelta(days=n) for n in range(28) if (MONDAY + timedelta(days=n)).weekday() < 5
    ]
    listed = {d: day_ids(d, 3 + d.day % 5) for d in days}
    serve(server, listed)
    seen: list[str] = []
    current: list[str] = []
    for day in days:
        result = run(runner, monkeypatch, day, "--dir", str(out), "--entries", "10", "--days", "3")
        assert result.exit_code == 0, result.output
        window = entry_ids(out / "all.atom")
        assert len(window) <= 10
        new = [e for e in window if e not in current]
        assert not set(new) & set(seen), "an entry that left the window came back"
        seen += new
        current = window
    everything = [f"https://arxiv.org/abs/{i}" for ids in listed.values() for i in ids]
    assert sorted(seen) == sorted(everything)
    assert len(seen) == len(set(seen))


def test_hostile_titles_stay_text_and_base_url_makes_links_absolute(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ids = day_ids(MONDAY, 2)
    hostile = '<script>alert(1)</script> & "quotes" \x1b[31m ]]> \x00'
    serve(server, {MONDAY: ids}, {ids[0]: hostile})
    out = tmp_path / "feeds"
    result = run(
        runner, monkeypatch, MONDAY, "--dir", str(out), "--base-url", "https://me.example.org/p/"
    )
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse((out / "all.atom").read_bytes())
    assert not parsed.bozo
    titles = [e.title for e in parsed.entries]
    assert any("<script>alert(1)</script>" in t for t in titles)  # as text, not markup
    assert "<script>" not in (out / "all.atom").read_text()
    assert parsed.feed.links[0].href == "https://me.example.org/p/all.atom"
    root = ET.fromstring((out / "index.opml").read_bytes())
    assert root.find("./body/outline").get("xmlUrl") == "https://me.example.org/p/all.atom"


def test_a_topic_removed_from_the_config_takes_its_feed_with_it(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    topics: None,
) -> None:  # fmt: skip
    ids = day_ids(MONDAY, 4)
    serve(server, {MONDAY: ids}, titles_for(ids))
    out = tmp_path / "feeds"
    assert run(runner, monkeypatch, MONDAY, "--dir", str(out)).exit_code == 0
    (tmp_path / "config.toml").write_text('[topics.even]\nkeywords = ["zebra"]\n')
    assert run(runner, monkeypatch, MONDAY, "--dir", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["all.atom", "index.opml", "topic-even.atom"]
    assert "topic-odd" not in (out / "index.opml").read_text()


def test_a_directory_that_cannot_be_written_is_exit_11(
    server: FakeServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serve(server, {MONDAY: day_ids(MONDAY, 2)})
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(runner, monkeypatch, MONDAY, "--dir", str(blocker / "feeds"))
    assert result.exit_code == 11, result.output
    assert result.stderr.startswith("Error: ")


def test_offline_with_nothing_cached_is_exit_7_and_writes_empty_valid_feeds(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "feeds"
    result = run(runner, monkeypatch, MONDAY, "--dir", str(out), "--offline")
    assert result.exit_code == 7, result.output
    assert entry_ids(out / "all.atom") == []
