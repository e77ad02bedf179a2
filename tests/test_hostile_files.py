"""Hostile bodies and files: nesting 100,000 deep, integers of 5,000 digits, odd types, and
temp files left by a writer killed with SIGKILL. Each gives its documented exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.errors import ConfigError
from papercli.sources import hf
from papercli.store.cache import Store
from papercli.store.digest_state import load_state
from papercli.store.files import atomic_write, load_json

DEEP = 100_000
DEEP_LIST = b"[" * DEEP + b"]" * DEEP
DEEP_OBJECT = b'{"a":' * DEEP + b"1" + b"}" * DEEP
NOW = "2026-06-12T15:00:00+00:00"


def run(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


@pytest.mark.parametrize("raw", [DEEP_LIST, DEEP_OBJECT], ids=["array", "object"])
def test_load_json_turns_deep_nesting_into_a_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        load_json(raw)


def test_a_deep_hf_body_is_bad_upstream_data(
    runner: CliRunner, server: FakeServer, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    server.route("/api/daily_papers", Reply(DEEP_LIST, 200, JSON))
    result = run(runner, "today")
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: Hugging Face sent JSON for the daily papers nested")


def test_a_deep_cache_file_is_set_aside_and_fetched_again(
    runner: CliRunner, server: FakeServer, monkeypatch, isolated: Path
) -> None:
    monkeypatch.setenv("PAPERS_NOW", NOW)
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    cached = isolated / "cache" / "hf" / "2026-06-12.json"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(DEEP_OBJECT)
    result = run(runner, "today", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 12
    assert "is corrupt; moved it to 2026-06-12.json.bad" in result.stderr
    assert (cached.parent / "2026-06-12.json.bad").read_bytes() == DEEP_OBJECT


def test_a_deep_digest_state_is_set_aside_with_exit_3(isolated: Path) -> None:
    store = Store(isolated)
    path = store.state_path("digest-default")
    path.parent.mkdir(parents=True)
    path.write_bytes(DEEP_LIST)
    with pytest.raises(ConfigError, match="is unreadable \\(nested too deeply\\)"):
        load_state(store, "default")
    assert path.with_name(path.name + ".bad").read_bytes() == DEEP_LIST


def test_a_deep_reading_list_is_refused_and_left_alone(runner: CliRunner, isolated: Path) -> None:
    path = isolated / "state" / "reading-list.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(DEEP_OBJECT)
    result = run(runner, "saved")
    assert result.exit_code == 3
    assert "is unreadable (nested too deeply)" in result.stderr
    assert path.read_bytes() == DEEP_OBJECT


@pytest.mark.parametrize(
    "text",
    ["a = " + "[" * DEEP + "]" * DEEP, "a = " + "{b = " * DEEP + "1" + "}" * DEEP],
    ids=["arrays", "inline tables"],
)
def test_a_deep_config_is_a_config_error(runner: CliRunner, tmp_path: Path, text: str) -> None:
    (tmp_path / "config.toml").write_text(text)
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    assert "nests arrays or tables too deeply to read" in result.stderr


def test_deep_dotted_keys_in_the_config_are_unknown_settings(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text("x = 1\na" + ".a" * 20_000 + " = 1\n")
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    assert ", line 2: a key nested more than 32 levels deep" in result.stderr
    (tmp_path / "config.toml").write_text("[" + ".".join(["a"] * 40) + "]\nx = 1\n")
    assert run(runner, "today", "--offline").exit_code == 3
    (tmp_path / "config.toml").write_text("a" + ".a" * 20 + " = 1\n")
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3 and "unknown setting" in result.stderr
    (tmp_path / "config.toml").write_text('[topics.t]\nkeywords = ["' + "a." * 50 + '"]\n')
    assert run(runner, "today", "--offline").exit_code == 0  # dots in a value are fine


def test_a_deep_record_on_stdin_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "show", "-", stdin=DEEP_OBJECT.decode() + "\n")
    assert result.exit_code == 2
    assert "stdin line 1: not a paper record (nested too deeply)" in result.stderr


def test_one_huge_number_costs_that_field_not_the_day() -> None:
    items = [
        {"paper": {"id": "2606.00001", "title": "Huge", "upvotes": int("9" * 50)}},
        {"paper": {"id": "2606.00002", "title": "Fine", "upvotes": 3}},
    ]
    body = json.dumps(items).replace("9" * 50, "9" * 5000).encode()
    papers, skipped = hf.parse_daily(body)
    assert [(p.id, p.upvotes) for p in papers] == [("2606.00001", None), ("2606.00002", 3)]
    assert skipped == 0


def test_a_non_text_author_name_costs_the_name_not_the_paper() -> None:
    authors = [{"name": "Ada Lovelace"}, {"name": 42}, {"name": ["x"]}, {"name": None}, "Bob"]
    body = json.dumps([{"paper": {"id": "2606.00001", "title": "T", "authors": authors}}])
    papers, skipped = hf.parse_daily(body.encode())
    assert [p.authors for p in papers] == [("Ada Lovelace",)] and skipped == 0


HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from papercli.store import files

    def stall(fd):  # the write is under way, its temp file on disk and locked
        Path(sys.argv[2]).write_text("writing")
        time.sleep(60)

    os.fsync = stall
    files.atomic_write(Path(sys.argv[1]), b"from the writer")
    """
)


def start_writer(target: Path, flag: Path) -> subprocess.Popen:
    writer = subprocess.Popen([sys.executable, "-c", HOLDER, str(target), str(flag)])
    deadline = time.monotonic() + 30
    while not flag.exists():
        assert writer.poll() is None and time.monotonic() < deadline, "the writer did not start"
        time.sleep(0.02)
    return writer


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals and locks")
def test_a_temp_file_left_by_a_killed_write_goes_with_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "2026-06-12.json"
    writer = start_writer(target, tmp_path / "flag")
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert len(temps(target.parent)) == 1  # what kill -9 leaves behind
    atomic_write(target, b"next")
    assert target.read_bytes() == b"next"
    assert temps(target.parent) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals and locks")
def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "2026-06-12.json"
    writer = start_writer(target, tmp_path / "flag")
    try:
        atomic_write(target, b"mine")
        assert len(temps(target.parent)) == 1  # still the other writer's, in use
    finally:
        writer.kill()
        writer.wait()
    atomic_write(target, b"again")
    assert temps(target.parent) == [] and target.read_bytes() == b"again"


def test_other_files_beside_the_target_are_never_touched(tmp_path: Path) -> None:
    keep = [".2026-06-13.json.abc.tmp", ".2026-06-12.json.bad", "2026-06-12.json.tmp"]
    for name in keep:
        (tmp_path / name).write_text("x")
    atomic_write(tmp_path / "2026-06-12.json", b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, "2026-06-12.json"])


def test_hf_days_listed_in_the_cache_survive_a_deep_body_on_refresh(
    server: FakeServer, isolated: Path
) -> None:
    from datetime import UTC, datetime

    from papercli.config import load_settings
    from papercli.core import refresh
    from papercli.core.session import Session

    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    clock = [datetime(2026, 6, 12, 15, tzinfo=UTC)]
    session = Session.create(load_settings(), now=lambda: clock[0])
    refresh.hf_day(session, date(2026, 6, 12))
    server.route("/api/daily_papers", Reply(DEEP_OBJECT, 200, JSON))
    clock[0] = datetime(2026, 6, 12, 18, tzinfo=UTC)
    again = Session.create(load_settings(), now=lambda: clock[0])
    listing = refresh.hf_day(again, date(2026, 6, 12))
    assert listing is not None and len(listing.papers) == 12
    assert "nested too deeply" in again.notices[0].text


@pytest.mark.parametrize(
    "where",
    ["(" * 250 + "ti:x" + ")" * 250, "NOT " * 1000 + "ti:x", "-" * 1000 + "x"],
    ids=["250 parentheses", "1,000 NOTs", "1,000 minus signs"],
)
def test_a_deeply_nested_where_is_a_usage_error(runner: CliRunner, where: str) -> None:
    result = run(runner, "today", "--offline", "--where", where)
    assert result.exit_code == 2
    error, expression, caret = result.stderr.splitlines()[:3]
    assert error == "Error: nested more than 32 levels deep"
    assert len(expression) <= 2 + 72 + 6 and caret.strip() == "^"
    assert expression[caret.index("^")] in "(-N"  # the caret is under the 33rd level


def test_a_long_flat_where_is_fine(runner: CliRunner) -> None:
    where = " OR ".join(f"ti:word{n}" for n in range(5000))
    result = run(runner, "today", "--offline", "--where", where)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_number_no_float_can_hold_is_a_data_error(number: str, isolated: Path) -> None:
    with pytest.raises(ValueError, match="not"):
        load_json('{"runs": ' + number + "}")
    store = Store(isolated)
    path = store.state_path("digest-default")
    path.parent.mkdir(parents=True)
    from papercli.store.digest_state import STATE_FORMAT, STATE_VERSION

    fields = f'"format": "{STATE_FORMAT}", "version": {STATE_VERSION}, "seen": {{}}'
    path.write_text("{" + fields + ', "runs": ' + number + "}")
    with pytest.raises(ConfigError, match="is unreadable"):
        load_state(store, "default")  # int(inf) raised OverflowError here: exit 1


def test_listing_files_with_impossible_dates_are_not_listings(isolated: Path) -> None:
    folder = isolated / "cache" / "hf"
    folder.mkdir(parents=True)
    for name in ("2026-13-45.json", "2026-02-30.json", "٢٠٢٦-٠٦-١٢.json", "2026-06-12.json"):
        (folder / name).write_text("{}")
    assert Store(isolated).listing_days("hf") == [date(2026, 6, 12)]
