"""A data dir that is read-only, full, a regular file, or has a directory where the index
should be; an index that another process is writing or has open.

Read-only and full disks are real: the process runs in a user and mount namespace of its own
(unshare) over a read-only bind mount or a tiny tmpfs, which works unprivileged where the
kernel allows it, and as root too (where chmod would not stop a write). Without namespaces
those tests skip; the in-process ones inject the errors instead.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply
from papercli.cli import app
from papercli.models import Paper
from papercli.store import index_file
from papercli.store.cache import Listing, Store
from papercli.store.index import NAME, Index

NOW = "2026-06-12T15:00:00+00:00"
LAST = date(2026, 6, 12)


def make_cache(home: Path, days: int = 20, per_day: int = 5) -> list[str]:
    """HF listings for ``days`` days up to LAST; returns every id, newest day first."""
    store = Store(home)
    ids: list[str] = []
    for back in range(days):
        day = LAST - timedelta(days=back)
        papers = tuple(
            Paper(id=f"2606.{back * 100 + n:05d}", title=f"Paper {back} {n}", upvotes=n,
                  listed=day.isoformat(), sources=("hf",))
            for n in range(per_day)
        )  # fmt: skip
        fetched = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        store.write_listing(Listing("hf", day, papers, fetched, complete=True))
        ids += [p.id for p in papers]
    return ids


def env_for(home: Path, tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PAPERS_HOME": str(home),
        "PAPERS_CONFIG": str(tmp / "config.toml"),
        "PAPERS_NOW": NOW,
        "PAPERS_ARXIV_DELAY": "0",
        **extra,
    }


def papers_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "papercli", *args]


def _namespaces_work() -> bool:
    probe = "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && mount --bind -o ro $d $d"
    try:
        run = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", probe],
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0


needs_namespaces = pytest.mark.skipif(
    os.name == "nt" or not _namespaces_work(), reason="needs unprivileged mount namespaces"
)


def in_namespace(setup: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run papercli after ``setup`` (shell, as root of a private mount namespace)."""
    script = f"{setup} && exec {shlex.join(papers_command(*args))}"
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def read_only(home: Path) -> str:
    return f"mount --bind -o ro {shlex.quote(str(home))} {shlex.quote(str(home))}"


# -- read-only ---------------------------------------------------------------------------------


@needs_namespaces
@pytest.mark.parametrize(
    "args",
    [["today", "--offline", "--format", "ids"], ["list", "--since", "19d", "--offline",
     "--format", "ids"], ["search", "Paper", "--offline", "--format", "ids"]],
    ids=["today", "list through the index", "search"],
)  # fmt: skip
def test_reading_a_read_only_cache_still_works(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "home"
    ids = make_cache(home)
    with Index(Store(home)):
        pass  # an index exists on disk too, but cannot be updated there
    run = in_namespace(read_only(home), args, env_for(home, tmp_path))
    assert run.returncode == 0, run.stderr
    shown = run.stdout.split()
    assert set(shown) <= set(ids) and len(shown) >= 5
    if args[0] != "today":
        assert "indexing the cache in memory for this run" in run.stderr
    assert "Error" not in run.stderr and (home / "cache" / NAME).exists()


@needs_namespaces
@pytest.mark.parametrize(
    ("args", "what"),
    [(["fetch", "--date", "2026-06-13"], "locks/cache.lock"),
     (["save", "2606.00001", "--offline"], "locks/reading-list.lock")],
    ids=["fetch", "save"],
)  # fmt: skip
def test_writing_to_a_read_only_data_dir_is_one_line_and_exit_11(
    tmp_path: Path, server: FakeServer, args: list[str], what: str
) -> None:
    home = tmp_path / "home"
    make_cache(home)
    server.route("/api/daily_papers", Reply(b'[{"paper": {"id": "2606.99999"}}]', 200, JSON))
    env = env_for(home, tmp_path, PAPERS_HF_URL=server.url, PAPERS_NOW="2026-06-13T15:00:00+00:00")
    run = in_namespace(read_only(home), [*args, "-q"] if args[0] == "fetch" else args, env)
    assert run.returncode == 11, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: cannot write {home / what}: Read-only file system"]
    assert "Hint: the file system is read-only; point PAPERS_HOME somewhere writable" in run.stderr


@needs_namespaces
@pytest.mark.parametrize("locks_exist", [True, False], ids=["locks there", "no locks dir"])
def test_a_dry_run_digest_reads_a_read_only_data_dir(tmp_path: Path, locks_exist: bool) -> None:
    home = tmp_path / "home"
    ids = make_cache(home, days=3)
    if locks_exist:
        with Store(home).lock("digest-default"), Store(home).holding_cache():
            pass  # the lock files a real run leaves behind
    else:
        import shutil

        shutil.rmtree(home / "locks", ignore_errors=True)
    args = ["digest", "--dry-run", "--days", "2", "--offline", "--format", "json"]
    run = in_namespace(read_only(home), args, env_for(home, tmp_path))
    assert run.returncode == 0, run.stderr
    shown = {p["id"] for group in json.loads(run.stdout)["groups"] for p in group["papers"]}
    assert shown == set(ids[:10])  # the two newest days, five papers each
    real = in_namespace(
        read_only(home), ["digest", "--days", "2", "--offline"], env_for(home, tmp_path)
    )
    assert real.returncode == 11, real.stderr  # a real run records state: it cannot here


# -- full --------------------------------------------------------------------------------------


@needs_namespaces
def test_a_full_disk_is_exit_11_with_one_error_line(tmp_path: Path, server: FakeServer) -> None:
    home = tmp_path / "home"
    home.mkdir()
    big = [{"paper": {"id": f"2606.{n:05d}", "title": "x" * 2000}} for n in range(200)]
    import json

    server.route("/api/daily_papers", Reply(b"[]", 200, JSON))
    server.route("/api/daily_papers", Reply(json.dumps(big).encode(), 200, JSON), query={"p": "0"})
    env = env_for(home, tmp_path, PAPERS_HF_URL=server.url)
    small = f"mount -t tmpfs -o size=256k tmpfs {shlex.quote(str(home))}"
    seed = f"{small} && {shlex.join(papers_command('config', 'path'))} >/dev/null"
    run = in_namespace(seed, ["fetch", "--date", "2026-06-12", "-q"], env)
    assert run.returncode == 11, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: cannot write {home / 'cache' / 'hf' / '2026-06-12.json'}: No space left on device"
    ]
    assert "Hint: free some space, or point PAPERS_HOME at another disk" in run.stderr
    assert "Traceback" not in run.stderr and "unexpected" not in run.stderr


def test_a_full_disk_in_process_names_the_file(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    server.route("/api/daily_papers", Reply(b'[{"paper": {"id": "2606.99999"}}]', 200, JSON))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", full)
    result = runner.invoke(app, ["today"])
    assert result.exit_code == 11
    error, hint = result.stderr.splitlines()[-2:]
    assert error == (
        f"Error: cannot write {isolated / 'cache' / 'hf' / '2026-06-12.json'}: "
        "No space left on device"
    )
    assert hint.startswith("Hint: free some space")
    assert not list((isolated / "cache" / "hf").iterdir())  # no temp file left either


# -- a file or a directory in the way ----------------------------------------------------------


def test_a_data_dir_that_is_a_regular_file(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "not-a-dir"
    home.write_text("x")
    monkeypatch.setenv("PAPERS_HOME", str(home))
    for args in (["today", "--offline"], ["saved"], ["list", "--since", "30d", "--offline"]):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 7), (args, result.stderr)
        assert "unexpected" not in result.stderr
    saved = runner.invoke(app, ["save", "2606.00001", "--offline"])
    assert saved.exit_code in (7, 11) and "unexpected" not in saved.stderr
    config_set = runner.invoke(app, ["digest", "--dry-run", "--offline"])
    assert config_set.exit_code == 11
    assert config_set.stderr.splitlines()[0].endswith(": Not a directory")
    assert "a file stands where a directory should be" in config_set.stderr
    assert home.read_text() == "x"


def test_a_directory_where_the_index_should_be(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    ids = make_cache(isolated)
    (isolated / "cache" / NAME).mkdir()
    result = runner.invoke(app, ["list", "--since", "19d", "--offline", "--format", "ids"])
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(ids)
    assert f"cannot use the cache index {isolated / 'cache' / NAME} (it is a directory; move " in (
        result.stderr
    )
    assert (isolated / "cache" / NAME).is_dir()  # left for the user to move, never deleted


# -- the index busy ----------------------------------------------------------------------------

HOLD_TRANSACTION = textwrap.dedent(
    """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('held', 'yes')")
    print("holding", flush=True)
    sys.stdin.readline()  # until the test says so
    db.execute("ROLLBACK")
    """
)

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from papercli.store.cache import Store
    with Store(Path(sys.argv[1])).lock("index"):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)

HOLD_OPEN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from papercli.store.cache import Store
    from papercli.store.index import Index
    with Index(Store(Path(sys.argv[1]))) as index:
        index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
        print("holding", flush=True)
        sys.stdin.readline()
    """
)


def holder(script: str, *args: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdout.readline() == "holding\n"
    return process


def release(process: subprocess.Popen) -> None:
    if process.stdin is not None:
        process.stdin.write("\n")
        process.stdin.close()
    process.wait(timeout=30)


def test_a_write_transaction_held_elsewhere_means_busy_not_corrupt(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    monkeypatch.setattr(index_file, "BUSY_WAIT", 0.5)
    make_cache(isolated, days=20)
    with Index(Store(isolated)):
        pass
    make_cache(isolated, days=25)  # five new days: the next run must write to the index
    path = isolated / "cache" / NAME
    inode = path.stat().st_ino
    other = holder(HOLD_TRANSACTION, str(path))
    try:
        result = runner.invoke(app, ["list", "--since", "24d", "--offline", "--format", "ids"])
    finally:
        release(other)
    assert result.exit_code == 8, result.stderr
    assert result.stderr.startswith(f"Error: the cache index {path} is busy: another process")
    assert "database is locked" not in result.stderr and "rebuilding" not in result.stderr
    assert path.stat().st_ino == inode  # never deleted
    again = runner.invoke(app, ["list", "--since", "24d", "--offline", "--format", "ids"])
    assert again.exit_code == 0 and len(again.stdout.split()) == 125


def test_a_run_waits_for_another_updating_the_index_and_says_so(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    make_cache(isolated)
    other = holder(HOLD_LOCK, str(isolated), "1.0")
    result = runner.invoke(app, ["list", "--since", "19d", "--offline", "--format", "ids"])
    other.wait(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert "waiting up to 120 s for another papercli run to release the cache index" in (
        result.stderr
    )
    assert len(result.stdout.split()) == 100


def test_a_wait_that_runs_out_is_exit_8(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    monkeypatch.setattr(index_file, "LOCK_WAIT", 1.0)
    make_cache(isolated)
    other = holder(HOLD_LOCK, str(isolated), "30")
    try:
        result = runner.invoke(app, ["list", "--since", "19d", "--offline"])
    finally:
        other.kill()
        other.wait()
    assert result.exit_code == 8
    assert "Error: another papercli run holds the cache index" in result.stderr


def test_a_damaged_index_another_process_has_open_is_not_deleted(
    runner: CliRunner, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    ids = make_cache(isolated)
    path = isolated / "cache" / NAME
    other = holder(HOLD_OPEN, str(isolated))
    try:
        junk = b"this is no longer a SQLite file " * (path.stat().st_size // 32 + 1)
        with path.open("r+b") as handle:
            handle.write(junk)
        inode = path.stat().st_ino
        result = runner.invoke(app, ["list", "--since", "19d", "--offline", "--format", "ids"])
        assert result.exit_code == 0, result.stderr
        assert sorted(result.stdout.split()) == sorted(ids)
        assert "is unusable: file is not a database, and another papercli run has it open)" in (
            result.stderr
        )
        assert path.stat().st_ino == inode
    finally:
        release(other)
    alone = runner.invoke(app, ["list", "--since", "19d", "--offline", "--format", "ids"])
    assert alone.exit_code == 0 and "rebuilding it" in alone.stderr
    assert sorted(alone.stdout.split()) == sorted(ids)


def test_eight_cold_parallel_runs_all_succeed(tmp_path: Path) -> None:
    """1 of 8 parallel cold `papers list --since 120d` runs used to exit 1 with 'database is
    locked'; all eight build, wait for or share the one index now."""
    home = tmp_path / "home"
    ids = make_cache(home, days=120, per_day=10)
    env = env_for(home, tmp_path)
    command = papers_command("list", "--since", "119d", "--offline", "--format", "ids")
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(8)
    ]
    results = [(r.wait(timeout=120), r.stdout.read(), r.stderr.read()) for r in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    for code, out, err in results:
        assert code == 0, err
        assert b"locked" not in err and b"Warning" not in err, err
        assert sorted(out.split()) == sorted(i.encode() for i in ids)
    with Index(Store(home)) as index:
        assert index.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not index.in_memory
    assert time.monotonic()  # no timing asserted: correctness under contention only
