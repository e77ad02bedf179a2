"""Filters, table-driven: keywords, the --where language, authors, categories, topics."""

from __future__ import annotations

import pytest

from papercli.errors import ExpressionError, UsageError
from papercli.models import Paper, Topic
from papercli.query.expression import compile_expression
from papercli.query.filters import Criteria, apply
from papercli.query.matching import PaperText, fold, matches_term

PAPERS = [
    Paper(
        id="2611.00001",
        title="Diffusion Models for World Simulation",
        abstract="We train large language models as agents in a simulated world.",
        authors=("José Núñez", "Geoffrey Hinton"),
        categories=("cs.LG", "cs.AI"),
        primary_category="cs.LG",
        announce_type="new",
        upvotes=42,
        comments=3,
        keywords=("world model",),
        github="https://github.com/x/y",
        listed="2026-11-27",
        published="2026-11-20",
        sources=("hf", "arxiv"),
    ),
    Paper(
        id="2611.00002",
        title="RL from Human Feedback, Revisited",
        abstract="A survey of reinforcement learning (RL) for alignment.",
        authors=("Ada Lovelace",),
        categories=("cs.CL",),
        primary_category="cs.CL",
        announce_type="cross",
        upvotes=5,
        listed="2026-11-26",
        sources=("arxiv",),
    ),
    Paper(
        id="2611.00003",
        title="A Language Model That Plans",
        abstract="Agentic planning with tool use.",
        authors=("Zoë Émile",),
        categories=("cs.CV",),
        primary_category="cs.CV",
        announce_type="replace",
        listed="2026-10-01",
        sources=("arxiv",),
    ),
]


def ids(expression: str) -> list[str]:
    check = compile_expression(expression)
    return [p.id[-1] for p in PAPERS if check(PaperText(p))]


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("the world is big", "RL", False),
        ("RL from human feedback", "rl", True),
        ("large Language Models", "language model", True),
        ("language-model", "language model", True),
        ("Núñez", "Nunez", True),
        ("agentic planning", "agent", False),
        ("agentic planning", "agent*", True),
        ("processes", "process", True),
        ("c++ templates", "c++", True),
        ("GPT-4 results", "gpt-4", True),
    ],
)
def test_terms_match_on_word_boundaries_case_and_accent_blind(
    text: str, term: str, expected: bool
) -> None:
    assert matches_term(fold(text), term) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("diffusion", ["1"]),
        ('ti:"diffusion model"', ["1"]),
        (
            'ti:"diffusion model" AND (abs:agent OR au:hinton) AND NOT cat:cs.CV AND upvotes>=10',
            ["1"],
        ),
        ("abs:agent OR ti:plans", ["1", "3"]),
        ("NOT cat:cs.LG", ["2", "3"]),
        ("-cat:cs.LG", ["2", "3"]),
        ("cat:cs.AI", ["1"]),  # cross-listed counts
        ("cat:cs", ["1", "2", "3"]),
        ("au:nunez", ["1"]),
        ("au:zoe", ["3"]),
        ("upvotes>5", ["1"]),
        ("upvotes<=5", ["2"]),  # unknown upvotes never compare
        ("comments=3", ["1"]),
        ("listed:2026-11", ["1", "2"]),
        ("listed>=2026-11-27", ["1"]),
        ("listed<2026-11", ["3"]),
        ("listed<=2026-10", ["3"]),
        ("published:2026-11-20", ["1"]),
        ("kw:world", ["1"]),
        ("has:code", ["1"]),
        ("id:2611.00002", ["2"]),
        ("src:hf", ["1"]),
        ("type:cross", ["2"]),
        ("rl OR agent* AND cat:cs.CV", ["2", "3"]),  # AND binds tighter than OR
        ("(rl OR agent*) AND cat:cs.CV", ["3"]),
        ("rl survey", ["2"]),  # adjacent terms are AND-ed
        ("world and not survey", ["1"]),
    ],
)
def test_where_language(expression: str, expected: list[str]) -> None:
    assert ids(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # The date words of --since, counted from the day given (2026-11-27, a Friday).
        ("listed:today", ["1"]),
        ("listed:yesterday", ["2"]),
        ("listed>=yesterday", ["1", "2"]),
        ("listed<yesterday", ["3"]),
        ("listed>=7d", ["1", "2"]),
        ("listed:2w", ["1", "2"]),
        ("listed!=today", ["2", "3"]),
        ("LISTED>=Yesterday", ["1", "2"]),
        ("published>=10d", ["1"]),
        # Weeks, months and years are spans: each comparison takes the end that reads right.
        ("listed:2026-W48", ["1", "2"]),
        ("listed>2026-10", ["1", "2"]),
        ("listed>2026-11", []),
        ("listed<=2026-11-26", ["2", "3"]),
        ("listed:2026", ["1", "2", "3"]),
        ("listed<2026", []),
    ],
)
def test_where_dates_take_the_same_words_as_since(expression: str, expected: list[str]) -> None:
    from datetime import date

    criteria = Criteria(where=expression, today=date(2026, 11, 27))
    assert [p.id[-1] for p in apply(PAPERS, criteria)] == expected


@pytest.mark.parametrize(
    ("expression", "message", "caret"),
    [
        ('ti:"diffusion model', "unclosed quote", 3),
        ("(abs:agent OR au:hinton", "unclosed parenthesis", 0),
        ("abs:agent)", r"unexpected \)", 9),
        ("upvotes>=many", "upvotes needs a whole number", 0),
        ("foo:bar AND x", "unknown field 'foo'", 0),
        ("abs:agent AND", "expected a term", 13),
        ("AND agent", "expected a term, found AND", 0),
        ("", "empty expression", 0),
        ("ti>3", "ti takes ti:VALUE", 0),
        ("listed:someday", "listed needs a date", 0),
        ("listed>=yesterday", "needs today's date", 0),  # compiled without a reference day
        ("has:wings", "has: takes one of", 0),
        ("ti:", "missing value", 3),
    ],
)
def test_malformed_expressions_point_at_the_problem(
    expression: str, message: str, caret: int
) -> None:
    with pytest.raises(ExpressionError, match=message) as info:
        compile_expression(expression)
    assert info.value.position == caret
    lines = info.value.caret_lines()
    assert lines[0] == f"  {expression}"
    assert lines[1] == "  " + " " * caret + "^"


def crit(**kwargs) -> list[str]:
    return [p.id[-1] for p in apply(PAPERS, Criteria(**kwargs))]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"keywords": ("rl", "agent")}, ["1", "2"]),
        ({"keywords": ("world", "agent"), "all_keywords": True}, ["1"]),
        ({"keywords": ("language model",)}, ["1", "3"]),
        ({"exclude": ("survey",)}, ["1", "3"]),
        ({"authors": ("nunez",)}, ["1"]),
        ({"authors": ("Lovelace", "hinton")}, ["1", "2"]),
        ({"categories": ("cs.AI",)}, ["1"]),
        ({"types": ("new", "cross")}, ["1", "2"]),
        ({"default_types": ("new", "cross")}, ["1", "2"]),
        ({"min_upvotes": 10}, ["1"]),
        ({"has_code": True}, ["1"]),
        ({"where": "upvotes>1", "keywords": ("rl",)}, ["2"]),
    ],
)
def test_criteria(kwargs: dict, expected: list[str]) -> None:
    assert crit(**kwargs) == expected


def test_default_types_never_hide_hf_papers() -> None:
    featured = Paper(id="2611.00009", announce_type="replace", sources=("hf", "arxiv"))
    assert apply([featured], Criteria(default_types=("new",))) == [featured]
    assert apply([featured], Criteria(types=("new",))) == []


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (Topic("t", keywords=("agent*", "tool use")), ["1", "3"]),
        (Topic("t", keywords=("agent*",), categories=("cs.CV",)), ["3"]),  # narrowed
        (Topic("t", categories=("cs.CL",)), ["2"]),
        (Topic("t", authors=("hinton",)), ["1"]),
        (Topic("t", keywords=("planning",), authors=("Lovelace",)), ["2", "3"]),
        (Topic("t", keywords=("rl", "world"), exclude=("survey",)), ["1"]),
    ],
)
def test_topics(topic: Topic, expected: list[str]) -> None:
    assert crit(topics=(topic,)) == expected


def test_why_names_keywords_and_topics() -> None:
    criteria = Criteria(keywords=("world",), topics=(Topic("agents", keywords=("agent*",)),))
    assert criteria.why(PaperText(PAPERS[0])) == ["world", "agents: agent*"]


def test_an_empty_keyword_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="empty keyword"):
        Criteria(keywords=("  ",))


def test_a_lone_star_is_a_literal_term_not_a_match_for_everything() -> None:
    from papercli.query.matching import term_pattern

    assert term_pattern("a*").pattern.endswith(r"\w*")
    assert not term_pattern("*").search("anything at all")


@pytest.mark.parametrize(
    ("expression", "title", "matches"),
    [
        ('agent "or"', "An agent or two", True),  # a quoted operator word is a term
        ('agent "or"', "An agent alone", False),
        ('"and"', "Cats and dogs", True),
        ('("diffusion model")', "A diffusion model", True),  # the quote ends before ")"
        ('("diffusion model") -survey', "A diffusion model survey", False),
        ("agent -", "An agent - alone", True),  # a lone dash is a word, not NOT
    ],
)
def test_quotes_and_dashes_in_expressions(expression: str, title: str, matches: bool) -> None:
    check = compile_expression(expression)
    assert check(PaperText(Paper(id="2601.00001", title=title))) is matches


def test_an_empty_quoted_value_is_a_missing_value() -> None:
    with pytest.raises(ExpressionError, match="missing value"):
        compile_expression('ti:""')


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("listed:2026", ["jan", "dec"]), ("listed>=2026", ["jan", "dec"]),
     ("listed<=2025", ["eve"]), ("listed>2025", ["jan", "dec"]),
     ("listed<2027", ["eve", "jan", "dec"])],
)  # fmt: skip
def test_a_bare_year_is_every_day_from_january_first_to_december_31st(
    expression: str, expected: list[str]
) -> None:
    days = {"eve": "2025-12-31", "jan": "2026-01-01", "dec": "2026-12-31"}
    papers = [Paper(id=f"2601.0000{n}", title=name, listed=day)
              for n, (name, day) in enumerate(days.items(), 1)]  # fmt: skip
    assert [p.title for p in apply(papers, Criteria(where=expression))] == expected


def test_nesting_is_bounded_by_depth_not_by_how_many_groups_there_are() -> None:
    compile_expression("(" * 32 + "a" + ")" * 32)  # 32 levels: the documented limit
    compile_expression(" OR ".join(["(a AND NOT b)"] * 100))  # many groups, each shallow
    for deep in ("(" * 33 + "a" + ")" * 33, "NOT " * 33 + "a"):
        with pytest.raises(ExpressionError, match="nested more than 32 levels deep"):
            compile_expression(deep)
