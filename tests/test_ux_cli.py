"""What a new user meets through the CLI in a pipe: hints, messages, and the small tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app

SATURDAY = "2026-06-13T15:00:00+00:00"  # HF shows Friday 2026-06-12


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def run(runner: CliRunner, *args: str, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


def test_export_tag_without_saved_says_what_it_needs(runner: CliRunner) -> None:
    result = run(runner, "export", "--tag", "to-read")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --tag needs --saved",
        "Hint: papers export --saved --tag to-read",
    ]


@pytest.mark.parametrize(
    ("config", "missing", "example"),
    [
        ("", "host", "smtp.example.org"),
        ('host = "smtp.example.org"\n', "to", "me@example.org"),
        ('host = "smtp.example.org"\nto = ["me@example.org"]\n', "from", "me@example.org"),
    ],
)
def test_email_hint_names_the_key_that_is_missing(
    runner: CliRunner, tmp_path: Path, config: str, missing: str, example: str
) -> None:
    (tmp_path / "config.toml").write_text("[digest.email]\n" + config)
    result = run(runner, "digest", "--email", "--offline")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"Error: --email needs digest.email.{missing} in {tmp_path / 'config.toml'}",
        f'Hint: e.g. papers config set digest.email.{missing} "{example}"',
    ]


def test_where_takes_the_date_words_of_since(runner: CliRunner, hf: FakeServer) -> None:
    assert run(runner, "fetch", "--since", "2026-06-10").exit_code == 0
    # The fixture's papers are listed on Friday 2026-06-12; "today" is Saturday the 13th.
    for where, count in (
        ("listed>=yesterday", 12),
        ("listed:yesterday", 12),
        ("listed:today", 0),
        ("listed<yesterday", 0),
        ("listed>=2d AND upvotes>=5", 3),
    ):
        result = run(runner, "list", "--offline", "--since", "7d", "--where", where, "-q")
        assert result.exit_code == 0, result.stderr
        assert len(result.stdout.splitlines()) == count, where


def test_future_dates_say_so_instead_of_nothing_matched(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "list", "--date", "2027-01")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "2027-01-01..2027-01-31 is in the future: nothing is listed yet (today is 2026-06-13)"
    ]
    assert hf.requests == []  # nothing to ask any source
    as_json = run(runner, "list", "--date", "2027-01", "--format", "json", "-q")
    assert (as_json.exit_code, as_json.stdout, as_json.stderr) == (0, "[]\n", "")
    fetched = run(runner, "fetch", "--date", "2026-06-20")
    assert fetched.exit_code == 0
    assert fetched.stderr.startswith("2026-06-20 is in the future")
    assert hf.requests == []


def test_a_span_reaching_into_the_future_lists_what_exists(
    runner: CliRunner, hf: FakeServer
) -> None:
    result = run(runner, "list", "--since", "2026-06-12", "--until", "2026-07-31")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 12
    assert "future" not in result.stderr


def test_no_arxiv_hint_in_a_pipe(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "today")
    assert "arxiv_categories" not in result.stderr


def complete(words: str, env_extra: dict[str, str] | None = None) -> list[str]:
    """What bash completion offers for the last word of ``words``, from a real process."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "_PAPERS_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
        **(env_extra or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "papercli"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


TOPICS = '[topics.agents]\nkeywords = ["agent"]\n[topics.alignment]\nkeywords = ["rlhf"]\n'


def test_completion_offers_topic_names_after_topic(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(TOPICS + '[topics.vision]\nkeywords = ["image"]\n')
    assert complete("papers today --topic a") == ["agents", "alignment"]
    assert complete("papers digest -T v") == ["vision"]
    assert complete("papers list --topic ") == ["agents", "alignment", "vision"]


def test_completion_offers_config_keys_after_config_set(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(TOPICS)
    assert complete("papers config set network.ti") == ["network.timeout"]
    offered = complete("papers config set ")
    assert "sources.arxiv_categories" in offered and "digest.email.host" in offered
    assert complete("papers config set topics.ag") == [
        "topics.agents.keywords",
        "topics.agents.exclude",
        "topics.agents.categories",
        "topics.agents.authors",
    ]


def test_completion_with_a_broken_config_offers_what_it_can(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[topics.agents\n")
    assert complete("papers today --topic a") == []
    assert "network.timeout" in complete("papers config set net")
