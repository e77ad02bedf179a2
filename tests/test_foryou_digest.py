"""The digest's For you section: in every renderer, before the topics, each paper once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foryou_corpus import GALAXY, PROTEIN, corpus, seed_home
from papercli.cli import app
from papercli.digest import discord, matrix, slack, webhook
from papercli.digest.build import build
from papercli.digest.render import RENDERERS
from papercli.models import Topic

CONFIG = '[topics.sound]\nkeywords = ["speech", "protein"]\n'


@pytest.fixture
def corpus_home(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    seed_home(isolated, monkeypatch)
    (tmp_path / "config.toml").write_text(CONFIG)
    return isolated


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def digest_json(runner: CliRunner, *args: str) -> dict:
    result = run(runner, "digest", "--offline", "--days", "1", "--dry-run", "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_for_you_opens_the_digest_once_five_papers_are_saved(
    runner: CliRunner, corpus_home: Path
) -> None:
    run(runner, "save", "--offline", *PROTEIN[:4])
    assert "For you" not in [g["title"] for g in digest_json(runner)["groups"]]  # 4: not yet
    run(runner, "save", "--offline", PROTEIN[4])
    run(runner, "dismiss", "--offline", GALAXY[0])
    groups = digest_json(runner)["groups"]
    assert groups[0]["title"] == "For you"
    picks = [p["id"] for p in groups[0]["papers"]]
    assert set(picks) == set(PROTEIN[5:])  # the unsaved protein papers; never a saved one
    everywhere = [p["id"] for g in groups for p in g["papers"]]
    assert len(everywhere) == len(set(everywhere))  # not repeated in the topic group
    assert GALAXY[0] not in everywhere  # dismissed: never in a digest


def test_digest_for_you_config_sets_the_size_and_zero_turns_it_off(
    runner: CliRunner, corpus_home: Path, tmp_path: Path
) -> None:
    run(runner, "save", "--offline", *PROTEIN[:5])
    (tmp_path / "config.toml").write_text(CONFIG + "[digest]\nfor_you = 2\n")
    assert len(digest_json(runner)["groups"][0]["papers"]) == 2
    (tmp_path / "config.toml").write_text(CONFIG + "[digest]\nfor_you = 0\n")
    assert digest_json(runner)["groups"][0]["title"] == "sound"


def test_a_paper_in_for_you_is_delivered_once(runner: CliRunner, corpus_home: Path) -> None:
    run(runner, "save", "--offline", *PROTEIN[:5])
    first = run(runner, "digest", "--offline", "--days", "1", "-f", "json")
    assert first.exit_code == 0, first.stderr
    sent = [p["id"] for g in json.loads(first.stdout)["groups"] for p in g["papers"]]
    assert len(sent) == 24 and len(set(sent)) == 24
    again = run(runner, "digest", "--offline", "--days", "1", "-f", "json")
    assert again.exit_code == 10  # nothing new: the For you papers were remembered too


def test_digest_sort_for_you_ranks_each_group(runner: CliRunner, corpus_home: Path) -> None:
    run(runner, "save", "--offline", *PROTEIN[:5])
    groups = digest_json(runner, "--sort", "for-you")["groups"]
    sound = next(g for g in groups if g["title"] == "sound")
    ids = [p["id"] for p in sound["papers"]]
    assert set(ids[:5]) == set(PROTEIN[:5])  # protein before speech, whatever the upvotes


def _digest():
    papers = corpus()
    return build(
        papers, name="default", topics=[Topic("sound", keywords=("speech",))],
        since=date(2026, 11, 27), until=date(2026, 11, 27),
        generated=datetime(2026, 11, 27, tzinfo=UTC), for_you=papers[:2],
    )  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_every_renderer_shows_the_for_you_section_first(fmt: str) -> None:
    text = RENDERERS[fmt](_digest())
    picked, speech = corpus()[0], corpus()[8]
    assert text.index(picked.id) < text.index(speech.id)  # For you comes first
    if fmt not in ("atom", "jsonfeed", "ris", "csljson"):  # flat lists of papers, no sections
        folded = text.lower()
        assert folded.index("for you") < folded.index("sound")


@pytest.mark.parametrize("render", [slack.render, discord.render, matrix.render, webhook.render])
def test_every_chat_channel_shows_the_for_you_section_first(render) -> None:
    parts = render(_digest())
    body = json.dumps([p.body for p in parts], ensure_ascii=False)
    assert "For you" in body and body.index("For you") < body.index("sound")
    ids = [i for p in parts for i in p.ids]
    assert ids[:2] == [p.id for p in corpus()[:2]] and len(ids) == len(set(ids))
