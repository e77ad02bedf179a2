"""The ``--where`` language: fields, AND / OR / NOT, parentheses, phrases, comparisons.

Compiled once into a predicate over PaperText; a malformed expression raises ExpressionError
carrying the position of the problem, which the CLI shows with a caret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from papercli.errors import ExpressionError, UsageError
from papercli.query.matching import PaperText, matches_author, matches_category, term_pattern

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
_YEAR = re.compile(r"\d{4}")
_RELATIVE_DATE = re.compile(r"today|yesterday|\d{1,4}[dw]", re.IGNORECASE)

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


# Parentheses and NOTs nest at most this deep: far beyond any filter a person writes, and far
# below the recursion limit that 250 parentheses or 1,000 NOTs used to hit (exit 1).
MAX_DEPTH = 32


class _Parser:
    def __init__(self, expression: str, today: date | None = None) -> None:
        self.expression = expression
        self.today = today
        self.tokens = tokenize(expression)
        self.index = 0
        self.depth = 0

    def deeper(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep", token)

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
            self.deeper(token)
            inner = self.parse_not()
            self.depth -= 1
            return lambda v: not inner(v)
        return self.parse_atom()

    def parse_atom(self) -> Predicate:
        token = self.peek()
        if token is None:
            raise self.error("expected a term after this", None)
        if token.kind == "(":
            self.take()
            self.deeper(token)
            inner = self.parse_or()
            self.depth -= 1
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
            first, last = self.date_span(token, name, value)
            return _compare_dates(DATE_FIELDS[name], op, first.isoformat(), last.isoformat())
        raise self.error(f"unknown field {name!r} (fields: {', '.join(ALL_FIELDS)})", token)

    def date_span(self, token: Token, name: str, value: str) -> tuple[date, date]:
        """The days a date value covers: the forms of --since, and a bare year."""
        from papercli.query.dates import FORMS, parse_span

        text = value.strip()
        if _YEAR.fullmatch(text):
            return date(int(text), 1, 1), date(int(text), 12, 31)
        if self.today is None and _RELATIVE_DATE.fullmatch(text):
            raise self.error(f"{name}:{text} needs today's date, and none was given", token)
        try:
            return parse_span(text, self.today or date.min)
        except UsageError:
            raise self.error(f"{name} needs a date ({FORMS}), got {value!r}", token) from None

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
}


def _compare(attribute: str, op: str, value: object) -> Predicate:
    check = _COMPARE[op]

    def predicate(view: PaperText) -> bool:
        actual = getattr(view.paper, attribute)
        return actual is not None and check(actual, value)

    return predicate


# A date value is a span of days ("2026-11", "2026-W48", "yesterday", "7d"): equality means
# inside it, and each comparison uses the end of the span that makes "listed<=2026-11"
# include the whole month and "listed>2026-11" start in December.
_DATE_COMPARE: dict[str, Callable[[str, str, str], bool]] = {
    ":": lambda day, first, last: first <= day <= last,
    "=": lambda day, first, last: first <= day <= last,
    "!=": lambda day, first, last: not first <= day <= last,
    ">=": lambda day, first, _last: day >= first,
    ">": lambda day, _first, last: day > last,
    "<=": lambda day, _first, last: day <= last,
    "<": lambda day, first, _last: day < first,
}


def _compare_dates(attribute: str, op: str, first: str, last: str) -> Predicate:
    check = _DATE_COMPARE[op]

    def predicate(view: PaperText) -> bool:
        # ISO dates compare as text; a date longer than a day (a timestamp) is cut to one.
        actual = getattr(view.paper, attribute)
        return actual is not None and check(actual[:10], first, last)

    return predicate


def compile_expression(expression: str, today: date | None = None) -> Predicate:
    """Compile a ``--where`` expression; raises ExpressionError with the caret position.

    ``today`` is the day that ``listed>=yesterday`` or ``published:7d`` count from; without
    it those forms are an error (this package never reads the clock).
    """
    return _Parser(expression, today).parse()
