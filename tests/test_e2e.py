"""End to end: the installed ``papers`` command as a subprocess against a real local server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fakeserver import XML, FakeServer, Reply, fixture

FRIDAY_EVENING = "2026-08-21T23:00:00+00:00"  # HF 2026-08-21 (UTC), arXiv mailing 2026-08-21


@pytest.fixture
def env(server: FakeServer, tmp_path: Path) -> dict[str, str]:
    hf_day = fixture("hf_daily_2026-06-12.json").replace(b"2026-06-12T00:00", b"2026-08-21T00:00")
    server.serve_hf_days({"2026-08-21": hf_day})
    server.route("/rss/cs.CL", Reply(fixture("arxiv_rss_cs.CL_2026-08-21.xml"), 200, XML))
    (tmp_path / "config.toml").write_text('[sources]\narxiv_categories = ["cs.CL"]\n')
    return {
        **{k: v for k, v in os.environ.items() if k.startswith("PAPERS_") or k in ("PATH", "HOME")},
        "PAPERS_NOW": FRIDAY_EVENING,
        "PYTHONPATH": "",
    }


def papers(env: dict[str, str], *args: str, python_flags: tuple[str, ...] = ()):
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "papercli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_papers_today_end_to_end(env: dict[str, str], server: FakeServer) -> None:
    result = papers(env, "today")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # 12 HF papers + the fixture's 3 new and 3 cross-listed cs.CL papers; replacements are
    # hidden by default (sources.arxiv_announce_types).
    assert len(lines) == 12 + 6
    assert "Hugging Face: Fri 2026-08-21, 12 papers" in result.stderr
    assert "arXiv cs.CL: Fri 2026-08-21, 12 announcements" in result.stderr
    assert {r.path for r in server.requests} == {"/api/daily_papers", "/rss/cs.CL", "/api/query"}
    # One id_list request gives the HF papers their arXiv categories.
    (lookup,) = [r for r in server.requests if r.path == "/api/query"]
    assert lookup.query["id_list"] and not lookup.query["search_query"]


def test_warm_cache_imports_neither_httpx_nor_feedparser(env: dict[str, str]) -> None:
    assert papers(env, "today").returncode == 0
    warm = papers(env, "today", python_flags=("-X", "importtime"))
    assert warm.returncode == 0
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if "|" in line}
    assert "papercli.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in ("httpx", "feedparser", "rich")}
    # Nor the index (a day's listing is read from its JSON or fast copy), nor the spill,
    # nor the dismissed papers (only a table draws them, dim), nor the For you commands.
    unread = {"sqlite3", "papercli.store.index", "papercli.store.spill", "json"}
    unread |= {"papercli.store.dismissals", "papercli.cli.foryou"}
    assert not imported & unread


def test_closed_pipe_is_not_an_error(env: dict[str, str]) -> None:
    assert papers(env, "today").returncode == 0
    pipeline = subprocess.run(
        # `true` exits at once, so every write papers makes hits a closed pipe.
        f"set -o pipefail; '{sys.executable}' -m papercli today --format json | true",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        executable="/bin/bash",
    )
    assert pipeline.returncode == 0
    assert "Error" not in pipeline.stderr and "Broken pipe" not in pipeline.stderr
