"""Every request ends within a limit a server cannot stretch; DNS failures fail at once.

The hostile servers here are real sockets on 127.0.0.1 (tests/fakeserver.py): one that drips
its body a byte at a time, one that drips even its status line, one that never answers. Each
would keep an httpx client with per-read timeouts busy for minutes; a test that ends with
"timed out" proves the limit cut it off, since the drip lasts far longer than the limit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.errors import NetworkError
from papercli.sources.http import HttpClient, Wait

HF_DAY = fixture("hf_daily_2026-06-12.json")
SLOW = 0.05  # seconds per byte: a 400-byte body drips for 20 s


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(**kwargs) -> tuple[HttpClient, Sleeps]:
    sleeps = Sleeps()
    return HttpClient(sleep=sleeps, jitter=lambda: 0.0, **kwargs), sleeps


@pytest.fixture
def fake() -> FakeServer:
    with FakeServer() as server:
        yield server


@pytest.mark.parametrize("action", ["drip", "drip-headers"])
def test_a_dripping_server_is_cut_off_at_the_timeout(fake: FakeServer, action: str) -> None:
    fake.route("/slow", Reply(b"x" * 400, 200, JSON, action=action, drip=SLOW))
    http, sleeps = client(timeout=0.4, retries=2)
    with pytest.raises(
        NetworkError, match=r"timed out for .* \(no complete answer within 0\.4 s\)"
    ):
        http.get(f"{fake.url}/slow", source="T")
    assert fake.hits("/slow") == 2  # each attempt was cut off, then retried once
    assert sleeps == [1.0]


def test_a_slow_but_steady_body_within_the_limit_arrives(fake: FakeServer) -> None:
    fake.route("/steady", Reply(b"abcdef", 200, JSON, action="drip", drip=0.01))
    http, _ = client(timeout=5, retries=1)
    assert http.get(f"{fake.url}/steady", source="T").content == b"abcdef"


def test_the_budget_is_the_attempts_plus_the_backoff_between_them() -> None:
    http, _ = client(timeout=20, retries=3)
    # 3 attempts of 20 s, and 1 + 2 s of backoff with up to 1 s of jitter each.
    assert http.request_budget() == 3 * 20 + (1 + 1) + (2 + 1)
    paced = HttpClient(timeout=20, retries=3, pacing={"arxiv": 3.0})
    assert paced.request_budget("arxiv") == 3 * 20 + (3 + 1) + (6 + 1)


def test_a_retry_after_longer_than_the_budget_fails_at_once(fake: FakeServer) -> None:
    fake.route("/busy", Reply(b"", 429, {"Retry-After": "60"}))
    http, sleeps = client(timeout=2, retries=3)
    with pytest.raises(NetworkError, match="asks to wait 60 s"):
        http.get(f"{fake.url}/busy", source="T")
    assert fake.hits("/busy") == 1 and sleeps == []


def test_each_wait_is_reported_before_it_starts(fake: FakeServer) -> None:
    fake.route("/flaky", Reply(b"", 503), Reply(b"ok", 200))
    told: list[Wait] = []
    http, sleeps = client(timeout=5, retries=3, on_wait=told.append)
    assert http.get(f"{fake.url}/flaky", source="Hugging Face").content == b"ok"
    assert [(w.state, w.attempt, w.delay, w.problem) for w in told] == [
        ("request", 1, 0.0, ""),
        ("retry", 1, 1.0, "returned HTTP 503"),
        ("request", 2, 0.0, ""),
        ("done", 0, 0.0, ""),
    ]
    assert sleeps == [1.0]


def unresolvable(monkeypatch: pytest.MonkeyPatch, *, hang: threading.Event | None = None):
    """Make every name but loopback fail to resolve, as on a machine without network."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake_getaddrinfo(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost", "::1"):
            return real(host, *args, **kwargs)
        asked.append(host)
        if hang is not None:
            hang.wait(30)  # a resolver that does not answer
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return asked


def test_a_name_that_does_not_resolve_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = unresolvable(monkeypatch)
    http, sleeps = client(timeout=5, retries=3)
    with pytest.raises(NetworkError, match="cannot resolve the host of") as caught:
        http.get("http://papers.invalid/api", source="T")
    assert caught.value.attempts == 1
    assert asked == ["papers.invalid"] and sleeps == []


def test_a_resolver_that_hangs_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    asked = unresolvable(monkeypatch, hang=release)
    http, _ = client(timeout=0.3, retries=1)
    try:
        # Unbounded, the lookup would end in "cannot resolve"; bounded, it times out first.
        with pytest.raises(NetworkError, match="timed out"):
            http.get("http://papers.invalid/api", source="T")
    finally:
        release.set()
    assert asked == ["papers.invalid"]


def test_without_network_today_names_both_sources_at_once(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("papercli.core.session._sleep", waits.append)
    monkeypatch.setenv("PAPERS_HF_URL", "https://huggingface.invalid")
    monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", "https://rss.arxiv.invalid")
    asked = unresolvable(monkeypatch)
    result = runner.invoke(app, ["today", "-c", "cs.CL"])
    assert result.exit_code == 4, result.stderr
    (error, hint) = result.stderr.splitlines()
    assert error.startswith("Error: Hugging Face: cannot resolve the host of https://hugging")
    assert "; arXiv RSS: cannot resolve the host of https://rss.arxiv.invalid/rss/cs.CL" in error
    assert hint == "Hint: check your connection or the URL in your config"
    assert asked == ["huggingface.invalid", "rss.arxiv.invalid"]  # one lookup each
    assert waits == [] and result.stdout == ""


def _unshare_works() -> bool:
    if not shutil.which("unshare") or os.name == "nt":
        return False
    probe = ["unshare", "--user", "--map-root-user", "--net", "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unprivileged network namespaces")
def test_a_real_process_without_network_fails_fast_naming_both(tmp_path: Path) -> None:
    """In a network namespace of its own the process has no network at all, like a fresh
    machine offline; it must give up after one lookup per source, not retry."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PAPERS_HOME": str(tmp_path / "home"),
        "PAPERS_CONFIG": str(tmp_path / "config.toml"),
    }
    command = [sys.executable, "-m", "papercli", "today", "-c", "cs.CL"]
    run = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 4, run.stderr
    assert "Hugging Face: cannot resolve the host of https://huggingface.co" in run.stderr
    assert "arXiv RSS: cannot resolve the host of https://rss.arxiv.org/rss/cs.CL" in run.stderr
    assert "retrying" not in run.stderr and run.stdout == ""


def test_papers_today_against_a_dripping_server_ends_at_its_limit(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a server dripping a byte a second kept PAPERS_TIMEOUT=3 papers today for 370 s."""
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    monkeypatch.setenv("PAPERS_TIMEOUT", "0.5")
    server.route("/api/daily_papers", Reply(HF_DAY, 200, JSON, action="drip", drip=SLOW))
    result = runner.invoke(app, ["today", "-s", "hf"])
    assert result.exit_code == 4
    error = result.stderr.splitlines()[-2]
    assert error.startswith("Error: Hugging Face timed out for ")
    assert error.endswith(" after 3 attempts (no complete answer within 0.5 s)")
    assert server.hits("/api/daily_papers") == 3
