"""Digests racing ``papers cache clear --yes`` (and fetches) on one data dir.

The promise: a digest either delivers everything it records as covered or records nothing,
and never crashes. Twenty digests of a 20-day span (read through the index path before this
fix) run while other processes clear the cache and refetch it in a loop; after each, every
day its state calls covered must have had every one of its papers delivered. A clean run per
digest then delivers the rest: every paper of the span exactly once over the two.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from digestenv import day_ids, digest, env_for, papers, serve_days, state_file
from fakeserver import FakeServer

NOW = "2026-06-12T20:00:00+00:00"
FIRST = date(2026, 5, 24)
DAYS = [FIRST + timedelta(days=n) for n in range(20)]
SERVED = {d: day_ids(d) for d in DAYS if d.weekday() < 5}
ROUNDS = 20


def _seed(home: Path, name: str) -> None:
    """A version-1 state whose last complete day was 20 days ago: a 20-day digest is due."""
    path = state_file(home, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "format": "papercli.digest-state", "version": 1, "name": name, "seen": {},
        "last_complete": FIRST.isoformat(), "last_sent_at": None, "runs": 0,
    }))  # fmt: skip


def _ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [p["id"] for g in json.loads(path.read_text())["groups"] for p in g["papers"]]


def _loop(stop: threading.Event, env: dict[str, str], args: list[str], codes: list[int]) -> None:
    while not stop.is_set():
        done = subprocess.run(papers(*args), env=env, capture_output=True, text=True)
        codes.append(done.returncode)
        assert "Traceback" not in done.stderr and "unexpected" not in done.stderr, done.stderr


def _check_round(home: Path, name: str, out: Path, result: subprocess.CompletedProcess) -> int:
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    assert result.returncode in (0, 10), result.stderr
    if not state_file(home, name).exists():
        return 0
    state = json.loads(state_file(home, name).read_text())
    channel = state["channels"].get("file")
    if channel is None:
        return 0
    delivered = set(channel["delivered"])
    assert delivered == set(_ids(out)), "the state records exactly what the file got"
    covered = 0
    for first, last in channel["coverage"]["hf"]["covered"]:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            missing = set(SERVED.get(day, [])) - delivered
            assert not missing, f"{day} recorded as covered, but {sorted(missing)} not delivered"
            covered += 1
            day += timedelta(days=1)
    return covered


def test_digests_racing_cache_clear_record_only_what_they_delivered(
    server: FakeServer, tmp_path: Path
) -> None:
    serve_days(server, SERVED, delay=0.01)
    home = tmp_path / "home"
    env = env_for(home, server, NOW)
    names = [f"race{n}" for n in range(ROUNDS)]
    for name in names:
        _seed(home, name)
    stop = threading.Event()
    clears: list[int] = []
    fetches: list[int] = []
    loops = [
        threading.Thread(target=_loop, args=(stop, env, ["cache", "clear", "--yes"], clears)),
        threading.Thread(
            target=_loop,
            args=(stop, env, ["fetch", "--days", "20", "--source", "hf", "--refresh"], fetches),
        ),
    ]
    for thread in loops:
        thread.start()

    def race(name: str) -> int:
        out = tmp_path / f"{name}.first.json"
        result = digest(env, "--name", name, "--source", "hf", "-f", "json", "-o", str(out))
        return _check_round(home, name, out, result)

    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            covered = list(pool.map(race, names))
    finally:
        stop.set()
        for thread in loops:
            thread.join(timeout=120)
    # Clears get in only between digests' reads (that is the fix), so how many depends on
    # the machine's load; a handful is enough to mix cleared and cached days.
    assert len(clears) >= 3, "the clears must actually race the digests"
    assert set(clears) <= {0, 8} and set(fetches) <= {0, 4, 8}, (clears, fetches)

    def clean(name: str) -> Counter[str]:
        out = tmp_path / f"{name}.second.json"
        result = digest(env, "--name", name, "--source", "hf", "-f", "json", "-o", str(out))
        assert result.returncode in (0, 10), result.stderr
        return Counter(_ids(tmp_path / f"{name}.first.json") + _ids(out))

    with ThreadPoolExecutor(max_workers=3) as pool:
        totals = list(pool.map(clean, names))
    wanted = {i for ids in SERVED.values() for i in ids}
    lost = sum(len(wanted - set(counts)) for counts in totals)
    duplicated = sum(c - 1 for counts in totals for c in counts.values())
    print(
        f"\n{ROUNDS} digests raced {len(clears)} cache clears and {len(fetches)} fetches; "
        f"days recorded as covered {sum(covered)}, papers lost {lost}, duplicated {duplicated}"
    )
    assert lost == 0 and duplicated == 0
