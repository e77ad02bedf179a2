"""Line-oriented machine formats for pipes: plain TSV, ids, and TSV/CSV with a header.

Fixed columns, documented in the README, never colour. A cache file may have been edited by
hand, so every cell is sanitized again (no tabs, newlines or escapes inside a cell) and a CSV
or TSV cell that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from papercli.formats.records import Extra, Fields, record
from papercli.models import Paper, abs_url, sanitize_line


def _cell(value: object) -> str:
    # Tabs and newlines would break the columns; the parsers already collapse them, but a
    # cache file may have been edited by hand.
    return "" if value is None else sanitize_line(str(value))


def extra_keys(extra: Extra) -> list[str]:
    """The keys a command adds to every record (``score``, ``tags``...), in their order."""
    keys: dict[str, None] = {}
    for added in (extra or {}).values():
        keys.update(dict.fromkeys(added))
    return list(keys)


def write_plain(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """Tab-separated id, listed, upvotes, title, url; one paper per line, no header.

    Always these five columns, whatever the command (scripts read them with ``read`` and
    ``cut``); extra keys go to csv, tsv, json and --fields.
    """
    for paper in papers:
        row = (paper.id, paper.listed, paper.upvotes, paper.title, abs_url(paper.id))
        out.write("\t".join(_cell(value) for value in row) + "\n")


def write_ids(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """One arXiv id per line."""
    for paper in papers:
        out.write(paper.id + "\n")


CSV_COLUMNS = (
    "id", "version", "title", "authors", "published", "listed", "primary_category",
    "categories", "announce_type", "upvotes", "comments", "github", "github_stars",
    "project_page", "doi", "url", "pdf_url", "sources", "ai_summary",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(paper: Paper, extra: Extra, fields: Fields) -> list[str]:
    data = record(paper, extra, fields or CSV_COLUMNS)
    cells = []
    for value in data.values():
        text = "; ".join(map(str, value)) if isinstance(value, list) else _cell(value)
        cells.append(_cell(text))
    return cells


def neutralise(cell: str) -> str:
    """A spreadsheet must not run a cell as a formula: prefix ' to = + - @ (CWE-1236)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(
    papers: Iterable[Paper], out: TextIO, extra: Extra = None, fields: Fields = None
) -> None:
    """RFC 4180 CSV with a header row: the CSV columns and the extra keys, or ``fields``;
    formulas neutralised."""
    import csv

    columns = fields or (*CSV_COLUMNS, *extra_keys(extra))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for paper in papers:
        writer.writerow([neutralise(c) for c in _row(paper, extra, columns)])


def write_tsv(
    papers: Iterable[Paper], out: TextIO, extra: Extra = None, fields: Fields = None
) -> None:
    """The CSV columns and extra keys (or ``fields``), tab-separated, with a header row."""
    columns = fields or (*CSV_COLUMNS, *extra_keys(extra))
    out.write("\t".join(columns) + "\n")
    for paper in papers:
        out.write("\t".join(neutralise(c) for c in _row(paper, extra, columns)) + "\n")
