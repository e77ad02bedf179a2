"""Every command through typer.testing.CliRunner: stdout, stderr and exit codes apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, XML, FakeServer, Reply, fixture
from papercli import __version__
from papercli.cli import app

SATURDAY = "2026-06-13T15:00:00+00:00"  # HF shows Friday 2026-06-12
PLAIN_COLUMNS = 5


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def run(runner: CliRunner, *args: str, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


def test_today_in_a_pipe_is_plain_tab_separated(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "today")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert all(len(line.split("\t")) == PLAIN_COLUMNS for line in lines)
    first = lines[0].split("\t")
    assert first == [
        "2606.06113",
        "2026-06-12",
        "13",
        "Where, What, Why, and Importance: Structured Defect Grounding for Text-to-Image Feedback",
        "https://arxiv.org/abs/2606.06113",
    ]
    upvotes = [int(line.split("\t")[2]) for line in lines]
    assert upvotes == sorted(upvotes, reverse=True)
    assert "\x1b" not in result.stdout
    assert result.stderr.strip() == (
        "Hugging Face: nothing on Sat 2026-06-13 (weekends are empty); "
        "showing Fri 2026-06-12, 12 papers"
    )


def test_today_json_and_jsonl_follow_the_schema(runner: CliRunner, hf: FakeServer) -> None:
    data = json.loads(run(runner, "today", "--format", "json").stdout)
    assert len(data) == 12
    assert list(data[0])[:5] == ["id", "version", "title", "authors", "abstract"]
    assert all(row["sources"] == ["hf"] for row in data)
    lines = run(runner, "today", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [row["id"] for row in data]


def test_today_quiet_has_no_info_lines(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "today", "-q", "-n", "2")
    assert result.exit_code == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 2


def test_today_second_run_reads_the_cache(runner: CliRunner, hf: FakeServer) -> None:
    run(runner, "today")
    requests = len(hf.requests)
    assert run(runner, "today").exit_code == 0
    assert len(hf.requests) == requests


def test_today_table_on_request_has_no_colour_without_a_terminal(
    runner: CliRunner, hf: FakeServer
) -> None:
    result = run(runner, "today", "--format", "table", "-n", "3")
    assert result.exit_code == 0
    assert "Title" in result.stdout and "2606.06113" in result.stdout
    assert "\x1b[" not in result.stdout


def test_color_always_colours_the_table(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "--color", "always", "today", "--format", "table", "-n", "1")
    assert "\x1b[" in result.stdout


def test_keyword_filter_and_nothing_matched(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "today", "-k", "psychometric")
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["2606.12730"]
    result = run(runner, "today", "-k", "zzzzunmatched", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "no papers matched" in result.stderr


def test_all_sources_down_is_one_error_line_and_exit_4(runner: CliRunner, monkeypatch) -> None:
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    monkeypatch.setenv("PAPERS_RETRIES", "1")
    result = run(runner, "today")
    assert result.exit_code == 4
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Hugging Face refused the connection" in errors[0]
    assert "Traceback" not in result.stderr


def test_html_instead_of_json_is_exit_5(runner: CliRunner, server: FakeServer, monkeypatch) -> None:
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    server.route("/api/daily_papers", Reply(b"<!DOCTYPE html><title>Login</title>", 200))
    result = run(runner, "today")
    assert result.exit_code == 5
    assert "Error: Hugging Face answered the daily papers with an HTML page" in result.stderr
    assert "Hint:" in result.stderr


def test_offline_with_nothing_cached_is_exit_7(runner: CliRunner, server: FakeServer) -> None:
    result = run(runner, "list", "--offline", "--date", "2026-06-12")
    assert result.exit_code == 7
    assert "offline, not cached: Hugging Face 2026-06-12" in result.stderr
    assert server.requests == []


def test_list_offline_warns_about_gaps_but_shows_what_it_has(
    runner: CliRunner, hf: FakeServer
) -> None:
    assert run(runner, "fetch", "--date", "2026-06-12").exit_code == 0
    requests = len(hf.requests)
    result = run(runner, "list", "--offline", "--since", "2026-06-11", "--until", "2026-06-12")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 12
    assert "Warning: offline, not cached: Hugging Face 2026-06-11" in result.stderr
    assert len(hf.requests) == requests


def test_list_fetches_missing_days_then_reads_the_cache(runner: CliRunner, hf: FakeServer) -> None:
    result = run(runner, "list", "--since", "2026-06-10", "--until", "2026-06-12", "-q")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 12
    assert sorted(r.query["date"] for r in hf.requests if r.path == "/api/daily_papers") == [
        "2026-06-10",
        "2026-06-11",
        "2026-06-12",
    ]
    run(runner, "list", "--since", "2026-06-10", "--until", "2026-06-12")
    assert hf.hits("/api/daily_papers") == 3  # days that were over when fetched are final


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--date", "2026-13-01"], "not a date: '2026-13-01'"),
        (["list", "--since", "yesterdayish"], "not a date: 'yesterdayish'"),
        (["list", "--date", "today", "--since", "7d"], "cannot be combined"),
        (["list", "--since", "2026-06-12", "--until", "2026-06-01"], "the range is empty"),
        (["today", "-c", "../etc"], "not an arXiv category"),
        (["today", "--source", "arxiv"], "arXiv needs categories"),
        (["show", "../../etc/passwd"], "not an arXiv id"),
        (["today", "--topic", "nope"], "unknown topic 'nope'"),
    ],
)
def test_bad_input_is_a_usage_error(runner: CliRunner, args: list[str], message: str) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_fetch_days_fills_the_cache(runner: CliRunner, hf: FakeServer, isolated: Path) -> None:
    result = run(runner, "fetch", "--days", "3", "--source", "hf")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (isolated / "cache" / "hf").iterdir()) == [
        "2026-06-11.json",
        "2026-06-12.json",
        "2026-06-13.json",
    ]
    assert "cached 12 papers listed 2026-06-11..2026-06-13" in result.stderr


def test_show_from_the_cache_needs_no_network(runner: CliRunner, hf: FakeServer) -> None:
    run(runner, "today")
    hf.route("/api/papers/2606.12730", Reply(b"should not be asked", 500))
    hf.route("/api/query", Reply(b"should not be asked", 500))
    result = run(runner, "show", "2606.12730", "--offline")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("2606.12730  Rethinking Psychometric Evaluation of LLMs")
    assert "Abstract" in result.stdout and "https://arxiv.org/pdf/2606.12730" in result.stdout


def test_show_looks_up_hf_and_arxiv_and_caches(
    runner: CliRunner, server: FakeServer, isolated: Path
) -> None:
    server.route(
        "/api/papers/2606.13392", Reply(fixture("hf_paper_2606.13392_synthetic.json"), 200, JSON)
    )
    server.route(
        "/api/query", Reply(fixture("arxiv_api_idlist_nonexistent_zero_results.xml"), 200, XML)
    )
    result = run(runner, "show", "https://arxiv.org/abs/2606.13392v1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "2606.13392" and data["title"] == "MiniMax Sparse Attention"
    assert server.requests[-1].query["id_list"] == "2606.13392"
    assert (isolated / "cache" / "papers" / "2606.13392.json").exists()
    requests = len(server.requests)
    assert run(runner, "show", "2606.13392", "--offline").exit_code == 0
    assert len(server.requests) == requests


def test_show_unknown_paper_is_exit_6(runner: CliRunner, server: FakeServer) -> None:
    server.route("/api/papers/2601.99999", Reply(b'{"error":"Paper not found"}', 404, JSON))
    server.route(
        "/api/query", Reply(fixture("arxiv_api_idlist_nonexistent_zero_results.xml"), 200, XML)
    )
    result = run(runner, "show", "2601.99999")
    assert result.exit_code == 6
    assert result.stderr.strip() == "Error: no paper 2601.99999 on Hugging Face or arXiv"


def test_show_offline_and_not_cached_is_exit_7(runner: CliRunner) -> None:
    result = run(runner, "show", "2601.00001", "--offline")
    assert result.exit_code == 7
    assert "2601.00001 is not in the cache" in result.stderr


def test_cache_path_info_clear(runner: CliRunner, hf: FakeServer, isolated: Path) -> None:
    assert run(runner, "cache", "path").stdout.strip() == str(isolated)
    run(runner, "today")
    info = json.loads(run(runner, "cache", "info", "--json").stdout)
    assert info["listings"]["hf"]["days"] == 2 and info["files"] == 2
    assert "hf" in run(runner, "cache", "info").stdout
    refused = run(runner, "cache", "clear")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    cleared = run(runner, "cache", "clear", "--yes")
    assert cleared.exit_code == 0 and "removed 2 file(s)" in cleared.stderr
    assert json.loads(run(runner, "cache", "info", "--json").stdout)["files"] == 0


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"papercli {__version__}"


def test_unexpected_errors_are_one_line_with_a_debug_hint(
    runner: CliRunner, hf: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("papercli.core.listing.today", boom)
    result = run(runner, "today")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: unexpected RuntimeError: kaboom (set PAPERS_DEBUG=1 for the traceback)"
    )


def test_corrupt_cache_file_is_a_warning_and_a_refetch(
    runner: CliRunner, hf: FakeServer, isolated: Path
) -> None:
    run(runner, "fetch", "--date", "2026-06-12")
    path = isolated / "cache" / "hf" / "2026-06-12.json"
    path.write_bytes(b'{"format": "papercli.listing", "vers')
    result = run(runner, "list", "--date", "2026-06-12")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 12
    assert "Warning: cache file" in result.stderr and "is corrupt" in result.stderr
    assert json.loads(path.read_text())["version"] == 1


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["today"], "today"),
        (["--color", "never", "today", "-k", "x"], "today"),
        (["--color=never", "list"], "list"),
        (["-V"], None),
        ([], None),
        (["config", "show"], "config"),
    ],
)
def test_the_command_word_is_found_past_global_options(
    argv: list[str], command: str | None
) -> None:
    from papercli.cli import command_in

    assert command_in(argv) == command


def test_each_command_loads_on_its_own(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "PAPERS_HOME": str(tmp_path),
        "PAPERS_CONFIG": str(tmp_path / "c"),
    }
    for command in ("today", "search", "digest", "config", "cache", "export"):
        result = subprocess.run(
            [sys.executable, "-m", "papercli", command, "--help"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert f"papers {command}" in result.stdout
    typo = subprocess.run(
        [sys.executable, "-m", "papercli", "todya"], env=env, capture_output=True, text=True
    )
    assert typo.returncode == 2 and "todya" in typo.stderr
