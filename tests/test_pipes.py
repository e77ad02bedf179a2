"""A reader that goes away (`papers ... | head`) is not an error, whatever the format."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.store.cache import Listing, Store

FORMATS = ["summary", "table", "plain", "json", "jsonl", "csv", "tsv", "markdown", "bibtex",
           "html", "atom", "ids"]  # fmt: skip


@pytest.fixture(scope="module")
def big_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cached day far larger than a pipe's buffer, so the writer must meet the closed end."""
    home = tmp_path_factory.mktemp("pipes")
    papers = tuple(
        Paper(id=f"2606.{n:05d}", title=f"Paper {n} " + "word " * 20, authors=("Ada Lovelace",),
              abstract="A sentence of the abstract. " * 30, upvotes=n, sources=("hf",))
        for n in range(1, 600)
    )  # fmt: skip
    fetched = datetime(2026, 6, 13, tzinfo=UTC)
    Store(home).write_listing(Listing("hf", date(2026, 6, 12), papers, fetched, complete=True))
    return home


@pytest.mark.skipif(os.name == "nt", reason="POSIX pipes")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_closed_pipe_exits_0_quietly(big_cache: Path, tmp_path: Path, fmt: str) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PAPERS_HOME": str(big_cache),
        "PAPERS_CONFIG": str(tmp_path / "none.toml"),
        "PAPERS_NOW": "2026-06-12T15:00:00+00:00",
    }
    command = [sys.executable, "-m", "papercli", "today", "--offline", "-q", "-s", "hf"]
    papers = subprocess.Popen(
        [*command, "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    head = subprocess.run(["head", "-c", "100"], stdin=papers.stdout, capture_output=True)
    papers.stdout.close()
    stderr = papers.stderr.read().decode()
    papers.stderr.close()
    assert papers.wait(timeout=60) == 0, stderr
    assert stderr == "" and len(head.stdout) == 100
