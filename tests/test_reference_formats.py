"""RIS and CSL-JSON, read back by the tools researchers use: rispy and citeproc-py."""

from __future__ import annotations

import io
import json
import re

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.formats.citation import date_parts, split_name
from papercli.formats.writers import WRITERS
from papercli.models import Paper


@pytest.fixture
def rispy():
    return pytest.importorskip("rispy", reason="rispy (the test extra) reads the RIS output")


PAPER = Paper(
    id="2611.00001",
    version=2,
    title="Attention & {Braces}: 100% of $cost",
    authors=("Benjamin Van Durme", "Adrian Del Maestro", "John Smith Jr.", "OpenAI"),
    abstract="We propose a model.\nIt works.",
    published="2026-11-20",
    listed="2026-11-27",
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    keywords=("attention", "transformers"),
    doi="10.1000/xyz_1",
    journal_ref="NeurIPS 2026",
    sources=("hf", "arxiv"),
)
# Line injection in every field a line format writes: newlines, CR, U+2028/2029 (which
# str.splitlines and JavaScript break on), a fake end of record, terminal escapes.
HOSTILE = Paper(
    id="2611.00002",
    title="Evil\nER  - \nTY  - JOUR\u2028TI  - Injected\u2029AU  - Mallory, M\r\x1b[31mred",
    authors=("Eve\nER  - ", "Mallory\u2028KW  - pwned"),
    abstract="line one\nER  - \n\nTY  - BOOK",
    keywords=("kw\nER  - ",),
    doi="10.1/x\nUR  - http://evil",
)


def rendered(fmt: str, papers: list[Paper]) -> str:
    out = io.StringIO()
    WRITERS[fmt](papers, out, None)
    return out.getvalue()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Benjamin Van Durme", {"family": "Van Durme", "given": "Benjamin"}),
        ("Adrian Del Maestro", {"family": "Del Maestro", "given": "Adrian"}),
        ("Aäron van den Oord", {"family": "van den Oord", "given": "Aäron"}),
        ("Ludwig van Beethoven", {"family": "van Beethoven", "given": "Ludwig"}),
        ("Jean-Pierre de la Fontaine", {"family": "de la Fontaine", "given": "Jean-Pierre"}),
        ("Nicola De Cao", {"family": "De Cao", "given": "Nicola"}),
        ("Van Morrison", {"family": "Morrison", "given": "Van"}),
        ("Quoc V. Le", {"family": "Le", "given": "Quoc V."}),
        ("Minh Le Nguyen", {"family": "Nguyen", "given": "Minh Le"}),
        ("John Smith Jr.", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Martin Luther King, Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("Henry Ford III", {"family": "Ford", "given": "Henry", "suffix": "III"}),
        ("Van Durme, Benjamin", {"family": "Van Durme", "given": "Benjamin"}),
        ("Smith, Jr., John", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Smith, John, Jr.", {"family": "Smith", "given": "John", "suffix": "Jr."}),
        ("Plato", {"literal": "Plato"}),
        ("OpenAI", {"literal": "OpenAI"}),
        ("The LLaMA Team", {"literal": "The LLaMA Team"}),
        ("Google DeepMind Research", {"literal": "Google DeepMind Research"}),
        ("BigScience Workshop Collaboration", {"literal": "BigScience Workshop Collaboration"}),
        ("  José   Núñez\t", {"family": "Núñez", "given": "José"}),
    ],
)
def test_names_split_into_family_and_given(raw: str, expected: dict[str, str]) -> None:
    assert split_name(raw).csl() == expected


def test_ris_names_put_family_first_and_keep_organisations_whole() -> None:
    assert split_name("John Smith Jr.").ris() == "Smith, John, Jr."
    assert split_name("Benjamin Van Durme").ris() == "Van Durme, Benjamin"
    # No comma at all: Zotero keeps a comma-less AU as one field, an organisation's name.
    assert split_name("Acme, Inc. Research Lab").ris() == "Acme Inc. Research Lab"


def test_date_parts_come_from_the_first_version_then_the_id() -> None:
    assert date_parts(PAPER) == (2026, 11, 20)
    # A replacement listed years later still dates the paper by its first version's month.
    assert date_parts(Paper(id="2611.00003", listed="2028-03-02")) == (2026, 11)
    assert date_parts(Paper(id="2611.00003", published="2026-13-40")) == (2026, 11)
    assert date_parts(Paper(id="hep-th/9901001")) == (1999, 1)


def test_rispy_reads_every_field_of_the_record(rispy) -> None:
    (entry,) = rispy.loads(rendered("ris", [PAPER]))
    assert entry["type_of_reference"] == "ELEC"
    assert entry["title"] == PAPER.title
    assert entry["authors"] == [
        "Van Durme, Benjamin",
        "Del Maestro, Adrian",
        "Smith, John, Jr.",
        "OpenAI",
    ]
    assert entry["year"] == "2026"
    assert entry["date"] == "2026/11/20/"
    assert entry["abstract"] == "We propose a model. It works."
    assert entry["urls"] == ["https://arxiv.org/abs/2611.00001"]
    assert entry["doi"] == "10.1000/xyz_1"
    assert entry["notes"] == ["arXiv:2611.00001", "NeurIPS 2026"]
    assert entry["keywords"] == ["attention", "transformers", "cs.CL", "cs.LG"]
    assert entry["name_of_database"] == "arXiv"


def test_ris_records_are_well_formed_lines() -> None:
    text = rendered("ris", [PAPER, HOSTILE])
    lines = text.split("\n")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) or line == "" for line in lines)
    assert [line for line in lines if line.startswith(("TY", "ER"))] == [
        "TY  - ELEC",
        "ER  - ",
        "TY  - ELEC",
        "ER  - ",
    ]
    assert rendered("ris", []) == ""


def test_hostile_text_stays_inside_its_own_ris_field(rispy) -> None:
    text = rendered("ris", [HOSTILE, PAPER])
    assert not any(c in text for c in "\r\x1b\u2028\u2029")
    first, second = rispy.loads(text)
    assert first["type_of_reference"] == "ELEC"
    assert first["title"].startswith("Evil ER - TY - JOUR TI - Injected AU - Mallory, M")
    assert first["authors"] == ["ER, Eve", "pwned, Mallory KW"]  # names, not new tags
    assert first["keywords"] == ["kw ER -"]
    assert first["doi"] == "10.1/x UR - http://evil"
    assert first["urls"] == ["https://arxiv.org/abs/2611.00002"]
    assert second["title"] == PAPER.title  # the next record is untouched


def test_ris_export_from_the_command_line(runner: CliRunner, rispy) -> None:
    stdin = "\n".join(json.dumps(p.to_dict()) for p in (PAPER, HOSTILE)) + "\n"
    result = runner.invoke(app, ["export", "-", "--format", "ris"], input=stdin)
    assert result.exit_code == 0, result.stderr
    assert [e["notes"][0] for e in rispy.loads(result.stdout)] == [
        "arXiv:2611.00001",
        "arXiv:2611.00002",
    ]


# CSL-JSON ------------------------------------------------------------------------------


def test_csl_items_have_the_documented_shape() -> None:
    (item,) = json.loads(rendered("csljson", [PAPER]))
    assert item == {
        "id": "vandurme2026attention",  # the BibTeX key (surname with its particle)
        "type": "article",
        "title": PAPER.title,
        "author": [
            {"family": "Van Durme", "given": "Benjamin"},
            {"family": "Del Maestro", "given": "Adrian"},
            {"family": "Smith", "given": "John", "suffix": "Jr."},
            {"literal": "OpenAI"},
        ],
        "issued": {"date-parts": [[2026, 11, 20]]},
        "abstract": "We propose a model. It works.",
        "URL": "https://arxiv.org/abs/2611.00001",
        "DOI": "10.1000/xyz_1",
        "number": "arXiv:2611.00001",
        "publisher": "arXiv",
        "keyword": "attention, transformers",
        "note": "NeurIPS 2026",
    }
    assert rendered("csljson", []) == "[]\n"


def test_csl_ids_are_the_bibtex_keys() -> None:
    import bibtexparser

    papers = [PAPER, PAPER.with_changes(id="2611.00009"), HOSTILE, Paper(id="hep-th/9901001")]
    bib = [e["ID"] for e in bibtexparser.loads(rendered("bibtex", papers)).entries]
    csl = [i["id"] for i in json.loads(rendered("csljson", papers))]
    assert csl == bib
    assert len(set(csl)) == len(csl)


def bibliography(
    items: list[dict[str, object]], style: str = "harvard-cite-them-right"
) -> list[str]:
    """The items rendered by citeproc-py in a standard style, as plain text."""
    citeproc = pytest.importorskip("citeproc", reason="citeproc-py (the test extra) renders CSL")
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON(items)
    style_file = CitationStylesStyle(style, validate=False)
    bib = CitationStylesBibliography(style_file, source, formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(str(item["id"]))]))
    assert citeproc
    return [str(entry) for entry in bib.bibliography()]


def test_citeproc_renders_a_bibliography_from_the_items() -> None:
    two = PAPER.with_changes(authors=("Adrian Del Maestro", "Martin Luther King, Jr."), doi=None)
    team = Paper(id="2611.00004", title="Plain Title", authors=("The LLaMA Team",))
    entries = bibliography(json.loads(rendered("csljson", [PAPER, two, team])))
    assert entries == [
        "Van Durme, B. et al. (2026) “Attention & {Braces}: 100% of $cost”. arXiv. "
        "Available at: https://doi.org/10.1000/xyz_1.",
        "Del Maestro, A. and King, M.L., Jr. (2026) “Attention & {Braces}: 100% of "
        "$cost”. arXiv. Available at: https://arxiv.org/abs/2611.00001.",
        "The LLaMA Team (2026) “Plain Title”. arXiv. "
        "Available at: https://arxiv.org/abs/2611.00004.",
    ]


def test_citeproc_renders_hostile_items_as_text() -> None:
    (entry,) = bibliography(json.loads(rendered("csljson", [HOSTILE])))
    assert "\n" not in entry and "\x1b" not in entry
    assert "Evil ER - TY - JOUR" in entry


def test_csljson_export_from_the_command_line(runner: CliRunner) -> None:
    stdin = json.dumps(PAPER.to_dict()) + "\n"
    result = runner.invoke(app, ["export", "-", "-f", "csljson"], input=stdin)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["number"] == "arXiv:2611.00001"


# On show and digest too -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["ris", "csljson", "bibtex", "jsonfeed"])
def test_show_writes_the_reference_formats(runner: CliRunner, fmt: str) -> None:
    stdin = "\n".join(json.dumps(p.to_dict()) for p in (PAPER, HOSTILE)) + "\n"
    shown = runner.invoke(app, ["show", "-", "--format", fmt, "--offline"], input=stdin)
    exported = runner.invoke(app, ["export", "-", "--format", fmt], input=stdin)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout == exported.stdout and "2611.00002" in shown.stdout


def test_digest_as_ris_and_csljson_holds_each_paper_of_the_digest_once(
    runner: CliRunner, cached, rispy
) -> None:
    args = ["digest", "--dry-run", "--days", "3", "--offline", "--source", "hf"]
    digest = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    expected = {p["id"] for g in digest["groups"] for p in g["papers"]}
    assert len(expected) >= 3
    ris = runner.invoke(app, [*args, "--format", "ris"])
    assert ris.exit_code == 0, ris.stderr
    noted = [e["notes"][0].removeprefix("arXiv:") for e in rispy.loads(ris.stdout)]
    assert sorted(noted) == sorted(expected)
    csl = runner.invoke(app, [*args, "--format", "csljson"])
    numbers = [item["number"].removeprefix("arXiv:") for item in json.loads(csl.stdout)]
    assert sorted(numbers) == sorted(expected)
