"""Slack, Discord, Matrix and webhook channels through real processes and servers that behave
like the services (``chatservers``): every paper exactly once across a failing run and a
clean one, counted at the server; a channel that fails never holds another back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from chatservers import ARXIV_ID, ChatServer, Seen
from digestenv import day_ids, digest, env_for, outbox, serve_days, state_file
from fakeserver import FakeServer

NOW = "2026-06-12T20:00:00+00:00"
THU, FRI = date(2026, 6, 11), date(2026, 6, 12)
IDS = day_ids(THU, 40) + day_ids(FRI, 30)
CHANNELS = ("slack", "discord", "matrix", "hook")


@pytest.fixture
def hf(server: FakeServer) -> FakeServer:
    serve_days(server, {THU: day_ids(THU, 40), FRI: day_ids(FRI, 30)})
    return server


@pytest.fixture
def chat() -> ChatServer:
    with ChatServer() as chat:
        yield chat


def seen(chat: ChatServer, channel: str) -> Seen:
    return {"slack": chat.slack, "discord": chat.discord, "matrix": chat.matrix}.get(
        channel, chat.webhook
    )


def setup(home: Path, chat: ChatServer, hf: FakeServer, **extra: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    # A small max_bytes makes the webhook digest several requests too.
    (home / "config.toml").write_text(chat.config() + "max_bytes = 40000\n")
    return env_for(home, hf, NOW, **chat.env(), **extra)


def delivered(home: Path, channel: str) -> set[str]:
    return set(json.loads(state_file(home).read_text())["channels"][channel]["delivered"])


def test_each_channel_gets_every_paper_once_in_several_messages(
    hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf)
    args = [a for c in CHANNELS for a in ("--to", c)]
    first = digest(env, "--source", "hf", *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    for channel in CHANNELS:
        assert "70 new papers, 2026-06-11 to 2026-06-12: delivered to" in first.stderr
        got = seen(chat, channel)
        assert got.delivered() == {i: 1 for i in IDS}, channel
        assert len(got.messages) > 1, f"{channel}: the digest was split"
        assert len(got.requests) == len(got.messages), f"{channel}: no refusal, no 429"
        assert delivered(home, channel) == set(IDS)
    assert outbox(home) == []
    again = digest(env, "--source", "hf", *args)
    assert again.returncode == 10, again.stderr
    assert sum(len(seen(chat, c).requests) for c in CHANNELS) == sum(
        len(seen(chat, c).messages) for c in CHANNELS
    )


FAULTS = [(c, f) for c in CHANNELS for f in ("429", "500", "drop-before")] + [
    ("matrix", "drop-after"),
    ("hook", "drop-after"),
    ("matrix", "stall-after"),
    ("hook", "stall-after"),
]


@pytest.mark.parametrize(("channel", "fault"), FAULTS)
def test_a_failing_run_then_a_clean_one_delivers_every_paper_exactly_once(
    channel: str, fault: str, hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf, PAPERS_RETRIES="2", PAPERS_TIMEOUT="1")
    got = seen(chat, channel)
    got.faults = ["", fault, fault, fault]  # the first message goes through, the second never
    failed = digest(env, "--source", "hf", "--to", channel, "--quiet")
    assert failed.returncode == 9, failed.stderr
    assert failed.stderr.startswith("Error: "), failed.stderr
    assert "Traceback" not in failed.stderr
    assert len(got.messages) >= 1
    got.faults = []
    clean = digest(env, "--source", "hf", "--to", channel)
    assert clean.returncode == 0, clean.stderr
    assert digest(env, "--source", "hf", "--to", channel).returncode == 10
    assert got.delivered() == {i: 1 for i in IDS}
    assert delivered(home, channel) == set(IDS)
    assert outbox(home) == []


@pytest.mark.parametrize("channel", ["slack", "discord"])
def test_a_lost_reply_from_slack_or_discord_is_sent_again_marked_as_a_possible_repeat(
    channel: str, hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    """Neither recognises a repeat: papercli cannot rule out the copy, and says so."""
    home = tmp_path / "home"
    env = setup(home, chat, hf, PAPERS_RETRIES="3")  # Slack may ask the next run to wait
    got = seen(chat, channel)
    got.faults = ["", "drop-after"]
    failed = digest(env, "--source", "hf", "--to", channel, "--quiet")
    assert failed.returncode == 9, failed.stderr
    assert "after the request was sent; it may have arrived" in failed.stderr
    assert "marked as a possible repeat" in failed.stderr
    assert [p.suffix for p in outbox(home) if p.suffix == ".pending"] == [".pending"]
    kept = len(got.messages)
    assert kept == 2  # the first, and the second (kept before the connection dropped)
    clean = digest(env, "--source", "hf", "--to", channel)
    assert clean.returncode == 0, clean.stderr
    assert "which an earlier run could not confirm" in clean.stderr
    repeat = got.messages[kept]
    assert "Sent again" in json.dumps(repeat)
    counts = got.delivered()
    twice = {i for i, n in counts.items() if n == 2}
    assert set(counts) == set(IDS) and set(counts.values()) <= {1, 2}
    assert twice == set(ARXIV_ID.findall(json.dumps(got.messages[1]))), "that message only"
    assert all(counts[i] == 1 for i in IDS if i not in twice)
    assert digest(env, "--source", "hf", "--to", channel).returncode == 10


@pytest.mark.parametrize(
    ("channel", "limit", "reason"),
    [
        ("slack", 10, "invalid_blocks"),
        ("discord", 1000, "code 50035: Invalid Form Body"),
        ("matrix", 4000, "M_TOO_LARGE"),
        ("hook", 4000, "HTTP 413"),
    ],
)
def test_a_message_over_the_service_limit_is_refused_and_its_papers_stay_owed(
    channel: str, limit: int, reason: str, hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf)
    got = seen(chat, channel)
    got.limit = limit  # a service stricter than its documentation
    failed = digest(env, "--source", "hf", "--to", channel, "--quiet")
    assert failed.returncode == 9, failed.stderr
    assert reason in failed.stderr
    assert "stay owed to channel" in failed.stderr
    assert outbox(home) == []
    got.limit = None
    clean = digest(env, "--source", "hf", "--to", channel)
    assert clean.returncode == 0, clean.stderr
    assert got.delivered() == {i: 1 for i in IDS}


def test_a_failing_channel_does_not_hold_the_others_back(
    hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf)
    chat.slack.faults = ["500"]
    first = digest(env, "--source", "hf", "--to", "slack", "--to", "matrix", "--quiet")
    assert first.returncode == 9, first.stderr
    assert "Slack channel slack answered HTTP 500" in first.stderr
    assert chat.matrix.delivered() == {i: 1 for i in IDS}
    assert chat.slack.messages == []
    second = digest(env, "--source", "hf", "--to", "slack", "--to", "matrix")
    assert second.returncode == 0, second.stderr
    assert "nothing to send (matrix)" in second.stderr
    assert chat.slack.delivered() == {i: 1 for i in IDS}
    assert chat.matrix.delivered() == {i: 1 for i in IDS}
    state = json.loads(state_file(home).read_text())["channels"]
    assert sorted(state) == ["matrix", "slack"]


def test_a_paper_delivered_to_slack_but_not_yet_to_matrix_goes_to_matrix_next_run(
    hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf)
    assert digest(env, "--source", "hf", "--to", "slack").returncode == 0
    later = digest(env, "--source", "hf", "--to", "slack", "--to", "matrix")
    assert later.returncode == 0, later.stderr
    assert chat.matrix.delivered() == {i: 1 for i in IDS}
    assert chat.slack.delivered() == {i: 1 for i in IDS}


def test_a_pending_delivery_of_a_channel_left_out_waits_for_it(
    hf: FakeServer, chat: ChatServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = setup(home, chat, hf, PAPERS_RETRIES="1")
    chat.matrix.faults = ["", "drop-after"]
    assert digest(env, "--source", "hf", "--to", "matrix").returncode == 9
    other = digest(env, "--source", "hf", "--to", "slack")
    assert other.returncode == 0, other.stderr
    assert "the next run with --to matrix finishes it" in other.stderr
    assert digest(env, "--source", "hf", "--to", "matrix").returncode == 0
    assert chat.matrix.delivered() == {i: 1 for i in IDS}


def test_discord_rate_limit_headers_are_respected_between_messages(
    hf: FakeServer, chat: ChatServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, with the pauses recorded instead of slept. (Slack's one message a second
    is proven by the tests above: its fake refuses a second message within 0.9 s, and no
    delivery there ever met a 429.)"""
    from typer.testing import CliRunner

    from papercli.cli import app

    pauses: list[float] = []
    monkeypatch.setattr("papercli.core.session._sleep", pauses.append)
    (tmp_path / "config.toml").write_text(chat.config())
    for name, value in chat.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PAPERS_NOW", NOW)
    chat.discord_remaining = "0"
    result = CliRunner().invoke(app, ["digest", "--source", "hf", "--to", "discord"])
    assert result.exit_code == 0, result.output
    assert len(chat.discord.messages) == 7
    assert len(pauses) == 6 and all(0 < p <= 0.4 for p in pauses)
    assert chat.discord.delivered() == {i: 1 for i in IDS}
