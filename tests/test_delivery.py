"""E-mail delivery through real processes and a real SMTP server that misbehaves.

Each test counts, at the server, how many accepted messages delivered each paper: the promise
is one per paper, and where a copy cannot be ruled out (the connection died after the final
dot) the copy carries the same Message-ID, so that a mail client drops it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from digestenv import (
    day_ids,
    digest,
    env_for,
    outbox,
    serve_days,
    state_file,
    write_email_config,
)
from fakeserver import FakeServer
from smtpserver import SmtpServer

NOW = "2026-06-12T20:00:00+00:00"  # Fri: HF Thu is final, Fri is still filling
THU, FRI = date(2026, 6, 11), date(2026, 6, 12)
IDS = day_ids(THU) + day_ids(FRI)


@pytest.fixture
def hf(server: FakeServer) -> FakeServer:
    serve_days(server, {THU: day_ids(THU), FRI: day_ids(FRI)})
    return server


def delivered(home: Path) -> dict[str, str]:
    return json.loads(state_file(home).read_text())["channels"]["email"]["delivered"]


@pytest.mark.parametrize("fault", ["drop", "stall"])
def test_a_send_that_may_have_arrived_is_not_retried_and_goes_again_as_the_same_message(
    fault: str, hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = env_for(home, hf, NOW, PAPERS_TIMEOUT="1")
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        if fault == "drop":
            smtp.inbox.drop_after_data = 1  # kept, then the connection dies before the reply
        else:
            smtp.inbox.stall["DATA"] = 2.5  # queued, but the reply comes after the client gave up
        first = digest(env, "--email", "--source", "hf", "--quiet")
        assert first.returncode == 9, first.stderr
        assert "after the digest was sent and before the server confirmed it" in first.stderr
        assert "same Message-ID" in first.stderr
        assert "Traceback" not in first.stderr
        smtp.inbox.stall.clear()
        [pending] = outbox(home)
        assert pending.suffix == ".pending"
        assert not state_file(home).exists()  # nothing recorded as delivered
        again = digest(env, "--email", "--source", "hf")
        assert again.returncode == 0, again.stderr
        assert "which an earlier run could not confirm" in again.stderr
        assert outbox(home) == []
        done = digest(env, "--email", "--source", "hf")
        assert done.returncode == 10, done.stderr
        messages = list(smtp.inbox.messages)
    assert len(messages) == 2, "one attempt in the first run, not three"
    assert messages[0]["Message-ID"] == messages[1]["Message-ID"]
    assert messages[0].as_bytes() == messages[1].as_bytes()
    assert set(smtp.inbox.delivered()) == set(IDS)
    assert sorted(delivered(home)) == sorted(IDS)


def test_a_refused_recipient_is_named_the_rest_get_it_and_the_exit_code_says_so(
    hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = env_for(home, hf, NOW)
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port, to=("a@example.org", "gone@example.org"))
        smtp.inbox.refuse["gone@example.org"] = "550 5.1.1 No such user"
        result = digest(env, "--email", "--source", "hf", "--quiet")
        assert result.returncode == 12, result.stderr
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("Warning: papercli: 24 new papers")
        assert "delivered to a@example.org" in line
        assert "refused gone@example.org (550 5.1.1 No such user)" in line
        assert smtp.inbox.envelopes == [("papercli@example.org", ["a@example.org"])]
        again = digest(env, "--email", "--source", "hf")
        assert again.returncode == 10, again.stderr
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}
    assert sorted(delivered(home)) == sorted(IDS)


def test_every_recipient_refused_delivers_nothing_and_records_nothing(
    hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = env_for(home, hf, NOW)
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port, to=("a@example.org", "b@example.org"))
        smtp.inbox.refuse = {"a@example.org": "550 no", "b@example.org": "553 not here"}
        result = digest(env, "--email", "--source", "hf", "--quiet")
        assert result.returncode == 9
        assert "after 1 attempt (every recipient was refused" in result.stderr
        assert "a@example.org: 550 no; b@example.org: 553 not here" in result.stderr
        assert not state_file(home).exists() and outbox(home) == []
        smtp.inbox.refuse.clear()
        assert digest(env, "--email", "--source", "hf").returncode == 0
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}


def test_file_and_email_are_channels_each_owed_its_own_papers(
    hf: FakeServer, tmp_path: Path
) -> None:
    """A paper written to the file but not yet mailed goes by mail next run, once."""
    home = tmp_path / "home"
    env = env_for(home, hf, NOW)
    out = tmp_path / "digest.json"
    write_email_config(home, 9)  # nothing listens there: the mail fails
    failed = digest(env, "--email", "-o", str(out), "-f", "json", "--source", "hf")
    assert failed.returncode == 9
    written = out.read_bytes()
    assert json.loads(written)["count"] == 24
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        sent = digest(env, "--email", "-o", str(out), "-f", "json", "--source", "hf")
        assert sent.returncode == 0, sent.stderr
        assert "0 new papers, 2026-06-12: nothing to send" in sent.stderr  # the file had them
        assert out.read_bytes() == written
        assert smtp.inbox.delivered() == {i: 1 for i in IDS}
        assert digest(env, "--email", "--source", "hf").returncode == 10
    state = json.loads(state_file(home).read_text())
    assert sorted(state["channels"]) == ["email", "file"]
    assert sorted(state["channels"]["file"]["delivered"]) == sorted(IDS)
