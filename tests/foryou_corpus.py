"""A small cache where the For you order is obvious: three subjects, eight papers each.

Proteins, speech and galaxies, each paper titled and written in its subject's words, listed
on HF on one Friday. Save three protein papers and the other protein papers must come first;
dismiss galaxy papers and galaxies must sink below speech. Upvotes say the opposite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papercli.models import Paper
from papercli.store.cache import Listing, Store

NOW = "2026-11-27T15:00:00+00:00"
DAY = "2026-11-27"
SUBJECTS = {
    "protein": (
        "q-bio.BM",
        ["protein", "folding", "residue", "structure", "amino", "binding", "enzyme"],
    ),
    "speech": (
        "eess.AS",
        ["speech", "acoustic", "phoneme", "speaker", "recognition", "audio", "prosody"],
    ),
    "galaxy": (
        "astro-ph.GA",
        ["galaxy", "stellar", "redshift", "halo", "cosmic", "telescope", "luminosity"],
    ),
}


def paper_id(subject: int, number: int) -> str:
    return f"2611.{subject}{number:04d}"


PROTEIN = [paper_id(1, n) for n in range(8)]
SPEECH = [paper_id(2, n) for n in range(8)]
GALAXY = [paper_id(3, n) for n in range(8)]


def corpus() -> list[Paper]:
    papers = []
    for s, (name, (category, words)) in enumerate(SUBJECTS.items(), 1):
        for n in range(8):
            # Each paper uses most of its subject's words, rotated, and a shared filler.
            chosen = [words[(n + k) % len(words)] for k in range(5)]
            papers.append(
                Paper(
                    id=paper_id(s, n),
                    title=f"{chosen[0].title()} {chosen[1]} study {n} of {name}",
                    abstract=" ".join(chosen) + " we propose a method and report results.",
                    authors=(f"Author{s}{n} Lab{s}",),
                    categories=(category,),
                    primary_category=category,
                    listed=DAY,
                    sources=("hf",),
                    upvotes=10 * s + n,  # proteins lowest, galaxies highest: upvotes alone mislead
                )
            )
    return papers


def seed_corpus(home: Path) -> None:
    Store(home).write_listing(
        Listing(
            "hf",
            date.fromisoformat(DAY),
            tuple(corpus()),
            datetime(2026, 11, 28, tzinfo=UTC),
            complete=True,
        )
    )


def seed_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``home`` holding the corpus, with the clock on the day it was listed."""
    seed_corpus(home)
    monkeypatch.setenv("PAPERS_NOW", NOW)
    return home
