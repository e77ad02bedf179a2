"""The fast copies of listing files: used while the JSON is unchanged, never instead of it."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from papercli.models import Paper
from papercli.store.cache import Listing, Store
from papercli.store.fastcache import sidecar

DAY = date(2026, 11, 27)


def write(store: Store, *titles: str) -> Path:
    papers = tuple(Paper(id=f"2611.0000{n}", title=t) for n, t in enumerate(titles, 1))
    store.write_listing(Listing("hf", DAY, papers, datetime(2026, 11, 27, tzinfo=UTC)))
    return store.listing_path("hf", DAY)


def titles(store: Store) -> list[str]:
    listing = Store(store.root).read_listing("hf", DAY)
    assert listing is not None
    return [p.title for p in listing.papers]


def test_a_written_listing_reads_back_the_same_through_its_copy(tmp_path: Path) -> None:
    store = Store(tmp_path)
    path = write(store, "Attention", "Diffusion")
    assert sidecar(path, store.cache_dir).is_file()
    assert titles(store) == ["Attention", "Diffusion"]
    assert Store(tmp_path).read_listing("hf", DAY) == store.read_listing("hf", DAY)


def test_the_json_edited_behind_papercli_wins_over_the_copy(tmp_path: Path) -> None:
    store = Store(tmp_path)
    path = write(store, "Attention")
    data = json.loads(path.read_text())
    data["papers"][0]["title"] = "Edited"  # same size would not matter: the inode changes
    path.write_text(json.dumps(data))
    assert titles(store) == ["Edited"]
    assert titles(store) == ["Edited"]  # the copy was rewritten from the new JSON


def test_a_damaged_copy_is_ignored(tmp_path: Path) -> None:
    store = Store(tmp_path)
    path = write(store, "Attention")
    for junk in (
        b"",
        b"\x00" * 50,
        b"not marshal at all",
        sidecar(path, store.cache_dir).read_bytes()[:-7],
    ):
        sidecar(path, store.cache_dir).write_bytes(junk)
        assert titles(store) == ["Attention"]


def test_copies_are_not_counted_as_cache_files_but_are_cleared(tmp_path: Path) -> None:
    store = Store(tmp_path)
    path = write(store, "Attention")
    assert list(store.cache_files()) == [path]
    assert store.clear_cache() == 1
    assert not sidecar(path, store.cache_dir).exists()
    assert store.listing_days("hf") == []


def test_a_copy_is_written_when_only_the_json_exists(tmp_path: Path) -> None:
    store = Store(tmp_path)
    path = write(store, "Attention")
    os.unlink(sidecar(path, store.cache_dir))
    assert titles(store) == ["Attention"]
    assert sidecar(path, store.cache_dir).is_file()
