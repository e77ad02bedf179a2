"""A long index build says so: one line (a pipe) and progress (a bar on a terminal)."""

from __future__ import annotations

from pathlib import Path

from papercli.config import load_settings
from papercli.core.session import Session
from test_index import NOW, make_cache


def open_index(lines: list[str], steps: list[tuple[str, int, int]]) -> None:
    session = Session.create(load_settings(), now=lambda: NOW, offline=True)
    session.live = lines.append
    session.progress = lambda task, done, total: steps.append((task, done, total))
    try:
        session.index()
    finally:
        session.close()


def test_a_build_of_many_files_reports_once_and_counts_up(isolated: Path) -> None:
    make_cache(isolated, days=120, per_day=2)
    lines: list[str] = []
    steps: list[tuple[str, int, int]] = []
    open_index(lines, steps)
    assert lines == ["indexing 120 cache files (once; later queries use it)"]
    files = [step for step in steps if step[0] == "indexing the cache"]
    assert files[-1] == ("indexing the cache", 120, 120)
    assert [done for _, done, _ in files] == sorted(done for _, done, _ in files)
    assert len(files) <= 120
    # Then the word index, which takes as long again: a bar of its own, started and ended.
    assert steps[len(files) :] == [
        ("building the word index", 0, 1),
        ("building the word index", 1, 1),
    ]
    lines.clear()
    steps.clear()
    open_index(lines, steps)  # up to date: nothing to say
    assert lines == [] and steps == []


def test_a_small_sync_stays_quiet(isolated: Path) -> None:
    make_cache(isolated, days=20, per_day=2)
    lines: list[str] = []
    steps: list[tuple[str, int, int]] = []
    open_index(lines, steps)
    assert lines == [] and steps == []
