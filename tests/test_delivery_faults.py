"""Smaller delivery faults, in process (sleeps patched out): before the final dot, nothing
was delivered, so retrying is safe; the limits a hostile server cannot stretch; damaged
intents; a cache clear that has to wait."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestenv import day_ids, outbox, serve_days, state_file, write_email_config
from fakeserver import FakeServer
from papercli.cli import app
from papercli.digest.mail import Mail, message_id
from papercli.store.cache import Store
from smtpserver import SmtpServer

THU, FRI = date(2026, 6, 11), date(2026, 6, 12)
IDS = day_ids(THU) + day_ids(FRI)


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    serve_days(server, {THU: day_ids(THU), FRI: day_ids(FRI)})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def test_a_stall_before_the_final_dot_is_retried_and_delivers_nothing(
    runner: CliRunner, hf: FakeServer, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_TIMEOUT", "0.5")
    with SmtpServer() as smtp:
        write_email_config(isolated.parent, smtp.port)
        smtp.inbox.stall["RCPT"] = 1.5
        stalled = run(runner, "digest", "--email", "--source", "hf")
        assert stalled.exit_code == 9, stalled.stderr
        assert "after 3 attempts" in stalled.stderr
        assert "Hint: nothing was delivered" in stalled.stderr
        assert smtp.inbox.messages == []
        assert not state_file(isolated).exists() and outbox(isolated) == []
        smtp.inbox.stall.clear()
        assert run(runner, "digest", "--email", "--source", "hf").exit_code == 0
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}


@pytest.fixture
def endless_banner() -> Iterator[int]:
    """A server whose greeting never ends: 220- continuation lines, forever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                while not stop.is_set():
                    conn.sendall(b"220-hello\r\n" * 64)
            except OSError:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_an_endless_reply_is_cut_off(
    runner: CliRunner, hf: FakeServer, isolated: Path, endless_banner: int
) -> None:
    write_email_config(isolated.parent, endless_banner)
    result = run(runner, "digest", "--email", "--source", "hf")
    assert result.exit_code == 9, result.stderr
    assert "a reply of more than 100 lines" in result.stderr
    assert not state_file(isolated).exists()


def test_a_damaged_intent_stops_the_run_and_is_set_aside(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    box = isolated / "state" / "digest-default.outbox"
    box.mkdir(parents=True)
    (box / ("ab" * 16 + ".pending")).write_text('{"format": "papercli.digest-intent", "ids": [')
    result = run(runner, "digest", "-o", str(isolated / "d.md"), "--source", "hf")
    assert result.exit_code == 3, result.stderr
    assert "is unreadable" in result.stderr and "moved it to" in result.stderr
    assert [p.suffix for p in box.iterdir()] == [".bad"]
    assert run(runner, "digest", "-o", str(isolated / "d.md"), "--source", "hf").exit_code == 0


def test_a_stdout_digest_left_unconfirmed_comes_again(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    """Whether a pending stdout digest was printed cannot be known: its papers come again."""
    first = run(runner, "digest", "--source", "hf", "-f", "json")
    assert first.exit_code == 0
    state = json.loads(state_file(isolated).read_text())
    intent = {
        "format": "papercli.digest-intent", "version": 1, "digest": "default",
        "channel": "stdout", "key": "cd" * 16, "created_at": "2026-06-12T20:00:00+00:00",
        "ids": ["2606.99999"], "coverage": {}, "payload": {},
    }  # fmt: skip
    box = isolated / "state" / "digest-default.outbox"
    box.mkdir(exist_ok=True)
    (box / ("cd" * 16 + ".pending")).write_text(json.dumps(intent))
    again = run(runner, "digest", "--source", "hf", "-f", "json")
    assert again.exit_code == 10, again.stderr
    assert outbox(isolated) == []
    assert (
        "2606.99999"
        not in json.loads(state_file(isolated).read_text())["channels"]["stdout"]["delivered"]
    )
    assert state["channels"]["stdout"]["runs"] == 1


def test_the_message_id_follows_what_is_delivered() -> None:
    mail = Mail("h", 25, "none", "", "papers@example.org", ("a@example.org",))
    one = message_id(mail, "default", ["2606.00001", "2606.00002"], "2026-06-11..2026-06-12")
    same = message_id(mail, "default", ["2606.00002", "2606.00001"], "2026-06-11..2026-06-12")
    other = message_id(mail, "default", ["2606.00001"], "2026-06-11..2026-06-12")
    assert one == same != other
    assert one.startswith("<papercli.") and one.endswith("@example.org>")


def test_cache_clear_waits_for_a_run_using_the_cache(runner: CliRunner, isolated: Path) -> None:
    store = Store(isolated)
    listing = isolated / "cache" / "hf" / "2026-06-12.json"
    listing.parent.mkdir(parents=True)
    listing.write_text("{}")
    with store.holding_cache():
        busy = run(runner, "cache", "clear", "--yes", "--wait", "0")
        assert busy.exit_code == 8
        assert "another papercli run holds cache.lock" in busy.stderr
        assert listing.exists()
    held = Store(isolated).cache_lock(shared=True)
    held.__enter__()
    threading.Timer(0.3, held.__exit__, args=(None, None, None)).start()
    waited = run(runner, "cache", "clear", "--yes", "--wait", "10")
    assert waited.exit_code == 0, waited.stderr
    assert "waiting up to 10 s for other papercli runs" in waited.stderr
    assert not listing.exists()
