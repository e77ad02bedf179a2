"""Generate a papercli cache of N synthetic papers: a year of listings, as fetching writes them.

The text is drawn from a fixed vocabulary with realistic lengths (titles ~10 words, abstracts
~180), and about 3% of papers mention diffusion, so queries have work to do.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from papercli.models import Paper, Topic
from papercli.schedule import is_weekend
from papercli.store.cache import Listing, Store

NOW = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 1, 1)
WORDS = [
    "model",
    "learning",
    "neural",
    "network",
    "data",
    "training",
    "language",
    "large",
    "agent",
    "reasoning",
    "vision",
    "graph",
    "policy",
    "reward",
    "robot",
    "benchmark",
    "evaluation",
    "method",
    "approach",
    "performance",
    "task",
    "representation",
    "attention",
    "optimization",
    "inference",
    "generation",
    "retrieval",
    "dataset",
    "tokens",
    "fine-tuning",
    "alignment",
    "safety",
    "efficient",
    "scalable",
    "sparse",
    "latent",
    "embedding",
    "multimodal",
    "video",
    "image",
    "speech",
    "code",
    "planning",
    "memory",
    "tool",
    "contrastive",
    "self-supervised",
    "federated",
    "privacy",
    "robust",
    "adversarial",
    "causal",
    "physics",
    "molecule",
    "protein",
    "kernel",
    "bayesian",
    "stochastic",
]
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI")


def _text(rng: random.Random, n: int, topic: str | None) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if topic:
        words[rng.randrange(n)] = topic
    return " ".join(words)


def _paper(rng: random.Random, number: int, day: date, category: str, hf: bool) -> Paper:
    topic = None
    roll = rng.random()
    if roll < 0.03:
        topic = "diffusion"
    elif roll < 0.05:
        topic = "diffusion transformer"
    yymm = f"{day.year % 100:02d}{day.month:02d}"
    return Paper(
        id=f"{yymm}.{number:05d}",
        version=1,
        title=_text(rng, 10, topic).capitalize(),
        authors=tuple(f"Author{rng.randrange(5000)} Name{rng.randrange(5000)}" for _ in range(4)),
        abstract=_text(rng, 180, topic).capitalize() + ".",
        published=(day - timedelta(days=1)).isoformat(),
        listed=day.isoformat(),
        categories=(category, rng.choice(CATEGORIES)),
        primary_category=category,
        announce_type="new",
        upvotes=rng.randrange(60) if hf else None,
        keywords=tuple(rng.choice(WORDS) for _ in range(5)) if hf else (),
        sources=("hf",) if hf else ("arxiv",),
    )


def generate(root: Path, total: int, *, seed: int = 7) -> Path:
    """Write ``total`` papers of listings into the data dir ``root``; returns root."""
    rng = random.Random(seed)
    store = Store(root)
    days = [FIRST_DAY + timedelta(days=n) for n in range((NOW.date() - FIRST_DAY).days + 1)]
    weekdays = [d for d in days if not is_weekend(d)]
    per_day = max(1, total // len(weekdays))
    hf_share = min(25, per_day)
    counters: dict[str, int] = {}
    for day in days:
        papers_hf: list[Paper] = []
        by_category: dict[str, list[Paper]] = {c: [] for c in CATEGORIES[:2]}
        if not is_weekend(day):
            yymm = f"{day.year % 100:02d}{day.month:02d}"
            for n in range(per_day):
                counters[yymm] = counters.get(yymm, 0) + 1
                number = counters[yymm]
                if n < hf_share:
                    papers_hf.append(_paper(rng, number, day, "cs.LG", hf=True))
                else:
                    category = CATEGORIES[0] if n % 5 else CATEGORIES[1]
                    by_category[category].append(_paper(rng, number, day, category, hf=False))
        store.write_listing(
            Listing("hf", day, tuple(papers_hf), fetched_at=NOW, complete=day < NOW.date())
        )
        if is_weekend(day):
            continue
        for category, papers in by_category.items():
            store.write_listing(
                Listing("arxiv", day, tuple(papers), NOW, category=category, complete=True)
            )
    return root


def time_digest(count: int = 5000) -> float:
    """Seconds to build and render a digest of ``count`` papers as HTML."""
    import time

    from papercli.digest.build import build
    from papercli.digest.render import render_html

    rng = random.Random(1)
    papers = [_paper(rng, n, NOW.date(), "cs.LG", hf=True) for n in range(1, count + 1)]
    started = time.perf_counter()
    digest = build(
        papers,
        name="default",
        topics=[Topic("diffusion", keywords=("diffusion",)), Topic("agents", keywords=("agent",))],
        since=NOW.date() - timedelta(days=1),
        until=NOW.date(),
        generated=NOW,
    )
    render_html(digest)
    return time.perf_counter() - started
