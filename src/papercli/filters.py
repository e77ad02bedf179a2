"""Pure predicates over papers: keywords, the ``--where`` language, topics, authors, sorting.

Text is matched case- and accent-insensitively ("Nunez" finds "Núñez") on word boundaries
("RL" does not match "world"); a term also matches its plural ("language model" finds
"Language Models"), and a trailing ``*`` makes it a prefix ("agent*" finds "agentic").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

from papercli.errors import ExpressionError, UsageError
from papercli.models import Paper, Topic


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Núñez" and "nunez" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    """The regex a keyword or phrase becomes (see the module docstring)."""
    words = fold(term).split()
    if not words:
        raise UsageError("empty keyword")
    prefix = words[-1].endswith("*") and len(words[-1]) > 1
    if prefix:
        words[-1] = words[-1].rstrip("*")
    body = r"[\W_]+".join(re.escape(w) for w in words)
    tail = r"\w*" if prefix else r"(?:s|es)?(?!\w)"
    head = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    return re.compile(head + body + tail)


class PaperText:
    """A paper with its text fields folded once, however many filters look at them."""

    def __init__(self, paper: Paper) -> None:
        self.paper = paper

    @cached_property
    def title(self) -> str:
        return fold(self.paper.title)

    @cached_property
    def abstract(self) -> str:
        return fold(self.paper.abstract)

    @cached_property
    def keywords(self) -> str:
        return fold(" ; ".join(self.paper.keywords))

    @cached_property
    def authors(self) -> list[str]:
        return [fold(a) for a in self.paper.authors]

    @cached_property
    def text(self) -> str:
        """Title, abstract and keywords: what -k searches."""
        return f"{self.title} \n {self.abstract} \n {self.keywords}"

    @cached_property
    def categories(self) -> list[str]:
        return [c.lower() for c in self.paper.categories]


def matches_term(text: str, term: str) -> bool:
    """Does folded ``text`` contain ``term`` on word boundaries."""
    return term_pattern(term).search(text) is not None


def matches_author(view: PaperText, name: str) -> bool:
    """Any author whose name contains ``name`` as whole words."""
    pattern = term_pattern(name)
    return any(pattern.search(a) for a in view.authors)


def matches_category(view: PaperText, category: str) -> bool:
    """Primary or cross-listed category; ``cs`` or ``cs.*`` matches the whole archive."""
    wanted = category.lower().removesuffix(".*")
    return any(c == wanted or c.split(".")[0] == wanted for c in view.categories)


# -- topics ------------------------------------------------------------------------------------


def topic_matches(view: PaperText, topic: Topic) -> list[str]:
    """The terms through which a paper belongs to a topic; empty when it does not.

    Authors are a route of their own; keywords and categories narrow each other when both
    are given (``agent`` papers in cs.AI or cs.CL); excluded words veto everything.
    """
    if any(matches_term(view.text, word) for word in topic.exclude):
        return []
    hits = [f"au:{a}" for a in topic.authors if matches_author(view, a)]
    if topic.keywords or topic.categories:
        words = [k for k in topic.keywords if matches_term(view.text, k)]
        cats = [c for c in topic.categories if matches_category(view, c)]
        if (words or not topic.keywords) and (cats or not topic.categories):
            hits.extend(words or [f"cat:{c}" for c in cats])
    return hits


# -- the --where language ----------------------------------------------------------------------

TEXT_FIELDS = {
    "ti": "title",
    "title": "title",
    "abs": "abstract",
    "abstract": "abstract",
    "kw": "keywords",
    "keyword": "keywords",
    "keywords": "keywords",
    "all": "text",
    "text": "text",
}
NUMBER_FIELDS = {
    "upvotes": "upvotes",
    "comments": "comments",
    "stars": "github_stars",
    "version": "version",
}
DATE_FIELDS = {"listed": "listed", "published": "published"}
OTHER_FIELDS = {
    "au": "author",
    "author": "author",
    "cat": "category",
    "category": "category",
    "id": "id",
    "src": "source",
    "source": "source",
    "type": "type",
    "has": "has",
}
ALL_FIELDS = sorted({*TEXT_FIELDS, *NUMBER_FIELDS, *DATE_FIELDS, *OTHER_FIELDS})
_HAS = {
    "code": lambda p: bool(p.github),
    "summary": lambda p: bool(p.ai_summary),
    "project": lambda p: bool(p.project_page),
    "doi": lambda p: bool(p.doi),
    "upvotes": lambda p: bool(p.upvotes),
}
_FIELD_TERM = re.compile(r"([A-Za-z_]+)(>=|<=|!=|:|>|<|=)")
_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
_DATE_VALUE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")

Predicate = Callable[[PaperText], bool]


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ( ) AND OR NOT TERM
    pos: int
    field: str | None = None
    op: str | None = None
    value: str = ""
    end: int = 0


def tokenize(expression: str) -> list[Token]:
    """Split an expression into tokens, each with its position for error carets."""
    tokens: list[Token] = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(Token(char, i, end=i + 1))
            i += 1
            continue
        if char == "-" and i + 1 < n and not expression[i + 1].isspace():
            tokens.append(Token("NOT", i, end=i + 1))
            i += 1
            continue
        start = i
        name = op = None
        match = _FIELD_TERM.match(expression, i)
        if match:
            name, op = match.group(1).lower(), match.group(2)
            i = match.end()
        if i < n and expression[i] == '"':
            close = expression.find('"', i + 1)
            if close < 0:
                raise ExpressionError("unclosed quote", expression, i)
            value = expression[i + 1 : close]
            i = close + 1
            quoted = True
        else:
            j = i
            while j < n and not expression[j].isspace() and expression[j] not in '()"':
                j += 1
            value = expression[i:j]
            i = j
            quoted = False
        if name is None and not quoted and value.lower() in _OPERATORS:
            tokens.append(Token(_OPERATORS[value.lower()], start, end=i))
            continue
        if not value.strip():
            raise ExpressionError("missing value", expression, i if name else start)
        tokens.append(Token("TERM", start, field=name, op=op, value=value, end=i))
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0

    def error(self, message: str, token: Token | None = None) -> ExpressionError:
        pos = token.pos if token else len(self.expression)
        return ExpressionError(message, self.expression, pos)

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise self.error("empty expression", None)
        predicate = self.parse_or()
        leftover = self.peek()
        if leftover is not None:
            raise self.error(
                f"unexpected {leftover.kind if leftover.kind != 'TERM' else 'term'}", leftover
            )
        return predicate

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda v: any(p(v) for p in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_not()]
        while (token := self.peek()) is not None and token.kind in ("AND", "NOT", "TERM", "("):
            if token.kind == "AND":
                self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else (lambda v: all(p(v) for p in parts))

    def parse_not(self) -> Predicate:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            inner = self.parse_not()
            return lambda v: not inner(v)
        return self.parse_atom()

    def parse_atom(self) -> Predicate:
        token = self.peek()
        if token is None:
            raise self.error("expected a term after this", None)
        if token.kind == "(":
            self.take()
            inner = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.error("unclosed parenthesis", token)
            self.take()
            return inner
        if token.kind != "TERM":
            raise self.error(f"expected a term, found {token.kind}", token)
        self.take()
        return self.term(token)

    def term(self, token: Token) -> Predicate:
        name, op, value = token.field, token.op, token.value
        if name is None:
            return _text_predicate("text", value)
        if name in TEXT_FIELDS or name in OTHER_FIELDS:
            if op != ":":
                raise self.error(f"{name} takes {name}:VALUE, not {op}", token)
            if name in TEXT_FIELDS:
                return _text_predicate(TEXT_FIELDS[name], value)
            return self.other(token, OTHER_FIELDS[name], value)
        if name in NUMBER_FIELDS:
            try:
                number = int(value)
            except ValueError:
                raise self.error(f"{name} needs a whole number, got {value!r}", token) from None
            return _compare(NUMBER_FIELDS[name], "=" if op == ":" else op, number)
        if name in DATE_FIELDS:
            if not _DATE_VALUE.fullmatch(value):
                raise self.error(f"{name} needs a date like 2026-11-27, got {value!r}", token)
            return _compare(DATE_FIELDS[name], "prefix" if op in (":", "=") else op, value)
        raise self.error(f"unknown field {name!r} (fields: {', '.join(ALL_FIELDS)})", token)

    def other(self, token: Token, name: str, value: str) -> Predicate:
        if name == "author":
            return lambda v: matches_author(v, value)
        if name == "category":
            return lambda v: matches_category(v, value)
        if name == "id":
            return lambda v: v.paper.id == value.strip()
        if name == "source":
            return lambda v: value.lower() in v.paper.sources
        if name == "type":
            return lambda v: v.paper.announce_type == value.lower()
        check = _HAS.get(value.lower())
        if check is None:
            raise self.error(f"has: takes one of {', '.join(_HAS)}", token)
        return lambda v: check(v.paper)


def _text_predicate(attribute: str, value: str) -> Predicate:
    pattern = term_pattern(value)
    return lambda v: pattern.search(getattr(v, attribute)) is not None


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    "prefix": lambda a, b: str(a).startswith(str(b)),
}


def _compare(attribute: str, op: str, value: object) -> Predicate:
    check = _COMPARE[op]

    def predicate(view: PaperText) -> bool:
        actual = getattr(view.paper, attribute)
        if actual is None:
            return False
        if op in ("<", "<=") and isinstance(value, str):
            # "listed<=2026-11" includes the whole month.
            return check(actual[: len(value)], value)
        return check(actual, value)

    return predicate


def compile_expression(expression: str) -> Predicate:
    """Compile a ``--where`` expression; raises ExpressionError with the caret position."""
    return _Parser(expression).parse()


# -- criteria ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """Everything the listing commands can filter on."""

    keywords: tuple[str, ...] = ()
    all_keywords: bool = False
    exclude: tuple[str, ...] = ()
    where: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    default_types: tuple[str, ...] = ()  # applied to arXiv-only papers when --type is absent
    min_upvotes: int | None = None
    has_code: bool = False
    topics: tuple[Topic, ...] = ()
    _where: Predicate | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for word in (*self.keywords, *self.exclude, *self.authors):
            term_pattern(word)  # raises UsageError on an empty term, before any work
        if self.where is not None:
            object.__setattr__(self, "_where", compile_expression(self.where))

    def accepts(self, view: PaperText) -> bool:
        """Does one paper pass every filter."""
        paper = view.paper
        if self.types and paper.announce_type not in self.types:
            return False
        if (
            not self.types
            and self.default_types
            and "hf" not in paper.sources
            and paper.announce_type
            and paper.announce_type not in self.default_types
        ):
            return False
        if self.min_upvotes is not None and (paper.upvotes or 0) < self.min_upvotes:
            return False
        if self.has_code and not paper.github:
            return False
        if self.categories and not any(matches_category(view, c) for c in self.categories):
            return False
        if self.authors and not any(matches_author(view, a) for a in self.authors):
            return False
        if any(matches_term(view.text, w) for w in self.exclude):
            return False
        if self.keywords:
            hits = (matches_term(view.text, k) for k in self.keywords)
            if not (all(hits) if self.all_keywords else any(hits)):
                return False
        if self.topics and not any(topic_matches(view, t) for t in self.topics):
            return False
        return self._where is None or self._where(view)

    def why(self, view: PaperText) -> list[str]:
        """The keywords and topics through which a paper matched, for ``--why``."""
        reasons = [k for k in self.keywords if matches_term(view.text, k)]
        for topic in self.topics:
            hits = topic_matches(view, topic)
            if hits:
                reasons.append(f"{topic.name}: {', '.join(hits)}")
        return reasons


def apply(papers: Iterable[Paper], criteria: Criteria) -> list[Paper]:
    """The papers that pass ``criteria``, in their original order."""
    return [p for p in papers if criteria.accepts(PaperText(p))]


SORT_KEYS: dict[str, Callable[[Paper], object]] = {
    "upvotes": lambda p: (-(p.upvotes if p.upvotes is not None else -1), p.listed or "", p.id),
    "title": lambda p: (fold(p.title), p.id),
    "id": lambda p: p.id,
}


def sort_papers(papers: Sequence[Paper], key: str) -> list[Paper]:
    """Order papers for display: upvotes (default), date (newest first), title or id."""
    if key == "date":
        return sorted(papers, key=lambda p: (p.listed or "", p.id), reverse=True)
    return sorted(papers, key=SORT_KEYS[key])
