"""Terminal tables, cards and the wait spinner's text, rendered at real widths."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from papercli.cli.feedback import Feedback
from papercli.formats.summary import authors_in, count_noun
from papercli.formats.table import Column, limit_footer, render_table
from papercli.formats.terminal import Terminal, render_detail, render_summary, write_detail_text
from papercli.models import Paper
from papercli.sources.http import HttpClient, Wait

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\")
SATURDAY = "2026-06-13T15:00:00+00:00"

HF = Paper(
    id="2606.06113",
    title="Where, What, Why, and Importance: Structured Defect Grounding for Text-to-Image",
    authors=("Huaisong Zhang", "Hao Yu", "Yuxuan Zhang"),
    listed="2026-06-12",
    upvotes=13,
    comments=1,
    github="https://github.com/nianbai006/SDG",
    github_stars=1500,
    sources=("hf",),
)
ARXIV = Paper(
    id="2608.19199",
    title="A Virtual Member of a Community of Practice",
    authors=("John Boden",),
    categories=("cs.CL", "cs.AI"),
    primary_category="cs.CL",
    listed="2026-08-21",
    sources=("arxiv",),
)


def table(papers: list[Paper], width: int, **kwargs) -> list[str]:
    out = io.StringIO()
    render_table(papers, out, Terminal(styled=True, width=width, links=False), **kwargs)
    lines = ANSI.sub("", out.getvalue()).splitlines()
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    return lines


def header(lines: list[str]) -> list[str]:
    return lines[0].split()


@pytest.mark.parametrize("width", [80, 120])
def test_the_table_has_what_a_reader_scans_for(width: int) -> None:
    lines = table([HF, ARXIV], width)
    assert header(lines) == ["▲", "Cmts", "ID", "Title", "Authors", "Cat", "Listed"]
    first = lines[2]
    assert first.split()[:3] == ["13", "1", "2606.06113"]
    text = "\n".join(lines)
    assert "· code" in text  # the code marker
    assert ("★1.5k" in text) == (width >= 100)  # stars only where there is room
    # The category, and the source only where there is no category.
    assert " hf " in first + " " and "cs.CL" in text


def test_authors_are_first_author_et_al_at_80_columns() -> None:
    narrow = "\n".join(table([HF], 80, listed=True))
    assert "H. Zhang et al." in narrow or "Huaisong Zhang et al." in narrow
    assert "Huaisong Z…" not in narrow
    wide = "\n".join(table([HF], 120, listed=True))
    assert "Huaisong Zhang, Hao Yu et al." in wide or "Huaisong Zhang et al." in wide


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (40, "Huaisong Zhang, Hao Yu et al."),
        (22, "Huaisong Zhang et al."),
        (18, "H. Zhang et al."),
        (12, "H. Z… et al."),
    ],
)
def test_authors_in_keeps_et_al_and_the_family_name(width: int, expected: str) -> None:
    assert authors_in(HF, width) == expected
    assert len(expected) <= width


def test_two_authors_and_one() -> None:
    pair = HF.with_changes(authors=("Ada Lovelace", "Alan Turing"))
    assert authors_in(pair, 30) == "Ada Lovelace, Alan Turing"
    assert authors_in(pair, 19) == "Ada Lovelace et al."
    assert authors_in(pair, 18) == "A. Lovelace et al."
    assert authors_in(ARXIV, 18) == "John Boden"


def test_the_listing_date_shows_when_days_mix_or_always_in_list() -> None:
    same_day = [HF, ARXIV.with_changes(listed="2026-06-12")]
    assert "Listed" not in header(table(same_day, 120))
    assert "Listed" in header(table(same_day, 120, listed=True))
    assert "2026-06-12" in "\n".join(table(same_day, 120, listed=True))
    assert "06-12" in "\n".join(table(same_day, 80, listed=True))  # one year: short at 80
    other_year = [HF, ARXIV.with_changes(listed="2025-12-30")]
    assert "2025-12-30" in "\n".join(table(other_year, 80))
    assert "Listed" not in header(table([HF, ARXIV], 120, listed=False))


def test_no_comments_column_without_comments() -> None:
    assert "Cmts" not in header(table([ARXIV], 120))


def test_the_least_important_columns_give_way_and_the_title_keeps_its_room() -> None:
    why = {HF.id: ["diffusion transformer"], ARXIV.id: ["agent"]}
    lines = table([HF, ARXIV], 80, why=why, scores={HF.id: 1.5, ARXIV.id: 0.5})
    shown = header(lines)
    assert shown[:2] == ["Score", "▲"] and shown[-1] == "Why"
    assert "Cmts" not in shown and "Listed" not in shown  # the first to go
    assert "Listed" in header(table([HF, ARXIV], 120, why=why, scores={HF.id: 1.5}))
    title_start = lines[0].index("Title")
    assert lines[2][title_start:].startswith("Where, What")
    assert len(lines[0]) - title_start >= 24


def test_added_columns_and_the_footer() -> None:
    columns = [
        Column("Tags", {HF.id: "to-read, later"}),
        Column("Saved", {HF.id: "2026-06-12"}, narrow={HF.id: "06-12"}),
    ]
    lines = table([HF], 80, columns=columns, footer=limit_footer(1, 124))
    assert header(lines)[-2:] == ["Tags", "Saved"]
    assert "to-read, later" in lines[2] and lines[2].endswith("06-12")
    assert lines[-1] == "1 of 124 papers (--limit 1)"
    assert limit_footer(8, 8) is None and limit_footer(8, None) is None


def test_untrusted_text_stays_text_in_the_table() -> None:
    hostile = HF.with_changes(
        title="[bold]x[/bold] \x1b]8;;http://evil\x07click\x1b]8;;\x07", authors=("[red]A",)
    )
    out = io.StringIO()
    render_table([hostile], out, Terminal(styled=True, width=100))
    text = out.getvalue()
    assert "[bold]x[/bold]" in text and "[red]A" in text  # shown, never parsed as markup
    assert "http://evil" not in text  # the smuggled OSC 8 link is gone


def test_card_has_the_full_title_in_its_body_and_counts_in_the_singular() -> None:
    long = HF.with_changes(
        title="A " + "very " * 30 + "long title that ends here", comments=1, upvotes=1
    )
    out = io.StringIO()
    render_detail(long, out, Terminal(styled=True, width=80, links=False))
    body = " ".join(ANSI.sub("", out.getvalue()).replace("│", " ").split())
    assert "long title that ends here" in body
    assert "1 upvote, 1 comment" in body and "1 comments" not in body
    text = io.StringIO()
    write_detail_text(long.with_changes(comments=2, github_stars=1), text)
    assert "2 comments" in text.getvalue() and "(1 star)" in text.getvalue()
    cards = io.StringIO()
    render_summary([long], cards, Terminal(styled=True, width=80), footer="1 of 9 papers")
    assert "1 comment" in cards.getvalue() and "1 comments" not in cards.getvalue()
    assert cards.getvalue().rstrip().endswith("1 of 9 papers")


@pytest.mark.parametrize(("count", "text"), [(0, "0 days"), (1, "1 day"), (2, "2 days")])
def test_count_noun(count: int, text: str) -> None:
    assert count_noun(count, "day") == text


# -- the wait spinner's words -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def wait(key: int, state: str, attempt: int = 1, **kwargs) -> Wait:
    return Wait(key, "Hugging Face", "http://x", state, attempt, 3, **kwargs)


def test_feedback_says_what_it_waits_for_after_a_second() -> None:
    clock = Clock()
    feedback = Feedback(clock)
    feedback._start = lambda: None  # type: ignore[method-assign]  # no display in this test
    feedback.wait(wait(1, "request"))
    assert feedback.lines() == []  # a quick answer never flashes a spinner
    clock.now += 4.2
    assert feedback.lines() == [
        ("Hugging Face", "Hugging Face: no answer yet (4 s), attempt 1 of 3")
    ]
    feedback.wait(wait(1, "retry", delay=4.0, problem="timed out"))
    clock.now += 1.5
    assert feedback.lines() == [
        ("Hugging Face", "Hugging Face timed out; trying again in 3 s (attempt 2 of 3)")
    ]
    feedback.wait(wait(1, "request", attempt=2))
    feedback.wait(wait(2, "request"))
    clock.now += 2
    assert feedback.lines() == [
        ("Hugging Face", "Hugging Face: no answer yet (2 s), attempt 2 of 3 (2 requests)")
    ]
    feedback.wait(wait(1, "done"))
    feedback.wait(wait(2, "done"))
    assert feedback.lines() == []


def test_the_http_client_reports_each_attempt_and_the_end() -> None:
    events: list[Wait] = []
    answers = iter([httpx.Response(503), httpx.Response(200, content=b"ok")])
    client = HttpClient(
        transport=httpx.MockTransport(lambda request: next(answers)),
        sleep=lambda seconds: None,
        jitter=lambda: 0.0,
        on_wait=events.append,
    )
    assert client.get("http://127.0.0.1:9/x", source="Hugging Face").content == b"ok"
    assert [(e.state, e.attempt) for e in events] == [
        ("request", 1),
        ("retry", 1),
        ("request", 2),
        ("done", 0),
    ]
    assert events[1].problem == "returned HTTP 503" and events[1].delay >= 1
    assert len({e.key for e in events}) == 1


def test_the_http_client_reports_the_end_of_a_failed_request() -> None:
    events: list[Wait] = []
    client = HttpClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(404)),
        on_wait=events.append,
    )
    with pytest.raises(Exception, match="404"):
        client.get("http://127.0.0.1:9/x", source="Hugging Face")
    assert [e.state for e in events] == ["request", "done"]


# -- the small tables through the CLI, in a pipe ------------------------------------------


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def test_cache_info_is_aligned(runner: CliRunner, hf: FakeServer) -> None:
    runner.invoke(app, ["today"])
    lines = runner.invoke(app, ["cache", "info"]).stdout.splitlines()
    labels = [line.split()[0] for line in lines]
    assert labels == ["path", "files", "hf"]
    starts = {len(line) - len(line.split(None, 1)[1]) for line in lines}
    assert len(starts) == 1  # every value starts in one column
    assert lines[2].endswith("2 days, 2026-06-12 .. 2026-06-13")


def test_topics_in_a_pipe_are_tsv(runner: CliRunner, hf: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[topics.agents]\nkeywords = ["agent"]\n')
    runner.invoke(app, ["today"])
    result = runner.invoke(app, ["topics"])
    assert result.stdout.splitlines() == ["agents\t6\tkeywords: agent"]


def test_saved_shows_tags_and_saved_dates_in_every_machine_format(
    runner: CliRunner, hf: FakeServer
) -> None:
    runner.invoke(app, ["today"])
    assert runner.invoke(app, ["save", "2606.06113", "--tag", "b", "--tag", "a"]).exit_code == 0
    records = json.loads(runner.invoke(app, ["saved", "-f", "json"]).stdout)
    assert list(records[0])[-2:] == ["tags", "saved_at"]
    assert records[0]["tags"] == ["a", "b"] and records[0]["saved_at"] == SATURDAY
    line = json.loads(runner.invoke(app, ["saved", "-f", "jsonl"]).stdout)
    assert (line["tags"], line["saved_at"]) == (["a", "b"], SATURDAY)
    csv_lines = runner.invoke(app, ["saved", "-f", "csv"]).stdout.splitlines()
    assert csv_lines[0].endswith(",tags,saved_at") and csv_lines[1].endswith(f",a; b,{SATURDAY}")
    tsv = runner.invoke(app, ["saved", "-f", "tsv"]).stdout.splitlines()
    assert tsv[0].split("\t")[-2:] == ["tags", "saved_at"]
    plain = runner.invoke(app, ["saved"]).stdout.split("\t")
    assert len(plain) == 5 and plain[0] == "2606.06113"  # plain keeps its five columns
    shaped = runner.invoke(app, ["saved", "--fields", "id,tags,saved_at", "-f", "tsv"]).stdout
    assert shaped.splitlines()[1] == f"2606.06113\ta; b\t{SATURDAY}"
    table_text = runner.invoke(app, ["saved", "-f", "table"], env={"COLUMNS": "120"}).stdout
    assert "Tags" in table_text and "a, b" in table_text and "2026-06-13" in table_text
    # The Paper keys themselves are unchanged, in their order.
    paper_keys = json.loads(runner.invoke(app, ["today", "-f", "json", "-n", "1"]).stdout)[0]
    assert list(records[0])[:-2] == list(paper_keys)


def test_digests_count_in_the_singular_too() -> None:
    from datetime import UTC, date, datetime

    from papercli.digest.build import build
    from papercli.digest.render import render_html, render_markdown, render_text

    digest = build(
        [HF.with_changes(comments=1)],
        name="default",
        topics=[],
        since=date(2026, 6, 12),
        until=date(2026, 6, 12),
        generated=datetime(2026, 6, 13, 6, 0, tzinfo=UTC),
    )
    for render in (render_text, render_markdown, render_html):
        text = render(digest)
        assert "1 comment" in text and "1 comments" not in text
        assert "1 new paper," in text and "1 new papers" not in text


def _cells(line: str) -> int:
    from papercli.formats.cells import width

    return width(ANSI.sub("", line))


@pytest.mark.parametrize("width", [80, 120])
def test_wide_characters_take_two_cells_and_rows_stay_aligned(width: int) -> None:
    title = "大規模言語モデルの推論 🚀 と評価" * 3
    cjk = HF.with_changes(id="2606.00001", title=title, authors=("山田 太郎",))
    out = io.StringIO()
    render_table([cjk, ARXIV], out, Terminal(styled=True, width=width))
    lines = ANSI.sub("", out.getvalue()).splitlines()
    assert all(_cells(line) <= width for line in lines), "\n".join(lines)
    title_at = lines[0].index("Title")
    row = next(line for line in lines if ARXIV.id in line)
    assert row[title_at:].startswith("A Virtual Member")  # the next row's title lines up
    assert sum("大規模" in line for line in lines) >= 2  # wrapped, none of it dropped


@pytest.mark.parametrize("seed", range(20))
def test_wrapping_keeps_every_word_and_every_line_within_its_width(seed: int) -> None:
    import random

    from papercli.formats.cells import width, wrap

    draw = random.Random(seed)
    alphabet = ["a", "b", "é", "漢", "字", "🚀", "x\u0301"]
    words = ["".join(draw.choices(alphabet, k=draw.randint(1, 30))) for _ in range(25)]
    text = " ".join(words)
    room = draw.randint(1, 40)
    lines = [text[a:b] for a, b in wrap(text, room)]
    # One cell of slack: a two-cell character cannot be split to fill a one-cell line.
    assert all(width(line) <= max(room, 2) for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_titles_link_to_their_abstract_only_when_links_are_on() -> None:
    for links in (True, False):
        out = io.StringIO()
        render_table([HF], out, Terminal(styled=True, color=True, width=100, links=links))
        linked = "\x1b]8;;https://arxiv.org/abs/2606.06113\x1b\\" in out.getvalue()
        assert linked is links
        assert ("\x1b]8;;https://github.com/nianbai006/SDG" in out.getvalue()) is links
    out = io.StringIO()
    render_table([HF], out, Terminal(styled=False, width=100))
    assert "\x1b" not in out.getvalue() and "2606.06113" in out.getvalue()
