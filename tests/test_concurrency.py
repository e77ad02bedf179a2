"""Many processes on one data dir, processes killed at random: nothing corrupt, nothing twice."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from fakeserver import FakeServer, fixture
from papercli.store.cache import Store
from papercli.store.index import Index
from smtpserver import SmtpServer

NOW = "2026-06-12T20:00:00+00:00"


def day_body(day: date) -> bytes:
    body = fixture("hf_daily_2026-06-12.json").decode()
    items = json.loads(body.replace("2026-06-12T00:00:00.000Z", f"{day.isoformat()}T00:00:00.000Z"))
    for n, item in enumerate(items):
        item["paper"]["id"] = f"{day.year % 100:02d}{day.month:02d}.{day.day * 100 + n:05d}"
    return json.dumps(items).encode()


@pytest.fixture
def busy_server(server: FakeServer) -> FakeServer:
    first = date(2026, 5, 1)
    days = [first + timedelta(days=n) for n in range(43)]
    # HF features nothing on weekends: those dates get [].
    bodies = {d.isoformat(): day_body(d) for d in days if d.weekday() < 5}
    server.serve_hf_days(bodies, delay=0.02)
    return server


def env_for(home: Path, server: FakeServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        PAPERS_HOME=str(home),
        PAPERS_CONFIG=str(home / "config.toml"),
        PAPERS_NOW=NOW,
        PAPERS_HF_URL=server.url,
        PAPERS_ARXIV_RSS_URL=server.url,
        PAPERS_ARXIV_API_URL=server.url,
        PAPERS_ARXIV_DELAY="0",
        **extra,
    )
    return env


def papers(*args: str) -> list[str]:
    return [sys.executable, "-m", "papercli", *args]


def weekdays(last: date, days: int) -> int:
    return sum(1 for n in range(days) if (last - timedelta(days=n)).weekday() < 5)


def assert_cache_loads(home: Path) -> int:
    """Every listing parses without a warning and the index opens; returns the paper count."""
    warnings: list[str] = []
    store = Store(home, warn=warnings.append)
    total = 0
    for day in store.listing_days("hf"):
        listing = store.read_listing("hf", day, memo=False)
        assert listing is not None
        total += len(listing.papers)
    assert warnings == []
    assert not list((home / "cache").rglob("*.bad"))
    with Index(store) as index:
        assert index.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert warnings == []
    return total


@pytest.mark.parametrize("wait", ["30", "0"])
def test_eight_processes_fetch_and_digest_at_once(
    wait: str, busy_server: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with SmtpServer() as smtp:
        (home / "config.toml").write_text(
            f'[digest.email]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
            'from = "p@example.org"\nto = ["me@example.org"]\n'
        )
        env = env_for(home, busy_server)
        commands = [papers("fetch", "--days", "20", "--source", "hf")] * 4
        commands += [papers("digest", "--email", "--days", "20", "--wait", wait)] * 4
        processes = [
            subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for c in commands
        ]
        results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
        messages = list(smtp.inbox.messages)
    fetch_codes = [code for code, _, _ in results[:4]]
    digest_codes = sorted(code for code, _, _ in results[4:])
    assert fetch_codes == [0, 0, 0, 0], [err for _, _, err in results[:4]]
    assert len(messages) == 1, "exactly one digest went out"
    if wait == "30":
        assert digest_codes == [0, 10, 10, 10]  # the others waited, then found nothing new
    else:
        assert digest_codes.count(0) == 1 and set(digest_codes) <= {0, 8, 10}
        for code, _, err in results[4:]:
            if code == 8:
                assert "another papercli run holds digest-default.lock" in err
    for _, _, err in results:
        assert "Traceback" not in err
    expected = 12 * weekdays(date(2026, 6, 12), 20)
    assert assert_cache_loads(home) == expected
    state = json.loads((home / "state" / "digest-default.json").read_text())
    assert len(state["channels"]["email"]["delivered"]) == expected


def test_kill_9_at_random_moments_never_breaks_the_cache(
    busy_server: FakeServer, tmp_path: Path
) -> None:
    """50 fetches, each killed after a random number of answers (1 to 39 of its 40 days).

    The server holds every request past that number, so the fetch cannot have finished when
    it is killed however fast the machine is; the kill lands while the answered days are
    being parsed, merged and written, a random few milliseconds after the last answer.
    """
    home = tmp_path / "home"
    env = env_for(home, busy_server, PAPERS_TTL_MINUTES="0")
    rng = random.Random(20261127)
    for _ in range(50):
        answered = rng.randint(1, 39)
        first = len(busy_server.requests)
        busy_server.hold(after=first + answered)
        process = subprocess.Popen(
            papers("fetch", "--days", "40", "--source", "hf", "--refresh"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(busy_server.requests) <= first + answered and process.poll() is None:
            assert time.monotonic() < deadline, "the fetch never asked for its days"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
        assert process.poll() is None, process.communicate()[1]  # it is owed an answer
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        process.stderr.close()
        busy_server.release()
        assert_cache_loads(home)
    final = subprocess.run(papers("fetch", "--days", "40", "--source", "hf"), env=env, check=True,
                           capture_output=True, text=True)  # fmt: skip
    assert "Traceback" not in final.stderr
    assert assert_cache_loads(home) == 12 * weekdays(date(2026, 6, 12), 40)  # nothing lost


def test_ctrl_c_exits_130_quietly_and_keeps_the_cache(server: FakeServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    env = env_for(home, server)
    subprocess.run(
        papers("fetch", "--date", "2026-06-12"), env=env, check=True, capture_output=True
    )
    before = (home / "cache" / "hf" / "2026-06-12.json").read_bytes()
    server.serve_hf_days({}, delay=3)  # every further answer takes a while
    asked = len(server.requests)
    # A shell that runs the suite in the background hands its children SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler: give the fetch the default back.
    process = subprocess.Popen(
        papers("fetch", "--days", "5", "--source", "hf", "--refresh"),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(server.requests) == asked and process.poll() is None:
        assert time.monotonic() < deadline, "the fetch never asked for its days"
        time.sleep(0.002)
    process.send_signal(signal.SIGINT)  # mid-fetch: a request is waiting for its answer
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, (out, err)
    assert err == ""
    assert (home / "cache" / "hf" / "2026-06-12.json").read_bytes() == before
    assert_cache_loads(home)
