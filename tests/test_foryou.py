"""For you: the learnt order, dismissals, --why, the model file, and save --from."""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from foryou_corpus import GALAXY, PROTEIN, SPEECH, seed_home
from papercli.cli import app

LIBRARY = Path(__file__).parent / "fixtures" / "library"


@pytest.fixture
def corpus(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return seed_home(isolated, monkeypatch)


def run(runner: CliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def ranked(runner: CliRunner, *args: str) -> list[str]:
    result = run(runner, "today", "--offline", "--source", "hf", "--format", "ids", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def test_fewer_than_three_saved_ranks_by_upvotes_and_says_how_many_more(
    runner: CliRunner, corpus: Path
) -> None:
    assert run(runner, "save", "--offline", PROTEIN[0]).exit_code == 0
    result = run(runner, "today", "--offline", "--source", "hf", "-f", "ids", "--sort", "for-you")
    assert result.exit_code == 0
    assert result.stdout.split() == ranked(runner, "--sort", "upvotes")
    assert "For you needs 2 more saved papers (you have 1" in result.stderr


def test_saved_subject_rises_and_dismissed_subject_sinks(runner: CliRunner, corpus: Path) -> None:
    assert ranked(runner)[:8] == sorted(GALAXY, reverse=True)  # upvotes: galaxies first
    assert run(runner, "save", "--offline", *PROTEIN[:3]).exit_code == 0
    order = ranked(runner, "--sort", "for-you")
    assert set(order[:8]) == set(PROTEIN)
    assert (
        run(runner, "dismiss", "--offline", "-", stdin=f"{GALAXY[0]}\n{GALAXY[1]}\n").exit_code == 0
    )
    order = ranked(runner, "--sort", "for-you")
    assert set(order[:8]) == set(PROTEIN)
    assert set(order[8:16]) == set(SPEECH)  # galaxies, though upvoted most, come last
    assert set(order[-2:]) == set(GALAXY[:2])  # dismissed papers last of all


def test_for_you_hides_saved_and_dismissed_and_explains(runner: CliRunner, corpus: Path) -> None:
    run(runner, "save", "--offline", *PROTEIN[:3])
    run(runner, "dismiss", "--offline", GALAXY[0])
    result = run(
        runner, "for-you", "--offline", "--source", "hf", "--why", "-f", "json", "-n", "50"
    )
    assert result.exit_code == 0, result.stderr
    papers = json.loads(result.stdout)
    shown = [p["id"] for p in papers]
    assert set(shown[:5]) <= set(PROTEIN[3:])
    assert not set(shown) & {*PROTEIN[:3], GALAXY[0]}
    top = papers[0]
    assert top["for_you_terms"] and set(top["for_you_terms"]) & {
        "protein", "folding", "residue", "structure", "amino", "binding", "enzyme",
    }  # fmt: skip
    assert top["nearest_saved"].endswith("of protein")
    assert top["nearest_saved"] in {
        p["title"] for p in json.loads(run(runner, "saved", "-f", "json").stdout)
    }


def test_why_shows_terms_and_nearest_saved_in_the_table(runner: CliRunner, corpus: Path) -> None:
    run(runner, "save", "--offline", *PROTEIN[:3])
    result = runner.invoke(
        app, ["for-you", "--offline", "--source", "hf", "--why", "-f", "table", "-n", "2"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Like" in result.stdout and "Why" in result.stdout
    assert "study 0 of protein" in result.stdout or "study 1 of protein" in result.stdout


def test_dismissed_papers_are_dimmed_in_tables(runner: CliRunner, corpus: Path) -> None:
    run(runner, "dismiss", "--offline", GALAXY[7])
    table = run(runner, "--color", "always", "today", "--offline", "-f", "table", "-n", "2").stdout
    first, second = [line for line in table.splitlines() if "study" in line][:2]
    assert f"\x1b[2;36m{GALAXY[7]}" in first  # the cyan id, dimmed with its whole row
    assert f"\x1b[36m{GALAXY[6]}" in second
    assert run(runner, "undismiss", GALAXY[7]).exit_code == 0
    table = run(runner, "--color", "always", "today", "--offline", "-f", "table", "-n", "1").stdout
    assert f"\x1b[36m{GALAXY[7]}" in table


def _stored_model(data: bytes, change: Callable[[dict[str, Any]], object]) -> bytes:
    """The model file ``data`` with ``change`` applied to its model part."""
    stored = marshal.loads(data)
    change(stored["model"])
    return marshal.dumps(stored)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "cut-off": lambda data: data[: len(data) // 2],
    "nested-past-the-stack": lambda _: b"[\x01\x00\x00\x00" * 100_000 + b"N",
    "not-marshal": lambda _: b'{"format": "papercli.foryou-model", "fingerp',
    "nan-weight": lambda data: _stored_model(
        data, lambda m: m["weights"].update({"protein": float("nan")})
    ),
    "term-not-a-string": lambda data: _stored_model(data, lambda m: m["weights"].update({7: 1.0})),
    "weights-not-a-map": lambda data: _stored_model(data, lambda m: m.update(weights=[1, 2])),
    "anchor-not-a-triple": lambda data: _stored_model(data, lambda m: m.update(anchors=[[1]])),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_corrupt_model_is_rebuilt_with_one_warning(
    runner: CliRunner, corpus: Path, damage: Callable[[bytes], bytes]
) -> None:
    run(runner, "save", "--offline", *PROTEIN[:3])
    first = ranked(runner, "--sort", "for-you")
    model = corpus / "cache" / "foryou-model.bin"
    assert model.exists()
    model.write_bytes(damage(model.read_bytes()))
    result = run(runner, "today", "--offline", "--source", "hf", "-f", "ids", "--sort", "for-you")
    assert result.exit_code == 0
    assert result.stdout.split() == first
    assert result.stderr.count("is corrupt; rebuilding it") == 1
    again = run(runner, "today", "--offline", "--source", "hf", "-f", "ids", "--sort", "for-you")
    assert "corrupt" not in again.stderr  # rebuilt and written back


def test_the_model_is_retrained_when_the_reading_list_changes(
    runner: CliRunner, corpus: Path
) -> None:
    run(runner, "save", "--offline", *PROTEIN[:3])
    assert set(ranked(runner, "--sort", "for-you")[:8]) == set(PROTEIN)
    run(runner, "unsave", *PROTEIN[:3])
    run(runner, "save", "--offline", *SPEECH[:3])
    assert set(ranked(runner, "--sort", "for-you")[:8]) == set(SPEECH)


@pytest.mark.parametrize(
    ("name", "kind", "matched", "skipped"),
    [
        ("zotero.bib", "BibTeX", 3, 2),
        ("zotero.ris", "RIS", 2, 1),
        ("zotero.json", "CSL-JSON", 2, 1),
    ],
)
def test_save_from_a_zotero_export(
    runner: CliRunner, name: str, kind: str, matched: int, skipped: int
) -> None:
    result = run(runner, "save", "--from", str(LIBRARY / name), "--tag", "zotero")
    assert result.exit_code == 0, result.stderr
    assert f"({kind}): {matched} arXiv papers matched, {skipped} skipped" in result.stderr
    saved = json.loads(run(runner, "saved", "-f", "json").stdout)
    assert {p["id"] for p in saved} == {"1706.03762", "2312.00752"} | (
        {"2401.01234"} if kind == "BibTeX" else set()
    )
    attention = next(p for p in saved if p["id"] == "1706.03762")
    assert attention["title"] == "Attention Is All You Need"
    assert attention["authors"][:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert attention["tags"] == ["zotero"]
    if kind == "BibTeX":
        assert next(p for p in saved if p["id"] == "2401.01234")["authors"][0] == "Jörg Müller"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[tool]\nname = "x"\n', "is not BibTeX, RIS or CSL-JSON"),
        ("just some notes\n", "is not BibTeX, RIS or CSL-JSON"),
        ("@book{k, title = {Speech and Language Processing}}\n", "no arXiv papers among its 1"),
        ('[{"type": "book", "title": "A book"}]', "no arXiv papers among its 1 CSL-JSON"),
        ("[" * 100_000 + "]" * 100_000, "is not BibTeX, RIS or CSL-JSON"),  # nested past the stack
    ],
    ids=["toml", "notes", "bibtex-book", "csl-book", "deep-json"],
)
def test_save_from_a_file_without_arxiv_papers_saves_nothing(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "export.txt"
    path.write_text(content)
    result = run(runner, "save", "--from", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and message in result.stderr.splitlines()[0]
    assert json.loads(run(runner, "saved", "-f", "json").stdout) == []


def test_save_needs_ids_or_from(runner: CliRunner) -> None:
    result = run(runner, "save")
    assert result.exit_code == 2
    assert "give ids (or -) or --from FILE" in result.stderr
    result = run(runner, "save", "2401.01234", "--from", str(LIBRARY / "zotero.bib"))
    assert result.exit_code == 2


def test_search_sort_for_you_orders_the_matches(runner: CliRunner, corpus: Path) -> None:
    run(runner, "save", "--offline", *SPEECH[:3])
    result = run(runner, "search", "study", "--sort", "for-you", "-n", "8", "-f", "ids")
    assert result.exit_code == 0, result.stderr
    assert set(result.stdout.split()) == set(SPEECH)
    plain = run(runner, "search", "study", "-n", "8", "-f", "ids").stdout.split()
    assert set(plain) != set(SPEECH)  # relevance alone does not know what you like
