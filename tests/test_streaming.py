"""Machine formats are written as the papers come: a writer consumes an iterator and has
written the first record before it asks for the second (so memory does not grow with the
number of matches). Structural, not timed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from papercli.formats.writers import write
from papercli.models import Paper

PAPERS = [Paper(id=f"2611.0000{n}", title=f"Paper {n}", listed="2026-11-27") for n in (1, 2, 3)]


@pytest.mark.parametrize("fmt", ["plain", "ids", "csv", "tsv", "json", "jsonl"])
def test_each_record_is_written_before_the_next_is_asked_for(fmt: str) -> None:
    out = io.StringIO()
    seen: list[str] = []

    def papers() -> Iterator[Paper]:
        for paper in PAPERS:
            seen.append(out.getvalue())
            yield paper

    write(fmt, papers(), out)
    # Before the 2nd and 3rd papers were produced, the 1st (and 2nd) were already out.
    assert PAPERS[0].id in seen[1]
    assert PAPERS[1].id in seen[2] and PAPERS[2].id not in seen[2]
    assert all(p.id in out.getvalue() for p in PAPERS)


def test_a_streamed_json_array_is_still_one_valid_document() -> None:
    for count in (0, 1, 3):
        out = io.StringIO()
        write("json", iter(PAPERS[:count]), out)
        assert [r["id"] for r in json.loads(out.getvalue())] == [p.id for p in PAPERS[:count]]
    empty = io.StringIO()
    write("json", iter(()), empty)
    assert empty.getvalue() == "[]\n"
