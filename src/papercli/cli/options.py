"""The options the listing commands share: formats, sorts, filters and sources.

Each option is declared once as an ``Annotated`` alias so every command spells it the same
way; ``make_criteria`` and ``choose_sources`` turn the parsed values into what the core takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from papercli.config import Settings
from papercli.errors import UsageError
from papercli.models import Paper
from papercli.query import filters

if TYPE_CHECKING:
    from papercli.formats.template import Template


class Format(StrEnum):
    """Output formats of the listing commands."""

    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    ids = "ids"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"
    bibtex = "bibtex"
    html = "html"
    atom = "atom"
    jsonfeed = "jsonfeed"
    ris = "ris"
    csljson = "csljson"
    summary = "summary"


class SortKey(StrEnum):
    """Orders of a listing."""

    upvotes = "upvotes"
    date = "date"
    title = "title"
    id = "id"
    relevance = "relevance"
    for_you = "for-you"


class SourceChoice(StrEnum):
    """Upstream sources."""

    hf = "hf"
    arxiv = "arxiv"


class AnnounceType(StrEnum):
    """arXiv announcement types."""

    new = "new"
    cross = "cross"
    replace = "replace"
    replace_cross = "replace-cross"


def choices(options: type[StrEnum]) -> str:
    """``a, b or c``: an enum's values for a help text (the metavar names only the kind).

    Typer's own ``[a|b|c]`` metavar is one unbreakable word that Rich cuts mid-name at 80
    columns (``mark|down``); a list in the help text wraps between words.
    """
    values = [str(v.value) for v in options]
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


KeywordOpt = Annotated[
    list[str] | None,
    typer.Option("--keyword", "-k", help='Keyword or "quoted phrase" (repeatable; any matches).'),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Require every -k keyword, not any.")]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", "-x", help="Drop papers with this word.")
]
WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where", "-w", help="Filter expression, e.g. 'ti:\"diffusion\" AND upvotes>=10'."
    ),
]
AuthorOpt = Annotated[
    list[str] | None, typer.Option("--author", "-a", help="Author name (accents optional).")
]
TypeOpt = Annotated[
    list[AnnounceType] | None,
    typer.Option(
        "--type",
        "-t",
        metavar="TYPE",
        help=f"arXiv announcement type: {choices(AnnounceType)} (repeatable; default from the "
        "config).",
    ),
]
MinUpvotesOpt = Annotated[int | None, typer.Option("--min-upvotes", min=0, help="At least N.")]
HasCodeOpt = Annotated[bool, typer.Option("--has-code", help="Only papers with a code link.")]


def complete_topic(incomplete: str) -> list[str]:
    """Shell completion for --topic: the topics in the config (none if it cannot be read)."""
    from papercli.config import load_settings
    from papercli.errors import PaperCliError

    try:
        names = load_settings().topics
    except PaperCliError:
        return []
    return [name for name in names if name.startswith(incomplete)]


TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-T",
        autocompletion=complete_topic,
        help="A topic from the config (repeatable).",
    ),
]
PagerOpt = Annotated[
    bool | None,
    typer.Option(
        "--pager/--no-pager", help="Page long tables (default: when taller than the screen)."
    ),
]
WhyOpt = Annotated[bool, typer.Option("--why", help="Show which keywords and topics matched.")]


def make_criteria(
    config: Settings,
    *,
    keywords: list[str] | None,
    all_keywords: bool,
    exclude: list[str] | None,
    where: str | None,
    authors: list[str] | None,
    categories: list[str] | None,
    types: list[AnnounceType] | None,
    min_upvotes: int | None,
    has_code: bool,
    topics: list[str] | None,
) -> filters.Criteria:
    """Criteria from the filter options; unknown topics are a usage error."""
    chosen = []
    for name in topics or ():
        if name not in config.topics:
            known = ", ".join(sorted(config.topics)) or "none configured"
            raise UsageError(f"unknown topic {name!r} (topics: {known})")
        chosen.append(config.topics[name])
    from papercli.cli.common import current_day  # common imports this module

    return filters.Criteria(
        keywords=tuple(keywords or ()),
        all_keywords=all_keywords,
        exclude=tuple(exclude or ()),
        where=where,
        authors=tuple(authors or ()),
        categories=tuple(categories or ()),
        types=tuple(t.value for t in types or ()),
        default_types=tuple(config["sources.arxiv_announce_types"]),
        min_upvotes=min_upvotes,
        has_code=has_code,
        topics=tuple(chosen),
        today=current_day(),
    )


FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help=f"{choices(Format)}; default: table on a terminal, plain in a pipe.",
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="KEYS",
        help="Only these keys, in this order, e.g. id,title,upvotes (json, jsonl, csv, tsv; "
        "implies json). The keys are listed under Fields below.",
    ),
]
JqOpt = Annotated[
    str | None,
    typer.Option(
        "--jq",
        metavar="EXPR",
        help="Filter the JSON output with a jq program (implies json); strings print raw.",
    ),
]
TemplateOpt = Annotated[
    str | None,
    typer.Option(
        "--template",
        metavar="TEXT",
        help="One line per paper from TEXT, e.g. '{id}  {title} ({upvotes})'; "
        "{{ and }} are literal braces.",
    ),
]
FIELDS_HELP = (
    "Fields, for --fields, --jq and --template: "
    + ", ".join(Paper._fields)
    + "; and score (search, --sort relevance), matched (search, --why), tags and saved_at "
    "(saved)."
)


class Shaping(NamedTuple):
    """How records are shaped on the way out: the format and --fields, --jq or --template."""

    # A NamedTuple, not a dataclass: see models._PaperFields (start-up cost).

    fmt: Format | None = None
    fields: tuple[str, ...] | None = None
    jq: str | None = None
    template: Template | None = None


_SELECTABLE = (Format.json, Format.jsonl, Format.csv, Format.tsv)


def make_shaping(
    fmt: Format | None, fields: str | None, jq: str | None, template: str | None
) -> Shaping:
    """Check --format, --fields, --jq and --template together, before anything is fetched."""
    if fields is None and jq is None and template is None:
        return Shaping(fmt)
    from papercli.formats.records import EXTRA_FIELDS, FIELDS, parse_fields

    if template is not None:
        if fmt is not None or fields is not None or jq is not None:
            raise UsageError("--template prints its own lines: give it without --format, "
                             "--fields or --jq")  # fmt: skip
        from papercli.formats.template import parse_template

        return Shaping(template=parse_template(template, FIELDS + EXTRA_FIELDS))
    chosen = parse_fields(fields) if fields is not None else None
    if jq is not None:
        if fmt not in (None, Format.json):
            raise UsageError(f"--jq reads JSON, not {fmt}: leave out --format or use json")
        from papercli.formats.jqfilter import check_program

        check_program(jq)
        return Shaping(Format.json, chosen, jq)
    if fmt is not None and fmt not in _SELECTABLE:
        raise UsageError(f"--fields picks keys of json, jsonl, csv or tsv, not {fmt}")
    return Shaping(fmt or Format.json, chosen)


OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never open a network connection; use the cache.")
]
RefreshOpt = Annotated[bool, typer.Option("--refresh", help="Fetch again even if cached.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or info lines on stderr (errors stay).")
]


def _categories(values: list[str] | None) -> list[str] | None:
    """``-c`` values checked against arXiv's taxonomy before any request, in arXiv's
    spelling (``cs.cl`` -> ``cs.CL``): a typo would cost minutes of requests."""
    if not values:
        return values
    from papercli.taxonomy import normalise

    return list(normalise(values))


CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="arXiv category to follow and keep (repeatable), e.g. cs.CL.",
        callback=_categories,
    ),
]
SourceOpt = Annotated[
    list[SourceChoice] | None,
    typer.Option(
        "--source",
        "-s",
        metavar="SOURCE",
        help=f"Only this source: {choices(SourceChoice)} (repeatable).",
    ),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", "-n", min=1, help="Show at most N papers.")
]
SortOpt = Annotated[
    SortKey, typer.Option("--sort", metavar="KEY", help=f"Order: {choices(SortKey)}.")
]
DateOpt = Annotated[str | None, typer.Option("--date", "-d", help="One day, week or month.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="First day (date, 7d, 2w...).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Last day (default: today).")]
DaysOpt = Annotated[int | None, typer.Option("--days", help="The last N days.")]


def choose_sources(
    config: Settings, sources: Sequence[SourceChoice] | None, categories: Sequence[str] | None
) -> tuple[bool, list[str]]:
    """Which sources a command reads: (HF on?, arXiv categories)."""
    cats = list(dict.fromkeys(categories or config.categories))
    if sources:
        wanted = {s.value for s in sources}
        hf = "hf" in wanted
        if "arxiv" in wanted and not cats:
            raise UsageError(
                "arXiv needs categories",
                hint="pass --category cs.CL or set sources.arxiv_categories in the config",
            )
        return hf, cats if "arxiv" in wanted else []
    return bool(config["sources.hf"]), cats
