"""Every test runs in its own data dir, with a scrubbed environment and no real network."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import ATOM, FakeServer, Reply, api_feed
from seeded import CONFIG, NOW, seed

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PAPERS_HOME and PAPERS_CONFIG in tmp, no inherited settings, no arXiv delay, no sleeps."""
    for name in list(os.environ):
        if name.startswith("PAPERS_") or name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("PAPERS_HOME", str(home))
    monkeypatch.setenv("PAPERS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "0")
    # Point every source at a closed port unless a test starts a server.
    monkeypatch.setenv("PAPERS_HF_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PAPERS_ARXIV_API_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("papercli.core.session._sleep", lambda seconds: None)
    return home


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that is not to loopback."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise OSError(f"test tried to reach {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    """A local HTTP server that every source points at."""
    with FakeServer() as fake:
        for name in ("PAPERS_HF_URL", "PAPERS_ARXIV_RSS_URL", "PAPERS_ARXIV_API_URL"):
            monkeypatch.setenv(name, fake.url)
        # The arXiv API knows none of the test's papers unless a test says otherwise (HF
        # listings ask it for their papers' categories).
        fake.route("/api/query", Reply(api_feed([]), 200, ATOM))
        yield fake


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cached(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeded cache of ``seeded.py``, its config, and the clock at its last day."""
    seed(isolated)
    (tmp_path / "config.toml").write_text(CONFIG)
    monkeypatch.setenv("PAPERS_NOW", NOW)
    return isolated
