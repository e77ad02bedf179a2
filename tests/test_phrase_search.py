"""papers search "state space model": the whole phrase (spaces or hyphens) outranks some words."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.models import Paper
from papercli.store.cache import Listing, Store

DAY = "2026-11-27"
PAPERS = [
    # Every word many times, never together: BM25 alone puts it first.
    Paper(
        id="2611.00001", title="Space Models: A Model of Model Space", listed=DAY, sources=("hf",),
        abstract="A model of space; space and model, state of the model space. Model space.",
        upvotes=90,
    ),
    Paper(
        id="2611.00002", title="Long-context retrieval", listed=DAY, sources=("hf",),
        abstract="We study a state-space model for long documents.", upvotes=1,
    ),
    Paper(
        id="2611.00003", title="State Space Models Meet Attention", listed=DAY, sources=("hf",),
        abstract="Attention and recurrence.", upvotes=2,
    ),
    Paper(
        id="2611.00004", title="Graph neural networks", listed=DAY, sources=("hf",),
        abstract="Message passing on graphs.", upvotes=50,
    ),
]  # fmt: skip


@pytest.fixture(params=["fts", "no-fts"])
def cache(request, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if request.param == "no-fts":
        monkeypatch.setattr("papercli.store.index_file.fts_available", lambda: False)
    fetched = datetime(2026, 11, 28, tzinfo=UTC)
    listing = Listing("hf", date.fromisoformat(DAY), tuple(PAPERS), fetched, complete=True)
    Store(isolated).write_listing(listing)
    monkeypatch.setenv("PAPERS_NOW", "2026-11-27T15:00:00+00:00")
    return isolated


def search(runner: CliRunner, *args: str) -> list[dict]:
    result = runner.invoke(app, ["search", *args, "--offline", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_phrase_ranks_above_papers_with_only_its_words(runner: CliRunner, cache: Path) -> None:
    hits = search(runner, "state space model")
    ids = [h["id"] for h in hits]
    assert set(ids[:2]) == {"2611.00002", "2611.00003"}  # hyphenated, and plural in a title
    assert ids[2] == "2611.00001"  # more of the words, higher BM25, but not the phrase
    assert "2611.00004" not in ids
    assert '"state space model"' in hits[0]["matched"]
    assert '"state space model"' not in hits[2]["matched"]


def test_quoted_phrases_and_single_words_keep_their_meaning(runner: CliRunner, cache: Path) -> None:
    ids = [h["id"] for h in search(runner, '"space model" graph')]
    assert ids[0] in {"2611.00001", "2611.00002", "2611.00003"}
    assert "2611.00004" in ids  # "graph" alone still finds it
    assert [h["id"] for h in search(runner, "graph")] == ["2611.00004"]
