"""Property-based tests: random and mutated input never raises anything but papercli's errors."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fakeserver import fixture
from papercli.errors import PaperCliError
from papercli.models import Paper, clean_text, parse_id, sanitize
from papercli.query.expression import compile_expression
from papercli.query.matching import PaperText
from papercli.sources import arxiv, hf
from papercli.store.cache import Store

HF_DAY = fixture("hf_daily_2026-06-12.json")
RSS = fixture("arxiv_rss_cs.CL_2026-08-21.xml")
API = fixture("arxiv_api_query_testing_start0_max10.xml")
SAMPLE = Paper(
    id="2611.00001",
    title="Diffusion Models for Agents",
    abstract="An abstract about Núñez and RL.",
    authors=("José Núñez",),
    categories=("cs.LG",),
    upvotes=3,
    listed="2026-11-27",
    sources=("hf",),
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A real response, cut, spliced or with bytes flipped."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif data:
            del data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


def only_our_errors(parse, data: bytes) -> None:
    # Success or one of papercli's own errors; anything else fails the test.
    with contextlib.suppress(PaperCliError):
        parse(data)


@FAST
@given(mutated(HF_DAY))
def test_hf_parser_on_mutated_json(data: bytes) -> None:
    only_our_errors(hf.parse_daily, data)


@FAST
@given(st.binary(max_size=2000))
@example(b'[null, 1, "x", {"paper": 5}, {"paper": {"id": []}}]')
@example(b'{"paper": {"id": "2606.00001", "authors": "x", "ai_keywords": [1, null]}}')
def test_hf_parsers_on_random_bytes(data: bytes) -> None:
    only_our_errors(hf.parse_daily, data)
    only_our_errors(hf.parse_paper, data)


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=12), c),
        max_leaves=30,
    )
)
def test_hf_parser_on_random_json_shapes(value: object) -> None:
    only_our_errors(hf.parse_daily, json.dumps([{"paper": value, "numComments": value}]).encode())
    only_our_errors(hf.parse_paper, json.dumps(value).encode())


@settings(max_examples=80, deadline=None)
@given(mutated(RSS))
def test_rss_parser_on_mutated_feeds(data: bytes) -> None:
    only_our_errors(arxiv.parse_rss, data)


@settings(max_examples=80, deadline=None)
@given(mutated(API))
def test_api_parser_on_mutated_feeds(data: bytes) -> None:
    only_our_errors(arxiv.parse_api, data)


@FAST
@given(st.binary(max_size=500))
def test_feed_parsers_on_random_bytes(data: bytes) -> None:
    only_our_errors(arxiv.parse_rss, data)
    only_our_errors(arxiv.parse_api, data)


EXPRESSION_ALPHABET = st.sampled_from(
    ['ti:', 'abs:', 'au:', 'cat:', 'kw:', 'upvotes', 'listed', '>=', '<', '=', ':', '"', '(',
     ')', ' ', 'AND', 'OR', 'NOT', '-', 'agent', 'diffusion', '2026-11', '10', '*', 'x:', 'has:',
     'code', 'Núñez', '\\', '\x00', '[bold]']
)  # fmt: skip


@FAST
@given(st.lists(EXPRESSION_ALPHABET, max_size=14).map("".join) | st.text(max_size=60))
def test_where_expressions_parse_or_fail_cleanly_and_evaluate(expression: str) -> None:
    try:
        predicate = compile_expression(expression)
    except PaperCliError as exc:
        assert 0 <= getattr(exc, "position", 0) <= len(expression)
        return
    assert predicate(PaperText(SAMPLE)) in (True, False)


@FAST
@given(st.text(max_size=80))
def test_ids_parse_or_fail_cleanly(text: str) -> None:
    try:
        paper_id, _ = parse_id(text)
    except PaperCliError:
        return
    assert "/" not in paper_id.replace("/", "", 1) and ".." not in paper_id


@FAST
@given(st.text())
def test_cleaned_text_has_no_control_characters(text: str) -> None:
    for cleaned in (sanitize(text), clean_text(text)):
        assert not any(ord(c) < 0x20 and c not in "\t\n" for c in cleaned)
        assert "\x1b" not in cleaned and "\u202e" not in cleaned


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=400)
    | mutated(
        json.dumps(
            {
                "format": "papercli.listing",
                "version": 1,
                "source": "hf",
                "day": "2026-11-27",
                "category": None,
                "fetched_at": "2026-11-27T00:00:00+00:00",
                "complete": True,
                "note": None,
                "etag": None,
                "papers": [SAMPLE.to_dict()],
            }
        ).encode()
    )
)
def test_the_store_reads_any_file_without_raising(tmp_path: Path, data: bytes) -> None:
    store = Store(tmp_path / "data", warn=lambda _m: None)
    path = store.listing_path("hf", date(2026, 11, 27))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    listing = store.read_listing("hf", date(2026, 11, 27), memo=False)
    assert listing is None or all(isinstance(p, Paper) for p in listing.papers)
