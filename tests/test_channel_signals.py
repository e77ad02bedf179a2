"""A chat delivery in several messages, killed or terminated half way, resumes where it
stopped: no confirmed message is sent again, none is lost (real processes, real signals)."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from chatservers import ChatServer
from digestenv import day_ids, digest, env_for, outbox, papers, serve_days
from fakeserver import FakeServer

NOW = "2026-06-12T20:00:00+00:00"
THU, FRI = date(2026, 6, 11), date(2026, 6, 12)
IDS = day_ids(THU, 40) + day_ids(FRI, 30)


@pytest.fixture
def hf(server: FakeServer) -> FakeServer:
    serve_days(server, {THU: day_ids(THU, 40), FRI: day_ids(FRI, 30)})
    return server


def wait_for(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the run never reached that point"
        time.sleep(0.02)


def txns(chat: ChatServer) -> Counter[str]:
    return Counter(re.sub(r".*/", "", r["path"]) for r in chat.matrix.requests)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_matrix_delivery_stopped_mid_digest_resumes_without_repeats(
    how: signal.Signals, hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with ChatServer() as chat:
        (home / "config.toml").write_text(chat.config())
        env = env_for(home, hf, NOW, PAPERS_TIMEOUT="3", **chat.env())
        chat.matrix.faults = ["", "stall-after"]  # the second message is kept, its reply late
        run = subprocess.Popen(
            papers("digest", "--source", "hf", "--to", "matrix"),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_for(lambda: len(chat.matrix.messages) == 2)
        run.send_signal(how)
        _out, err = run.communicate(timeout=30)
        if how == signal.SIGTERM:
            assert run.returncode == 143, err
            assert "SIGTERM: finishing the reply of Matrix room" in err
        else:
            assert run.returncode == -9
        assert any(p.suffix == ".pending" for p in outbox(home))
        assert any(p.name.endswith(".0.done") for p in outbox(home))
        chat.release.set()
        again = digest(env, "--source", "hf", "--to", "matrix")
        assert again.returncode == 0, again.stderr
        assert "which an earlier run could not confirm" in again.stderr
        assert digest(env, "--source", "hf", "--to", "matrix").returncode == 10
        assert chat.matrix.delivered() == {i: 1 for i in IDS}
        sent = txns(chat)
    parts = sorted(sent)
    assert len(parts) == 3
    assert sent[parts[0]] == 1, "the confirmed first message is never sent again"
    assert outbox(home) == []
