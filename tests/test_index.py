"""The derived SQLite index: same answers as the JSON files, kept in step, rebuilt when broken."""

from __future__ import annotations

import marshal
import os
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papercli.config import load_settings
from papercli.core import listing, lookup
from papercli.core.session import Session
from papercli.models import Paper
from papercli.query.filters import Criteria, apply
from papercli.store import index, index_file, index_rows
from papercli.store.cache import Listing, Store

NOW = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
WORDS = (
    "diffusion transformer agent agents agentic language models model vision robot graph "
    "Núñez reward policy tokens benchmark sparse attention world"
).split()
FIRST = date(2026, 10, 1)


def make_cache(root: Path, days: int = 40, per_day: int = 6, seed: int = 3) -> None:
    rng = random.Random(seed)
    store = Store(root)
    number = 0
    for offset in range(days):
        day = FIRST + timedelta(days=offset)
        papers = []
        for _ in range(per_day):
            number += 1
            papers.append(
                Paper(
                    id=f"2610.{number:05d}",
                    title=" ".join(rng.choice(WORDS) for _ in range(6)),
                    abstract=" ".join(rng.choice(WORDS) for _ in range(30)),
                    authors=("Ann Author",),
                    listed=day.isoformat(),
                    categories=("cs.LG",),
                    primary_category="cs.LG",
                    announce_type="new",
                    upvotes=rng.randrange(50),
                    sources=("hf",),
                )
            )
        store.write_listing(Listing("hf", day, tuple(papers), NOW, complete=True))


@pytest.fixture
def session(isolated: Path) -> Session:
    make_cache(isolated)
    return Session.create(load_settings(), now=lambda: NOW, offline=True)


def span() -> listing.Span:
    return listing.Span(FIRST, FIRST + timedelta(days=39))


def direct(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[Paper]:
    monkeypatch.setattr(listing, "INDEX_MIN_DAYS", 10_000)
    try:
        return listing.list_span(session, span(), hf=True, categories=[]).papers
    finally:
        monkeypatch.undo()


def test_index_and_files_give_the_same_papers(session: Session, monkeypatch) -> None:
    through_index = listing.list_span(session, span(), hf=True, categories=[]).papers
    assert session._index is not None  # a 40-day span went through the index
    from_files = direct(Session.create(load_settings(), now=lambda: NOW, offline=True), monkeypatch)
    assert sorted(p.to_dict()["id"] for p in through_index) == sorted(p.id for p in from_files)
    assert {p.id: p for p in through_index} == {p.id: p for p in from_files}
    assert len(through_index) == 240


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keywords=st.lists(
        st.sampled_from([*WORDS, "agent*", "language model", "model*", "nunez", "gpt-4", "x"]),
        min_size=1,
        max_size=3,
    ),
    all_required=st.booleans(),
)
def test_fts_narrowing_never_loses_a_match(session: Session, keywords, all_required) -> None:
    everything = listing.list_span(session, span(), hf=True, categories=[]).papers
    criteria = Criteria(keywords=tuple(keywords), all_keywords=all_required)
    expected = {p.id for p in apply(everything, criteria)}
    match = index.keywords_query(keywords, all_required=all_required)
    narrowed = listing.list_span(
        session, span(), hf=True, categories=[], keywords_match=match
    ).papers
    assert expected <= {p.id for p in narrowed}
    assert {p.id for p in apply(narrowed, criteria)} == expected


def test_changed_new_and_deleted_files_are_picked_up(session: Session, isolated: Path) -> None:
    idx = session.index()
    day = FIRST + timedelta(days=3)
    store = Store(isolated)
    replacement = Paper(id="2610.99999", title="Fresh diffusion", listed=day.isoformat())
    store.write_listing(Listing("hf", day, (replacement,), NOW, complete=True))
    (isolated / "cache" / "hf" / f"{FIRST.isoformat()}.json").unlink()
    assert idx.sync() == 2
    papers = idx.papers(FIRST, FIRST + timedelta(days=5), hf=True, categories=[])
    ids = {p.id for p in papers}
    assert "2610.99999" in ids
    assert len(papers) == 6 * 4 + 1  # day 0 gone, day 3 replaced by one paper
    assert idx.sync() == 0


def test_a_first_build_leaves_the_word_index_tuned_for_small_writes(session: Session) -> None:
    # The one-pass build buffers 8 MB of terms and merges nothing; the syncs after it write
    # a day's file at a time and must merge as they go, holding FTS5's usual 1 MB.
    config = dict(session.index().db.execute("SELECT k, v FROM fts_config"))
    assert (config["automerge"], config["crisismerge"], config["hashsize"]) == (4, 16, 1 << 20)


def test_a_corrupt_index_is_rebuilt_with_a_warning(isolated: Path) -> None:
    make_cache(isolated)
    path = isolated / "cache" / index.NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    session = Session.create(load_settings(), now=lambda: NOW, offline=True)
    papers = listing.list_span(session, span(), hf=True, categories=[]).papers
    assert len(papers) == 240
    assert any("unusable" in n.text and "rebuilding" in n.text for n in session.notices)


def test_an_index_from_another_version_is_rebuilt(session: Session, isolated: Path) -> None:
    session.index().db.execute("UPDATE meta SET value='0' WHERE key='version'")
    session.close()
    again = Session.create(load_settings(), now=lambda: NOW, offline=True)
    assert len(listing.list_span(again, span(), hf=True, categories=[]).papers) == 240
    assert again.index().db.execute("SELECT value FROM meta").fetchone()[0] == index.SCHEMA_VERSION


def test_without_fts5_the_answers_are_the_same(isolated: Path, monkeypatch) -> None:
    make_cache(isolated)
    monkeypatch.setattr("papercli.store.index_file.fts_available", lambda: False)
    session = Session.create(load_settings(), now=lambda: NOW, offline=True)
    match = index.keywords_query(["diffusion"], all_required=False)
    papers = listing.list_span(session, span(), hf=True, categories=[], keywords_match=match).papers
    assert not session.index().fts
    assert len(papers) == 240  # no narrowing, the filters decide
    hits = lookup.search(session, "diffusion transformer", None, remote=False).hits
    assert hits and all("diffusion" in h.matched or "transformer" in h.matched for h in hits)


def test_search_ranks_title_matches_first(session: Session) -> None:
    hits = lookup.search(session, "diffusion", None, remote=False).hits
    assert hits
    top = hits[0].paper
    assert "diffusion" in top.title.lower()
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_files_written_behind_its_back_are_seen(session: Session, isolated: Path) -> None:
    idx = session.index()
    path = isolated / "cache" / "hf" / f"{FIRST.isoformat()}.json"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert idx.sync() == 1  # same size, new mtime: re-read


# A second process's listing, written by a real process with papercli's own store.
OTHER_PROCESS = """
import sys
from datetime import date
from pathlib import Path
from papercli.models import Paper
from papercli.store.cache import Listing, Store

store = Store(Path(sys.argv[1]))
day = date.fromisoformat(sys.argv[2])
old = store.read_listing("hf", day)
new = Paper(id="2610.99001", title="Written by another process", listed=day.isoformat())
store.write_listing(Listing("hf", day, (*old.papers, new), old.fetched_at, complete=True))
"""


def another_process_writes(home: Path, day: date) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(home), day.isoformat()], check=True)


def test_a_listing_sees_files_another_process_wrote_after_the_index_synced(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: this run syncs its index while checking what to fetch, fetches nothing (every
    day is final), another process writes a listing, and then this run queries."""
    make_cache(isolated)
    real_hf_days = listing.hf_days
    interleaved = []

    def fetch_then_other_process(session: Session, days: list[date]) -> None:
        assert session._index is not None, "the index was synced before the fetch"
        real_hf_days(session, days)
        another_process_writes(isolated, FIRST + timedelta(days=5))
        interleaved.append(days)

    monkeypatch.setattr(listing, "hf_days", fetch_then_other_process)
    session = Session.create(load_settings(), now=lambda: NOW)
    papers = listing.list_span(session, span(), hf=True, categories=[]).papers
    assert interleaved == [[]], "nothing was fetched, so this run wrote no listing"
    assert "2610.99001" in {p.id for p in papers}
    assert len(papers) == 241


def test_every_query_rechecks_the_files(session: Session, isolated: Path) -> None:
    idx = session.index()
    assert idx.refresh() == 0
    another_process_writes(isolated, FIRST)
    assert idx.refresh() == 1
    assert "2610.99001" in {p.id for p in idx.by_id("2610.99001")}
    assert idx.refresh() == 0


def test_keyword_narrowing_queries() -> None:
    assert index.term_query("Language mod*") == '"language"* AND "mod"*'
    assert index.term_query("Núñez") == '"nunez"*'  # folded to ASCII
    assert index.term_query("日本語") is None  # FTS5 might fold it differently: no narrowing
    assert index.term_query("!!!") is None
    scope = "{title abstract keywords}: "
    assert index.keywords_query(["a", "b c"], all_required=False) == (
        scope + '(("a"*) OR ("b"* AND "c"*))'
    )
    assert index.keywords_query(["a", "b"], all_required=True) == scope + '(("a"*) AND ("b"*))'
    assert index.keywords_query([], all_required=False) is None
    # A keyword that cannot narrow: with "any", nothing can be left out; with "all", the rest.
    assert index.keywords_query(["日本", "x"], all_required=False) is None
    assert index.keywords_query(["日本", "x"], all_required=True) == scope + '(("x"*))'
    assert index.keywords_query(["日本"], all_required=True) is None
    assert index.fts_available() is True  # this Python's SQLite has FTS5


def test_the_index_as_a_context_manager_is_closed_after(isolated: Path) -> None:
    make_cache(isolated, days=2)
    with index.Index(Store(isolated)) as idx:
        assert len(idx.papers(FIRST, FIRST + timedelta(days=1), hf=True, categories=[])) == 12
        assert idx.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert idx.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    with pytest.raises(RuntimeError, match="not open"):
        idx.db  # noqa: B018
    again = index.Index(Store(isolated))
    again.open()
    assert again.fts is True  # an existing index keeps its full-text table
    again.close()


def test_an_index_opens_on_an_empty_data_dir(tmp_path: Path) -> None:
    idx = index.Index(Store(tmp_path / "fresh"))
    idx.open()
    assert idx.papers(FIRST, FIRST, hf=True, categories=[]) == []
    assert idx.file_meta("hf") == {}
    idx.close()


def test_file_meta_describes_each_listing_without_reading_it(session: Session) -> None:
    meta = session.index().file_meta("hf")
    assert sorted(meta) == [FIRST + timedelta(days=n) for n in range(40)]
    first = meta[FIRST]
    assert (first.source, first.category, first.day) == ("hf", None, FIRST)
    assert first.complete is True and first.count == 6 and first.fetched_at == NOW
    assert session.index().file_meta("arxiv", "cs.CL") == {}


def test_looked_up_papers_and_keywords_go_through_the_index(isolated: Path) -> None:
    store = Store(isolated)
    store.write_paper(Paper(id="2601.00042", title="Looked up", keywords=("graphs", "trees")))
    listed = Paper(id="2610.00001", title="Listed", keywords=("a b", "c"), listed="2026-10-01")
    store.write_listing(Listing("hf", FIRST, (listed,), NOW, complete=True))
    with index.Index(store) as idx:
        (found,) = idx.by_id("2601.00042")
        assert found.title == "Looked up" and found.keywords == ("graphs", "trees")
        (again,) = idx.papers(FIRST, FIRST, hf=True, categories=[])
        assert again == listed


def test_arxiv_listings_go_through_the_index_by_category(isolated: Path) -> None:
    store = Store(isolated)
    cl = Paper(id="2610.00001", title="In CL", listed=FIRST.isoformat(), sources=("arxiv",))
    lg = Paper(id="2610.00002", title="In LG", listed=FIRST.isoformat(), sources=("arxiv",))
    store.write_listing(Listing("arxiv", FIRST, (cl,), NOW, "cs.CL", True))
    store.write_listing(Listing("arxiv", FIRST, (lg,), NOW, "cs.LG", True))
    with index.Index(store) as idx:
        assert idx.papers(FIRST, FIRST, hf=False, categories=["cs.CL"]) == [cl]
        both = idx.papers(FIRST, FIRST, hf=True, categories=["cs.CL", "cs.LG"])
        assert sorted(p.id for p in both) == [cl.id, lg.id]
        assert idx.papers(FIRST, FIRST, hf=False, categories=[]) == []
        assert set(idx.file_meta("arxiv", "cs.LG")) == {FIRST}


def test_search_within_a_span_and_after_a_file_changes(isolated: Path) -> None:
    store = Store(isolated)
    day = FIRST + timedelta(days=1)
    zebra = Paper(id="2610.00001", title="Zebra crossings", listed=FIRST.isoformat())
    store.write_listing(Listing("hf", FIRST, (zebra,), NOW, complete=True))
    later = Paper(id="2610.00002", title="Zebra stripes", listed=day.isoformat())
    store.write_listing(Listing("hf", day, (later,), NOW, complete=True))
    with index.Index(store) as idx:
        assert [p.id for p, _ in idx.search("zebra", 10, (day, day))] == [later.id]
        assert {p.id for p, _ in idx.search("zebra", 10, None)} == {zebra.id, later.id}
        # The newest file is rewritten: its rows (and their full-text entries) are replaced.
        yak = Paper(id="2610.00002", title="Yak herding", listed=day.isoformat())
        store.write_listing(Listing("hf", day, (yak,), NOW, complete=True))
        assert idx.refresh() == 1
        assert [p.id for p, _ in idx.search("zebra", 10, None)] == [zebra.id]
        assert [p.title for p, _ in idx.search("yak", 10, None)] == ["Yak herding"]


def test_an_index_built_without_fts5_says_so_when_reopened(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cache(isolated, days=2)
    monkeypatch.setattr(index_file, "fts_available", lambda: False)
    with index.Index(Store(isolated)) as built:
        assert built.fts is False
    monkeypatch.undo()
    with index.Index(Store(isolated)) as reopened:
        assert reopened.fts is False  # the table is not there, whatever this Python has
        assert len(reopened.search("diffusion", 10, None)) == 12  # every record, unscored


def test_a_listing_file_with_a_bad_date_name_is_left_out(isolated: Path) -> None:
    make_cache(isolated, days=2)
    (isolated / "cache" / "hf" / "2026-13-45.json").write_text("{}")
    with index.Index(Store(isolated)) as idx:
        assert len(idx.papers(FIRST, FIRST + timedelta(days=1), hf=True, categories=[])) == 12


def test_a_search_with_no_searchable_word_finds_nothing(session: Session) -> None:
    assert session.index().search("!!! ???", 10, None) == []


def test_a_first_build_killed_midway_leaves_an_index_that_answers_right(tmp_path: Path) -> None:
    """The first build writes through a rollback journal (once, not via the WAL): kill -9
    inside it, and the next run must still give the same papers, in WAL mode again."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    make_cache(home, days=200, per_day=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERS_")}
    env.update(
        PAPERS_HOME=str(home), PAPERS_CONFIG=str(tmp_path / "none.toml"),
        PAPERS_NOW=NOW.isoformat(), PAPERS_HF_URL="http://127.0.0.1:9",
    )  # fmt: skip
    args = [sys.executable, "-m", "papercli", "list", "--offline", "--source", "hf"]
    args += ["--since", "2026-10-01", "--until", "2027-04-30", "-f", "ids"]
    builder = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert builder.stderr is not None
    line = builder.stderr.readline().decode()
    assert "indexing" in line  # said before the build's transaction starts
    time.sleep(0.3)
    builder.send_signal(signal.SIGKILL)
    builder.wait()
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    (home / "cache" / "index.sqlite3").unlink()
    for suffix in ("-wal", "-shm", "-journal"):
        (home / "cache" / f"index.sqlite3{suffix}").unlink(missing_ok=True)
    fresh = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert sorted(again.stdout.split()) == sorted(fresh.stdout.split())
    assert len(fresh.stdout.split()) == 200 * 60
    with sqlite3.connect(home / "cache" / "index.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_row_reads_back_as_the_paper_it_was_written_from() -> None:
    # Every field set to a value of its own, so a field read from the wrong place shows.
    paper = Paper(
        id="2611.01234", version=3, title="T", authors=("A B", "C D"), abstract="Abs",
        published="2026-11-20", listed="2026-11-27", categories=("cs.CL", "cs.LG"),
        primary_category="cs.CL", announce_type="new", upvotes=7, comments=2,
        ai_summary="S", keywords=("k1", "k2"), github="https://github.com/a/b",
        github_stars=5, project_page="https://a.example", organization="Org",
        sources=("hf", "arxiv"), doi="10.1234/x", journal_ref="J", arxiv_comment="C",
        upvotes_previous=4, affiliations=("U1", ""),
    )  # fmt: skip
    row = (index_rows.pack(paper), paper.title, paper.abstract, " ; ".join(paper.keywords))
    assert index_rows.unpack(*row) == paper
    unset = [f for f, default in Paper._field_defaults.items() if getattr(paper, f) == default]
    assert unset == []  # a field added to Paper later must be given a value above


@pytest.mark.parametrize(
    "record",
    [b"", b"junk", marshal.dumps((1, 2)), marshal.dumps([None] * len(index_rows._PACKED)), b"\xe9"],
)
def test_a_damaged_row_is_skipped(record: bytes) -> None:
    assert index_rows.unpack(record, "T", "A", "") is None
