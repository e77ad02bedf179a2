"""Reading a reference manager's export (BibTeX, RIS, CSL-JSON from Zotero or Mendeley) for
the arXiv papers in it: ``papers save --from FILE``.

An entry is an arXiv paper when it names one by its eprint (``eprint`` with
``archivePrefix = {arXiv}``, RIS ``AN``/CSL ``number`` of ``arXiv:...``), its arXiv URL or its
arXiv DOI (10.48550/arXiv.X). Each becomes a Paper with the title, authors, abstract and
keywords the file gives, so saving needs no network. Pure parsing; no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from papercli.errors import UsageError
from papercli.models import Paper, clean_text, parse_id
from papercli.sources.tex import decode

_ARXIV_ID = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.|arxiv:\s*)"
    r"([a-z\-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})",
    re.IGNORECASE,
)
_BARE = re.compile(r"^\s*(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\s*$")
_BIB_ENTRY = re.compile(r"@\s*(\w+)\s*\{", re.ASCII)
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


@dataclass
class Imported:
    """What a file held: its arXiv papers (in file order) and how many other entries."""

    format: str
    papers: list[Paper] = field(default_factory=list)
    skipped: int = 0


def _paper(ids: list[str], title: str, authors: list[str], abstract: str, keywords: list[str]):
    for candidate in ids:
        try:
            paper_id = parse_id(candidate)[0]
        except UsageError:
            continue
        return Paper(
            id=paper_id,
            title=clean_text(title),
            authors=tuple(a for a in map(clean_text, authors) if a),
            abstract=clean_text(abstract),
            keywords=tuple(k for k in map(clean_text, keywords) if k),
        )
    return None


def _arxiv_ids(*texts: str, eprint_ok: bool = False) -> list[str]:
    found = []
    for text in texts:
        found += _ARXIV_ID.findall(text or "")
        if eprint_ok and text and _BARE.match(text):
            found.append(text.strip())
    return found


def read_library(text: str, name: str) -> Imported:
    """The arXiv papers of a BibTeX, RIS or CSL-JSON export; UsageError for anything else."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")):
        return _csl(stripped, name)
    if any(_RIS_LINE.match(line) for line in stripped.splitlines()[:5]) and re.search(
        r"^TY  -", stripped, re.MULTILINE
    ):
        return _ris(stripped)
    if _BIB_ENTRY.search(stripped):
        return _bibtex(stripped)
    raise UsageError(f"{name} is not BibTeX, RIS or CSL-JSON", hint="export your library again")


# -- CSL-JSON ---------------------------------------------------------------------------------


def _csl(text: str, name: str) -> Imported:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # deep nesting exhausts the stack: not an export
        data = None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) and ("title" in i or "type" in i) for i in items):
        raise UsageError(f"{name} is not BibTeX, RIS or CSL-JSON", hint="export your library again")
    result = Imported("CSL-JSON")
    for item in items:
        if not isinstance(item, dict):
            result.skipped += 1
            continue
        ids = _arxiv_ids(*(_str(item.get(k)) for k in ("URL", "DOI", "number", "note", "id")))
        authors = [
            " ".join(_str(a.get(k)) for k in ("given", "family") if a.get(k))
            or _str(a.get("literal"))
            for a in item.get("author") or []
            if isinstance(a, dict)
        ]
        keywords = [k.strip() for k in _str(item.get("keyword")).split(",") if k.strip()]
        paper = _paper(ids, _str(item.get("title")), authors, _str(item.get("abstract")), keywords)
        if paper is None:
            result.skipped += 1
        else:
            result.papers.append(paper)
    return result


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


# -- RIS --------------------------------------------------------------------------------------


def _ris(text: str) -> Imported:
    result = Imported("RIS")
    record: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = _RIS_LINE.match(line.rstrip())
        if not match:
            continue
        tag, value = match.groups()
        if tag == "ER":
            _ris_record(record, result)
            record = {}
        else:
            record.setdefault(tag, []).append(value.strip())
    if record:
        _ris_record(record, result)
    return result


def _ris_record(record: dict[str, list[str]], result: Imported) -> None:
    def first(*tags: str) -> str:
        return next((v for t in tags for v in record.get(t, []) if v), "")

    links = [v for t in ("UR", "DO", "AN", "L1", "L2", "N1", "M3") for v in record.get(t, [])]
    authors = [_given_first(v) for v in record.get("AU", []) + record.get("A1", [])]
    paper = _paper(
        _arxiv_ids(*links), first("TI", "T1"), authors, first("AB", "N2"), record.get("KW", [])
    )
    if paper is None:
        result.skipped += 1
    else:
        result.papers.append(paper)


# -- BibTeX -----------------------------------------------------------------------------------


def _bibtex(text: str) -> Imported:
    result = Imported("BibTeX")
    for match in _BIB_ENTRY.finditer(text):
        kind = match.group(1).lower()
        if kind in ("comment", "preamble", "string"):
            continue
        fields = _bib_fields(text, match.end())
        is_arxiv = (
            "arxiv" in fields.get("archiveprefix", "").lower()
            or "arxiv" in fields.get("eprinttype", "").lower()
        )
        ids = _arxiv_ids(
            fields.get("url", ""), fields.get("doi", ""), fields.get("journal", ""),
            fields.get("note", ""), fields.get("howpublished", ""), fields.get("number", ""),
        )  # fmt: skip
        eprint = fields.get("eprint", "")
        if eprint and is_arxiv:
            ids = _arxiv_ids(eprint, eprint_ok=True) or ids
        ids = ids or _arxiv_ids(eprint)
        authors = [_given_first(a) for a in re.split(r"\s+and\s+", fields.get("author", "")) if a]
        keywords = [k.strip() for k in re.split(r"[,;]", fields.get("keywords", "")) if k.strip()]
        paper = _paper(ids, fields.get("title", ""), authors, fields.get("abstract", ""), keywords)
        if paper is None:
            result.skipped += 1
        else:
            result.papers.append(paper)
    return result


def _bib_fields(text: str, start: int) -> dict[str, str]:
    """``name = {value}`` / ``"value"`` / bare pairs of one entry, up to its closing brace."""
    fields: dict[str, str] = {}
    i = text.find(",", start)
    depth_end = _entry_end(text, start)
    if i < 0 or i > depth_end:
        return fields
    i += 1
    pair = re.compile(r"\s*([\w\-:.]+)\s*=\s*", re.ASCII)
    while i < depth_end:
        match = pair.match(text, i)
        if not match:
            break
        i = match.end()
        value, i = _bib_value(text, i, depth_end)
        fields[match.group(1).lower()] = _unbrace(value)
        while i < depth_end and text[i] in " \t\r\n,":
            i += 1
    return fields


def _entry_end(text: str, start: int) -> int:
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _bib_value(text: str, i: int, end: int) -> tuple[str, int]:
    if i < end and text[i] == "{":
        depth, j = 0, i
        while j < end:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        return text[i + 1 : j - 1], j
    if i < end and text[i] == '"':
        j = text.find('"', i + 1)
        j = end if j < 0 else j
        return text[i + 1 : j], j + 1
    j = i
    while j < end and text[j] not in ",\n":
        j += 1
    return text[i:j].strip(), j


def _unbrace(value: str) -> str:
    value = decode(value)
    value = re.sub(r"\\url\{([^}]*)\}", r"\1", value)
    value = re.sub(r"\\[&%_$#]", lambda m: m.group(0)[1], value)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _given_first(name: str) -> str:
    """``Last, Given`` (BibTeX and RIS) as ``Given Last``; other names as they are."""
    last, comma, given = name.partition(",")
    return f"{given.strip()} {last.strip()}".strip() if comma else name.strip()
