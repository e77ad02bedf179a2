"""Machine formats: pinned columns and keys, escaping, and the tools that read them."""

from __future__ import annotations

import csv
import io
import json
import sys

import bibtexparser
import feedparser
import pytest

from papercli.formats.bibtex import base_key
from papercli.formats.tabular import CSV_COLUMNS
from papercli.formats.terminal import Terminal, write_paged
from papercli.formats.writers import WRITERS
from papercli.models import Paper

PAPERS = [
    Paper(
        id="2611.00001",
        version=2,
        title="Attention & {Braces}: 100% of $cost_ratio #1 ~ ^",
        authors=("Ashish Vaswani", "Noam Shazeer"),
        abstract="We propose.",
        published="2026-11-20",
        listed="2026-11-27",
        categories=("cs.CL", "cs.LG"),
        primary_category="cs.CL",
        announce_type="new",
        upvotes=42,
        comments=3,
        github="https://github.com/x/y",
        doi="10.1000/xyz_1",
        sources=("hf", "arxiv"),
    ),
    Paper(id="2611.00002", title='=HYPERLINK("http://evil")', authors=("José Núñez",)),
    Paper(
        id="2611.00003",
        title="Attention Again",
        authors=("Ashish Vaswani",),
        published="2026-11-21",
    ),
    Paper(id="hep-th/9901001", title="Old Style", authors=("A. Zee",)),
]


def rendered(fmt: str, papers: list[Paper] = PAPERS) -> str:
    out = io.StringIO()
    WRITERS[fmt](papers, out, None)
    return out.getvalue()


def test_plain_columns_are_pinned() -> None:
    lines = rendered("plain").splitlines()
    assert lines[0].split("\t") == [
        "2611.00001",
        "2026-11-27",
        "42",
        "Attention & {Braces}: 100% of $cost_ratio #1 ~ ^",
        "https://arxiv.org/abs/2611.00001",
    ]
    assert lines[1].split("\t")[1:3] == ["", ""]


def test_csv_header_is_pinned_and_formulas_are_neutralised() -> None:
    rows = list(csv.reader(io.StringIO(rendered("csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS == (
        "id", "version", "title", "authors", "published", "listed", "primary_category",
        "categories", "announce_type", "upvotes", "comments", "github", "github_stars",
        "project_page", "doi", "url", "pdf_url", "sources", "ai_summary",
    )  # fmt: skip
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["authors"] == "Ashish Vaswani; Noam Shazeer"
    assert first["categories"] == "cs.CL; cs.LG" and first["upvotes"] == "42"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["title"] == '\'=HYPERLINK("http://evil")'


def test_tsv_has_the_csv_columns() -> None:
    lines = rendered("tsv").splitlines()
    assert tuple(lines[0].split("\t")) == CSV_COLUMNS
    assert all(len(line.split("\t")) == len(CSV_COLUMNS) for line in lines)
    assert lines[2].split("\t")[2].startswith("'=")


def test_json_and_jsonl_records_are_papers() -> None:
    records = json.loads(rendered("json"))
    assert [list(r) for r in records] == [list(Paper(id="2611.00001").to_dict())] * 4
    lines = [json.loads(line) for line in rendered("jsonl").splitlines()]
    assert lines == records
    assert rendered("json", []) == "[]\n"


def test_ids_format() -> None:
    assert rendered("ids").split() == ["2611.00001", "2611.00002", "2611.00003", "hep-th/9901001"]


def test_markdown_table() -> None:
    lines = rendered("markdown").splitlines()
    assert lines[0] == "| ▲ | Paper | Authors | Listed |"
    assert lines[2].startswith("| 42 | [Attention & {Braces}")
    assert "(https://arxiv.org/abs/2611.00001)" in lines[2]


def test_bibtex_loads_with_a_bibtex_parser() -> None:
    database = bibtexparser.loads(rendered("bibtex"))
    entries = {e["ID"]: e for e in database.entries}
    assert list(entries) == [
        "vaswani2026attention",
        "nunez2026hyperlinkhttpevil",
        "vaswani2026attentiona",
        "zee1999old",
    ]
    first = entries["vaswani2026attention"]
    assert first["ENTRYTYPE"] == "misc"
    assert first["eprint"] == "2611.00001" and first["archiveprefix"] == "arXiv"
    assert first["primaryclass"] == "cs.CL" and first["doi"] == "10.1000/xyz\\_1"
    assert first["author"] == "Vaswani, Ashish and Shazeer, Noam"  # BibTeX's comma form
    # Paired braces are TeX grouping (as in arXiv's titles); a lone $ is a dollar sign.
    assert first["title"] == (
        "{Attention \\& {Braces}: 100\\% of \\$cost\\_ratio \\#1 "
        "\\textasciitilde{} \\textasciicircum{}}"
    )
    assert entries["nunez2026hyperlinkhttpevil"]["author"] == "Núñez, José"


def test_bibtex_keys_without_authors_or_dates() -> None:
    assert base_key(Paper(id="2611.00009", title="The Tale")) == "anon2026tale"


def test_html_listing_is_escaped() -> None:
    page = rendered(
        "html", [Paper(id="2611.00001", title="<script>x</script>", github="javascript:1")]
    )
    assert "<script>x" not in page and "&lt;script&gt;" in page and "javascript:" not in page


def test_atom_listing_round_trips() -> None:
    parsed = feedparser.parse(rendered("atom").encode())
    assert not parsed.bozo
    assert [e.link for e in parsed.entries][:1] == ["https://arxiv.org/abs/2611.00001"]


def test_long_tables_go_through_the_pager(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.py"
    pager.write_text(f"import sys\nopen({str(paged)!r}, 'w').write(sys.stdin.read())\n")
    monkeypatch.setenv("PAGER", f"{sys.executable} {pager}")
    monkeypatch.setenv("LINES", "10")
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    term = Terminal(stdout_tty=True)

    def draw(target, width):
        target.write("line\n" * 30)

    write_paged(draw, out, term, pager=None)
    assert out.getvalue() == "" and paged.read_text() == "line\n" * 30

    def short(target, width):
        target.write("line\n" * 3)

    write_paged(short, out, term, pager=None)
    assert out.getvalue() == "line\n" * 3  # fits the screen: no pager
    write_paged(draw, out, term, pager=False)
    assert out.getvalue().count("line") == 33
