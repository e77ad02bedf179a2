"""The RSS parser against every whole capture: field by field, and by hand for the hard items.

The reference for titles, abstracts, ids and categories is feedparser with its HTML sanitiser
switched off (an independent reading of the same bytes); the expectations for affiliations,
TeX accents, ``&`` and ``</think>`` were written by reading the raw XML.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import feedparser
import pytest

from papercli.models import name_key
from papercli.sources.arxiv_rss import parse_rss

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
RSS_CAPTURES = sorted(p.name for p in CAPTURES.glob("arxiv_rss_cs.*.xml"))


def papers_of(name: str) -> dict[str, object]:
    return {p.id: p for p in parse_rss((CAPTURES / name).read_bytes()).papers}


def test_the_copies_are_whole_and_unchanged() -> None:
    """Every file SOURCES.md lists is here with the sha256 it names (no trimmed copies)."""
    listed = re.findall(r"^([0-9a-f]{64})  (\S+)$", (CAPTURES / "SOURCES.md").read_text(), re.M)
    assert len(listed) >= 25
    for digest, name in listed:
        assert hashlib.sha256((CAPTURES / name).read_bytes()).hexdigest() == digest, name


def test_every_item_of_the_captures_is_parsed() -> None:
    counts = {name: len(parse_rss((CAPTURES / name).read_bytes()).papers) for name in RSS_CAPTURES}
    assert counts == {
        "arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml": 306,
        "arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml": 299,
        "arxiv_rss_cs.CL_2026-08-17.xml": 101,
        "arxiv_rss_cs.CL_2026-08-18_stale_repeat_of_08-17.xml": 101,
        "arxiv_rss_cs.CL_2026-08-21.xml": 109,
        "arxiv_rss_cs.LG_2026-07-06_holiday_empty.xml": 0,
        "arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml": 0,
    }
    assert sum(counts.values()) == 916


def _reference_abstract(description: str) -> str:
    # The prefix is "arXiv:<id> Announce Type: <type> \nAbstract: ".
    head, _, body = description.partition("\nAbstract: ")
    assert head.startswith("arXiv:")
    return " ".join(body.split())


@pytest.mark.parametrize("name", RSS_CAPTURES)
def test_fields_match_an_independent_reading_of_the_same_bytes(name: str) -> None:
    raw = (CAPTURES / name).read_bytes()
    reference = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    mailing = parse_rss(raw)
    assert mailing.day.isoformat() == "-".join(
        str(n).zfill(2) for n in reference.feed.published_parsed[:3]
    )
    assert len(mailing.papers) == len(reference.entries)
    for paper, entry in zip(mailing.papers, reference.entries, strict=True):
        assert f"oai:arXiv.org:{paper.id}v{paper.version}" == entry.id
        assert paper.title == " ".join(entry.title.split())
        assert paper.abstract == _reference_abstract(entry.summary)
        assert list(paper.categories) == [t.term for t in entry.tags]
        assert paper.announce_type == entry.arxiv_announce_type
        assert paper.doi == entry.get("arxiv_doi")
        assert paper.journal_ref == entry.get("arxiv_journal_reference")
        assert paper.listed == mailing.day.isoformat()


@pytest.mark.parametrize(
    ("capture", "paper_id", "field", "expected"),
    [
        # Read from the raw XML: "&amp;" is an ampersand, "&lt;/think&gt;" a tag in the text.
        ("arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml", "2608.11220", "title",
         "LLMs in Process Diagram Engineering: From Optimal PFDs to Validated P&IDs"),
        ("arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml", "2608.11220", "abstract",
         "instrumentation diagram (P&ID) is predominantly performed"),
        ("arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml", "2608.11230", "abstract",
         "a branch-and-cut (B&C) algorithm. The second model"),
        ("arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml", "2608.12236", "abstract",
         "more R&D- and SG&A-intensive firms. Third"),
        ("arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml", "2603.23300", "abstract",
         "evaluated on S\\&P~500 data over both short and"),  # TeX, as arXiv sent it
        ("arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml", "2608.12395", "title",
         "Research Assistant: AstraZeneca's Agentic System for R&D"),
        ("arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml", "2608.12395", "abstract",
         "to support day-to-day R&D workflows across"),
        ("arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml", "2604.16399", "abstract",
         "at one industrial R&D institute. That"),
        ("arxiv_rss_cs.CL_2026-08-17.xml", "2608.14277", "abstract",
         "special termination tokens such as </think> and <|im_end|>. This strategy"),
        ("arxiv_rss_cs.CL_2026-08-18_stale_repeat_of_08-17.xml", "2608.14277", "abstract",
         "such as </think> and <|im_end|>."),
        ("arxiv_rss_cs.CL_2026-08-21.xml", "2608.19206", "abstract",
         "Research and Development (R&D) by encouraging what this work"),
    ],
)  # fmt: skip
def test_text_is_what_arxiv_sent_decoded_once(
    capture: str, paper_id: str, field: str, expected: str
) -> None:
    value = getattr(papers_of(capture)[paper_id], field)
    assert expected == value if field == "title" else expected in value
    assert "&amp;" not in value and "&lt;" not in value


AI_14 = "arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml"
AI_15 = "arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml"
CL_17 = "arxiv_rss_cs.CL_2026-08-17.xml"
CL_21 = "arxiv_rss_cs.CL_2026-08-21.xml"
QMUL = (
    "School of Electronic Engineering and Computer Science, Queen Mary University of London, "
    "London, United Kingdom"
)


@pytest.mark.parametrize(
    ("capture", "paper_id", "authors", "affiliations"),
    [
        (CL_21, "2608.19206", ["Nicolas Rodriguez-Alvarez"], ["IES Parquesol, Valladolid, Spain"]),
        (AI_15, "2608.12351", ["Riasat Islam", "Thomas Roelleke"], [QMUL, QMUL]),
        (AI_14, "2608.11221", ["Barbara da Silva Oliveira", "Julien Deantoni", "Nicolas Ferry"],
         ["UniCA, Laboratoire I3S - COMRED, KAIROS", "UniCA, Laboratoire I3S - COMRED, KAIROS",
          "Laboratoire I3S - COMRED, KAIROS, UniCA"]),
        (AI_14, "2608.11006", ["Benjamin Faveri", "Brie Bhasin"],
         ["CEIMIA, Carleton University", "University of Ottawa"]),
        (AI_15, "2608.12373", ["Rian Touchent"], ["ALMAnaCH"]),
        (AI_15, "2601.11618", ["Luis F. Rosario Freytes"], ["University of Michigan"]),
        (CL_17, "2608.13959", ["Janghoon Lee"], ["Redrob"]),
        (CL_21, "2608.18041", ["Hollis Robbins"], ["University of Utah"]),
        # arXiv's serializer split "Zhelun (Allen) Wu" into " Zhelun (Allen)" and " Wu".
        (CL_17, "2608.13926", ["Zhelun (Allen) Wu"], []),
        # ...and copied "(Peter)" onto every author before " Tse-Hsun (Peter),  Chen".
        (AI_14, "2608.11588", ["Linqiang Guo", "Li Gu", "Zihuan Jiang", "Zhixiang Chi",
         "Siobhan Reid", "Ziqiang Wang", "Yuanhao Yu", "Wei Liu", "Yang Wang",
         "Tse-Hsun (Peter) Chen"], []),
        (AI_14, "2608.11234", ["Yuan Gao", "Zeren Yang", "Junnan Li", "Shawn (Wanxiang) Zhong",
         "Ahmed Dajani", "Mai Zheng", "Andrea Arpaci-Dusseau", "Remzi Arpaci-Dusseau"], []),
        (AI_15, "2608.13492", ["AlayaWorld Team", "Kaipeng Zhang", "Chuanhao Li", "Yifan Zhan",
         "Yongtao Ge", "Yuanyang Yin", "Jiaming Tan", "Kang He", "Liaoyuan Fan", "Mingliang Zhai",
         "Ruicong Liu", "Xiaojie Xu", "Xuangeng Chu", "Zhen Li", "Zhengyuan Lin",
         "Zhixiang Wang", "Zian Meng", "Zihui Gao"], []),
        # TeX accents and special letters, decoded.
        (AI_14, "2608.11210", ["Patrik P. Süli", "György Eigner", "Roland Hollós"], []),
        (AI_14, "2608.11218", ["Carlos Baquero", "Luís Brito", "João Resende"], []),
        (AI_14, "2608.11239", ["Yifan Wang", "Patrick Royer", "Raphaël Féraud", "David Delande"],
         []),
        (AI_14, "2608.11322", ["Mehmed Zahid Çögenli"], []),
        (AI_14, "2608.11451", ["Simón Patiño Idarraga", "Erick Silva", "Rehana Yasmin",
         "Ali Shoker"], []),
        (AI_14, "2608.12166", ["Íñigo de Troya", "Maurus Enbergs", "Neelke Doorn", "Roel Dobbe"],
         []),
        (AI_14, "2604.14401", ["Duo Lu", "Andrew Crotty", "Uğur Çetintemel"], []),
        (AI_14, "2608.06448", ["Germain Poloudenny", "Yaël Frégier", "Arnaud Demortière"], []),
        (AI_15, "2608.13018", ["Costin Bădică", "Amelia Bădică"], []),
        (AI_15, "2608.13069", ["Lucia Malíčková"], []),
        (AI_15, "2608.13296", ["Wojciech Zarzecki", "Jarosław Arabas"], []),
        (AI_15, "2608.13305", ["Žan Gorenc", "Žiga Gradišar", "Felix Mütter", "Vanja Subotić",
         "Pavle Boškoski"], []),
        (AI_15, "2505.12532", ["Ahmet Bilican", "M. Akın Yılmaz", "A. Murat Tekalp",
         "R. Gökberk Cinbiş"], []),
        (CL_21, "2608.19218", ["Valeriu Dimidov", "Raphaël Frank"], []),
        (CL_21, "2502.15411", ["Rasmus T. Aavang", "Giovanni Rizzi", "Rasmus Tjalk-Bøggild",
         "Alexandre Iolov", "Mike Zhang", "Johannes Bjerva"], []),
    ],
)  # fmt: skip
def test_authors_and_affiliations_read_by_hand(
    capture: str, paper_id: str, authors: list[str], affiliations: list[str]
) -> None:
    paper = papers_of(capture)[paper_id]
    assert list(paper.authors) == authors
    assert list(paper.affiliations) == affiliations


def test_names_keep_special_letters_and_odd_apostrophes() -> None:
    names = papers_of(AI_14)["2605.10473"].authors
    assert "Dawid Załużny" in names and "Kamil Wereszczyński" in names
    assert "Dragan Gaševi'c" in papers_of(AI_14)["2608.11625"].authors  # "'c" as typed
    assert "Łukasz Grzybowski" in papers_of(AI_15)["2608.12928"].authors
    assert "Jônatas Augusto Manzolli" in papers_of(CL_21)["2608.20320"].authors


@pytest.mark.parametrize("name", RSS_CAPTURES)
def test_no_name_keeps_tex_or_an_affiliation_and_no_letter_is_lost(name: str) -> None:
    raw = (CAPTURES / name).read_bytes()
    reference = feedparser.parse(raw, sanitize_html=False)
    for paper, entry in zip(parse_rss(raw).papers, reference.entries, strict=True):
        assert paper.affiliations == () or len(paper.affiliations) == len(paper.authors)
        for author in paper.authors:
            assert not set(author) & set("\\{}"), author
            assert "(" not in author or re.fullmatch(r"\S+ \(\w+\) \S+", author), author
        # Decoding invents no letter, and without parentheses it loses none either.
        sent = Counter(name_key(entry.author))
        kept = Counter(name_key(" ".join(paper.authors)))
        assert kept <= sent
        if "(" not in entry.author:
            assert kept == sent, entry.author
