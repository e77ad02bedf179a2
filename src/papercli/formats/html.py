"""A listing as one self-contained HTML page that reads well on a phone and a desktop.

The digest's typography, in one ``<style>`` block (no external CSS, fonts or scripts): a
heading with the span and the counts, then a table that becomes one block per paper below
600 px. Every string is escaped; links are arXiv and Hugging Face URLs built from validated
ids, or http(s) links only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from papercli.formats.escape import h, safe_url
from papercli.formats.records import Extra
from papercli.formats.summary import count_noun
from papercli.models import Paper, abs_url, pdf_url

SOURCE_NAMES = {"hf": "Hugging Face", "arxiv": "arXiv"}

# The digest's palette and type (digest/render.py), as a style sheet for a page.
STYLE = """
body{margin:0;padding:16px;background:#f6f7f9;color:#1f2328;
font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
main{max-width:1100px;margin:0 auto;background:#fff;padding:20px 24px;
border:1px solid #d0d7de;border-radius:6px;box-sizing:border-box}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#57606a;font-size:13px;margin:0 0 14px}
table{width:100%;border-collapse:collapse}
th{text-align:left;font-size:12px;color:#57606a;border-bottom:1px solid #d0d7de;padding:6px}
td{vertical-align:top;padding:8px 6px;border-bottom:1px solid #eaeef2}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.d{white-space:nowrap;color:#57606a;font-size:13px}
a{color:#0969da}
a.t{font-weight:600;text-decoration:none;font-size:15px}
.small{color:#57606a;font-size:12px;margin:2px 0 0}
.t,.small{overflow-wrap:anywhere}
.links{white-space:nowrap}.links a{font-size:12px;margin-right:8px}
@media (max-width:600px){
body{padding:8px}main{padding:14px 12px}
thead{display:none}table,tbody,tr,td{display:block;width:auto}
tr{border-bottom:1px solid #d0d7de;padding:8px 0}td{border:0;padding:2px 0}
td.n,td.d{display:inline-block;margin-right:12px;text-align:left}
td.n:not(:empty)::before{content:"\\25B2 "}.links{white-space:normal}
}
"""


def hf_page(paper: Paper) -> str | None:
    """The paper's Hugging Face page, when Hugging Face listed it."""
    return f"https://huggingface.co/papers/{paper.id}" if "hf" in paper.sources else None


def heading(papers: list[Paper]) -> tuple[str, str]:
    """(title, summary): the span of listing days, and the counts per source."""
    days = sorted(p.listed for p in papers if p.listed)
    if not days:
        span = "Papers"
    elif days[0] == days[-1]:
        span = f"Papers listed {days[0]}"
    else:
        span = f"Papers listed {days[0]} to {days[-1]}"
    sources = Counter(source for p in papers for source in p.sources)
    order = [*SOURCE_NAMES, *sorted(set(sources) - set(SOURCE_NAMES))]
    counts = [f"{SOURCE_NAMES.get(s, s)} {sources[s]}" for s in order if sources[s]]
    summary = count_noun(len(papers), "paper") + (f" ({', '.join(counts)})" if counts else "")
    return span, summary


def _row(paper: Paper) -> str:
    url = h(abs_url(paper.id))
    links = [f'<a href="{url}">abs</a>', f'<a href="{h(pdf_url(paper.id))}">pdf</a>']
    for label, target in (
        ("code", safe_url(paper.github)),
        ("project", safe_url(paper.project_page)),
        ("HF", hf_page(paper)),
    ):
        if target:
            links.append(f'<a href="{h(target)}">{label}</a>')
    facts = [paper.primary_category or ""]
    if paper.comments:
        facts.append(count_noun(paper.comments, "comment"))
    return (
        f'<tr><td class="n">{"" if paper.upvotes is None else paper.upvotes}</td>'
        f'<td><a class="t" href="{url}">{h(paper.title)}</a>'
        f'<p class="small">{h(", ".join(paper.authors))}</p>'
        f'<p class="small">{h(" · ".join(f for f in facts if f))}</p></td>'
        f'<td class="d">{h(paper.listed)}</td>'
        f'<td class="links">{" ".join(links)}</td></tr>'
    )


def write_html(papers: Iterable[Paper], out: TextIO, _extra: Extra = None) -> None:
    """A self-contained HTML page: a heading with span and counts, one row per paper."""
    papers = list(papers)
    title, summary = heading(papers)
    rows = "\n".join(_row(p) for p in papers)
    out.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)}</title>\n<style>{STYLE}</style></head>\n"
        f"<body><main>\n<h1>{h(title)}</h1>\n"
        f'<p class="meta">{h(summary)}</p>\n'
        '<table>\n<thead><tr><th class="n">▲</th><th>Paper</th><th>Listed</th>'
        "<th>Links</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table>\n</main></body></html>\n"
    )
