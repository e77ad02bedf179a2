"""The cache on disk: round trip, atomic writes, corrupt and foreign files, paths, locks."""

from __future__ import annotations

import errno
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papercli.errors import BusyError, ConfigError, StorageError, UsageError
from papercli.models import Paper
from papercli.store.cache import Listing, Store
from papercli.store.files import atomic_write

DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def listing(*ids: str, source: str = "hf", category: str | None = None) -> Listing:
    papers = tuple(Paper(id=i, title=f"Paper {i}", sources=(source,)) for i in ids)
    return Listing(source=source, day=DAY, papers=papers, fetched_at=NOW, category=category)


@pytest.fixture
def store(tmp_path: Path) -> tuple[Store, list[str]]:
    warnings: list[str] = []
    return Store(tmp_path / "data", warn=warnings.append), warnings


def test_listing_round_trip(store) -> None:
    st, warnings = store
    original = listing("2611.00001", "2611.00002")
    st.write_listing(original)
    assert st.read_listing("hf", DAY) == original
    assert st.listing_days("hf") == [DAY]
    assert warnings == []
    raw = json.loads(st.listing_path("hf", DAY).read_text())
    assert raw["format"] == "papercli.listing" and raw["version"] == 1
    assert raw["day"] == "2026-11-27" and raw["fetched_at"] == NOW.isoformat()


def test_arxiv_listings_live_per_category(store) -> None:
    st, _ = store
    st.write_listing(listing("2611.00001", source="arxiv", category="cs.CL"))
    assert st.listing_path("arxiv", DAY, "cs.CL").parts[-3:] == (
        "arxiv",
        "cs.CL",
        "2026-11-27.json",
    )
    assert st.cached_categories() == ["cs.CL"]
    assert st.read_listing("arxiv", DAY, "cs.LG") is None


def test_missing_listing_is_none_without_warning(store) -> None:
    st, warnings = store
    assert st.read_listing("hf", DAY) is None
    assert warnings == []


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"\xff\xfe", b"[]", b'{"format": "something else"}',
     b'{"format": "papercli.listing", "version": 1, "papers": [{"id": "../x"}]}',
     b'{"format": "papercli.listing", "version": 1}'],
)  # fmt: skip
def test_corrupt_files_are_set_aside_with_a_warning(store, content: bytes) -> None:
    st, warnings = store
    path = st.listing_path("hf", DAY)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert st.read_listing("hf", DAY) is None
    assert len(warnings) == 1 and "fetching again" in warnings[0]
    assert not path.exists()
    assert path.with_name(path.name + ".bad").read_bytes() == content  # nothing lost


def test_unknown_version_is_a_warning_not_a_crash(store) -> None:
    st, warnings = store
    path = st.listing_path("hf", DAY)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": "papercli.listing", "version": 99, "papers": []}))
    assert st.read_listing("hf", DAY) is None
    assert "unknown version 99" in warnings[0]


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", explode)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # the temp file is gone too


@pytest.mark.parametrize("category", ["../etc", "cs.CL/../../x", "", "CS CL", "cs/CL"])
def test_categories_never_become_arbitrary_paths(store, category: str) -> None:
    st, _ = store
    with pytest.raises(UsageError):
        st.listing_path("arxiv", DAY, category)


@pytest.mark.parametrize("paper_id", ["../../etc/passwd", "2611.00001/../../x", "x"])
def test_ids_never_become_arbitrary_paths(store, paper_id: str) -> None:
    st, _ = store
    with pytest.raises(UsageError):
        st.paper_path(paper_id)


def test_old_style_ids_are_stored_without_their_slash(store) -> None:
    st, _ = store
    paper = Paper(id="hep-th/9901001", title="Old")
    st.write_paper(paper)
    assert st.paper_path("hep-th/9901001").name == "hep-th_9901001.json"
    assert st.read_paper("hep-th/9901001") == paper


def test_clear_cache_keeps_state(store) -> None:
    st, _ = store
    st.write_listing(listing("2611.00001"))
    st.state_path("digest-default").parent.mkdir(parents=True)
    st.state_path("digest-default").write_text("{}")
    assert st.clear_cache() == 1
    assert st.listing_days("hf") == []
    assert st.state_path("digest-default").exists()


def test_a_held_lock_is_busy(store) -> None:
    st, _ = store
    with (
        st.lock("digest"),
        pytest.raises(BusyError, match="another papercli run"),
        st.lock("digest"),
    ):
        pass
    with st.lock("digest"):  # released again
        pass


def test_a_file_where_a_directory_should_be_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError) as caught:
        atomic_write(blocker / "reading-list.json", b"{}")
    assert caught.value.exit_code == 11
    assert "cannot write" in caught.value.message and "Not a directory" in caught.value.message
    assert blocker.read_text() == "not a directory"


def test_a_full_disk_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "digest-default.json"
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", full)
    with pytest.raises(StorageError, match="No space left on device") as caught:
        atomic_write(target, b"new")
    assert caught.value.hint and "space" in caught.value.hint
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest-default.json"]


def test_a_lock_waits_for_its_holder_to_let_go(tmp_path: Path, monkeypatch) -> None:
    """The waiter polls; the holder lets go at the waiter's first poll, so no timing decides."""
    from papercli.store import files

    path = tmp_path / "locks" / "x.lock"
    holder = files.FileLock(path).__enter__()
    polls: list[float] = []

    def poll(seconds: float) -> None:
        polls.append(seconds)
        holder.__exit__(None, None, None)

    monkeypatch.setattr(files.time, "sleep", poll)
    with files.FileLock(path, timeout=60, poll=0.25) as waiter:
        assert isinstance(waiter, files.FileLock)
        assert polls == [0.25]
        with pytest.raises(BusyError):  # held now by the waiter
            files.FileLock(path).__enter__()
    with files.FileLock(path):  # and let go on exit
        pass


def test_dump_json_keeps_text_readable() -> None:
    from papercli.store.files import dump_json

    assert dump_json({"title": "Núñez"}) == '{"title":"Núñez"}'.encode()


def test_an_unknown_source_is_refused(store) -> None:
    with pytest.raises(ValueError, match="unknown source 'nope'"):
        store[0].listing_path("nope", date(2026, 1, 1))


def test_an_unreadable_listing_is_a_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    store = Store(tmp_path, warn=warnings.append)
    store.listing_path("hf", date(2026, 1, 2)).mkdir(parents=True)  # a directory: EISDIR
    assert store.read_listing("hf", date(2026, 1, 2)) is None
    assert len(warnings) == 1 and "cannot read" in warnings[0]


def test_a_corrupt_looked_up_paper_is_set_aside(tmp_path: Path) -> None:
    warnings: list[str] = []
    store = Store(tmp_path, warn=warnings.append)
    path = store.paper_path("2601.00001")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "papercli.paper", "version": 1, "paper": {"id": 5}}')
    assert store.read_paper("2601.00001") is None
    assert not path.exists() and path.with_name(path.name + ".bad").exists()
    assert warnings and "corrupt" in warnings[0]


def test_clear_cache_forgets_what_it_read_and_removes_the_folders(store) -> None:
    store, _ = store
    day = date(2026, 1, 2)
    store.write_listing(Listing("arxiv", day, (Paper(id="2601.00001"),), NOW, "cs.CL"))
    assert store.read_listing("arxiv", day, "cs.CL") is not None
    assert store.clear_cache() == 1
    assert store.read_listing("arxiv", day, "cs.CL") is None
    assert list(store.cache_dir.rglob("*")) == []


def test_a_reading_list_of_the_first_version_still_reads(tmp_path: Path) -> None:
    """A file as papercli 0.1 wrote it: the format is a promise to existing users."""
    from papercli.store import library

    store = Store(tmp_path)
    path = store.state_path(library.NAME)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "format": "papercli.reading-list", "version": 1,
        "papers": [{"paper": {"id": "2601.00001", "title": "Kept"},
                    "saved_at": "2026-01-02T03:04:05+00:00", "tags": ["to-read"]}],
    }))  # fmt: skip
    (saved,) = library.saved(store)
    assert (saved.paper.title, saved.saved_at, saved.tags) == ("Kept", "2026-01-02T03:04:05+00:00",
                                                               ["to-read"])  # fmt: skip
    for bad in ({"format": "papercli.reading-list", "version": 2, "papers": []},
                {"format": "something else", "version": 1, "papers": []}):  # fmt: skip
        path.write_text(json.dumps(bad))
        with pytest.raises(ConfigError, match="unreadable"):
            library.saved(store)


def test_saving_again_refreshes_the_record_and_adds_tags(tmp_path: Path) -> None:
    from papercli.store import library

    store = Store(tmp_path)
    first = Paper(id="2601.00001", title="T", upvotes=3)
    assert library.add(store, [first], iter(["a"]), NOW) == 1
    assert library.add(store, [Paper(id="2601.00001", upvotes=9)], iter(["b"]), NOW) == 0
    (saved,) = library.saved(store)
    assert (saved.paper.title, saved.paper.upvotes, saved.tags) == ("T", 9, ["a", "b"])
    assert [s.paper.id for s in library.saved(store, tag="b")] == ["2601.00001"]


def test_tags_reach_every_paper_saved_at_once(tmp_path: Path) -> None:
    from papercli.store import library

    store = Store(tmp_path)
    papers = [Paper(id="2601.00001"), Paper(id="2601.00002")]
    assert library.add(store, papers, iter(["to-read"]), NOW) == 2
    assert [s.tags for s in library.saved(store)] == [["to-read"], ["to-read"]]


def test_a_write_clears_its_own_stale_temp_files_and_nothing_else(tmp_path: Path) -> None:
    from papercli.store.files import atomic_write

    target = tmp_path / "note.md"
    stale = tmp_path / ".note.md.4242.tmp"  # what a killed write of note.md leaves
    others = [tmp_path / "draft.tmp", tmp_path / ".note.md.bak", tmp_path / ".other.md.1.tmp"]
    for path in (stale, *others):
        path.write_text("keep")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and not stale.exists()
    assert all(p.read_text() == "keep" for p in others)  # a user's files, or another file's


def test_json_numbers_with_a_fraction_are_read_and_infinite_ones_refused() -> None:
    from papercli.store.files import load_json

    assert load_json('{"score": 1.5, "n": 2}') == {"score": 1.5, "n": 2}
    with pytest.raises(ValueError, match="not a finite number"):
        load_json('{"score": 1e400}')


def test_a_shared_lock_turns_exclusive_only_when_nobody_else_holds_it(tmp_path: Path) -> None:
    from papercli.store.files import FileLock

    path = tmp_path / "locks" / "cache.lock"
    with FileLock(path, shared=True) as mine:
        with FileLock(path, shared=True):  # another holder (its own open file)
            assert mine.try_exclusive() is False  # a clear must not run under a writer
        assert mine.try_exclusive() is True
        with pytest.raises(BusyError):
            FileLock(path, shared=True).__enter__()  # exclusive now: even readers wait
