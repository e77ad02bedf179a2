"""Machine formats for pipes: fixed columns and keys, documented in the README, never colour.

Every upstream string is untrusted: control characters and terminal escapes are stripped again
here (a cache file may have been edited by hand), and each format escapes what it must.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from papercli.formats.escape import h, md, safe_url
from papercli.models import Paper, abs_url, sanitize, sanitize_line


def _cell(value: object) -> str:
    # Tabs and newlines would break the columns; the parsers already collapse them, but a
    # cache file may have been edited by hand.
    return "" if value is None else sanitize_line(str(value))


Extra = Mapping[str, Mapping[str, object]] | None  # per-id keys added to JSON records


def write_plain(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """Tab-separated id, listed, upvotes, title, url; one paper per line, no header."""
    for paper in papers:
        row = (paper.id, paper.listed, paper.upvotes, paper.title, paper.url or abs_url(paper.id))
        out.write("\t".join(_cell(value) for value in row) + "\n")


def safe_dict(paper: Paper) -> dict[str, object]:
    data = paper.to_dict()
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = sanitize(value)
        elif isinstance(value, list):
            data[key] = [sanitize(v) if isinstance(v, str) else v for v in value]
    return data


def _record(paper: Paper, extra: Extra) -> dict[str, object]:
    data = safe_dict(paper)
    if extra and paper.id in extra:
        data.update(extra[paper.id])
    return data


def write_json(papers: Iterable[Paper], out: TextIO, extra: Extra = None) -> None:
    """A JSON array of Paper objects, one per line (``[]`` when nothing matched).

    One compact record per line keeps the C encoder (``indent`` forces the pure-Python one,
    ten times slower) and stays readable and diff-able; ``jq .`` pretty-prints.
    """
    records = [json.dumps(_record(p, extra), ensure_ascii=False) for p in papers]
    out.write("[\n" + ",\n".join(records) + "\n]\n" if records else "[]\n")


def write_jsonl(papers: Iterable[Paper], out: TextIO, extra: Extra = None) -> None:
    """One Paper object per line."""
    for paper in papers:
        out.write(json.dumps(_record(paper, extra), ensure_ascii=False))
        out.write("\n")


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


def _row(paper: Paper) -> list[str]:
    data = paper.to_dict()
    cells = []
    for column in CSV_COLUMNS:
        value = data[column]
        text = "; ".join(value) if isinstance(value, list) else _cell(value)
        cells.append(_cell(text))
    return cells


def neutralise(cell: str) -> str:
    """A spreadsheet must not run a cell as a formula: prefix ' to = + - @ (CWE-1236)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """RFC 4180 CSV with a header row; formula-looking cells neutralised."""
    import csv

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        writer.writerow([neutralise(c) for c in _row(paper)])


def write_tsv(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """The CSV columns, tab-separated, with a header row (no quoting needed: no tabs inside)."""
    out.write("\t".join(CSV_COLUMNS) + "\n")
    for paper in papers:
        out.write("\t".join(neutralise(c) for c in _row(paper)) + "\n")


def _md(text: str) -> str:
    return md(text).replace("|", "\\|")


def write_markdown(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A Markdown table: upvotes, linked title, authors, listed date."""
    out.write("| ▲ | Paper | Authors | Listed |\n|---:|---|---|---|\n")
    for paper in papers:
        authors = ", ".join(paper.authors[:3]) + (" et al." if len(paper.authors) > 3 else "")
        upvotes = "" if paper.upvotes is None else str(paper.upvotes)
        title = f"[{_md(paper.title)}]({paper.url})"
        out.write(f"| {upvotes} | {title} | {_md(authors)} | {paper.listed or ''} |\n")


def write_bibtex(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """BibTeX ``@misc`` entries with unique keys."""
    from papercli.formats.bibtex import entries

    out.write(entries(papers))


def write_html(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A self-contained HTML page with one table row per paper, every string escaped."""
    rows = []
    for paper in papers:
        code = safe_url(paper.github)
        links = f'<a href="{h(paper.url)}">abs</a> <a href="{h(paper.pdf_url)}">pdf</a>'
        if code:
            links += f' <a href="{h(code)}">code</a>'
        rows.append(
            f"<tr><td>{'' if paper.upvotes is None else paper.upvotes}</td>"
            f'<td><a href="{h(paper.url)}">{h(paper.title)}</a><br>'
            f"<small>{h(', '.join(paper.authors))}</small></td>"
            f"<td>{h(paper.listed)}</td><td>{links}</td></tr>"
        )
    out.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>papers</title>'
        "</head><body>\n<table>\n<thead><tr><th>▲</th><th>Paper</th><th>Listed</th>"
        "<th>Links</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        "</body></html>\n"
    )


def write_atom(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """An Atom feed of the papers (summary: HF's AI summary or the abstract's opening)."""
    from datetime import UTC, datetime

    from papercli.formats.atom import atom_feed
    from papercli.formats.summary import summarize

    out.write(
        atom_feed(
            [(p, summarize(p)) for p in papers],
            feed_id="urn:papercli:listing",
            title="papercli listing",
            updated=datetime.now(UTC),
        )
    )


WRITERS: dict[str, Callable[[Iterable[Paper], TextIO, Extra], None]] = {
    "plain": write_plain,
    "json": write_json,
    "jsonl": write_jsonl,
    "ids": write_ids,
    "csv": write_csv,
    "tsv": write_tsv,
    "markdown": write_markdown,
    "bibtex": write_bibtex,
    "html": write_html,
    "atom": write_atom,
}
