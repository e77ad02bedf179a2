"""Every documented option of the listing commands, as a user types it, against one cache.

Each row names the option, the arguments, and the papers the output must hold; deleting the
option's handling changes that set, so the row fails. The cache is written with papercli's
own store (final days, read offline), so the rows need no server and run in milliseconds.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from seeded import A1, A2, A3, A4, A5, H1, H2, H3, H4, H5, L1, SHOWN


def ids(runner: CliRunner, *args: str, command: str = "list") -> list[str]:
    result = runner.invoke(app, [command, "--offline", "--format", "ids", *args])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.split()


# -- spans and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param([], SHOWN, id="default-7-days"),
        pytest.param(["--days", "8"], SHOWN | {H4}, id="--days"),
        pytest.param(["--days", "1"], {H1, H2, A1, A2, L1}, id="--days-1"),
        pytest.param(["--date", "2026-11-27"], {H1, H2, A1, A2, L1}, id="--date-iso"),
        pytest.param(["--date", "today"], {H1, H2, A1, A2, L1}, id="--date-today"),
        pytest.param(["--date", "yesterday"], {H5, A5}, id="--date-yesterday"),
        pytest.param(["--since", "2026-11-25", "--until", "2026-11-26"], {H5, A5}, id="--until"),
        pytest.param(["--since", "2d"], SHOWN - {H3}, id="--since-2d"),
        pytest.param(["--since", "1w"], SHOWN | {H4}, id="--since-1w"),
        pytest.param(["--date", "2026-W48"], SHOWN, id="--date-week"),
        pytest.param(["--date", "2026-W47"], {H4}, id="--date-other-week"),
        pytest.param(["--date", "2026-11"], SHOWN | {H4}, id="--date-month"),
        pytest.param(["--until", "2026-11-24", "--days", "5"], {H3, H4}, id="--until-days"),
    ],
)
def test_spans(runner: CliRunner, cached: Path, args: list[str], expected: set[str]) -> None:
    assert set(ids(runner, *args)) == expected


def test_plain_list_is_the_last_seven_days_fetching_what_is_missing(
    runner: CliRunner, cached: Path, server
) -> None:
    """`papers list` with no date option, online: the 7 days up to today, the missing fetched."""
    from fakeserver import ATOM, Reply, api_feed

    server.serve_hf_days({})  # the uncached days: a weekend and an empty Monday
    server.route("/api/query", Reply(api_feed([]), 200, ATOM))
    result = runner.invoke(app, ["list", "--format", "ids"])
    assert result.exit_code == 0, result.stderr
    assert set(result.stdout.split()) == SHOWN
    hf_days = sorted(r.query["date"] for r in server.requests if r.path == "/api/daily_papers")
    assert hf_days == ["2026-11-21", "2026-11-22", "2026-11-23"]


# -- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--source", "hf"], {H1, H2, H3, H5}, id="--source-hf"),
        pytest.param(["-s", "arxiv"], {A1, A2, A5, L1}, id="--source-arxiv"),
        pytest.param(["-s", "hf", "-s", "arxiv"], SHOWN, id="--source-both"),
        pytest.param(["--category", "cs.LG"], {H1, H5, A2, L1}, id="--category"),
        pytest.param(["-c", "cs.LG", "-c", "cs.RO"], {H1, H3, H5, A2, L1}, id="--category-two"),
        pytest.param(["-k", "diffusion"], {H1}, id="-k"),
        pytest.param(["-k", "diffusion", "-k", "zebra"], {H1, H3}, id="-k-any"),
        pytest.param(["-k", "diffusion", "-k", "zebra", "--all"], set(), id="--all-none"),
        pytest.param(["-k", "diffusion", "-k", "code", "--all"], {H1}, id="--all"),
        pytest.param(["-k", "language model"], {H1}, id="-k-phrase-plural"),
        pytest.param(["-k", "language mod*"], {H1, A1, A5}, id="-k-multiword-prefix"),
        pytest.param(["-k", "agent*"], {H2, L1}, id="-k-prefix"),
        pytest.param(["--exclude", "survey"], SHOWN - {H2}, id="--exclude"),
        pytest.param(["-x", "survey", "-x", "zebra"], SHOWN - {H2, H3}, id="--exclude-two"),
        pytest.param(["--author", "nunez"], {H1}, id="--author-accents"),
        pytest.param(["-a", "Alan Turing", "-a", "Grace Hopper"], {H2, H3}, id="--author-two"),
        pytest.param(["--type", "new"], {A1, A5, L1}, id="--type-new"),
        pytest.param(["-t", "cross"], {A2}, id="--type-cross"),
        pytest.param(["--type", "replace"], {A3}, id="--type-replace"),
        pytest.param(["--type", "replace-cross"], {A4}, id="--type-replace-cross"),
        pytest.param(["--type", "new", "--type", "replace"], {A1, A3, A5, L1}, id="--type-two"),
        pytest.param(["--min-upvotes", "12"], {H1, H3, H5}, id="--min-upvotes"),
        pytest.param(["--min-upvotes", "0"], SHOWN, id="--min-upvotes-0"),
        pytest.param(["--has-code"], {H1, H3}, id="--has-code"),
        pytest.param(["--topic", "agents"], {L1}, id="--topic-keywords-exclude"),
        pytest.param(["-T", "people"], {H3}, id="--topic-authors"),
        pytest.param(["-T", "vision"], {A2}, id="--topic-categories"),
        pytest.param(["-T", "people", "-T", "agents"], {H3, L1}, id="--topic-two"),
    ],
)
def test_filters(runner: CliRunner, cached: Path, args: list[str], expected: set[str]) -> None:
    assert set(ids(runner, *args)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("ti:diffusion", {H1}),
        ('ti:"world models"', {H3}),
        ("abs:rewards", {L1}),
        ("kw:diffusion", {H1}),
        ("all:scaling", {A1}),
        ("tokenizers", {A5}),
        ("au:bengio", {A1}),
        ("au:nunez", {H1}),
        ("cat:cs.RO", {H3}),
        ("cat:cs.CV", {A2}),
        ("cat:cs", SHOWN),
        ("id:2611.00003", {H3}),
        ("src:hf", {H1, H2, H3, H5}),
        ("src:arxiv", {A1, A2, A5, L1}),
        ("type:cross", {A2}),
        ("has:code", {H1, H3}),
        ("has:summary", {H1}),
        ("has:project", {H1}),
        ("has:doi", {H3}),
        ("has:upvotes", {H1, H2, H3, H5}),
        ("upvotes>=12", {H1, H3, H5}),
        ("upvotes>20", {H1}),
        ("upvotes<12", {H2}),
        ("upvotes<=12", {H2, H5}),
        ("upvotes=20", {H3}),
        ("upvotes:20", {H3}),
        ("upvotes!=20", {H1, H2, H5}),
        ("comments>3", {H3, H5}),
        ("comments=0", {H2}),
        ("stars>=1", {H1}),
        ("stars=0", {H3}),
        ("stars<100", {H3}),
        ("version>=2", {H1, H3, A2}),
        ("version=3", {H3}),
        ("version<2", {H2, H5, A1, A5, L1}),
        ("listed:2026-11-26", {A5}),  # H5 is listed on the 25th, its first listing
        ("listed>=2026-11-27", {H1, H2, A1, A2, L1}),
        ("listed<2026-11-25", {H3}),
        ("published:2026-11", SHOWN),
        ("published<2026-11-21", {H2, H3}),
        ("ti:diffusion OR ti:zebra", {H1, H3}),
        ("src:hf AND upvotes>10", {H1, H3, H5}),
        ("src:hf upvotes>10", {H1, H3, H5}),
        ("src:hf AND NOT has:code", {H2, H5}),
        ("src:hf -has:code", {H2, H5}),
        ("src:hf and not has:code", {H2, H5}),
        ("ti:zebra OR ti:diffusion AND upvotes>100", {H3}),
        ("(ti:zebra OR ti:diffusion) AND upvotes>30", {H1}),
    ],
)
def test_where(runner: CliRunner, cached: Path, expression: str, expected: set[str]) -> None:
    assert set(ids(runner, "--where", expression)) == expected


@pytest.mark.parametrize(
    ("expression", "message", "caret"),
    [
        ("ti:agent AND (upvotes>=10", "unclosed parenthesis", 13),
        ("stars>=many", "", None),
        ("version>two", "", None),
        ("upvotes>>1", "", None),
    ],
)
def test_a_malformed_where_is_a_usage_error_pointing_at_it(
    runner: CliRunner, cached: Path, expression: str, message: str, caret: int | None
) -> None:
    result = runner.invoke(app, ["list", "--offline", "--where", expression])
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ") and message in lines[0]
    assert lines[1].strip() == expression
    if caret is not None:
        assert lines[2].index("^") - lines[1].index(expression[0]) == caret


# -- order, limits and output ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Upvotes, most first; papers without any come last, oldest listing first, then by id.
        pytest.param([], [H1, H3, H5, H2, A5, A1, A2, L1], id="--sort-upvotes-default"),
        pytest.param(["--sort", "upvotes"], [H1, H3, H5, H2, A5, A1, A2, L1], id="upvotes"),
        # Newest listing first, then by id (descending).
        pytest.param(["--sort", "date"], [L1, A2, A1, H2, H1, A5, H5, H3], id="--sort-date"),
        pytest.param(["--sort", "title"], [H2, H1, A1, H5, L1, A5, A2, H3], id="--sort-title"),
        pytest.param(["--sort", "id"], sorted(SHOWN), id="--sort-id"),
        pytest.param(["--limit", "2"], [H1, H3], id="--limit"),
        pytest.param(["-n", "3", "--sort", "date"], [L1, A2, A1], id="--limit-after-sort"),
    ],
)
def test_order_and_limit(
    runner: CliRunner, cached: Path, args: list[str], expected: list[str]
) -> None:
    assert ids(runner, *args) == expected


def test_sort_relevance_ranks_by_the_keywords_and_why_says_which(
    runner: CliRunner, cached: Path
) -> None:
    result = runner.invoke(
        app,
        ["list", "--offline", "-k", "language model*", "-k", "code", "--sort", "relevance",
         "--why", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == H1  # both keywords, one in the title
    assert {r["id"] for r in rows} == {H1, A1, A5}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert rows[0]["matched"] == ["language model*", "code"]
    assert all(r["matched"] for r in rows)
    table = runner.invoke(app, ["list", "--offline", "-k", "robots", "--why", "--format", "table"])
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[-1] == "Why"
    assert any(line.rstrip().endswith("robots") for line in lines[2:])  # the Why column


def test_sort_relevance_without_keywords_is_a_usage_error(runner: CliRunner, cached: Path) -> None:
    result = runner.invoke(app, ["list", "--offline", "--sort", "relevance"])
    assert result.exit_code == 2
    assert "--sort relevance needs -k keywords" in result.stderr


def test_merged_numbers_are_the_larger_of_both_records(runner: CliRunner, cached: Path) -> None:
    """A paper listed by two HF days, or in two followed categories, keeps its numbers."""
    result = runner.invoke(app, ["list", "--offline", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert (rows[H5]["upvotes"], rows[H5]["comments"]) == (12, 4)
    assert rows[H5]["listed"] == "2026-11-25"  # the earliest listing
    assert rows[A2]["version"] == 2
    assert rows[A2]["categories"] == ["cs.CV", "cs.CL", "cs.LG"]


FORMAT_CHECKS = {
    "plain": lambda out: [line.split("\t")[0] for line in out.splitlines()],
    "ids": lambda out: out.split(),
    "json": lambda out: [r["id"] for r in json.loads(out)],
    "jsonl": lambda out: [json.loads(line)["id"] for line in out.splitlines()],
    "csv": lambda out: [r["id"] for r in csv.DictReader(io.StringIO(out))],
    "tsv": lambda out: [r["id"] for r in csv.DictReader(io.StringIO(out), delimiter="\t")],
    "markdown": lambda out: [
        line.split("arxiv.org/abs/")[1].split(")")[0] for line in out.splitlines()[2:]
    ],
    "bibtex": lambda out: [
        line.split("=")[1].strip(" {},") for line in out.splitlines() if "eprint" in line
    ],
    "html": lambda out: [
        part.split('"')[0] for part in out.split('href="https://arxiv.org/abs/')[1:]
    ],
    "atom": lambda out: [
        part.split("<")[0] for part in out.split("<id>https://arxiv.org/abs/")[1:]
    ],
    "table": lambda out: [word for word in out.split() if word in SHOWN],
    "summary": lambda out: [part.split()[0] for part in out.split("╭─ ")[1:]],
}


@pytest.mark.parametrize("fmt", sorted(FORMAT_CHECKS))
def test_every_format_lists_the_same_papers_in_order(
    runner: CliRunner, cached: Path, fmt: str
) -> None:
    result = runner.invoke(app, ["list", "--offline", "--format", fmt, "-n", "3"])
    assert result.exit_code == 0, result.stderr
    found = list(dict.fromkeys(FORMAT_CHECKS[fmt](result.stdout)))
    assert found == [H1, H3, H5], result.stdout


# -- what reaches stderr and the network -------------------------------------------------------


def test_quiet_drops_info_lines_but_keeps_warnings(runner: CliRunner, cached: Path) -> None:
    args = ["list", "--offline", "--date", "2026-11-27", "-k", "nothing-matches-this"]
    noisy = runner.invoke(app, args)
    assert noisy.exit_code == 0 and noisy.stderr == "no papers matched\n"
    quiet = runner.invoke(app, [*args, "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    gap = runner.invoke(app, ["list", "--offline", "-q", "--days", "20", "--format", "ids"])
    assert gap.exit_code == 0
    assert gap.stderr.startswith("Warning: offline, not cached: Hugging Face 2026-11-08")
    assert len(gap.stderr.splitlines()) == 1


def test_offline_never_connects_and_refresh_fetches_again(
    runner: CliRunner, cached: Path, server
) -> None:
    from fakeserver import JSON, Reply

    assert set(ids(runner, "--date", "2026-11-24", "-s", "hf")) == {H3}
    assert server.requests == []
    server.route("/api/daily_papers", Reply(b"[]", 200, JSON))
    result = runner.invoke(app, ["list", "--date", "2026-11-24", "-s", "hf", "--format", "ids"])
    assert result.exit_code == 0 and server.requests == []  # final day, cached
    again = runner.invoke(
        app, ["list", "--date", "2026-11-24", "-s", "hf", "--refresh", "--format", "ids"]
    )
    assert again.exit_code == 0, again.stderr
    assert [r.query.get("date") for r in server.requests] == ["2026-11-24"]
    assert again.stdout.split() == [H3]  # a later download never removes cached papers


def test_today_takes_the_same_filters(runner: CliRunner, cached: Path) -> None:
    assert set(ids(runner, command="today")) == {H1, H2, A1, A2, L1}
    assert ids(runner, "--min-upvotes", "10", command="today") == [H1]
    assert ids(runner, "--type", "replace", command="today") == [A3]
    assert set(ids(runner, "-c", "cs.LG", command="today")) == {H1, A2, L1}
    assert ids(runner, "--exclude", "survey", "-s", "hf", command="today") == [H1]


def test_categories_from_the_environment(
    runner: CliRunner, cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text("")
    assert set(ids(runner, "--days", "1")) == {H1, H2}  # no categories: Hugging Face only
    monkeypatch.setenv("PAPERS_CATEGORIES", "cs.LG")
    assert set(ids(runner, "--days", "1")) == {H1, H2, L1, A2}
    monkeypatch.setenv("PAPERS_CATEGORIES", "cs.CL, cs.LG")
    assert set(ids(runner, "--days", "1")) == {H1, H2, A1, A2, L1}
    assert set(ids(runner, "--source", "arxiv", "--days", "1")) == {A1, A2, L1}


def test_topics_counts_each_topic(runner: CliRunner, cached: Path) -> None:
    result = runner.invoke(app, ["topics", "--days", "7"])
    assert result.exit_code == 0, result.stderr
    counts = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert (counts["agents"], counts["people"], counts["vision"]) == ("1", "1", "1")
