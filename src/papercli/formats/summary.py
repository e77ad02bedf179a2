"""A paper in a few sentences: HF's AI summary, else the opening of the abstract.

Shared by the terminal cards, the Atom feeds and the digests, so a paper reads the same
wherever it is shown.
"""

from __future__ import annotations

import re

from papercli.models import Paper

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def summarize(paper: Paper, limit: int = 320) -> str:
    """HF's AI summary, else the abstract's first sentences, cut at a word boundary."""
    if paper.ai_summary:
        return _cut(paper.ai_summary, limit)
    # Only the opening matters; splitting a whole abstract into sentences is wasted work.
    text = paper.abstract.strip()[: limit * 2]
    if not text:
        return ""
    summary = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > limit:
            break
        summary = candidate
        if len(summary) >= limit * 0.6:
            break
    return _cut(summary, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
