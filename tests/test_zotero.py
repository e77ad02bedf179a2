"""``papers zotero push|pull`` against a server that answers like the Zotero app."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.models import Paper
from papercli.store.cache import Store
from zoteroserver import ZoteroServer, library_item

IDS = ["2606.10001", "2606.10002", "2606.10003"]


@pytest.fixture
def zotero(monkeypatch: pytest.MonkeyPatch) -> ZoteroServer:
    with ZoteroServer() as zotero:
        monkeypatch.setenv("PAPERS_ZOTERO_URL", zotero.url)
        yield zotero


@pytest.fixture
def cached(isolated: Path) -> list[Paper]:
    store = Store(isolated)
    papers = [
        Paper(
            id=i,
            title=f"Paper {i}",
            authors=("Ada Lovelace", "Plato"),
            abstract="An abstract.",
            published="2026-06-11",
            categories=("cs.CL", "cs.LG"),
            primary_category="cs.CL",
            doi="10.1000/xyz" if i.endswith("1") else None,
            sources=("arxiv",),
        )
        for i in IDS
    ]
    for paper in papers:
        store.write_paper(paper)
    return papers


def test_push_adds_preprints_with_ids_doi_pdf_link_and_tags(
    zotero: ZoteroServer, cached: list[Paper], runner: CliRunner
) -> None:
    runner.invoke(app, ["save", IDS[0], "--tag", "thesis"])
    result = runner.invoke(app, ["zotero", "push", *IDS[:2], "--add-tag", "to-read"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == IDS[:2]
    assert "added 2 to Zotero" in result.stderr
    first, second = zotero.saved
    assert first["itemType"] == "preprint"
    assert first["archiveID"] == f"arXiv:{IDS[0]}" and first["DOI"] == "10.1000/xyz"
    assert second["DOI"] == f"10.48550/arXiv.{IDS[1]}"
    assert first["url"] == f"https://arxiv.org/abs/{IDS[0]}"
    assert first["creators"][0] == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "creatorType": "author",
    }
    assert first["creators"][1]["lastName"] == "Plato"
    [pdf] = first["attachments"]
    assert pdf["url"] == f"https://arxiv.org/pdf/{IDS[0]}" and pdf["snapshot"] is False
    assert [t["tag"] for t in first["tags"]] == ["cs.CL", "cs.LG", "thesis", "to-read"]
    assert [t["tag"] for t in second["tags"]] == ["cs.CL", "cs.LG", "to-read"]


def test_a_second_push_skips_what_zotero_already_got(
    zotero: ZoteroServer, cached: list[Paper], runner: CliRunner
) -> None:
    assert runner.invoke(app, ["zotero", "push", *IDS]).exit_code == 0
    again = runner.invoke(app, ["zotero", "push", *IDS])
    assert again.exit_code == 0
    assert "skipped 3 pushed before (--again to push them)" in again.stderr
    assert len(zotero.saved) == 3
    forced = runner.invoke(app, ["zotero", "push", IDS[0], "--again", "--add-tag", "x"])
    assert forced.exit_code == 0 and len(zotero.saved) == 4


def test_push_saved_with_a_tag(
    zotero: ZoteroServer, cached: list[Paper], runner: CliRunner
) -> None:
    runner.invoke(app, ["save", IDS[0], IDS[2], "--tag", "thesis"])
    runner.invoke(app, ["save", IDS[1]])
    result = runner.invoke(app, ["zotero", "push", "--saved", "--tag", "thesis"])
    assert result.exit_code == 0, result.output
    assert sorted(i["archiveID"] for i in zotero.saved) == [f"arXiv:{IDS[0]}", f"arXiv:{IDS[2]}"]


def test_a_lost_reply_is_retried_and_zotero_drops_the_repeat(
    zotero: ZoteroServer, cached: list[Paper], runner: CliRunner
) -> None:
    zotero.faults = ["drop-after"]  # saved, then the connection dies before the 201
    result = runner.invoke(app, ["zotero", "push", *IDS])
    assert result.exit_code == 0, result.output
    assert "3 Zotero already had from an interrupted push" in result.stderr
    assert len(zotero.saved) == 3
    assert zotero.requests.count("POST /connector/saveItems") == 2


def test_zotero_not_running_is_one_clear_line(cached: list[Paper], runner: CliRunner,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PAPERS_ZOTERO_URL", f"http://127.0.0.1:{port}")
    result = runner.invoke(app, ["zotero", "push", IDS[0]])
    assert result.exit_code == 4
    error, hint = result.stderr.splitlines()
    assert error.startswith(
        f"Error: Zotero is not running: nothing answers at http://127.0.0.1:{port}"
    )
    assert hint.startswith("Hint: start Zotero") and "papers export ID... --format ris" in hint
    pull = runner.invoke(app, ["zotero", "pull"])
    assert pull.exit_code == 4 and "Zotero is not running" in pull.stderr


def test_something_else_on_the_port_is_not_taken_for_zotero(
    server, cached: list[Paper], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERS_ZOTERO_URL", server.url)
    result = runner.invoke(app, ["zotero", "push", IDS[0]])
    assert result.exit_code == 5
    assert "something other than Zotero answers" in result.stderr


def test_pull_seeds_the_reading_list_from_the_library(
    zotero: ZoteroServer, cached: list[Paper], runner: CliRunner
) -> None:
    zotero.local_api = True
    zotero.library = [
        library_item("AAAA1111", title="x", archiveID=f"arXiv:{IDS[0]}"),
        library_item("AAAA2222", title="y", url=f"https://arxiv.org/abs/{IDS[1]}v2"),
        library_item("AAAA3333", itemType="journalArticle", DOI=f"10.48550/arXiv.{IDS[2]}"),
        library_item("AAAA4444", itemType="book", title="A book", ISBN="978-0"),
        library_item("AAAA5555", extra=f"arXiv: {IDS[0]}"),  # the same paper twice
    ] + [library_item(f"B{n:07d}", itemType="book") for n in range(230)]
    result = runner.invoke(app, ["zotero", "pull"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == IDS
    assert "Zotero: 235 items, 3 arXiv papers; 231 without an arXiv id" in result.stderr
    assert zotero.requests.count("GET /api/users/0/items/top") == 3  # pages of 100
    saved = runner.invoke(app, ["saved", "--format", "json"])
    records = json.loads(saved.stdout)
    assert sorted(r["id"] for r in records) == IDS
    tagged = runner.invoke(app, ["saved", "--tag", "zotero", "--format", "ids"])
    assert sorted(tagged.stdout.split()) == IDS
    assert not [r for r in zotero.requests if r.startswith("POST")], "pull never writes"


def test_pull_with_the_local_api_off_says_where_to_turn_it_on(
    zotero: ZoteroServer, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["zotero", "pull"])
    assert result.exit_code == 5
    assert "local API is off" in result.stderr
    assert "Allow other applications on this computer to communicate with Zotero" in result.stderr


def test_push_needs_ids_or_saved(runner: CliRunner) -> None:
    assert runner.invoke(app, ["zotero", "push"]).exit_code == 2
    assert runner.invoke(app, ["zotero", "push", "2606.10001", "--saved"]).exit_code == 2
