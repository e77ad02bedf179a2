"""BibTeX output read back by bibtexparser, pybtex and real ``bibtex``, on every capture and a
corpus of awkward names and titles, with the last names asserted."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.customization import splitname
from pybtex.database import parse_string

from papercli.formats.bibnames import last_name
from papercli.formats.bibtex import entries, tex_title, year
from papercli.models import Paper
from papercli.sources import arxiv, hf

CAPTURES = Path(__file__).parent / "fixtures" / "captures"

# name -> the last name (von part included) every BibTeX reader must see; written by hand.
NAMES = {
    "Martin Luther King Jr.": "King",
    "John Smith, Jr.": "Smith",
    "Benjamin Van Durme": "Van Durme",
    "Adrian Del Maestro": "Del Maestro",
    "Ludwig van Beethoven": "van Beethoven",
    "Jeroen van der Laak": "van der Laak",
    "Barbara da Silva Oliveira": "Oliveira",  # as RIS and CSL-JSON split it too
    "Benjamin Van Roy": "Van Roy",
    "Íñigo de Troya": "de Troya",
    "Raphaël Frank": "Frank",
    "José Núñez": "Núñez",
    "Zhelun (Allen) Wu": "Wu",
    "Tse-Hsun (Peter) Chen": "Chen",
    "Sean O'Brien": "O'Brien",
    "danah boyd": "boyd",
    "Sukarno": "Sukarno",
    "Charles Babbage III": "Babbage",
    "A. { Lone": "Lone",
    "Jane } Brace": "Brace",
    "Tom and Jerry Smith": "Smith",  # "and" inside a name must not split it
    "Smith & Wesson Research Group": "Smith & Wesson Research Group",  # one author, braced
    "AlayaWorld Team": "AlayaWorld Team",
    "Science and Technology Facilities Council": "Science and Technology Facilities Council",
    "the Collaborative Research Center 1597 Small Data":
        "the Collaborative Research Center 1597 Small Data",
    "ATLAS Collaboration": "ATLAS Collaboration",
}  # fmt: skip
TITLES = [
    "A { lone brace",
    "and } its partner",
    "Balanced {BERT} and $\\mathcal{EL}^{++}$ logic",
    "LoRA-GA$^2$: Low Rank Adaptation",
    "R&D at 100% for #1 with snake_case ~ ^",
    'Schr\\"odinger bridges \\& S\\&P~500',
    "One $ dollar",
    "Set $\\{x\\}$ and a lone \\{",
    "Math with a lone brace ${x$ here",
    "Trailing backslash \\",
    "@misc{evil, title={x}} injection",
]


def corpus() -> list[Paper]:
    papers = [
        Paper(id=f"2601.{n + 1:05d}", title=title, authors=("Ann Author",), published="2026-01-02")
        for n, title in enumerate(TITLES)
    ]
    papers.append(Paper(id="2601.09999", title="Names", authors=tuple(NAMES)))
    return papers


def captured() -> list[Paper]:
    papers: list[Paper] = []
    for path in sorted(CAPTURES.glob("arxiv_rss_cs.*.xml")):
        papers += arxiv.parse_rss(path.read_bytes()).papers
    for name in ("arxiv_api_query_testing_start0_max10_2026-04-12.xml",
                 "arxiv_api_query_testing_start10_max10_2026-04-12.xml",
                 "arxiv_api_idlist_one_bad_one_good_2026-04-12.xml",
                 "arxiv_api_legacy_2016_au_del_maestro.xml",
                 "arxiv_api_query_transformer_cs.LG_submittedDate_2026-06-14.xml"):  # fmt: skip
        papers += arxiv.parse_api((CAPTURES / name).read_bytes()).papers
    papers += hf.parse_daily((CAPTURES / "hf_daily_papers_2026-06-12.json").read_bytes())[0]
    return list(dict.fromkeys(papers))  # a stale repeat is the same records again


def expected_last(paper: Paper, name: str) -> str:
    return NAMES.get(name) or last_name(name)


def _clean(text: str) -> str:
    return " ".join(text.replace("~", " ").replace("{", "").replace("}", "").split())


def _unescape(text: str) -> str:
    return text.replace("\\&", "&").replace("\\textbraceleft", "{").replace("\\textbraceright", "}")


@pytest.fixture(scope="module", params=["corpus", "captures"])
def papers(request: pytest.FixtureRequest) -> list[Paper]:
    return corpus() if request.param == "corpus" else captured()


def test_the_captures_are_all_there() -> None:
    assert len(captured()) > 850


def test_bibtexparser_keeps_every_entry_and_author(papers: list[Paper]) -> None:
    database = bibtexparser.loads(entries(papers))
    assert len(database.entries) == len(papers)
    for paper, parsed in zip(papers, database.entries, strict=True):
        assert parsed["eprint"] == paper.id
        assert parsed["year"] == year(paper)
        assert parsed["title"] == "{" + tex_title(paper.title) + "}"
        names = [n.strip() for n in _and_split(parsed["author"])] if paper.authors else []
        assert len(names) == len(paper.authors)
        for name, author in zip(names, paper.authors, strict=True):
            parts = splitname(name)
            got = " ".join(parts["von"] + parts["last"])
            assert _clean(_unescape(got)) == _clean(expected_last(paper, author)), author


def _and_split(text: str) -> list[str]:
    # " and " at brace depth 0, as BibTeX splits a name list.
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(text):
        char = text[pos]
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth == 0 and text[pos : pos + 5].lower() == " and ":
            parts.append(text[start:pos])
            start = pos = pos + 5
            continue
        pos += 1
    return [*parts, text[start:]]


def test_pybtex_keeps_every_entry_and_author(papers: list[Paper]) -> None:
    database = parse_string(entries(papers), "bibtex")
    assert len(database.entries) == len(papers)
    for paper, (_key, parsed) in zip(papers, database.entries.items(), strict=True):
        assert parsed.fields["eprint"] == paper.id
        persons = parsed.persons.get("author", []) if paper.authors else []
        assert len(persons) == len(paper.authors)
        for person, author in zip(persons, paper.authors, strict=True):
            got = " ".join(person.prelast_names + person.last_names)
            assert _clean(_unescape(got)) == _clean(expected_last(paper, author)), author


BST = r"""
ENTRY { author title year eprint } {} {}
INTEGERS { n i }
FUNCTION {misc}
{ "@@" write$ cite$ write$ "|" write$ year write$ "|" write$ title write$
  author num.names$ 'n :=
  #1 'i :=
  { i n #1 + < }
  { "|" write$ author i "{vv~}{ll}" format.name$ write$  i #1 + 'i := }
  while$
  "##" write$ newline$
}
FUNCTION {default.type} { misc }
READ
ITERATE {call.type$}
"""


@pytest.mark.skipif(
    shutil.which("bibtex") is None, reason="bibtex not installed (texlive-binaries)"
)
def test_real_bibtex_reads_every_entry_and_last_name(papers: list[Paper], tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(entries(papers), encoding="utf-8")
    (tmp_path / "names.bst").write_text(BST)
    (tmp_path / "job.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{names}\n")
    done = subprocess.run(
        ["bibtex", "-terse", "job"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    log = (tmp_path / "job.blg").read_text(errors="replace")
    assert done.returncode == 0, log  # 1 means warnings, 2 errors
    assert not re.search(r"There (?:was|were) \d+ (?:error|warning)", log), log
    bbl = (tmp_path / "job.bbl").read_text(encoding="utf-8", errors="replace")
    # bibtex wraps long output lines at a space: join them back.
    records = [r for r in " ".join(bbl.splitlines()).split("@@") if r.strip()]
    assert len(records) == len(papers)
    keys = set()
    for paper, record in zip(papers, records, strict=True):
        fields = record.split("##")[0].split("|")
        keys.add(fields[0])
        assert fields[1] == year(paper)
        assert " ".join(fields[2].split()) == " ".join(("{" + tex_title(paper.title) + "}").split())
        lasts = [_clean(_unescape(f)) for f in fields[3:]] if paper.authors else []
        assert lasts == [_clean(expected_last(paper, a)) for a in paper.authors], paper.id
    assert len(keys) == len(papers)


@pytest.mark.parametrize(
    ("published", "paper_id", "expected"),
    [
        ("2017-06-12", "1706.03762", "2017"),  # v1; a 2023 v7 does not change it
        (None, "1706.03762", "2017"),  # an RSS replacement: no v1 date, the id's year
        ("2025-12-30", "2601.00001", "2025"),  # submitted in December, announced in January
        ("2026-06-12", "2506.00001", "2025"),  # a featuring date that cannot be v1's
        (None, "hep-th/9901001", "1999"),
    ],
)
def test_year_is_the_first_versions(published: str | None, paper_id: str, expected: str) -> None:
    replaced = Paper(id=paper_id, published=published, listed="2026-08-21", version=7)
    assert year(replaced) == expected
