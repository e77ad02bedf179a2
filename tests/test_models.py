"""The Paper record: the id grammar, text clean-up, merging, and the pinned JSON schema."""

from __future__ import annotations

import json

import pytest

from papercli.errors import UsageError
from papercli.models import Paper, clean_text, merge, merge_all, parse_id, sanitize

SCHEMA_KEYS = [
    "id", "version", "title", "authors", "abstract", "published", "listed", "categories",
    "primary_category", "announce_type", "upvotes", "comments", "ai_summary", "keywords",
    "github", "github_stars", "project_page", "organization", "url", "pdf_url", "sources",
    "doi", "journal_ref", "arxiv_comment", "upvotes_previous", "affiliations",
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2608.19199", ("2608.19199", None)),
        ("2608.19199v3", ("2608.19199", 3)),
        ("oai:arXiv.org:2608.19199v1", ("2608.19199", 1)),
        ("arXiv:2608.19199", ("2608.19199", None)),
        ("https://arxiv.org/abs/2608.19199v2", ("2608.19199", 2)),
        ("http://arxiv.org/pdf/2608.19199v2.pdf", ("2608.19199", 2)),
        ("https://huggingface.co/papers/2606.13392", ("2606.13392", None)),
        ("0704.0001", ("0704.0001", None)),
        ("http://arxiv.org/abs/hep-ex/0307015v1", ("hep-ex/0307015", 1)),
        ("math.AG/0601001", ("math.AG/0601001", None)),
        ("  2608.19199  ", ("2608.19199", None)),
        ("10.48550/arXiv.2401.00001", ("2401.00001", None)),  # arXiv's DOI
        ("doi:10.48550/ARXIV.2401.00001", ("2401.00001", None)),
        ("https://doi.org/10.48550/arXiv.2401.00001", ("2401.00001", None)),
        ("10.48550/arXiv.hep-th/9901001", ("hep-th/9901001", None)),
    ],
)
def test_parse_id_accepts_every_spelling(raw: str, expected: tuple[str, int | None]) -> None:
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "../etc/passwd", "2608.19199/../../x", "2608.1919", "2608.191999", "2608%2F19199",
     "2608.19199\x00", "cs/../0307015", "2608.19199v", "..\\2608.19199", "0808.05394",
     "2613.00001", "10.48550/arXiv.", "10.1000/arXiv.2401.00001", "10.48550/2401.00001"],
)  # fmt: skip
def test_parse_id_rejects_anything_else(raw: str) -> None:
    with pytest.raises(UsageError, match="not an arXiv id"):
        parse_id(raw)


def test_sanitize_strips_escapes_controls_and_bidi_overrides() -> None:
    hostile = "a\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202eevil\x00\x07"
    assert sanitize(hostile) == "ared link evil"


def test_clean_text_collapses_hard_wrapped_api_titles() -> None:
    assert clean_text("  Attention Is\n    All You\tNeed  ") == "Attention Is All You Need"
    assert clean_text(None) == ""


def test_to_dict_has_every_key_in_schema_order() -> None:
    data = Paper(id="2601.00001", title="T").to_dict()
    assert list(data) == SCHEMA_KEYS
    assert data["url"] == "https://arxiv.org/abs/2601.00001"
    assert data["pdf_url"] == "https://arxiv.org/pdf/2601.00001"
    assert data["authors"] == [] and data["upvotes"] is None


FULL = Paper(
    id="2601.00001",
    version=2,
    title="A title",
    authors=("Ann A", "Bo B"),
    affiliations=("Lab A", "Lab B"),
    abstract="An abstract.",
    published="2026-01-02",
    listed="2026-01-05",
    categories=("cs.CL", "cs.LG"),
    primary_category="cs.CL",
    announce_type="cross",
    upvotes=3,
    comments=4,
    ai_summary="A summary.",
    keywords=("agents", "tool use"),
    github="https://github.com/a/b",
    github_stars=12,
    project_page="https://example.org/p",
    organization="Org",
    url="https://arxiv.org/abs/2601.00001",  # links are derived from the id where records enter
    pdf_url="https://arxiv.org/pdf/2601.00001",
    sources=("hf", "arxiv"),
    doi="10.1000/xyz",
    journal_ref="J. Tests 1 (2026)",
    arxiv_comment="9 pages",
    upvotes_previous=1,
)


def test_from_dict_round_trips_every_field() -> None:
    """What is written to the cache and to JSON reads back as the same paper, field by field."""
    assert all(value not in (None, "", ()) for value in vars_of(FULL).values())
    again = Paper.from_dict(FULL.to_dict())
    assert vars_of(again) == vars_of(FULL)
    assert again == FULL
    assert Paper.from_dict(json.loads(json.dumps(FULL.to_dict()))) == FULL


def vars_of(paper: Paper) -> dict[str, object]:
    return {name: getattr(paper, name) for name in paper._fields}


@pytest.mark.parametrize(
    "bad",
    [{"id": "../x"}, {"id": 5}, {"id": "2601.00001", "upvotes": "many"},
     {"id": "2601.00001", "authors": "A"},
     {"id": "2601.00001", "authors": ["A", "B"], "affiliations": ["MIT"]},
     {"id": "2601.00001", "authors": ["A"], "affiliations": [3]}],
)  # fmt: skip
def test_from_dict_rejects_invalid_records(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Paper.from_dict(bad)


def test_merge_takes_bibliography_from_arxiv_and_social_fields_from_hf() -> None:
    hf = Paper(
        id="2601.00001",
        title="Old HF title",
        listed="2026-01-07",
        upvotes=12,
        comments=3,
        ai_summary="summary",
        github="https://github.com/x/y",
        sources=("hf",),
    )
    arxiv = Paper(
        id="2601.00001",
        version=2,
        title="Title v2",
        listed="2026-01-05",
        categories=("cs.CL", "cs.AI"),
        primary_category="cs.CL",
        announce_type="new",
        sources=("arxiv",),
    )
    merged = merge(hf, arxiv)
    assert merged.title == "Title v2"
    assert merged.upvotes == 12 and merged.comments == 3 and merged.ai_summary == "summary"
    assert merged.listed == "2026-01-05"  # first listed
    assert merged.sources == ("hf", "arxiv")
    assert merged.categories == ("cs.CL", "cs.AI") and merged.version == 2
    assert merge(arxiv, hf) == merged


def test_merge_all_keeps_first_order_and_prefers_new_over_cross() -> None:
    a = Paper(id="2601.00001", announce_type="cross", sources=("arxiv",))
    b = Paper(id="2601.00002", sources=("arxiv",))
    c = Paper(id="2601.00001", announce_type="new", sources=("arxiv",))
    merged = merge_all([a, b, c])
    assert [p.id for p in merged] == ["2601.00001", "2601.00002"]
    assert merged[0].announce_type == "new"


def test_merge_prefers_the_utf8_spelling_of_the_same_people() -> None:
    """An old cache holds arXiv's TeX (or an ASCII) spelling; HF sends the letters."""
    arxiv = Paper(
        id="2608.19218",
        authors=("Valeriu Dimidov", 'Rapha\\"el Frank'),
        affiliations=("", "University of Luxembourg"),
        sources=("arxiv",),
    )
    hf = Paper(id="2608.19218", authors=("Valeriu Dimidov", "Raphaël Frank"), sources=("hf",))
    for merged in (merge(arxiv, hf), merge(hf, arxiv)):
        assert merged.authors == ("Valeriu Dimidov", "Raphaël Frank")
        assert merged.affiliations == ("", "University of Luxembourg")  # still aligned
    ascii_only = arxiv.with_changes(authors=("Valeriu Dimidov", "Raphael Frank"))
    assert merge(ascii_only, hf).authors == ("Valeriu Dimidov", "Raphaël Frank")


def test_merge_keeps_arxivs_list_when_the_people_differ() -> None:
    arxiv = Paper(id="2608.19218", authors=("A. One", "B. Two"), affiliations=("X", "Y"),
                  sources=("arxiv",))  # fmt: skip
    hf = Paper(id="2608.19218", authors=("Ánne One", "Other Person"), sources=("hf",))
    merged = merge(hf, arxiv)
    assert merged.authors == ("A. One", "B. Two") and merged.affiliations == ("X", "Y")
    hf_longer = hf.with_changes(authors=("A. One", "B. Two", "C. Three"))
    assert merge(hf_longer, arxiv).authors == ("A. One", "B. Two")
    assert merge(hf, Paper(id="2608.19218", sources=("arxiv",))).authors == hf.authors


def test_affiliations_stay_aligned_when_an_author_sanitises_away() -> None:
    record = {"id": "2601.00001", "authors": ["A", "\x1b[31m", "B\x07"],
              "affiliations": ["X", "Y", ""]}  # fmt: skip
    paper = Paper.from_dict(record)
    assert paper.authors == ("A", "B") and paper.affiliations == ("X", "")


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("new", "cross", "new"),
        ("cross", "replace", "replace"),
        ("replace", "cross", "replace"),
        ("cross", "replace-cross", "cross"),
        ("replace-cross", "cross", "cross"),
        ("replace-cross", "replace", "replace"),
        ("replace", "new", "new"),
    ],
)
def test_merge_keeps_the_most_telling_announce_type(first: str, second: str, kept: str) -> None:
    """new before replace before cross before replace-cross, whichever record comes first."""
    a = Paper(id="2601.00001", announce_type=first, sources=("arxiv",))
    b = Paper(id="2601.00001", announce_type=second, sources=("arxiv",))
    assert merge(a, b).announce_type == kept


def test_merge_of_two_numbers_is_the_larger_and_one_missing_keeps_the_other() -> None:
    a = Paper(id="2601.00001", version=1, upvotes=7, comments=None, github_stars=3)
    b = Paper(id="2601.00001", version=3, upvotes=2, comments=5, github_stars=None)
    merged = merge(a, b)
    assert (merged.version, merged.upvotes, merged.comments, merged.github_stars) == (3, 7, 5, 3)
    assert merge(b, a) == merged


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x80b\x9fc", "abc"),  # C1 controls, both ends of the range
        ("a\xa0b", "a\xa0b"),  # a no-break space is text
        ("a\u202ab\u202ec", "abc"),  # bidi embeddings and overrides, both ends
        ("a\u202fb", "a\u202fb"),  # a narrow no-break space is text
        ("a\x08b", "ab"),  # backspace is stripped, not turned into a space
    ],
)
def test_sanitize_strips_exactly_the_control_ranges(raw: str, clean: str) -> None:
    assert sanitize(raw) == clean


def test_one_line_text_turns_tabs_and_newlines_into_spaces() -> None:
    from papercli.models import sanitize_line

    assert sanitize_line("a\tb\nc\x08d") == "a b cd"
    assert sanitize("") == "" and sanitize_line("") == ""
    assert clean_text("") == "" and clean_text(None) == ""


def test_old_style_ids_survive_the_trip_through_a_file_name() -> None:
    from papercli.models import file_stem, id_of_stem

    assert file_stem("hep-th/9901001") == "hep-th_9901001"
    assert id_of_stem("hep-th_9901001") == "hep-th/9901001"
    assert id_of_stem("not an id") is None


def test_from_dict_rejects_a_number_where_text_belongs() -> None:
    with pytest.raises(ValueError, match="title: expected text, got int"):
        Paper.from_dict({"id": "2601.00001", "title": 5})


@pytest.mark.parametrize(
    ("key", "highest"),
    [("version", 9999), ("upvotes", 10**9), ("comments", 10**9), ("github_stars", 10**9),
     ("upvotes_previous", 10**9)],
)  # fmt: skip
def test_counts_up_to_their_bound_are_kept_and_one_past_it_is_dropped(
    key: str, highest: int
) -> None:
    assert getattr(Paper.from_dict({"id": "2601.00001", key: highest}), key) == highest
    # Past what HF or arXiv would send: the record stays, the count is unknown.
    assert getattr(Paper.from_dict({"id": "2601.00001", key: highest + 1}), key) is None


def test_control_characters_in_any_text_field_are_removed_on_the_way_in() -> None:
    for key in ("title", "abstract"):
        paper = Paper.from_dict({"id": "2601.00001", key: "red\x1b[31m alert\x07"})
        assert "\x1b" not in getattr(paper, key) and "\x07" not in getattr(paper, key)


@pytest.mark.parametrize(
    ("tex", "unicode"),
    [("Kl{\\o}ve", "Kløve"), ("{\\L}ukasz", "Łukasz"), ("Stra{\\ss}e", "Straße"),
     ("{\\AA}ngstr{\\\"o}m", "Ångström"), ("R{\\ae}der", "Ræder")],
)  # fmt: skip
def test_tex_letters_and_their_unicode_spelling_are_one_name(tex: str, unicode: str) -> None:
    from papercli.models import name_key

    assert name_key(tex) == name_key(unicode) != ""
