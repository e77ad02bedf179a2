"""arXiv's category taxonomy: which names are categories, how arXiv spells them, near misses.

The list ships as package data (``arxiv_categories.tsv``) and is read only when a category
is checked, so a run that names none never opens it. A typo caught here costs nothing; sent to
arXiv it costs minutes of requests and ends in an empty listing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

from papercli.errors import UsageError

TAXONOMY_URL = "https://arxiv.org/category_taxonomy"
_DATA = Path(__file__).with_name("arxiv_categories.tsv")


class Category(NamedTuple):
    """One arXiv category: its name as arXiv spells it, its title, the name it aliases."""

    name: str
    title: str
    alias_of: str | None = None


class Taxonomy(NamedTuple):
    """Every category by lower-cased name, and the archives that only group categories."""

    categories: dict[str, Category]
    archives: dict[str, tuple[str, ...]]


@cache
def taxonomy() -> Taxonomy:
    """The shipped taxonomy (read once per run)."""
    categories: dict[str, Category] = {}
    archives: dict[str, list[str]] = {}
    for line in _DATA.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, title, *rest = line.split("\t")
        alias = rest[0].removeprefix("= ") if rest else None
        categories[name.lower()] = Category(name, title, alias)
        if "." in name:
            archives.setdefault(name.split(".")[0], []).append(name)
    return Taxonomy(categories, {k: tuple(v) for k, v in archives.items()})


def canonical(name: str) -> str | None:
    """arXiv's spelling of a category (``cs.cl`` -> ``cs.CL``), or None if it is not one."""
    found = taxonomy().categories.get(name.strip().lower())
    return found.name if found else None


def is_archive(name: str) -> bool:
    """Whether ``name`` is an archive that groups categories (``cs``, ``math``, ``physics``)."""
    return name.strip().lower() in taxonomy().archives


def problem(name: str, *, archives: bool = False) -> tuple[str, str] | None:
    """Why ``name`` is not a category (``archives``: nor an archive), with a "did you mean"
    hint; None when it is fine."""
    text = name.strip()
    if canonical(text) is not None:
        return None
    known = taxonomy()
    lowered = text.lower()
    if lowered in known.archives:
        if archives:
            return None
        members = known.archives[lowered]
        shown = ", ".join(members[:6]) + (", ..." if len(members) > 6 else "")
        return (
            f"{text!r} is an arXiv archive, not a category",
            f"pick one or more of its {len(members)} categories: {shown} (see {TAXONOMY_URL})",
        )
    return f"{text!r} is not an arXiv category", _did_you_mean(lowered)


def _did_you_mean(lowered: str) -> str:
    import difflib  # only for a typo

    known = taxonomy()
    archive, _, subject = lowered.partition(".")
    # The same subject class in another archive first: cs.ML is most likely stat.ML.
    same = [n for n in known.categories if subject and n.partition(".")[2] == subject]
    close = same + difflib.get_close_matches(lowered, list(known.categories), n=3, cutoff=0.6)
    close = list(dict.fromkeys(close))[:3]
    if not close and archive in known.archives:
        close = difflib.get_close_matches(
            lowered, [m.lower() for m in known.archives[archive]], n=3, cutoff=0.0
        )
    if not close:
        return f"categories look like cs.CL, math.AG or hep-th; the list: {TAXONOMY_URL}"
    shown = [known.categories[c].name for c in close]
    choices = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return f"did you mean {choices}? (the list: {TAXONOMY_URL})"


def normalise(names: list[str] | tuple[str, ...], *, archives: bool = False) -> tuple[str, ...]:
    """Categories in arXiv's spelling, de-duplicated; raises UsageError for the first that is
    not a category (with ``archives``, archives pass too, lower-cased)."""
    result: list[str] = []
    for name in names:
        found = problem(name, archives=archives)
        if found is not None:
            message, hint = found
            raise UsageError(message, hint=hint)
        result.append(canonical(name) or name.strip().lower())
    return tuple(dict.fromkeys(result))
