"""The gate every record passes where it enters: ids, links, dates, numbers and text."""

from __future__ import annotations

import json

import pytest

from papercli.checks import is_clean, valid_day, valid_link
from papercli.errors import UsageError
from papercli.models import _CONTROLS, Paper, is_valid_id, parse_id, sanitize, validated
from papercli.sources import hf


@pytest.mark.parametrize(
    "raw",
    [
        "2611.\u0661\u0662\u0663\u0664\u0665",  # Arabic-Indic digits
        "\uff12\uff16\uff11\uff11.01234",  # full-width digits
        "2611.0123\u0664",
        "hep-th/99\u06f001001",  # extended Arabic-Indic
        "2611.01234v\u0663",
        "2611.01234v12345",
        "\u0968\u096c\u0967\u0967.01234",  # Devanagari
    ],
)
def test_ids_take_ascii_digits_only(raw: str) -> None:
    with pytest.raises(UsageError):
        parse_id(raw)
    assert not is_valid_id(raw)
    with pytest.raises(ValueError, match="invalid id"):
        Paper.from_dict({"id": raw})


@pytest.mark.parametrize(
    "link",
    [
        "https://github.com/org/repo",
        "http://example.org",
        "HTTPS://Example.ORG/Path?q=1&r=2#frag",
        "https://[2001:db8::1]:8443/x",
        "https://例え.jp/パス",
        "https://example.org/a_(b)",
    ],
)
def test_absolute_http_links_are_kept(link: str) -> None:
    assert valid_link(link) == link


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative/path",
        "github.com/org/repo",
        "https://",
        "https://:443/",
        "https:///path",
        "https://x.example/>)[click me](javascript:alert(6))",
        "https://github.com@evil.example/",  # user info: the link goes to evil.example
        "https://user:pw@github.com/",
        "https://evil.example\\@github.com/",
        "https://a.example/\x1b]0;owned\x07",
        "https://a.example/\x1b[2J",
        "https://a.example/\x9b2J",
        "https://a.example/x\ny",
        "https://a.example/x\ty",
        "https://a.example/\u202egnp.exe",
        "https://a.example/\u200bzero-width",
        "https://a.example/\ud800",
        " https://a.example/",
        "https://a.example/\u00a0",
        "https://a.example/" + "x" * 3000,
        "",
    ],
)
def test_anything_else_is_not_a_link(link: str) -> None:
    assert valid_link(link) is None
    paper = Paper.from_dict({"id": "2606.00001", "github": link, "project_page": link})
    assert paper.github is None and paper.project_page is None


def test_url_and_pdf_url_are_rebuilt_from_the_id() -> None:
    paper = Paper.from_dict(
        {"id": "2606.00001", "url": "javascript:alert(1)", "pdf_url": "https://evil.example/x.pdf"}
    )
    assert paper.url == "https://arxiv.org/abs/2606.00001"
    assert paper.pdf_url == "https://arxiv.org/pdf/2606.00001"


@pytest.mark.parametrize(
    "value",
    [
        "<published>2026</published>",
        "2026-02-30",
        "2026-13-01",
        "2026-1-1",
        "26-01-01",
        "2026-01-01T00:00:00Z",
        "\u0662\u0660\u0662\u0666-01-01",
        "2026-01-01\n",
        "yesterday",
    ],
)
def test_dates_must_be_iso_dates(value: str) -> None:
    assert valid_day(value) is None
    paper = Paper.from_dict({"id": "2606.00001", "published": value, "listed": value})
    assert paper.published is None and paper.listed is None


def test_iso_dates_are_kept() -> None:
    paper = Paper.from_dict({"id": "2606.00001", "published": "2024-02-29", "listed": "2026-11-27"})
    assert (paper.published, paper.listed) == ("2024-02-29", "2026-11-27")


@pytest.mark.parametrize(
    ("key", "value", "kept"),
    [
        ("upvotes", -1, None),
        ("upvotes", 10**12, None),
        ("upvotes", 0, 0),
        ("upvotes", 10**9, 10**9),
        ("comments", -5, None),
        ("github_stars", 10**30, None),
        ("version", 0, None),
        ("version", 3, 3),
        ("version", 10**6, None),
        ("upvotes_previous", -2, None),
    ],
)
def test_numbers_out_of_range_are_dropped(key: str, value: int, kept: int | None) -> None:
    assert getattr(Paper.from_dict({"id": "2606.00001", key: value}), key) == kept


@pytest.mark.parametrize(
    "record",
    [
        {"id": "2606.00001", "upvotes": float("nan")},
        {"id": "2606.00001", "upvotes": float("inf")},
        {"id": "2606.00001", "upvotes": 1.5},
        {"id": "2606.00001", "upvotes": True},
        {"id": "2606.00001", "upvotes": "7"},
        {"id": "2606.00001", "github": ["https://x.example"]},
        {"id": "2606.00001", "published": 2026},
        {"id": "2606.00001", "authors": "Ada"},
        {"id": "2606.00001", "title": {"$": "x"}},
        {"id": 2606.00001},
    ],
)
def test_values_of_the_wrong_type_refuse_the_record(record: dict) -> None:
    with pytest.raises(ValueError):
        Paper.from_dict(record)


def test_unknown_announce_types_and_malformed_dois_are_dropped() -> None:
    paper = Paper.from_dict(
        {"id": "2606.00001", "announce_type": "<x/>", "doi": "javascript:alert(1)"}
    )
    assert paper.announce_type is None and paper.doi is None
    paper = Paper.from_dict(
        {"id": "2606.00001", "announce_type": "cross", "doi": "10.1103/PhysRevD.1.2 10.1/x"}
    )
    assert paper.announce_type == "cross" and paper.doi == "10.1103/PhysRevD.1.2"


def test_text_loses_escapes_controls_bidi_and_lone_surrogates() -> None:
    hostile = "a\x1b]0;title\x07b\x1b[2Jc\u202ed\ud800e\x00f\x9bg"
    paper = Paper.from_dict(
        {
            "id": "2606.00001",
            "title": hostile,
            "abstract": hostile,
            "ai_summary": hostile,
            "organization": hostile,
            "primary_category": hostile,
            "authors": [hostile, "\x1b[0m"],
            "keywords": [hostile],
            "categories": [hostile],
        }
    )
    for text in (
        paper.title,
        paper.abstract,
        paper.ai_summary,
        paper.organization,
        paper.primary_category,
        *paper.authors,
        *paper.keywords,
        *paper.categories,
    ):
        assert text == "abcdefg"
        text.encode("utf-8")  # writable: no lone surrogate left
    assert paper.authors == ("abcdefg",)  # an author that was only an escape is gone


def test_clean_records_pass_unchanged() -> None:
    record = {
        "id": "2606.13392",
        "version": 2,
        "title": "Ünïcode ∑ title — with accents",
        "authors": ["José Núñez", "李雷"],
        "abstract": "Line one.\nLine two\twith a tab.",
        "published": "2026-06-10",
        "listed": "2026-06-12",
        "categories": ["cs.CL", "cs.LG"],
        "primary_category": "cs.CL",
        "announce_type": "new",
        "upvotes": 42,
        "github": "https://github.com/org/repo",
        "project_page": "https://org.github.io/p/?a=1&b=2",
        "doi": "10.48550/arXiv.2606.13392",
        "sources": ["hf", "arxiv"],
    }
    paper = Paper.from_dict(record)
    data = paper.to_dict()
    assert {k: data[k] for k in record} == record
    assert Paper.from_dict(data) == paper


def test_the_fast_text_check_agrees_with_sanitize_on_every_character() -> None:
    for code in [*range(0x0, 0x3000), *range(0xD700, 0x10000), 0x1F600, 0xE0001]:
        char = chr(code)
        assert is_clean(f"x{char}y") == (sanitize(f"x{char}y") == f"x{char}y"), hex(code)
    assert all(not is_clean(chr(c)) for c in _CONTROLS)


def test_source_parsers_pass_the_same_gate() -> None:
    body = [
        {
            "paper": {
                "id": "2606.00002",
                "title": "T",
                "githubRepo": "https://x.example/>)[click me](javascript:alert(6))",
                "projectPage": "javascript:alert(1)",
                "publishedAt": "2026-06-10T00:00:00.000Z",
                "upvotes": -3,
                "submittedOnDailyAt": "2026-06-12T00:00:00.000Z",
            },
            "numComments": 10**15,
        }
    ]
    (paper,), skipped = hf.parse_daily(json.dumps(body).encode())
    assert skipped == 0
    assert paper.github is None and paper.project_page is None
    assert paper.upvotes is None and paper.comments is None
    assert (paper.published, paper.listed) == ("2026-06-10", "2026-06-12")


def test_validated_is_idempotent_on_a_parsed_paper() -> None:
    paper = Paper(id="2606.00001", title="x", github="https://github.com/a/b", sources=("hf",))
    assert validated(paper) == paper
    assert validated(paper.with_changes(github="javascript:x")).github is None
