"""The cache on disk: round trip, atomic writes, corrupt and foreign files, paths, locks."""

from __future__ import annotations

import errno
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papercli.errors import BusyError, StorageError, UsageError
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
