"""An upstream that answers with another paper has not answered: exit 6, nothing cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakearxiv import ApiPaper, feed, utc
from fakeserver import ATOM, JSON, FakeServer, Reply, fixture
from papercli.cli import app

ASKED = "2606.00001"
OTHER = fixture("hf_paper_2606.13392_synthetic.json")  # a real paper, but not the one asked


@pytest.fixture
def liars(server: FakeServer) -> FakeServer:
    server.route(f"/api/papers/{ASKED}", Reply(OTHER, 200, JSON))
    other = ApiPaper("2606.13392", utc("2026-06-10 12:00"), ("cs.CL",), "Someone else")
    server.route("/api/query", Reply(feed([other], 1, 0), 200, ATOM))
    return server


def cached_papers(home: Path) -> list[str]:
    folder = home / "cache" / "papers"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "command",
    [["show", ASKED], ["show", f"https://arxiv.org/abs/{ASKED}v2"], ["save", ASKED],
     ["export", ASKED, "--format", "json"]],
    ids=["show", "show by URL", "save", "export"],
)  # fmt: skip
def test_another_paper_is_not_found(
    runner: CliRunner, liars: FakeServer, isolated: Path, command: list[str]
) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 6, result.stderr
    assert result.stdout == ""
    assert f"Error: no paper {ASKED} on Hugging Face or arXiv" in result.stderr
    assert f"Hugging Face answered 2606.13392 when asked for {ASKED}; ignored it" in result.stderr
    assert cached_papers(isolated) == []
    assert not (isolated / "state" / "reading-list.json").exists()
    assert liars.hits(f"/api/papers/{ASKED}") == 1 and liars.hits("/api/query") == 1


def test_the_right_paper_from_one_source_still_shows(
    runner: CliRunner, liars: FakeServer, isolated: Path
) -> None:
    right = ApiPaper(ASKED, utc("2026-06-10 12:00"), ("cs.CL",), "The paper asked for")
    liars.route("/api/query", Reply(feed([right], 1, 0), 200, ATOM))
    result = runner.invoke(app, ["show", ASKED, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "The paper asked for"
    assert cached_papers(isolated) == [f"{ASKED}.json"]
