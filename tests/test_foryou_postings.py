"""For you over long listings: term postings stored in the cache index rank exactly as the
text does, follow the text when it changes, and survive damage, a busy index, pruned files
and many small additions."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foryou_corpus import GALAXY, PROTEIN, seed_home
from papercli.cli import app
from papercli.core import foryou as core_foryou
from papercli.query import foryou
from papercli.sources.arxiv_rss import parse_rss
from papercli.store import term_postings

CAPTURES = Path(__file__).parent / "fixtures" / "captures"  # whole files of shared/formats


@pytest.fixture
def corpus(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return seed_home(isolated, monkeypatch)


@pytest.fixture
def good(runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> list[Scored]:
    """Long-listing ranking on (every listing), three protein papers saved: the first
    ranking's (id, score) pairs, its postings stored."""
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    save_protein(runner)
    return scored(runner)


Scored = tuple[str, float]
FOR_YOU_JSON = ["today", "--offline", "--source", "hf", "-f", "json", "--sort", "for-you"]


def scored(runner: CliRunner) -> list[Scored]:
    result = runner.invoke(app, FOR_YOU_JSON)
    assert result.exit_code == 0, result.stderr
    return [(p["id"], p["score"]) for p in json.loads(result.stdout)]


def assert_rebuilt_once(runner: CliRunner, good: list[Scored]) -> None:
    """The next ranking warns once of damaged terms and still ranks as ``good``; the one
    after it warns no more."""
    result = runner.invoke(app, FOR_YOU_JSON)
    assert result.exit_code == 0, result.stderr
    assert [(p["id"], p["score"]) for p in json.loads(result.stdout)] == good
    assert result.stderr.count("For you's terms in the cache index") == 1


def listing_papers(home: Path) -> tuple[Path, dict[str, object], dict[str, dict[str, str]]]:
    """The corpus's listing file, its JSON, and its papers by id (to edit in place)."""
    listing = next((home / "cache" / "hf").glob("*.json"))
    data = json.loads(listing.read_text())
    return listing, data, {p["id"]: p for p in data["papers"]}  # type: ignore[attr-defined]


def index(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "cache" / "index.sqlite3", isolation_level=None)


def stored_docs(home: Path) -> dict[str, tuple[int, int]]:
    with index(home) as db:
        return {i: (o, k) for i, o, k in db.execute("SELECT id, ord, key FROM bag_docs")}


def save_protein(runner: CliRunner) -> None:
    assert runner.invoke(app, ["save", "--offline", *PROTEIN[:3]]).exit_code == 0


def test_scores_from_term_crcs_equal_scores_from_the_text_on_a_whole_real_mailing() -> None:
    papers = list(parse_rss((CAPTURES / "arxiv_rss_cs.CL_2026-08-17.xml").read_bytes()).papers)
    model = foryou.train(papers[:10], papers[10:15], papers[15:])
    assert len(model.weights) == foryou.MAX_TERMS
    for paper in papers:
        crcs = foryou.term_crcs(paper)
        assert len(crcs) == len(foryou.terms(paper))
        total = sum(model.hashed.get(t, 0.0) for t in crcs)
        assert foryou.from_sum(total, len(crcs)) == pytest.approx(model.score(paper), abs=1e-11)


@pytest.mark.parametrize("seed", range(6))
def test_posting_lists_read_back_as_written(seed: int) -> None:
    draw = random.Random(seed)
    top = draw.choice([300, 70_000, 5_000_000_000])
    ords = sorted(draw.sample(range(1, top), draw.randint(1, 250)))
    assert list(term_postings.decode(term_postings.encode(ords))) == ords


@pytest.mark.parametrize("damage", [b"", b"Q\x00\x00", b"h\x78\x9cbroken", b"I\x01\x02\x03"])
def test_a_damaged_posting_list_is_refused(damage: bytes) -> None:
    with pytest.raises(ValueError):
        list(term_postings.decode(damage))


def test_a_long_listing_ranks_from_postings_in_the_same_order_as_from_the_text(
    runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_protein(runner)
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 10**9)
    from_text = scored(runner)
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    first = scored(runner)  # tokenises once and stores the postings
    assert set(stored_docs(corpus)) == {i for i, _ in from_text}
    assert scored(runner) == first  # from the postings alone
    assert [i for i, _ in first] == [i for i, _ in from_text]
    assert [s for _, s in first] == pytest.approx([s for _, s in from_text], abs=1e-11)
    assert {i for i, _ in first[:8]} == set(PROTEIN)


def test_a_paper_whose_text_changed_is_ranked_by_its_new_text(
    runner: CliRunner, corpus: Path, good: list[Scored]
) -> None:
    before = dict(good)
    assert before[GALAXY[5]] < before[PROTEIN[4]] / 4
    listing, data, by_id = listing_papers(corpus)
    protein, galaxy = by_id[PROTEIN[4]], by_id[GALAXY[5]]
    galaxy["title"], galaxy["abstract"] = protein["title"], protein["abstract"]
    old_ord, old_key = stored_docs(corpus)[GALAXY[5]]
    listing.write_text(json.dumps(data))
    after = dict(scored(runner))
    assert after[GALAXY[5]] > after[PROTEIN[4]] / 2  # it reads like the saved papers now
    new_ord, new_key = stored_docs(corpus)[GALAXY[5]]
    assert new_key != old_key and new_ord > old_ord  # ords are never reused


@pytest.mark.parametrize("damage", ["garbage", "unknown-paper"])
def test_damaged_postings_warn_once_and_are_rebuilt(
    runner: CliRunner, corpus: Path, good: list[Scored], damage: str
) -> None:
    bad = b"Bnot zlib" if damage == "garbage" else term_postings.encode([10**6])
    with index(corpus) as db:
        db.execute("UPDATE bag_postings SET docs=?", (bad,))
    assert_rebuilt_once(runner, good)
    assert stored_docs(corpus) == {}  # dropped: the next ranking stores them again
    assert "cache index" not in runner.invoke(app, FOR_YOU_JSON).stderr
    assert len(stored_docs(corpus)) == len(good)
    assert scored(runner) == good


def test_a_busy_index_ranks_at_once_and_stores_nothing(
    runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_protein(runner)
    expected = scored(runner)  # builds the index; no postings needed yet
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(60)",
            str(corpus / "cache" / "index.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert scored(runner) == expected  # storing would wait up to 30 s: it is skipped
    finally:
        holder.kill()
        holder.wait()
    assert stored_docs(corpus) == {}
    assert scored(runner) == expected
    assert len(stored_docs(corpus)) == len(expected)


def test_papers_whose_files_are_gone_are_forgotten(
    runner: CliRunner, corpus: Path, good: list[Scored]
) -> None:
    assert stored_docs(corpus)
    next((corpus / "cache" / "hf").glob("*.json")).unlink()
    runner.invoke(app, ["list", "--offline", "--since", "2026-01-01", "-f", "ids"])
    assert stored_docs(corpus) == {}


def test_many_small_additions_are_merged_and_sum_as_before(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "postings.sqlite3", isolation_level=None)
    db.executescript(
        "CREATE TABLE papers(id TEXT);"
        "CREATE TABLE bag_docs(ord INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
        " key INTEGER, length INTEGER);"
        "CREATE TABLE bag_postings(term INTEGER, segment INTEGER, docs BLOB,"
        " PRIMARY KEY(term, segment)) WITHOUT ROWID;"
    )
    draw = random.Random(3)
    texts: dict[str, list[int]] = {}
    for batch in range(30):
        papers = []
        for n in range(5):
            # Every third batch rewrites two earlier papers: their old ords die.
            paper = f"p{batch}-{n}" if batch % 3 or n > 1 else f"p{max(0, batch - 3)}-{n}"
            texts[paper] = sorted(draw.sample(range(40), 6))
            papers.append((paper, batch, texts[paper]))
        term_postings.add(db, papers)
        segments = db.execute("SELECT COUNT(DISTINCT segment) FROM bag_postings").fetchone()[0]
        assert segments <= term_postings.MAX_SEGMENTS + 1
    weights = {t: float(t % 7) - 2.5 for t in range(40)}
    totals = term_postings.sums(db, weights)
    found = term_postings.known(db, list(texts))
    assert set(found) == set(texts)
    for paper, terms in texts.items():
        assert totals[found[paper][1]] == pytest.approx(sum(weights[t] for t in terms))
    live = {row[1] for row in found.values()}
    named = {o for (docs,) in db.execute("SELECT docs FROM bag_postings")
             for o in term_postings.decode(docs)}  # fmt: skip
    assert len(named - live) < len(live)  # dead ords are dropped by full merges


def test_the_first_ranking_of_many_papers_says_it_reads_their_words_once(
    runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    monkeypatch.setattr(term_postings, "SAY_FROM", 10)
    save_protein(runner)
    args = FOR_YOU_JSON
    first = runner.invoke(app, args)
    assert first.exit_code == 0
    assert first.stderr.count("For you: reading the words of") == 1
    assert first.stdout  # the listing itself is on stdout, the note on stderr only
    assert "reading the words" not in runner.invoke(app, args).stderr


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE bag_docs SET key='not a number'",
        "UPDATE bag_docs SET length=-1",
        "UPDATE bag_docs SET ord=-5",
        "UPDATE bag_postings SET docs='text'",
    ],
)
def test_rows_of_the_wrong_kind_cannot_be_stored(
    runner: CliRunner, corpus: Path, good: list[Scored], edit: str
) -> None:
    with index(corpus) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute(edit)
    assert scored(runner) == good


def _postings_db(tmp_path: Path) -> sqlite3.Connection:
    from papercli.store.index_file import SCHEMA

    db = sqlite3.connect(tmp_path / "postings.sqlite3", isolation_level=None)
    db.executescript(SCHEMA)
    return db


def test_a_merge_when_the_newest_segment_is_the_largest_keeps_every_paper(
    tmp_path: Path,
) -> None:
    db = _postings_db(tmp_path)
    texts = {f"p{n}": [n % 5] for n in range(term_postings.MAX_SEGMENTS)}
    for paper, terms in texts.items():
        term_postings.add(db, [(paper, 1, terms)])
    last = {f"q{n}": list(range(99)) for n in range(3)}  # the largest segment, and the newest
    term_postings.add(db, [(p, 1, t) for p, t in last.items()])
    texts.update(last)
    weights = {t: 1.0 + t for t in range(99)}
    totals = term_postings.sums(db, weights)
    found = term_postings.known(db, list(texts))
    for paper, terms in texts.items():
        assert totals[found[paper][1]] == sum(weights[t] for t in terms)


def test_a_full_merge_renumbers_the_papers_densely(tmp_path: Path) -> None:
    db = _postings_db(tmp_path)
    for round_ in range(40):  # the same 4 papers stored again and again: most ords die
        term_postings.add(db, [(f"p{n}", round_, [n, 10 + round_ % 3]) for n in range(4)])
    found = term_postings.known(db, [f"p{n}" for n in range(4)])
    assert term_postings.last_ord(db) < 40 * 4 / 2  # renumbered, not 160
    totals = term_postings.sums(db, {n: 1.0 for n in range(20)})
    assert all(totals[row[1]] == 2.0 for row in found.values())
    assert {row[2] for row in found.values()} == {39}  # the newest text of each


def test_one_id_with_two_texts_gets_each_its_own_score(tmp_path: Path) -> None:
    from papercli.models import Paper
    from papercli.store.cache import Store
    from papercli.store.index import Index

    first = Paper(id="2611.00001", title="protein folding", abstract="protein structure")
    second = first.with_changes(title="galaxy survey", abstract="galaxy redshift")
    weights = {t: (2.0 if t in foryou.term_crcs(first) else 0.0) for t in foryou.term_crcs(first)}
    with Index(Store(tmp_path / "home")) as index:
        for _ in range(3):  # the same answer on every run, stored or not
            sums, lengths = index.term_sums(
                [first, second], foryou.text_key, foryou.term_crcs, weights
            )
            assert sums == [2.0 * len(foryou.term_crcs(first)), 0.0]
            assert lengths == [len(foryou.term_crcs(first)), len(foryou.term_crcs(second))]


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE bag_docs SET ord=ord+100000",
        "UPDATE sqlite_sequence SET seq='x' WHERE name='bag_docs'",
        "UPDATE sqlite_sequence SET seq=99999999999 WHERE name='bag_docs'",
        "DELETE FROM sqlite_sequence",
    ],
)
def test_numbers_out_of_range_warn_once_and_are_rebuilt(
    runner: CliRunner, corpus: Path, good: list[Scored], edit: str
) -> None:
    with index(corpus) as db:
        db.execute(edit)
    assert_rebuilt_once(runner, good)
    assert "cache index" not in runner.invoke(app, FOR_YOU_JSON).stderr
    assert scored(runner) == good


def test_an_edit_inside_an_abstract_is_ranked_by_the_new_text(
    runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch, good: list[Scored]
) -> None:
    listing, data, by_id = listing_papers(corpus)
    galaxy, protein = by_id[GALAXY[5]], by_id[PROTEIN[4]]
    words = galaxy["abstract"].split()
    # Same length, same ends: only the middle changes, to the saved papers' words.
    inner = protein["abstract"].replace(" ", "")[: len(" ".join(words[3:-3]))]
    galaxy["abstract"] = " ".join(words[:3]) + " " + inner + " " + " ".join(words[-3:])
    listing.write_text(json.dumps(data))
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 10**9)
    from_text = scored(runner)
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    assert scored(runner) == from_text


def test_storing_waits_for_no_sync_of_another_run(corpus: Path) -> None:
    """Terms are stored under the index's update lock, taken without waiting: while
    another run syncs, a ranking answers at once and stores nothing."""
    import time

    from papercli.store.cache import Store
    from papercli.store.index import Index

    with Index(Store(corpus)) as opened:
        papers = opened.papers(date(2026, 1, 1), date(2026, 12, 31), hf=True, categories=[])
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import fcntl, sys, time\n"
                "f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX)\n"
                "print('held', flush=True); time.sleep(60)",
                str(corpus / "locks" / "index.lock"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            started = time.monotonic()
            sums, _ = opened.term_sums(papers, foryou.text_key, foryou.term_crcs, {})
            assert time.monotonic() - started < 5
        finally:
            holder.kill()
            holder.wait()
        assert len(sums) == len(papers) > 0
        assert stored_docs(corpus) == {}
        opened.term_sums(papers, foryou.text_key, foryou.term_crcs, {})
    assert len(stored_docs(corpus)) == len({p.id for p in papers})


def test_an_unusable_index_is_not_built_in_memory_a_second_time_for_for_you(
    runner: CliRunner, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_foryou, "POSTINGS_FROM", 1)
    save_protein(runner)
    broken = corpus / "cache" / "index.sqlite3"
    broken.unlink(missing_ok=True)
    broken.mkdir()  # a directory where the file should be: it cannot be used, nor removed
    args = ["list", "--offline", "--source", "hf", "--since", "2026-01-01", "-f", "ids"]
    result = runner.invoke(app, [*args, "--sort", "for-you"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("indexing the cache in memory") == 1
    assert set(result.stdout.split()[:8]) == set(PROTEIN)
