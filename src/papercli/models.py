"""The Paper record: the one schema of the cache and of every machine output format.

Also owns the arXiv id grammar and the text clean-up applied to everything upstream sends,
because both decide what a valid record is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from papercli.checks import LazyPattern, is_clean, valid_day, valid_doi, valid_link
from papercli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

SOURCE_ORDER = ("hf", "arxiv")
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
# When one paper is announced in several of the user's categories, the most specific wins.
_ANNOUNCE_RANK = {"new": 0, "replace": 1, "cross": 2, "replace-cross": 3}

# New-style ids: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015 on), so 0808.05394 is malformed;
# old style: archive(.SC)/YYMMNNN. Digits are ASCII only: ``\d`` would also take Arabic-Indic
# or full-width digits, ids that look like real ones and become file names and URLs.
_MONTH = r"(?:0[1-9]|1[0-2])"
_BARE_ID = (
    rf"(?:0[7-9]|1[0-4]){_MONTH}\.[0-9]{{4}}"
    rf"|(?:1[5-9]|[2-9][0-9]){_MONTH}\.[0-9]{{5}}"
    r"|[a-z][a-z\-]*(?:\.[A-Z]{2})?/[0-9]{7}"
)
_ID = LazyPattern(rf"(?P<id>{_BARE_ID})(?:v(?P<v>[0-9]{{1,4}}))?")
_VALID_ID = LazyPattern(_BARE_ID)
# ...and arXiv's DOIs: 10.48550/arXiv.2401.00001, doi:..., https://doi.org/....
_ID_PREFIX = LazyPattern(
    r"^(?:oai:arxiv\.org:|arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/"
    r"|https?://huggingface\.co/papers/"
    r"|(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.)",
    re.IGNORECASE | re.ASCII,
)

# Terminal escape sequences (CSI, OSC, and lone two-byte escapes), then any remaining control
# or bidi-override character: titles and abstracts are untrusted text.
_ESCAPES = LazyPattern(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS: dict[int, str | None] = dict.fromkeys(
    [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        # Lone surrogates (a JSON "\\ud800" escape) cannot be written as UTF-8 at all, and
        # XML 1.0 forbids them and these two noncharacters.
        *range(0xD800, 0xE000),
        0xFFFE,
        0xFFFF,
    ]
)
_ONE_LINE: dict[int, str | None] = {**_CONTROLS, 0x09: " ", 0x0A: " "}
_SPACE = LazyPattern(r"\s+")
# An arXiv archive or category: cs, cs.CL, math.AG, q-bio.NC, hep-th.
CATEGORY_RE = LazyPattern(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")


def _strip(text: str, table: dict[int, str | None]) -> str:
    if not text:
        return ""
    if "\x1b" in text:
        text = _ESCAPES.sub("", text)
    return text.translate(table)


def sanitize(text: str) -> str:
    """Drop terminal escapes, control and bidi-override characters; keep all other text."""
    if text.isascii() and is_clean(text):
        return text  # the common case, checked in C; ``translate`` looks up every character
    return _strip(text, _CONTROLS)


def sanitize_line(text: str) -> str:
    """``sanitize``, with tabs and newlines turned to spaces (one field of a TSV line)."""
    return _strip(text, _ONE_LINE)


def clean_text(text: str | None) -> str:
    """Sanitize and collapse whitespace (the arXiv API hard-wraps titles and abstracts)."""
    if not text:
        return ""
    return _SPACE.sub(" ", sanitize(text)).strip()


def parse_id(raw: str) -> tuple[str, int | None]:
    """Split any spelling of an arXiv id (URL, oai:, arXiv:, with version) into (id, version).

    Raises UsageError for anything that is not an arXiv id: ids become file names and URLs,
    so nothing else may pass.
    """
    text = raw.strip()
    text = _ID_PREFIX.sub("", text)
    text = text.removesuffix(".pdf").rstrip("/")
    match = _ID.fullmatch(text)
    if match:
        version = match.group("v")
        return match.group("id"), int(version) if version else None
    raise UsageError(f"not an arXiv id: {raw.strip()[:80]!r}", hint="ids look like 2611.01234")


def is_valid_id(raw: str) -> bool:
    """True when ``raw`` is a bare, versionless arXiv id."""
    return _VALID_ID.fullmatch(raw) is not None


def file_stem(paper_id: str) -> str:
    """The file name (without suffix) of an id: ``2606.13392``; old-style ids lose their
    slash (``hep-th_9901001``). Anything but a valid id is refused: ids become paths."""
    if not is_valid_id(paper_id):
        raise UsageError(f"not an arXiv id: {paper_id!r}")
    return paper_id.replace("/", "_")


def id_of_stem(stem: str) -> str | None:
    """The id a ``file_stem`` came from, or None when the name is not one of ours."""
    paper_id = stem.replace("_", "/")
    return paper_id if is_valid_id(paper_id) else None


def abs_url(paper_id: str) -> str:
    """The arXiv abstract page of an id."""
    return f"https://arxiv.org/abs/{paper_id}"


def pdf_url(paper_id: str) -> str:
    """The arXiv PDF of an id (the API stopped sending pdf links in Nov 2025)."""
    return f"https://arxiv.org/pdf/{paper_id}"


class _PaperFields(NamedTuple):
    """Paper's fields. Field order is the JSON key order.

    A NamedTuple, not a dataclass: on Python 3.11 ``@dataclass`` generates and compiles its
    methods on every start (2.6 ms for this class alone, on a command that takes 80 ms),
    while a NamedTuple's come from the bytecode cache; it is also frozen, hashable and
    compared field by field, as the dataclass was, and builds faster from a record.
    """

    id: str
    version: int | None = None
    title: str = ""
    authors: tuple[str, ...] = ()
    abstract: str = ""
    published: str | None = None
    listed: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    announce_type: str | None = None
    upvotes: int | None = None
    comments: int | None = None
    ai_summary: str | None = None
    keywords: tuple[str, ...] = ()
    github: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    url: str = ""
    pdf_url: str = ""
    sources: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    arxiv_comment: str | None = None
    upvotes_previous: int | None = None
    # Aligned with ``authors`` ("" for an author without one), or empty when none is known.
    affiliations: tuple[str, ...] = ()


class Paper(_PaperFields):
    """One paper, merged from every source that listed it.

    Built like a frozen dataclass, by keyword or position; ``url`` and ``pdf_url`` default
    to the paper's arXiv pages.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Paper:
        """A paper from its fields, by position or keyword, as ``_PaperFields`` takes them."""
        self = _new_fields(cls, *args, **kwargs)
        if self.url and self.pdf_url:
            return self
        return _make(cls, (*self[:_URL], self.url or abs_url(self.id),
                           self.pdf_url or pdf_url(self.id), *self[_URL + 2:]))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form: every key present, in schema order."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "authors": list(self.authors),
            "abstract": self.abstract,
            "published": self.published,
            "listed": self.listed,
            "categories": list(self.categories),
            "primary_category": self.primary_category,
            "announce_type": self.announce_type,
            "upvotes": self.upvotes,
            "comments": self.comments,
            "ai_summary": self.ai_summary,
            "keywords": list(self.keywords),
            "github": self.github,
            "github_stars": self.github_stars,
            "project_page": self.project_page,
            "organization": self.organization,
            "url": self.url,
            "pdf_url": self.pdf_url,
            "sources": list(self.sources),
            "doi": self.doi,
            "journal_ref": self.journal_ref,
            "arxiv_comment": self.arxiv_comment,
            "upvotes_previous": self.upvotes_previous,
            "affiliations": list(self.affiliations),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """Rebuild a Paper from ``to_dict`` output: the one gate every record passes through.

        Cache and state files, stdin JSONL and (through ``validated``) every source parser
        come here. A value of the wrong type raises ValueError; a value of the right type
        that is not valid is dropped: a link that is not an absolute http(s) URL, a date
        that is not an ISO date, a number out of range, an unknown announce type. Text loses
        control, escape and bidi-override characters; ``url``/``pdf_url`` are rebuilt from
        the id. Runs for every cached paper read, so the common case is one pass of type
        tests and a single scan of all the text at once.
        """
        paper_id = data["id"]
        if type(paper_id) is not str or _VALID_ID.fullmatch(paper_id) is None:
            raise ValueError(f"invalid id {paper_id!r:.60}")
        fields: dict[str, Any] = {
            "id": paper_id, "url": abs_url(paper_id), "pdf_url": pdf_url(paper_id)
        }  # fmt: skip
        get = data.get
        texts: list[str] = []
        for key in _TEXT_FIELDS:
            value = get(key) or ""
            if type(value) is not str:
                raise ValueError(f"{key}: expected text, got {type(value).__name__}")
            fields[key] = value
            texts.append(value)
        for key in _OPTIONAL_TEXT_FIELDS:
            value = get(key) or None
            if value is not None:
                if type(value) is not str:
                    raise ValueError(f"{key}: expected text, got {type(value).__name__}")
                texts.append(value)
            fields[key] = value
        for key in _LIST_FIELDS:
            value = get(key) or ()
            if type(value) not in (list, tuple) or any(type(v) is not str for v in value):
                raise ValueError(f"{key}: expected a list of text")
            fields[key] = tuple(value)
            texts.extend(value)
        if not is_clean("\n".join(texts)):
            _sanitize_fields(fields)
        if fields["affiliations"] and len(fields["affiliations"]) != len(fields["authors"]):
            raise ValueError("affiliations: expected one per author")
        for key, check in _CHECKED_FIELDS:
            value = get(key) or None
            if value is not None and type(value) is not str:
                raise ValueError(f"{key}: expected text, got {type(value).__name__}")
            fields[key] = check(value) if value is not None else None
        for key, low, high in _NUMBER_FIELDS:
            value = get(key)
            if value is not None and type(value) is not int:
                raise ValueError(f"{key}: expected a whole number, got {value!r:.40}")
            fields[key] = value if value is None or low <= value <= high else None
        return cls(**fields)

    def with_changes(self, **changes: Any) -> Paper:
        """A copy with some fields replaced (an emptied link is rebuilt from the id)."""
        return Paper(**{**self._asdict(), **changes})


_new_fields = _PaperFields.__new__
_make = tuple.__new__
_URL = _PaperFields._fields.index("url")


def validated(paper: Paper) -> Paper:
    """``paper`` after the checks of ``Paper.from_dict``: how source parsers hand records on."""
    return Paper.from_dict(paper.to_dict())


def _announce(value: str) -> str | None:
    return value if value in ANNOUNCE_TYPES else None


def _sanitize_fields(fields: dict[str, Any]) -> None:
    for key in _TEXT_FIELDS:
        fields[key] = sanitize(fields[key])
    for key in _OPTIONAL_TEXT_FIELDS:
        fields[key] = sanitize(fields[key] or "") or None
    names, places = fields["authors"], fields["affiliations"]
    for key in _LIST_FIELDS:
        fields[key] = tuple(s for s in map(sanitize, fields[key]) if s)
    if places and len(places) == len(names):
        # Aligned with the authors: an author that sanitises away takes its entry along,
        # and an empty entry keeps its place.
        kept = [(sanitize(n), sanitize(p)) for n, p in zip(names, places, strict=True)]
        fields["affiliations"] = tuple(p for n, p in kept if n)


_TEXT_FIELDS = ("title", "abstract")
_OPTIONAL_TEXT_FIELDS = (
    "primary_category", "ai_summary", "organization", "journal_ref", "arxiv_comment",
)  # fmt: skip
_CHECKED_FIELDS = (
    ("published", valid_day), ("listed", valid_day), ("announce_type", _announce),
    ("github", valid_link), ("project_page", valid_link), ("doi", valid_doi),
)  # fmt: skip
# (field, lowest, highest): a count past these is not a count HF or arXiv would send.
_NUMBER_FIELDS = (
    ("version", 1, 9999), ("upvotes", 0, 10**9), ("comments", 0, 10**9),
    ("github_stars", 0, 10**9), ("upvotes_previous", 0, 10**9),
)  # fmt: skip
_LIST_FIELDS = ("authors", "categories", "keywords", "sources", "affiliations")


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a)


def _first(*values: Any) -> Any:
    for value in values:
        if value not in (None, "", ()):
            return value
    return values[-1]


def _max_opt(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


_TEX_LETTER = LazyPattern(r"\\(o|O|l|L|i|j|ss|ae|AE|oe|OE|aa|AA)(?![A-Za-z])")
_TEX_COMMAND = LazyPattern(r"\\(?:[A-Za-z]+|.)")
_FOLD_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "æ": "ae", "Æ": "AE",
     "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ð": "d", "þ": "th"}
)  # fmt: skip


def name_key(name: str) -> str:
    """A name reduced to its letters, so ``Rapha\\"el Frank``, ``Raphaël Frank`` and
    ``Raphael Frank`` compare equal."""
    import unicodedata

    text = _TEX_LETTER.sub(lambda m: "a" if m.group(1) in ("aa", "AA") else m.group(1), name)
    text = unicodedata.normalize("NFKD", _TEX_COMMAND.sub("", text)).translate(_FOLD_LETTERS)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).casefold()


def _spelling(name: str) -> tuple[bool, int]:
    # Better: no TeX markup, then more letters beyond ASCII (the accents written out).
    return ("\\" not in name and "{" not in name, sum(not c.isascii() for c in name))


def _authors(first: Paper, second: Paper) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The bibliographic source's author list (and affiliations), each name in the better
    spelling when the other source lists the same people: Hugging Face's UTF-8 ``Raphaël``
    over a TeX ``Rapha\\"el`` or an ASCII ``Raphael``."""
    names, other = first.authors, second.authors
    if not names:
        return other, second.affiliations
    if len(names) != len(other) or names == other:
        return names, first.affiliations or (second.affiliations if names == other else ())
    if any(name_key(a) != name_key(b) for a, b in zip(names, other, strict=True)):
        return names, first.affiliations
    best = tuple(b if _spelling(b) > _spelling(a) else a for a, b in zip(names, other, strict=True))
    return best, first.affiliations or second.affiliations


def merge(a: Paper, b: Paper) -> Paper:
    """Combine two records of the same paper: arXiv wins on bibliography, HF adds the rest."""
    if a.id != b.id:
        raise ValueError(f"cannot merge {a.id} with {b.id}")
    # Bibliographic fields come from arXiv when it has them: HF copies can lag a new version.
    first, second = (b, a) if "arxiv" in b.sources and "arxiv" not in a.sources else (a, b)
    listed = [d for d in (a.listed, b.listed) if d]
    announce = [t for t in (a.announce_type, b.announce_type) if t]
    up_source = a if (a.upvotes or -1) >= (b.upvotes or -1) else b
    sources = _union(a.sources, b.sources)
    authors, affiliations = _authors(first, second)
    return Paper(
        id=a.id,
        version=_max_opt(a.version, b.version),
        title=_first(first.title, second.title),
        authors=authors,
        abstract=_first(first.abstract, second.abstract),
        published=_first(first.published, second.published),
        listed=min(listed) if listed else None,
        categories=_union(first.categories, second.categories),
        primary_category=_first(first.primary_category, second.primary_category),
        announce_type=min(announce, key=_ANNOUNCE_RANK.__getitem__) if announce else None,
        upvotes=_max_opt(a.upvotes, b.upvotes),
        comments=_max_opt(a.comments, b.comments),
        ai_summary=_first(a.ai_summary, b.ai_summary),
        keywords=_first(a.keywords, b.keywords),
        github=_first(a.github, b.github),
        github_stars=_max_opt(a.github_stars, b.github_stars),
        project_page=_first(a.project_page, b.project_page),
        organization=_first(a.organization, b.organization),
        url=abs_url(a.id),
        pdf_url=pdf_url(a.id),
        sources=tuple(s for s in SOURCE_ORDER if s in sources)
        + tuple(s for s in sources if s not in SOURCE_ORDER),
        doi=_first(first.doi, second.doi),
        journal_ref=_first(first.journal_ref, second.journal_ref),
        arxiv_comment=_first(first.arxiv_comment, second.arxiv_comment),
        upvotes_previous=up_source.upvotes_previous,
        affiliations=affiliations,
    )


def merge_runs(papers: Iterable[Paper]) -> Iterator[Paper]:
    """Merge records that come sorted by id: one Paper per id, holding one at a time."""
    current: Paper | None = None
    for paper in papers:
        if current is None:
            current = paper
        elif paper.id == current.id:
            current = merge(current, paper)
        else:
            yield current
            current = paper
    if current is not None:
        yield current


def merge_all(papers: list[Paper] | tuple[Paper, ...]) -> list[Paper]:
    """Merge records by id, keeping the order in which ids first appear."""
    by_id: dict[str, Paper] = {}
    for paper in papers:
        seen = by_id.get(paper.id)
        by_id[paper.id] = paper if seen is None else merge(seen, paper)
    return list(by_id.values())


class Topic(NamedTuple):
    """A named interest from the config: papers matching its keywords, categories or authors."""

    name: str
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
