"""papers config init/show/path/set, topics, search and --where through the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.core.config_file import edit_text


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def test_init_writes_the_starter_and_refuses_to_overwrite(
    runner: CliRunner, config_file: Path
) -> None:
    assert run(runner, "config", "path").stdout.strip() == str(config_file)
    assert run(runner, "config", "init").exit_code == 0
    starter = config_file.read_text()
    assert "[topics.agents]" in starter and tomllib.loads(starter)["network"]["arxiv_delay"] == 3.0
    config_file.write_text(starter + "\n# mine\n")
    refused = run(runner, "config", "init")
    assert (
        refused.exit_code == 2
        and "already exists" in refused.stderr
        and "--force" in refused.stderr
    )
    assert config_file.read_text().endswith("# mine\n")
    assert run(runner, "config", "init", "--force").exit_code == 0
    assert config_file.read_text() == starter


def test_set_show_round_trip_keeps_comments(runner: CliRunner, config_file: Path) -> None:
    run(runner, "config", "init")
    before = config_file.read_text()
    assert run(runner, "config", "set", "network.timeout", "30").exit_code == 0
    assert run(runner, "config", "set", "sources.arxiv_categories", "cs.CL, cs.LG").exit_code == 0
    result = run(runner, "config", "set", "topics.agents.keywords", '["agent", "tool use"]')
    assert result.exit_code == 0, result.stderr
    after = config_file.read_text()
    assert "timeout = 30.0  # seconds per request (env PAPERS_TIMEOUT)" in after
    assert 'arxiv_categories = ["cs.CL", "cs.LG"]' in after
    assert '[topics.agents]\nkeywords = ["agent", "tool use"]' in after
    kept = [line for line in before.splitlines() if line.startswith("#")]
    assert all(line in after for line in kept)  # every comment survives
    shown = json.loads(run(runner, "config", "show", "--json").stdout)
    assert shown["settings"]["network.timeout"] == {"value": 30.0, "origin": "file"}
    assert shown["settings"]["sources.arxiv_categories"]["value"] == ["cs.CL", "cs.LG"]
    assert shown["topics"]["agents"]["keywords"] == ["agent", "tool use"]


def test_show_reports_each_origin(runner: CliRunner, config_file: Path, monkeypatch) -> None:
    config_file.write_text("[network]\ntimeout = 5\n")
    monkeypatch.setenv("PAPERS_RETRIES", "7")
    text = run(runner, "config", "show").stdout
    assert "network.timeout" in text and "= 5.0  # file" in text
    assert "= 7  # env PAPERS_RETRIES" in text
    assert "network.arxiv_delay" in text  # conftest sets PAPERS_ARXIV_DELAY
    assert '= "https://huggingface.co"' not in text  # conftest points HF at loopback


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("network.timeout", "soon", "expected a number"),
        ("network.nonsense", "1", "unknown setting 'network.nonsense'"),
        ("sources.arxiv_categories", "cs CL", "is not an arXiv category"),
        ("topics.agents.colour", "x", "not a topic setting"),
        ("topics.../x.keywords", "x", "not a topic setting"),
    ],
)
def test_set_refuses_bad_values_and_leaves_the_file(
    runner: CliRunner, config_file: Path, key: str, value: str, message: str
) -> None:
    run(runner, "config", "init")
    before = config_file.read_bytes()
    result = run(runner, "config", "set", key, value)
    assert result.exit_code == 2  # a bad value on the command line is a usage error
    assert message in result.stderr
    assert config_file.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Error: network.timeout: expected a number above 0 and at most 600, got '-1'"),
        ("-0.5", "Error: network.timeout: expected a number above 0 and at most 600, got '-0.5'"),
        ("[1", "Error: network.timeout: expected a number above 0 and at most 600, got '[1'"),
    ],
)
def test_a_negative_value_needs_no_double_dash_and_is_refused_with_exit_2(
    runner: CliRunner, config_file: Path, value: str, message: str
) -> None:
    config_file.write_text("[network]\ntimeout = 20\n")
    result = run(runner, "config", "set", "network.timeout", value)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message]
    assert config_file.read_text() == "[network]\ntimeout = 20\n"
    with_dashes = run(runner, "config", "set", "--", "network.timeout", value)
    assert (with_dashes.exit_code, with_dashes.stderr) == (2, result.stderr)


def test_a_negative_value_is_taken_where_the_key_allows_it(
    runner: CliRunner, config_file: Path
) -> None:
    result = run(runner, "config", "set", "topics.neg.keywords", "-rl, -x")
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(config_file.read_text())["topics"]["neg"]["keywords"] == ["-rl", "-x"]


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("network.timout", "network.timeout"),
        ("timeout", "network.timeout"),
        ("sources.arxiv_category", "sources.arxiv_categories"),
        ("digest.email.hots", "digest.email.host"),
        ("topics.agents.keywrds", "topics.agents.keywords"),
        ("topic.agents.authors", "topics.agents.authors"),
    ],
)
def test_a_mistyped_key_gets_a_did_you_mean(
    runner: CliRunner, config_file: Path, key: str, meant: str
) -> None:
    result = run(runner, "config", "set", key, "3")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == f"Hint: did you mean {meant}?"
    assert not config_file.exists()


def test_a_key_like_nothing_known_points_at_config_show(
    runner: CliRunner, config_file: Path
) -> None:
    result = run(runner, "config", "set", "zzz.qqq", "3")
    assert result.stderr.splitlines() == [
        "Error: unknown setting 'zzz.qqq'",
        "Hint: `papers config show` lists them",
    ]


def test_set_repairs_an_invalid_value_but_not_a_file_broken_elsewhere(
    runner: CliRunner, config_file: Path
) -> None:
    config_file.write_text("[network]\ntimeout = -1\n")
    assert run(runner, "config", "set", "network.timeout", "5").exit_code == 0
    assert tomllib.loads(config_file.read_text())["network"]["timeout"] == 5
    config_file.write_text("[network]\ntimeout = -1\n")
    result = run(runner, "config", "set", "network.retries", "2")
    assert result.exit_code == 3  # the file was invalid before the edit: its fault, not the value's
    assert "network.timeout" in result.stderr
    assert config_file.read_text() == "[network]\ntimeout = -1\n"


def test_set_refuses_to_edit_a_broken_file(runner: CliRunner, config_file: Path) -> None:
    config_file.write_text("[network\n")
    result = run(runner, "config", "set", "network.timeout", "3")
    assert result.exit_code == 3 and "is not valid TOML" in result.stderr
    assert config_file.read_text() == "[network\n"


def test_a_bad_config_is_one_error_line_for_every_command(
    runner: CliRunner, config_file: Path
) -> None:
    config_file.write_text("[network]\ntimeout = -1\n")
    result = run(runner, "today")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == (
        f"Error: {config_file}, line 2, key 'network.timeout': "
        "expected a number above 0 and at most 600, got -1"
    )


EDITS = [
    ("", "network.timeout", "3", "[network]\ntimeout = 3.0\n"),
    (
        "[network]\nretries = 2\n\n[cache]\n",
        "network.timeout",
        "3",
        "[network]\nretries = 2\ntimeout = 3.0\n\n[cache]\n",
    ),
    (
        "[sources]\narxiv_categories = [\n  'cs.CL',\n]\nhf = true\n",
        "sources.arxiv_categories",
        "cs.LG",
        '[sources]\narxiv_categories = ["cs.LG"]\nhf = true\n',
    ),
    (
        "[digest.email]\nto = []\n",
        "digest.email.to",
        "a@x.org, b@x.org",
        '[digest.email]\nto = ["a@x.org", "b@x.org"]\n',
    ),
]


@pytest.mark.parametrize(("text", "key", "value", "expected"), EDITS)
def test_edit_text(text: str, key: str, value: str, expected: str) -> None:
    assert edit_text(text, key, value) == expected


# -- search, topics, --where through the CLI ---------------------------------------------------


@pytest.fixture
def cached_day(runner: CliRunner, server: FakeServer, monkeypatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-13T15:00:00+00:00")
    assert run(runner, "fetch", "--date", "2026-06-12").exit_code == 0
    return server


def test_search_ranks_the_cache_with_scores(runner: CliRunner, cached_day: FakeServer) -> None:
    requests = len(cached_day.requests)
    result = run(runner, "search", "psychometric self-reports", "--format", "json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == "2606.12730"
    assert hits[0]["score"] > 0 and "psychometric" in hits[0]["matched"]
    assert len(cached_day.requests) == requests  # local search needs no network


def test_search_table_shows_score_and_matched_terms(
    runner: CliRunner, cached_day: FakeServer
) -> None:
    result = run(runner, "search", "agents", "--format", "table")
    assert "Score" in result.stdout and "Why" in result.stdout and "agent" in result.stdout


def test_search_remote_merges_and_caches(
    runner: CliRunner, cached_day: FakeServer, isolated: Path
) -> None:
    cached_day.route("/api/papers/search", Reply(fixture("hf_search_synthetic.json"), 200, JSON))
    cached_day.route("/api/query", Reply(fixture("arxiv_api_query_testing_start0_max10.xml"), 200))
    result = run(runner, "search", "sparse attention", "--remote", "--format", "json", "-n", "50")
    assert result.exit_code == 0, result.stderr
    found = {row["id"] for row in json.loads(result.stdout)}
    assert "2606.13392" in found  # from HF's search
    asked = next(r for r in cached_day.requests if r.query.get("search_query")).query
    assert asked["search_query"] == "all:sparse AND all:attention"
    assert (isolated / "cache" / "papers" / "2606.13392.json").exists()


def test_sort_relevance_and_why(runner: CliRunner, cached_day: FakeServer) -> None:
    result = run(
        runner,
        "list",
        "--date",
        "2026-06-12",
        "-k",
        "agent*",
        "--sort",
        "relevance",
        "--why",
        "-f",
        "json",
    )
    rows = json.loads(result.stdout)
    assert rows and all("agent*" in row["matched"] for row in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    refused = run(runner, "list", "--date", "2026-06-12", "--sort", "relevance")
    assert refused.exit_code == 2 and "needs -k" in refused.stderr


def test_where_error_shows_a_caret(runner: CliRunner, cached_day: FakeServer) -> None:
    result = run(runner, "list", "--date", "2026-06-12", "--where", "ti:agent AND (upvotes>=")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: missing value",
        "  ti:agent AND (upvotes>=",
        "                         ^",
    ]


def test_topics_counts_cached_papers(
    runner: CliRunner, cached_day: FakeServer, config_file: Path
) -> None:
    config_file.write_text(
        '[topics.agents]\nkeywords = ["agent*"]\n\n[topics.nothing]\nkeywords = ["zzz"]\n'
    )
    result = run(runner, "topics", "--days", "3")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("agents\t") and int(lines[0].split("\t")[1]) > 0
    assert lines[1] == "nothing\t0\tkeywords: zzz"
    listed = run(runner, "list", "--date", "2026-06-12", "--topic", "agents", "-f", "ids")
    assert len(listed.stdout.splitlines()) == int(lines[0].split("\t")[1])
