"""Long listings spilled to a temporary file: the same papers in the same order as in memory,
with nothing lost when the temp dir is full."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.config import load_settings
from papercli.core import listing
from papercli.core.session import Session
from papercli.models import Paper
from papercli.query import filters
from papercli.store import spill
from papercli.store.cache import Listing, Store
from test_index import NOW, WORDS

SRC = str(Path(__file__).resolve().parents[1] / "src")


def papers(count: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    return [
        Paper(
            id=f"2611.{n:05d}",
            title=rng.choice(["Attention", "diffusion", "Élan", "zeta"]) + f" {n % 13}",
            abstract="words " * rng.randint(0, 300),
            upvotes=rng.choice([None, 0, 1, 5, 5, 40]),  # ties, broken by later key parts
            listed=f"2026-11-{rng.randint(1, 28):02d}",
            authors=("A B",) * rng.randint(0, 3),
        )
        for n in rng.sample(range(99_999), count)
    ]


@pytest.mark.parametrize("order", ["upvotes", "date", "title", "id"])
def test_a_spilled_run_is_the_sorted_list(order: str) -> None:
    given = papers(600)
    key, reverse = filters.sort_spec(order)
    run = spill.sort_bounded(iter(given), key, reverse=reverse, hold=50)
    assert isinstance(run, spill.Spilled)  # it did go to disk
    assert list(run) == sorted(given, key=key, reverse=reverse)
    assert list(run[:7]) == sorted(given, key=key, reverse=reverse)[:7]
    assert run[-1] == sorted(given, key=key, reverse=reverse)[-1]
    assert len(run[3:10]) == 7


def test_ties_keep_their_order_of_arrival_as_sorted_does() -> None:
    given = papers(300)
    run = spill.sort_bounded(given, lambda p: p.upvotes or 0, reverse=True, hold=10)
    assert list(run) == sorted(given, key=lambda p: p.upvotes or 0, reverse=True)


def test_a_short_run_stays_in_memory() -> None:
    given = papers(40)
    run = spill.sort_bounded(given, filters.SORT_KEYS["id"], hold=40)
    assert isinstance(run, list) and run == sorted(given, key=lambda p: p.id)


# Run in a child whose files may not grow past a limit (RLIMIT_FSIZE, SIGXFSZ ignored):
# writes past it fail with EFBIG, as on a full disk, one chunk into the spill.
FULL_DISK = """
import json, resource, signal, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from test_spill import papers
from papercli.query import filters
from papercli.store import spill
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
given = papers(3000)
key, reverse = filters.sort_spec("upvotes")
run = spill.sort_bounded(given, key, reverse=reverse, hold=int(sys.argv[4]))
print(json.dumps({"kind": type(run).__name__, "ids": [p.id for p in run],
                  "want": [p.id for p in sorted(given, key=key, reverse=reverse)]}))
"""


@pytest.mark.parametrize(
    ("limit", "hold"),
    [(1_500_000, 100), (0, 100), (1_500_000, 2_000)],
    ids=["a-chunk-in", "nothing-writable", "while-writing-the-held-papers"],
)
def test_a_full_temp_dir_loses_nothing(limit: int, hold: int) -> None:
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, SRC, tests, str(limit), str(hold)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["kind"] == "list"  # fell back to memory
    assert result["ids"] == result["want"]
    assert len(set(result["ids"])) == 3000


def make_two_source_cache(root: Path, days: int = 70) -> None:
    """HF and arXiv listings over ``days`` days, where half of each day's papers are on
    both and some come back days later as replacements: records that must merge."""
    rng = random.Random(11)
    store = Store(root)
    first = NOW.date() - timedelta(days=days - 1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        ids = [f"2610.{offset * 10 + n:05d}" for n in range(6)]
        hf = [
            Paper(id=i, title=f"HF {rng.choice(WORDS)} {i}", abstract=rng.choice(WORDS),
                  upvotes=rng.randrange(30), listed=day.isoformat(), sources=("hf",))
            for i in ids
        ]  # fmt: skip
        again = [f"2610.{(offset - 5) * 10:05d}"] if offset >= 5 and offset % 4 == 0 else []
        arxiv = [
            Paper(id=i, version=2, title=f"arXiv {rng.choice(WORDS)} {i}",
                  abstract=rng.choice(WORDS) + " diffusion" * (n % 2), listed=day.isoformat(),
                  categories=("cs.LG", "cs.CL"), primary_category="cs.LG",
                  announce_type="replace" if i in again else "new", sources=("arxiv",))
            for n, i in enumerate([*ids[3:], f"2610.{offset * 10 + 7:05d}", *again])
        ]  # fmt: skip
        store.write_listing(Listing("hf", day, tuple(hf), NOW, complete=True))
        store.write_listing(Listing("arxiv", day, tuple(arxiv), NOW, "cs.LG", True))


def list_output(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["list", "--offline", "--days", "70", "-c", "cs.LG", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "jsonl"],
        ["--format", "ids", "--sort", "date"],
        ["--format", "csv", "--sort", "title", "--limit", "9"],
        ["--format", "json", "-k", "diffusion", "--sort", "id"],
        ["--format", "tsv", "--min-upvotes", "3"],
        ["--format", "plain", "--sort", "date", "--limit", "400"],
    ],
)
def test_a_long_listing_spilled_prints_what_it_prints_in_memory(
    args: list[str], isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_two_source_cache(isolated)
    monkeypatch.setenv("PAPERS_NOW", NOW.isoformat())
    runner = CliRunner()
    held = list_output(runner, *args)
    monkeypatch.setattr(spill, "HOLD", 5)
    assert list_output(runner, *args) == held
    assert len(held.splitlines()) >= 9


def test_a_long_listing_past_the_hold_is_merged_and_read_from_disk(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_two_source_cache(isolated)
    monkeypatch.setattr(spill, "HOLD", 5)
    session = Session.create(load_settings(), now=lambda: NOW, offline=True)
    key, reverse = filters.sort_spec("upvotes")
    select = listing.Selection(lambda p: True, key, reverse=reverse)
    span = listing.Span(NOW.date() - timedelta(days=69), NOW.date())
    try:
        outcome = listing.list_span(session, span, hf=True, categories=["cs.LG"], select=select)
        whole = listing.list_span(session, span, hf=True, categories=["cs.LG"])
    finally:
        session.close()
    assert outcome.selected and isinstance(outcome.papers, spill.Spilled)
    assert list(outcome.papers) == sorted(whole.papers, key=key, reverse=reverse)
    merged = [p for p in outcome.papers if p.sources == ("hf", "arxiv")]
    # Once each, merged: three a day on both, and the HF papers that came back as replacements.
    assert len(merged) == 70 * 3 + sum(1 for day in range(5, 70) if day % 4 == 0)
    assert all(p.upvotes is not None and p.version == 2 for p in merged)


def test_records_merge_in_day_order_on_every_path(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by review: a paper's later record indexed first (a backfill of an older day after
    # a newer one) merged in another order when spilled, and printed the other title.
    make_two_source_cache(isolated)
    monkeypatch.setenv("PAPERS_NOW", NOW.isoformat())
    store, runner, paper_id = Store(isolated), CliRunner(), "2609.99999"

    def add(day_ago: int, title: str, version: int, kind: str) -> None:
        day = NOW.date() - timedelta(days=day_ago)
        old = store.read_listing("arxiv", day, "cs.LG")
        assert old is not None
        paper = Paper(
            id=paper_id, version=version, title=title, listed=day.isoformat(),
            categories=("cs.LG",), primary_category="cs.LG", announce_type=kind,
            abstract="diffusion", sources=("arxiv",),
        )  # fmt: skip
        store.write_listing(Listing("arxiv", day, (*old.papers, paper), NOW, "cs.LG", True))

    add(10, "Second title", 2, "replace")
    list_output(runner)  # indexed now: the later day's record gets the lower rowid
    add(40, "First title", 1, "new")
    shown = []
    for hold, keywords in (
        (10**9, []),
        (10**9, ["-k", "diffusion"]),
        (3, []),
        (3, ["-k", "diffusion"]),
    ):
        monkeypatch.setattr(spill, "HOLD", hold)
        out = list_output(runner, "-f", "jsonl", "--fields", "id,title,version", *keywords)
        shown += [line for line in out.splitlines() if paper_id in line]
    assert shown == ['{"id": "2609.99999", "title": "First title", "version": 2}'] * 4


def test_an_index_damaged_where_only_a_spilled_read_looks_is_read_in_memory(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    make_two_source_cache(isolated)
    monkeypatch.setenv("PAPERS_NOW", NOW.isoformat())
    runner = CliRunner()
    args = ["-f", "jsonl", "--sort", "date"]
    whole = list_output(runner, *args)
    path = isolated / "cache" / "index.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    leaves = [n for (n,) in db.execute("SELECT pageno FROM dbstat WHERE name='papers_id'")]
    db.close()
    with path.open("r+b") as file:  # the id index's pages overwritten: opening still works
        for number in leaves:
            file.seek((number - 1) * page)
            file.write(b"\xff" * page)
    monkeypatch.setattr(spill, "HOLD", 3)
    result = runner.invoke(app, ["list", "--offline", "--days", "70", "-c", "cs.LG", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == whole
    assert "indexing the cache in memory for this run" in result.stderr


@pytest.mark.parametrize("hold", [10**9, 3])
@pytest.mark.parametrize(
    "args",
    [
        ["-k", "diffusion", "--format", "jsonl"],
        ["-k", "diffusion", "--min-upvotes", "1", "--format", "ids"],
        ["-k", "diffusion", "--format", "table"],  # the path that holds every paper
    ],
)
def test_keyword_listings_through_fts_equal_those_without(
    args: list[str], hold: int, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FTS matches records, the filters merged papers: an arXiv record that matched while the
    # paper's HF record did not came back alone, without the upvotes (found by review).
    from papercli.store import index_file

    make_two_source_cache(isolated)
    monkeypatch.setenv("PAPERS_NOW", NOW.isoformat())
    monkeypatch.setattr(spill, "HOLD", hold)
    runner = CliRunner()
    narrowed = list_output(runner, *args)
    monkeypatch.setattr(index_file, "fts_available", lambda: False)
    (isolated / "cache" / "index.sqlite3").unlink()  # rebuilt without an FTS table
    assert list_output(runner, *args) == narrowed
    assert len(narrowed.splitlines()) > 20
