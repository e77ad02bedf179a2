"""What a user sees of the fixed fields: R&D in JSON, Atom and --where, accents in --author,
`show` by DOI, and Atom's self link and timestamp."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from fakeserver import XML, FakeServer, Reply
from papercli.cli import app

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
ATOM = "{http://www.w3.org/2005/Atom}"
FRIDAY = "2026-08-21T16:00:00+00:00"


@pytest.fixture
def feed(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    body = (CAPTURES / "arxiv_rss_cs.CL_2026-08-21.xml").read_bytes()
    server.route("/rss/cs.CL", Reply(body, 200, XML))
    monkeypatch.setenv("PAPERS_NOW", FRIDAY)
    return server


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def listing(runner: CliRunner, *args: str):
    return run(runner, "today", "--source", "arxiv", "-c", "cs.CL", *args)


def test_an_ampersand_survives_json_atom_and_where(runner: CliRunner, feed: FakeServer) -> None:
    result = listing(runner, "--format", "json")
    assert result.exit_code == 0, result.stderr
    record = next(r for r in json.loads(result.stdout) if r["id"] == "2608.19206")
    assert "Research and Development (R&D) by" in record["abstract"]
    assert record["affiliations"] == ["IES Parquesol, Valladolid, Spain"]
    where = listing(runner, "--where", 'abs:"R&D"', "--format", "ids")
    assert where.exit_code == 0, where.stderr
    assert "2608.19206" in where.stdout.split()
    atom = listing(runner, "--format", "atom")
    root = ElementTree.fromstring(atom.stdout)
    entry = next(e for e in root.iter(f"{ATOM}entry") if "2608.19206" in e.findtext(f"{ATOM}id"))
    assert "Development (R&D) by" in entry.findtext(f"{ATOM}content")
    assert "&amp;amp;" not in atom.stdout


@pytest.mark.parametrize("name", ["Raphaël Frank", "Raphael Frank", "raphael frank"])
def test_author_search_finds_accented_names(runner: CliRunner, feed: FakeServer, name: str) -> None:
    result = listing(runner, "--author", name, "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["2608.19218"]


@pytest.mark.parametrize(
    "spelling",
    ["10.48550/arXiv.2608.19206", "https://doi.org/10.48550/arXiv.2608.19206", "2608.19206"],
)
def test_show_by_arxiv_doi_works_like_the_id(
    runner: CliRunner, feed: FakeServer, spelling: str
) -> None:
    assert listing(runner).exit_code == 0
    result = run(runner, "show", spelling, "--offline", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "2608.19206"


def test_a_doi_of_another_registrant_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "show", "10.1000/arXiv.2608.19206")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: not an arXiv id")


def _self_links(text: str) -> list[str]:
    root = ElementTree.fromstring(text)
    return [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]


def test_atom_listing_is_stamped_with_papers_now(runner: CliRunner, feed: FakeServer) -> None:
    result = listing(runner, "--format", "atom")
    assert result.exit_code == 0, result.stderr
    root = ElementTree.fromstring(result.stdout)
    assert root.findtext(f"{ATOM}updated") == "2026-08-21T16:00:00Z"
    assert _self_links(result.stdout) == []  # on stdout, nothing says where it will live


@pytest.mark.parametrize(
    ("base", "expected"),
    [("https://example.org/feeds/today.xml", ["https://example.org/feeds/today.xml"]),
     ("https://example.org/feeds/", [])],
)  # fmt: skip
def test_atom_listing_links_to_a_configured_feed_url(
    runner: CliRunner, feed: FakeServer, monkeypatch: pytest.MonkeyPatch, base: str,
    expected: list[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("PAPERS_FEEDS_BASE_URL", base)
    result = listing(runner, "--format", "atom")
    assert result.exit_code == 0, result.stderr
    assert _self_links(result.stdout) == expected


def test_digest_atom_links_to_where_it_was_written(
    runner: CliRunner, feed: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "my feed.xml"
    args = ["digest", "--source", "arxiv", "-c", "cs.CL", "--format", "atom"]
    result = run(runner, *args, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert _self_links(text) == [out.resolve().as_uri()]
    assert ElementTree.fromstring(text).findtext(f"{ATOM}updated") == "2026-08-21T16:00:00Z"
    monkeypatch.setenv("PAPERS_FEEDS_BASE_URL", "https://example.org/feeds/")
    again = run(runner, *args, "--output", str(out), "--days", "1", "--name", "other")
    assert again.exit_code in (0, 10), again.stderr
    assert _self_links(out.read_text()) == ["https://example.org/feeds/my%20feed.xml"]


def test_a_feed_url_that_is_not_http_is_a_config_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[feeds]\nbase_url = "javascript:alert(1)"\n')
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    assert "is not an http(s) URL" in result.stderr
