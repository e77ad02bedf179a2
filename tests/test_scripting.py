"""Output shaped for scripts: --fields, --jq (both backends) and --template."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from papercli.errors import UsageError
from papercli.formats.jqfilter import run_jq
from papercli.formats.records import EXTRA_FIELDS, FIELDS
from papercli.formats.template import parse_template
from papercli.models import Paper

KEYS = FIELDS + EXTRA_FIELDS
SATURDAY = "2026-06-13T15:00:00+00:00"
PAPERS = [
    Paper(
        id="2611.00001",
        title="Attention & Diffusion",
        authors=("Ada Lovelace", "Alan Turing"),
        upvotes=42,
        categories=("cs.CL", "cs.LG"),
    ),
    Paper(id="2611.00002", title="Ünïcode \x1b[31mred\x1b[0m\tand\ntabs", upvotes=7),
    Paper(id="2611.00003", title="=cmd|' /C calc'!A0", upvotes=None),
]


def have_python_jq() -> bool:
    try:
        import jq  # noqa: F401
    except ImportError:
        return False
    return True


needs_python_jq = pytest.mark.skipif(
    not have_python_jq(), reason="the jq Python package is not installed (pip install jq)"
)
needs_jq_binary = pytest.mark.skipif(
    shutil.which("jq") is None, reason="the jq program is not on PATH (apt install jq)"
)


@pytest.fixture
def saved(runner: CliRunner) -> CliRunner:
    """A reading list holding PAPERS, so `papers saved` lists them offline."""
    stdin = "".join(json.dumps(p.to_dict()) + "\n" for p in PAPERS)
    result = runner.invoke(app, ["save", "-"], input=stdin)
    assert result.exit_code == 0, result.stderr
    return runner


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


@pytest.fixture(params=["python", "binary"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each jq backend in turn; the binary one with the package made unimportable."""
    if request.param == "python" and not have_python_jq():
        pytest.skip("the jq Python package is not installed (pip install jq)")
    if request.param == "binary":
        if shutil.which("jq") is None:
            pytest.skip("the jq program is not on PATH (apt install jq)")
        monkeypatch.setitem(sys.modules, "jq", None)  # import jq now raises ImportError
    return request.param


# --fields --------------------------------------------------------------------------------


def test_fields_pick_and_order_json_keys(saved: CliRunner) -> None:
    result = saved.invoke(app, ["saved", "--fields", "upvotes,id,title"])
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)  # --fields alone means JSON, as in gh
    assert [list(r) for r in records] == [["upvotes", "id", "title"]] * 3
    assert records[0] == {"upvotes": 42, "id": "2611.00001", "title": "Attention & Diffusion"}
    assert records[1]["title"] == "Ünïcode red\tand\ntabs"  # escapes gone, text kept


def test_fields_shape_jsonl_csv_and_tsv(saved: CliRunner) -> None:
    lines = saved.invoke(app, ["saved", "-f", "jsonl", "--fields", "id,authors"]).stdout
    assert json.loads(lines.splitlines()[0]) == {
        "id": "2611.00001",
        "authors": ["Ada Lovelace", "Alan Turing"],
    }
    text = saved.invoke(app, ["saved", "-f", "csv", "--fields", "title,id,categories"]).stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["title", "id", "categories"]
    assert rows[1] == ["Attention & Diffusion", "2611.00001", "cs.CL; cs.LG"]
    assert rows[2][0] == "Ünïcode red and tabs"
    assert rows[3][0].startswith("'=")  # still no formula
    tsv = saved.invoke(app, ["saved", "-f", "tsv", "--fields", "id,upvotes"]).stdout
    assert tsv.splitlines() == ["id\tupvotes", "2611.00001\t42", "2611.00002\t7", "2611.00003\t"]


def test_fields_reach_score_and_matched_where_the_listing_has_them(
    runner: CliRunner, hf: FakeServer
) -> None:
    assert runner.invoke(app, ["today"]).exit_code == 0
    result = runner.invoke(
        app, ["search", "agents", "--offline", "--fields", "id,score,matched", "-n", "2"]
    )
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [list(r) for r in records] == [["id", "score", "matched"]] * 2
    assert records[0]["score"] >= records[1]["score"] > 0
    plain = json.loads(runner.invoke(app, ["today", "--fields", "id,score"]).stdout)
    assert all(r["score"] is None for r in plain)  # today ranks nothing


def test_an_unknown_field_lists_the_known_ones(runner: CliRunner) -> None:
    result = runner.invoke(app, ["today", "--fields", "id,titel"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: unknown field 'titel' (fields: id, version, title,")
    assert all(key in line for key in KEYS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fields", "id", "-f", "bibtex"], "--fields picks keys of json, jsonl, csv or tsv"),
        (["--fields", " , "], "--fields needs at least one key"),
        (["--jq", ".", "-f", "csv"], "--jq reads JSON, not csv"),
        (["--template", "{id}", "-f", "json"], "--template prints its own lines"),
        (["--template", "{id}", "--jq", "."], "--template prints its own lines"),
    ],
)
def test_conflicting_options_are_usage_errors(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["today", "--offline", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("command", ["today", "list", "search", "saved", "export"])
def test_every_listing_command_documents_its_fields(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "Fields, for --fields, --jq and --template: id, version, title, authors," in text
    words = set(text.replace(",", " ").replace(";", " ").split())
    assert set(KEYS) <= words
    for option in ("--fields", "--jq", "--template"):
        assert option in text


# --jq --------------------------------------------------------------------------------------


def test_jq_filters_the_json_output(saved: CliRunner, backend: str) -> None:
    result = saved.invoke(app, ["saved", "--jq", ".[] | select(.upvotes > 10) | .title"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Attention & Diffusion\n"  # strings raw, as gh and jq -r
    shaped = saved.invoke(
        app, ["saved", "--fields", "id,authors", "--jq", "map({id, n: (.authors | length)})"]
    )
    assert shaped.stdout == (
        '[{"id":"2611.00001","n":2},{"id":"2611.00002","n":0},{"id":"2611.00003","n":0}]\n'
    )
    many = saved.invoke(app, ["saved", "--jq", ".[].upvotes"])
    assert many.stdout == "42\n7\nnull\n"
    text = saved.invoke(app, ["saved", "--jq", ".[1].title"])
    assert text.stdout == "Ünïcode red\tand\ntabs\n"


def test_jq_errors_are_one_usage_line(saved: CliRunner, backend: str) -> None:
    broken = saved.invoke(app, ["saved", "--jq", ".[] | select(.upvotes >"])
    assert broken.exit_code == 2
    assert broken.stderr.startswith("Error: --jq: ")
    assert "Traceback" not in broken.stderr
    failing = saved.invoke(app, ["saved", "--jq", '.[0] | error("no such thing")'])
    assert failing.exit_code == 2
    assert "no such thing" in failing.stderr.splitlines()[0]
    assert failing.stdout == ""


@pytest.mark.parametrize("program", ["-1", "--arg", ".[0] | .id"])
def test_a_program_is_never_read_as_a_jq_option(saved: CliRunner, backend: str, program: str):
    result = saved.invoke(app, ["saved", f"--jq={program}"])
    if program == "--arg":
        assert result.exit_code == 2 and result.stderr.startswith("Error: --jq: ")
    else:
        assert result.exit_code == 0, result.stderr
        assert result.stdout == {"-1": "-1\n", ".[0] | .id": "2611.00001\n"}[program]


def test_both_backends_print_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    if not have_python_jq() or shutil.which("jq") is None:
        pytest.skip("needs both the jq Python package and the jq program")
    document = json.dumps([p.to_dict() for p in PAPERS], ensure_ascii=False)
    program = '.[] | [.id, .title, .upvotes, (.authors | join("; "))]'
    assert run_jq(program, document, "python") == run_jq(program, document, "binary")
    assert run_jq(".[].title", document, "python").count("\n") == 4  # a raw string's newline


def test_without_any_jq_it_says_how_to_get_one(
    saved: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "jq", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no jq program either
    result = saved.invoke(app, ["saved", "--jq", "."])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --jq needs jq: neither the jq Python package nor a jq program on PATH was found",
        "Hint: pip install 'papercli[jq]', or install the jq program (apt install jq)",
    ]


@needs_python_jq
def test_a_bad_program_fails_before_anything_is_fetched(
    runner: CliRunner, server: FakeServer
) -> None:
    result = runner.invoke(app, ["today", "--jq", ".[ | oops"])
    assert result.exit_code == 2
    assert server.requests == []


@needs_jq_binary
def test_the_binary_path_is_what_ci_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jq", None)
    assert run_jq(".[0]", '["a\\u00e9"]') == "aé\n"


# --template --------------------------------------------------------------------------------


def test_template_prints_one_line_per_paper(saved: CliRunner) -> None:
    result = saved.invoke(app, ["saved", "--template", "{id}\t{upvotes}\t{title} {{by}} {authors}"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2611.00001\t42\tAttention & Diffusion {by} Ada Lovelace, Alan Turing",
        "2611.00002\t7\tÜnïcode red and tabs {by} ",
        "2611.00003\t\t=cmd|' /C calc'!A0 {by} ",
    ]


def test_template_has_score_and_matched_in_search(runner: CliRunner, hf: FakeServer) -> None:
    assert runner.invoke(app, ["today"]).exit_code == 0
    result = runner.invoke(
        app, ["search", "agents", "--offline", "-n", "1", "--template", "{matched}|{id}"]
    )
    assert result.exit_code == 0, result.stderr
    matched, paper_id = result.stdout.rstrip("\n").split("|")
    assert matched and "agent" in matched and paper_id.count(".") == 1


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{titel}", "an unknown key {titel} at character 1"),
        ("{title.__class__}", "not a key {title.__class__}"),
        ("{authors[0]}", "not a key {authors[0]}"),
        ("{title!r}", "not a key {title!r}"),
        ("{upvotes:>10}", "not a key {upvotes:>10}"),
        ("{}", "not a key {}"),
        ("id {id", "an unclosed { at character 4"),
        ("id} {id}", "a lone } at character 3"),
    ],
)
def test_template_is_keys_only(runner: CliRunner, template: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape("--template: " + message)):
        parse_template(template, KEYS)
    result = runner.invoke(app, ["today", "--offline", "--template", template])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("Error: --template: ")


def test_template_braces_and_spaces() -> None:
    template = parse_template("{{{id}}} { title } }}{{", KEYS)
    assert template.render({"id": "x", "title": "T"}) == "{x} T }{"
    assert parse_template("no keys", KEYS).render({}) == "no keys"
    values = {"id": "\x1b]52;c;evil\x07id\u2028x", "authors": ["A\nB", "C"], "upvotes": None}
    assert parse_template("{id}|{authors}|{upvotes}", KEYS).render(values) == "id x|A B, C|"
