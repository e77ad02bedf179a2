"""The "For you" model: a linear scorer over a paper's words, authors and categories, learnt
from the reading list (positives) and dismissed papers (negatives). Pure; no I/O.

Features are the *set* of a paper's terms (title, abstract and HF keywords folded to lower
case, stopwords dropped, plus ``a:lastname`` for authors and ``c:cs.CL`` for categories),
each worth ``1/sqrt(number of terms)``: short texts rarely repeat a word, and a set is built
in C. Tokenising an abstract costs ~60 us, 9 s for a year of 150,000 papers, so long listings
are ranked from term postings kept in the cache index (``store.term_postings``: each term's
CRC-32, ``term_crcs``, with the papers that hold it, valid while ``text_key`` matches),
against the same weights keyed by CRC (``hashed``).

Training is Rocchio-style: the weight of a term is its idf times (its mean value in the
saved papers, minus its mean in the dismissed papers and in a background sample of the
cache). That is the centroid of what was saved minus the centroid of what was not, with each
dismissal weighing as much as a saved paper while the background's weight is shared among
thousands. The idf is folded into the weights, so the stored model is one ``term -> weight``
map and scoring needs nothing else.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat

from papercli.models import Paper
from papercli.query.matching import STOPWORDS, fold

VERSION = 1
# Minimum reading list for a learned order (below it, --sort for-you falls back to upvotes).
MIN_SAVED = 3
DISMISSED_WEIGHT = 1.0  # how hard one dismissal pushes, relative to a saved paper's pull
BACKGROUND_WEIGHT = 1.0
# idf once, not squared as a tf-idf cosine would: measured best in benchmarks/foryou.py.
IDF_POWER = 1.0
# The model keeps its strongest weights. A few hundred rank as well as 20,000 in
# benchmarks/foryou.py (better at N=20), and ranking from postings touches only the papers
# that contain them.
MAX_TERMS = 256
_QUANTUM = float(1 << 40)
NEAREST_TERMS = 40  # per saved paper, for "nearest saved paper" in --why
_SPACES = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 or c >= 128 else 32 for c in range(256))
_EXTRA_STOPWORDS = frozenset(
    "also can not but more than these such which their into been show new all each other "
    "both they them when where how what while only over most between".split()
)
# Single letters and digits (from "3-D", "k-NN", equation variables) say nothing.
_STOP = STOPWORDS | _EXTRA_STOPWORDS | set("abcdefghijklmnopqrstuvwxyz0123456789")


def terms(paper: Paper) -> set[str]:
    """The feature set of one paper."""
    text = f"{paper.title} {paper.abstract} {' '.join(paper.keywords)}".lower()
    # bytes.translate and split run in C, three times faster than a regex over the text;
    # UTF-8 bytes of other scripts stay inside their words.
    found = set(
        text.encode("utf-8", "replace").translate(_SPACES).decode("utf-8", "replace").split()
    )
    found -= _STOP
    found.update(f"a:{_last_name(a)}" for a in paper.authors if a.strip())
    found.update(f"c:{c}" for c in paper.categories)
    return found


def _last_name(author: str) -> str:
    return fold(author.split()[-1]) if author.split() else ""


def _crc(term: str) -> int:
    return zlib.crc32(term.encode("utf-8", "surrogatepass"))


def text_key(paper: Paper) -> int:
    """A CRC of what ``terms`` reads: stored terms belong to the paper while its text still
    gives this key. Of the abstract, its length and both ends: a revised abstract changes
    them, and a CRC over all of it would cost a third of a ranking from postings."""
    text = paper.abstract
    parts = (paper.title, str(len(text)), text[:80], text[-80:], *paper.keywords, "\x1e")
    parts += (*paper.authors, "\x1e", *paper.categories)
    return zlib.crc32("\x1f".join(parts).encode("utf-8", "surrogatepass"))


class _Crcs(dict[str, int]):
    """Terms' CRCs, each computed once: a year of papers repeats each term ~40 times."""

    def __missing__(self, term: str) -> int:
        if len(self) >= 1 << 20:
            self.clear()  # bounded: a vocabulary this large is mostly one-off words
        value = self[term] = _crc(term)
        return value


_CRCS = _Crcs()


def term_crcs(paper: Paper) -> list[int]:
    """``terms(paper)`` as the postings store them: each term's CRC-32, ascending."""
    return sorted(set(map(_CRCS.__getitem__, terms(paper))))


@dataclass(frozen=True, slots=True)
class Anchor:
    """A saved paper as --why needs it: its title and its most distinctive terms."""

    id: str
    title: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    """Trained weights (idf folded in) and the saved papers, for scoring and explaining."""

    weights: dict[str, float]
    anchors: tuple[Anchor, ...] = ()
    idf: dict[str, float] | None = None  # of the anchors' terms, for "nearest saved paper"

    def score(self, paper: Paper) -> float:
        """How much this paper looks like what was saved (higher is better)."""
        found = terms(paper)
        if not found:
            return 0.0
        # map() over the paper's few terms; a set operation with the dict would walk all of it.
        return from_sum(sum(map(self.weights.get, found, repeat(0.0))), len(found))

    @cached_property
    def hashed(self) -> dict[int, float]:
        """The weights keyed by each term's CRC-32, to score from stored postings."""
        by_crc: dict[int, float] = {}
        for term, weight in self.weights.items():
            key = _crc(term)
            by_crc[key] = by_crc.get(key, 0.0) + weight
        return by_crc

    def rank(self, papers: Iterable[Paper]) -> list[tuple[Paper, float]]:
        """Papers with their scores, best first; ties by upvotes, then lowest id."""
        return ordered([(p, self.score(p)) for p in papers])

    def top_terms(self, found: set[str], count: int = 5) -> list[str]:
        """Of a paper's terms (``terms(paper)``), those that pulled it up most, strongest
        first."""
        pulling = sorted((t for t in found if self.weights.get(t, 0) > 0), key=self._strength)
        return [_shown(t) for t in pulling[:count]]

    def _strength(self, term: str) -> tuple[float, str]:
        return (-self.weights[term], term)

    def nearest(self, paper_id: str, found: set[str]) -> Anchor | None:
        """The saved paper sharing the most distinctive terms with this one (its id and
        ``terms(paper)``)."""
        idf = self.idf or {}
        best, best_score = None, 0.0
        for anchor in self.anchors:
            if anchor.id == paper_id:
                return anchor
            shared = found.intersection(anchor.terms)
            score = sum(idf.get(t, 1.0) ** 2 for t in shared) / math.sqrt(len(anchor.terms) or 1)
            if score > best_score:
                best, best_score = anchor, score
        return best

    def to_dict(self) -> dict[str, object]:
        """The plain form stored in the cache (dicts, lists, strings and numbers)."""
        return {
            "weights": {t: round(w, 6) for t, w in self.weights.items()},
            "anchors": [[a.id, a.title, list(a.terms)] for a in self.anchors],
            "idf": {t: round(w, 4) for t, w in (self.idf or {}).items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Model:
        """Read the stored form back; raises ValueError/TypeError/KeyError when it is not one."""
        weights = data["weights"]
        idf = data["idf"]
        anchors = data["anchors"]
        if not isinstance(weights, dict) or not isinstance(idf, dict):
            raise ValueError("weights and idf must be objects")
        if not isinstance(anchors, list):
            raise ValueError("anchors must be a list")
        for value in (*weights.values(), *idf.values()):
            if type(value) not in (int, float) or not math.isfinite(value):
                raise ValueError("weights must be finite numbers")
        if not all(type(t) is str for t in chain(weights, idf)):
            raise ValueError("terms must be strings")
        parsed = tuple(Anchor(str(i), str(t), tuple(map(str, ts))) for i, t, ts in anchors)
        return cls(weights=weights, anchors=parsed, idf=idf)


def from_sum(total: float, length: int) -> float:
    """A score from the sum of a paper's term weights and its number of terms (as
    ``Model.score`` computes it from the text)."""
    # Rounded to 2^-40: a sum's last bits depend on the order it is taken in, and ties must
    # not (round() to an int is four times faster than to 12 digits).
    return round(total / math.sqrt(length) * _QUANTUM) / _QUANTUM if length else 0.0


def ordered(scored: list[tuple[Paper, float]]) -> list[tuple[Paper, float]]:
    """Scored papers best first; ties by upvotes, then lowest id (``scored`` is sorted)."""
    # Three stable sorts on plain keys: twice as fast as one on a tuple for 150,000 papers.
    scored.sort(key=_id)
    scored.sort(key=_upvotes)
    scored.sort(key=_score)
    return scored


def _id(scored: tuple[Paper, float]) -> str:
    return scored[0].id


def _upvotes(scored: tuple[Paper, float]) -> int:
    return -(scored[0].upvotes or 0)


def _score(scored: tuple[Paper, float]) -> float:
    return -scored[1]


def _shown(term: str) -> str:
    if term.startswith("a:"):
        return f"author {term[2:]}"
    if term.startswith("c:"):
        return term[2:]
    return term


def train(saved: Sequence[Paper], dismissed: Sequence[Paper], background: Sequence[Paper]) -> Model:
    """Learn weights from saved papers, dismissed papers and a sample of everything else."""
    saved_ids = {p.id for p in saved}
    dismissed_ids = {p.id for p in dismissed}
    rest = [p for p in background if p.id not in saved_ids and p.id not in dismissed_ids]
    groups = [[terms(p) for p in group] for group in (saved, dismissed, rest)]
    # Counting in C (Counter over a chain) keeps training on thousands of papers fast.
    counts = [Counter(chain.from_iterable(group)) for group in groups]
    df = counts[0] + counts[1] + counts[2]
    total = sum(len(g) for g in groups) or 1
    idf = {t: math.log(1 + total / n) for t, n in df.items()}
    raw: dict[str, float] = {}
    for group, share in ((groups[0], 1.0), (groups[1], -DISMISSED_WEIGHT)):
        for found in group:  # few papers: each with its own length
            value = share / len(group) / math.sqrt(len(found) or 1)
            for term in found:
                raw[term] = raw.get(term, 0.0) + value
    if groups[2]:
        # Thousands of papers: their mean length stands for each one's.
        norm = sum(1 / math.sqrt(len(f) or 1) for f in groups[2]) / len(groups[2])
        each = -BACKGROUND_WEIGHT * norm / len(groups[2])
        for term, count in counts[2].items():
            raw[term] = raw.get(term, 0.0) + each * count
    weights = {t: w * idf[t] ** IDF_POWER for t, w in raw.items() if w}
    if len(weights) > MAX_TERMS:
        kept = sorted(weights, key=lambda t: -abs(weights[t]))[:MAX_TERMS]
        weights = {t: weights[t] for t in kept}
    anchors = []
    for paper, found in zip(saved, groups[0], strict=True):
        distinct = sorted(found, key=lambda t: (-idf[t], t))[:NEAREST_TERMS]
        anchors.append(Anchor(paper.id, paper.title, tuple(distinct)))
    anchor_idf = {t: idf[t] for a in anchors for t in a.terms}
    return Model(weights=weights, anchors=tuple(anchors), idf=anchor_idf)
