"""One seeded cache for the CLI option tests: HF days and two followed arXiv categories.

Every announce type, a paper on two HF days (its numbers merge), a paper in two followed
categories at two versions, an older day just outside the default span. Written with
papercli's own store as final days, so commands read it offline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from papercli.models import Paper
from papercli.store.cache import Listing, Store

NOW = "2026-11-27T15:00:00+00:00"  # a Friday; the default span is 2026-11-21..2026-11-27
FETCHED = datetime(2026, 11, 28, 12, tzinfo=UTC)

H1, H2, H3, H4, H5 = (f"2611.0000{n}" for n in range(1, 6))
A1, A2, A3, A4, A5 = (f"2611.1000{n}" for n in range(1, 6))
L1 = "2611.20001"
SHOWN = {H1, H2, H3, H5, A1, A2, A5, L1}  # the default: 7 days, new and cross-listed only

CONFIG = """
[sources]
arxiv_categories = ["cs.CL", "cs.LG"]

[topics.agents]
keywords = ["agent*", "tool use"]
exclude = ["survey"]

[topics.people]
authors = ["Alan Turing"]

[topics.vision]
keywords = ["transformer"]
categories = ["cs.CV"]
"""


def hf(pid: str, day: str, title: str, **fields) -> Paper:
    return Paper(id=pid, title=title, listed=day, sources=("hf",), **fields)


def arxiv(pid: str, day: str, title: str, kind: str, cats: tuple[str, ...], **fields) -> Paper:
    return Paper(
        id=pid, title=title, listed=day, sources=("arxiv",), announce_type=kind,
        categories=cats, primary_category=cats[0], **fields,
    )  # fmt: skip


HF_DAYS = {
    "2026-11-27": [
        hf(H1, "2026-11-27", "Diffusion Language Models for Code", version=2,
           authors=("José Núñez", "Ada Lovelace"), abstract="We train diffusion models on code.",
           upvotes=50, comments=3, github="https://github.com/ex/dlm", github_stars=120,
           categories=("cs.CL", "cs.LG"), primary_category="cs.CL", keywords=("diffusion",),
           published="2026-11-25", ai_summary="Diffusion for code.",
           project_page="https://example.org/dlm"),
        hf(H2, "2026-11-27", "A Survey of Autonomous Agents", version=1,
           authors=("Grace Hopper",), abstract="We survey agentic systems and tool use.",
           upvotes=5, comments=0, categories=("cs.AI",), primary_category="cs.AI",
           published="2026-11-20"),
    ],
    "2026-11-26": [
        hf(H5, "2026-11-26", "Momentum in Optimizers", version=1, authors=("Ann Adam",),
           upvotes=12, comments=4, categories=("cs.LG",), primary_category="cs.LG",
           published="2026-11-24"),
    ],
    "2026-11-25": [
        hf(H5, "2026-11-25", "Momentum in Optimizers", version=1, authors=("Ann Adam",),
           upvotes=8, comments=1, categories=("cs.LG",), primary_category="cs.LG",
           published="2026-11-24"),
    ],
    "2026-11-24": [
        hf(H3, "2026-11-24", "Zebra: World Models for Robots", version=3,
           authors=("Alan Turing",), abstract="A world model for robots.", upvotes=20,
           comments=7, github="https://github.com/ex/zebra", github_stars=0,
           categories=("cs.RO",), primary_category="cs.RO", doi="10.1000/zebra",
           published="2026-11-01"),
    ],
    "2026-11-20": [
        hf(H4, "2026-11-20", "Older Paper on Language Modeling", version=1, upvotes=99,
           authors=("Old Timer",), categories=("cs.CL",), primary_category="cs.CL",
           published="2026-11-19"),
    ],
}  # fmt: skip
ARXIV_DAYS = {
    ("cs.CL", "2026-11-27"): [
        arxiv(A1, "2026-11-27", "Large Language Modeling at Scale", "new", ("cs.CL",),
              version=1, authors=("Yoshua Bengio",), abstract="Scaling up.",
              published="2026-11-26"),
        arxiv(A2, "2026-11-27", "Vision Transformers Revisited", "cross",
              ("cs.CV", "cs.CL", "cs.LG"), version=1, authors=("Fei-Fei Li",),
              published="2026-11-26"),
        arxiv(A3, "2026-11-27", "Replaced Paper About Parsing", "replace", ("cs.CL",),
              version=3, published="2026-10-01"),
        arxiv(A4, "2026-11-27", "Replaced Cross Paper on Graphs", "replace-cross",
              ("cs.LG", "cs.CL"), version=2, published="2026-10-02"),
    ],
    ("cs.CL", "2026-11-26"): [
        arxiv(A5, "2026-11-26", "Tokenizers for Language Modelling", "new", ("cs.CL",),
              version=1, published="2026-11-25"),
    ],
    ("cs.LG", "2026-11-27"): [
        arxiv(L1, "2026-11-27", "Reinforcement Learning with Sparse Rewards", "new",
              ("cs.LG",), version=1, abstract="An agent learns from sparse rewards.",
              published="2026-11-26"),
        # The same paper in a second followed category, at a later version.
        arxiv(A2, "2026-11-27", "Vision Transformers Revisited", "cross",
              ("cs.CV", "cs.CL", "cs.LG"), version=2, authors=("Fei-Fei Li",),
              published="2026-11-26"),
    ],
}  # fmt: skip


def seed(home: Path) -> None:
    store = Store(home)
    for day, papers in HF_DAYS.items():
        store.write_listing(
            Listing("hf", date.fromisoformat(day), tuple(papers), FETCHED, complete=True)
        )
    for (category, day), papers in ARXIV_DAYS.items():
        store.write_listing(
            Listing("arxiv", date.fromisoformat(day), tuple(papers), FETCHED, category, True)
        )
