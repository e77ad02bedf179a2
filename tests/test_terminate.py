"""SIGTERM (kill, systemd, a cron wrapper's timeout) ends any command like Ctrl-C does."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from digestenv import env_for, papers
from fakeserver import FakeServer, Reply

NOW = "2026-06-12T20:00:00+00:00"


def test_sigterm_while_a_fetch_waits_exits_143_and_leaves_no_lock_or_temp_file(
    server: FakeServer, tmp_path: Path
) -> None:
    server.route("/api/daily_papers", Reply(action="hang"))
    home = tmp_path / "home"
    env = env_for(home, server, NOW, PAPERS_TIMEOUT="60")
    process = subprocess.Popen(
        papers("fetch", "--source", "hf"),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not server.hits("/api/daily_papers") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.hits("/api/daily_papers"), "the fetch never reached the server"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    # Not -15 (killed by the default handler): the run unwound and chose its exit code.
    assert process.returncode == 143, err
    assert "Traceback" not in err and "unexpected" not in err
    assert not list(home.rglob("*.tmp"))
    # The cache lock it held shared is free again: an exclusive clear gets it at once.
    cleared = subprocess.run(
        papers("cache", "clear", "--yes", "--wait", "0"), env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert cleared.returncode == 0, cleared.stderr
