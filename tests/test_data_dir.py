"""The data dir is papercli's own: links planted in it are refused, never followed; a dir
others can write to is flagged; files papercli writes get the mode they should."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, Reply, fixture
from papercli.cli import app
from papercli.store.files import UnsafePathError, atomic_write, read_file

CORPUS = Path(__file__).parent / "fixtures" / "hostile"
NOW = "2026-06-12T15:00:00+00:00"
LISTING = "cache/hf/2026-06-12.json"


def run(runner: CliRunner, *args: str, stdin: str | None = None):
    result = runner.invoke(app, list(args), input=stdin)
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Somewhere outside the data dir that a planted link points at."""
    place = tmp_path / "outside"
    place.mkdir()
    return place


def plant(home: Path, relative: str, target: Path) -> Path:
    link = home / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


def secret_listing(path: Path) -> None:
    """A valid listing envelope outside the data dir, with a title that must never show."""
    data = json.loads((CORPUS / "cache_hf_2026-06-12.json").read_text())
    data["papers"] = [{"id": "2606.99998", "title": "SECRET-OUTSIDE", "sources": ["hf"]}]
    path.write_text(json.dumps(data))


# -- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lock", "args"),
    [
        ("index", ["search", "agents", "--offline"]),
        ("digest-default", ["digest", "--dry-run", "--offline"]),
        ("reading-list", ["save", "-"]),
    ],
)
def test_a_dangling_link_at_a_lock_path_is_refused_and_creates_nothing(
    lock: str, args: list[str], runner: CliRunner, isolated: Path, outside: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    target = outside / "created-by-papercli"
    plant(isolated, f"locks/{lock}.lock", target)
    result = run(runner, *args, stdin='{"id": "2606.00001"}\n')
    assert result.exit_code == 11, result.stderr
    assert result.stderr.startswith(f"Error: refusing to use the lock {isolated}/locks/{lock}")
    assert "symbolic link" in result.stderr
    assert not target.exists() and not target.is_symlink()


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_an_index_linked_to_another_database_is_refused_and_left_alone(
    suffix: str, runner: CliRunner, isolated: Path, outside: Path
) -> None:
    other = outside / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE mine (x)")
    before = other.read_bytes()
    plant(isolated, f"cache/index.sqlite3{suffix}", other)
    result = run(runner, "search", "agents", "--offline")
    assert result.exit_code == 11, result.stderr
    assert "refusing to use" in result.stderr and "index.sqlite3" in result.stderr
    assert other.read_bytes() == before
    with sqlite3.connect(other) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert tables == {"mine"}


def test_a_linked_cache_file_is_not_read_and_is_replaced_by_a_real_one(
    runner: CliRunner, isolated: Path, outside: Path, server: FakeServer, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    target = outside / "listing.json"
    secret_listing(target)
    before = target.read_bytes()
    link = plant(isolated, LISTING, target)
    offline = run(runner, "list", "--date", "2026-06-12", "--offline")
    assert "SECRET-OUTSIDE" not in offline.stdout + offline.stderr
    assert f"cannot read {link}: a symbolic link" in offline.stderr
    assert offline.exit_code == 0 and offline.stdout == ""  # nothing cached, as far as it knows
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    fetched = run(runner, "list", "--date", "2026-06-12")
    assert fetched.exit_code == 0, fetched.stderr
    assert "SECRET-OUTSIDE" not in fetched.stdout
    assert not link.is_symlink() and link.is_file()  # the fetch replaced the link itself
    assert target.read_bytes() == before


@pytest.mark.parametrize("name", ["reading-list", "digest-default"])
def test_a_linked_state_file_stops_the_command_and_is_left_alone(
    name: str, runner: CliRunner, isolated: Path, outside: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    target = outside / f"{name}.json"
    target.write_text("{}")
    link = plant(isolated, f"state/{name}.json", target)
    args = ["saved"] if name == "reading-list" else ["digest", "--dry-run", "--offline"]
    result = run(runner, *args)
    assert result.exit_code == 3, result.stderr
    assert "symbolic link" in result.stderr and str(link) in result.stderr
    if name == "reading-list":
        saved = run(runner, "save", "-", stdin='{"id": "2606.00001"}\n')
        assert saved.exit_code == 3
    assert link.is_symlink() and target.read_text() == "{}"


def test_a_fifo_in_the_cache_is_refused_without_blocking(isolated: Path, tmp_path: Path) -> None:
    fifo = isolated / LISTING
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    env = {**os.environ, "PAPERS_NOW": NOW}
    # A real process with a deadline: a blocking open would hang it, not fail an assertion.
    done = subprocess.run(
        [sys.executable, "-m", "papercli", "list", "--date", "2026-06-12", "--offline"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"cannot read {fifo}: not a regular file" in done.stderr


def test_read_file_refuses_links_and_reads_files(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_bytes(b"data")
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    assert read_file(real) == b"data"
    for name in ("link", "dangling"):
        with pytest.raises(UnsafePathError) as caught:
            read_file(tmp_path / name)
        assert "symbolic link" in caught.value.strerror
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing")


def test_cache_clear_removes_links_without_following_them(
    runner: CliRunner, isolated: Path, outside: Path
) -> None:
    keep = outside / "keep.json"
    keep.write_text("mine")
    plant(isolated, LISTING, keep)
    plant(isolated, "cache/hf/2026-06-13.json", outside / "nowhere")
    result = run(runner, "cache", "clear", "--yes")
    assert result.exit_code == 0, result.stderr
    assert not any((isolated / "cache").rglob("*.json"))
    assert keep.read_text() == "mine"


# -- a data dir others can write to --------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "warned"),
    [(0o777, True), (0o1777, True), (0o757, True), (0o755, False), (0o700, False)],
)
def test_a_data_dir_others_can_write_to_is_flagged_once(
    mode: int, warned: bool, runner: CliRunner, isolated: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    for sub in ("cache", "state"):
        (isolated / sub).mkdir(parents=True, exist_ok=True)
        (isolated / sub).chmod(mode)
    isolated.chmod(mode)
    result = run(runner, "list", "--date", "2026-06-12", "--offline")
    assert result.stderr.count("writable by other users") == (1 if warned else 0)
    if warned:
        assert f"chmod go-w {isolated}" in result.stderr


# -- file modes ----------------------------------------------------------------------------


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_digest_output_honours_the_umask(
    mask: int, expected: int, runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "public" / "papers.atom"
    out.parent.mkdir()
    with umask(mask):
        result = run(runner, "digest", "--format", "atom", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert mode_of(out) == expected


def test_an_existing_output_keeps_its_mode(runner: CliRunner, hf: FakeServer, tmp_path: Path):
    out = tmp_path / "papers.html"
    out.write_text("old")
    out.chmod(0o640)
    with umask(0o077):
        result = run(runner, "digest", "--format", "html", "--output", str(out), "--days", "1")
    assert result.exit_code == 0, result.stderr
    assert mode_of(out) == 0o640 and out.read_text() != "old"


def test_downloaded_pdfs_honour_the_umask_and_keep_an_existing_mode(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAPERS_ARXIV_PDF_URL", server.url)
    pdf = b"%PDF-1.5\n" + b"x" * 1000
    server.route("/pdf/2606.12730", Reply(pdf, 200, {"Content-Type": "application/pdf"}))
    server.route("/pdf/2606.06113", Reply(pdf, 200, {"Content-Type": "application/pdf"}))
    target = tmp_path / "pdfs"
    target.mkdir()
    with umask(0o022):
        first = run(runner, "download", "2606.12730", "-d", str(target))
    assert first.exit_code == 0, first.stderr
    assert mode_of(target / "2606.12730.pdf") == 0o644
    (target / "2606.12730.pdf").chmod(0o604)
    with umask(0o077):
        again = run(runner, "download", "2606.12730", "2606.06113", "-d", str(target), "--force")
    assert again.exit_code == 0, again.stderr
    assert mode_of(target / "2606.12730.pdf") == 0o604
    assert mode_of(target / "2606.06113.pdf") == 0o600


def test_state_cache_and_config_stay_private_whatever_the_umask(
    runner: CliRunner, hf: FakeServer, isolated: Path, tmp_path: Path
) -> None:
    with umask(0o000):
        assert run(runner, "config", "init").exit_code == 0
        assert run(runner, "today").exit_code == 0
        assert run(runner, "save", "2606.00467", "--offline").exit_code == 0
        assert run(runner, "digest", "--dry-run").exit_code == 0
        assert run(runner, "digest", "-o", str(tmp_path / "d.md")).exit_code == 0
    assert mode_of(tmp_path / "config.toml") == 0o600
    written = [p for p in isolated.rglob("*.json") if p.is_file()]
    assert written and all(mode_of(p) == 0o600 for p in written), written
    assert mode_of(isolated / "state" / "digest-default.json") == 0o600


def test_config_set_keeps_the_mode_the_user_chose(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[sources]\n")
    config.chmod(0o644)
    assert run(runner, "config", "set", "cache.ttl_minutes", "30").exit_code == 0
    assert mode_of(config) == 0o644


def test_atomic_write_replaces_a_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("theirs")
    link = tmp_path / "file.json"
    link.symlink_to(target)
    atomic_write(link, b"ours")
    assert not link.is_symlink() and link.read_bytes() == b"ours"
    assert target.read_text() == "theirs"
