"""papers on a real pseudo-terminal (pexpect), read back as a screen (pyte), 80 and 120 wide.

What only a terminal shows: the table's columns and footer, the first-run hint, the spinner
while a server does not answer, the rendered dry-run digest, Typer's panel for usage errors.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fakeserver import XML, FakeServer, Reply, fixture

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

SATURDAY = "2026-06-13T15:00:00+00:00"  # HF shows Friday 2026-06-12
WIDTHS = [80, 120]


@dataclass
class Run:
    """What a run left on the screen, what was on it whenever ``watch`` matched, its code."""

    lines: list[str]
    code: int | None
    seen: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def on_terminal(
    *args: str,
    columns: int,
    rows: int = 100,
    env: dict[str, str] | None = None,
    watch: Callable[[list[str]], bool] | None = None,
    timeout: float = 60,
) -> Run:
    """Run ``papers ARGS`` with stdin, stdout and stderr on one pty of this size."""
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "papercli", *args],
        dimensions=(rows, columns),
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
    )
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stream.feed(child.read_nonblocking(1 << 16, timeout=0.2))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            break
        if watch is not None:
            lines = [line.rstrip() for line in screen.display]
            if watch(lines):
                seen.append(lines)
    else:
        child.terminate(force=True)
        raise AssertionError(f"papers {' '.join(args)} did not finish in {timeout} s")
    child.close()
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return Run(lines, child.exitstatus, seen)


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", SATURDAY)
    return server


def table_header(run: Run) -> tuple[int, list[str]]:
    number = next(i for i, line in enumerate(run.lines) if line.split()[:1] == ["▲"])
    return number, run.lines[number].split()


@pytest.mark.parametrize("columns", WIDTHS)
def test_today_table_columns_footer_and_first_run_hint(hf: FakeServer, columns: int) -> None:
    run = on_terminal("today", "-n", "5", "--no-pager", columns=columns)
    assert run.code == 0, run.text
    number, header = table_header(run)
    assert header == ["▲", "Cmts", "ID", "Title", "Authors", "Cat"]
    assert run.lines[0].startswith("Hugging Face: nothing on Sat 2026-06-13")
    rows = [line for line in run.lines[number + 2 :] if "  2606." in line]
    assert [row.split()[0] for row in rows] == ["13", "8", "5", "3", "2"]
    assert all("et al." in row for row in rows)  # "First Author et al.", never a cut name
    assert all(row.split()[-1] == "hf" for row in rows)  # no category: the source
    assert "5 of 12 papers (--limit 5)" in run.lines
    hint = next(i for i, line in enumerate(run.lines) if line.startswith("Hint:"))
    assert hint > run.lines.index("5 of 12 papers (--limit 5)")  # after the table, last
    assert "".join(run.lines[hint:]) == (
        "Hint: arXiv is off: follow some categories with "
        "`papers config set sources.arxiv_categories cs.CL,cs.LG`"
    )


@pytest.mark.parametrize("columns", WIDTHS)
def test_list_shows_the_listing_date_at_every_width(hf: FakeServer, columns: int) -> None:
    run = on_terminal("list", "--since", "2026-06-10", "--no-pager", "-q", columns=columns)
    assert run.code == 0, run.text
    number, header = table_header(run)
    assert header[-1] == "Listed"
    first_row = run.lines[number + 2]
    assert first_row.endswith("06-12" if columns < 100 else "2026-06-12")
    assert max(len(line) for line in run.lines) <= columns


def test_no_hint_once_the_user_set_the_key(hf: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[sources]\narxiv_categories = []\n")
    run = on_terminal("today", "-n", "2", "--no-pager", columns=80)
    assert run.code == 0 and "Hint:" not in run.text
    quiet = on_terminal("today", "-n", "2", "--no-pager", "-q", columns=80)
    assert "Hint:" not in quiet.text and "Hugging Face:" not in quiet.text


def test_no_hint_when_arxiv_is_followed(hf: FakeServer) -> None:
    hf.route("/rss/cs.CL", Reply(fixture("arxiv_rss_cs.CL_2026-08-21.xml"), 200, XML))
    run = on_terminal("today", "-c", "cs.CL", "--no-pager", columns=120)
    assert "Hint:" not in run.text


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_stalled_server_gets_a_spinner_that_says_what_it_waits_for(
    server: FakeServer, columns: int
) -> None:
    server.route("/api/daily_papers", Reply(action="hang"))
    env = {"PAPERS_TIMEOUT": "1.5", "PAPERS_RETRIES": "2", "PAPERS_NOW": SATURDAY}
    run = on_terminal(
        "today",
        columns=columns,
        env=env,
        watch=lambda lines: any("no answer" in line for line in lines),
    )
    assert run.code == 4
    waiting = [line for lines in run.seen for line in lines if "no answer yet" in line]
    assert any("Hugging Face: no answer yet (1 s), attempt 1 of 2" in line for line in waiting)
    assert any("attempt 2 of 2" in line for line in waiting)
    assert all(line[0] in "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" for line in waiting)  # a spinner draws them
    # The spinner leaves nothing behind: the error is all that stays.
    assert "no answer" not in run.text
    assert run.lines[0].startswith("Error: Hugging Face timed out for http://127.0.0.1:")


def test_no_spinner_in_a_pipe(server: FakeServer, tmp_path: Path) -> None:
    import subprocess

    server.route("/api/daily_papers", Reply(action="hang"))
    env = {**os.environ, "PAPERS_TIMEOUT": "1.5", "PAPERS_RETRIES": "1", "PAPERS_NOW": SATURDAY}
    done = subprocess.run(
        [sys.executable, "-m", "papercli", "today"], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 4
    assert done.stderr.decode().splitlines() == [
        f"Error: Hugging Face timed out for {server.url}/api/daily_papers after 1 attempt "
        "(no complete answer within 1.5 s)",
        "Hint: check your connection or try again later",
    ]


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_dry_run_digest_is_rendered_on_a_terminal(
    hf: FakeServer, tmp_path: Path, columns: int
) -> None:
    (tmp_path / "config.toml").write_text('[topics.agents]\nkeywords = ["agent*"]\n')
    run = on_terminal("digest", "--dry-run", "-q", columns=columns, rows=400, env={"PAGER": "cat"})
    assert run.code == 0, run.text
    text = run.text
    assert "papercli: 12 new papers" in text
    assert not any(line.startswith(("#", "##", "###")) for line in run.lines)  # no raw Markdown
    assert "[arXiv](" not in text and "agents (" in text
    assert max(len(line) for line in run.lines) <= columns


def test_a_usage_error_on_a_terminal_keeps_typers_panel() -> None:
    run = on_terminal("today", "--frmat", "x", columns=80)
    assert run.code == 2
    assert any(line.startswith("╭─ Error") for line in run.lines)
    assert "No such option: --frmat" in run.text


def test_a_paged_table_repeats_which_day_it_shows_on_top(hf: FakeServer, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    run = on_terminal("today", "--pager", columns=100, env={"PAGER": f"sh -c 'cat > {paged}'"})
    assert run.code == 0, run.text
    text = paged.read_text()
    first, _, rest = text.partition("\n")
    assert first == (
        "Hugging Face: nothing on Sat 2026-06-13 (weekends are empty); "
        "showing Fri 2026-06-12, 12 papers"
    )
    assert "Title" in rest and "2606.06113" in rest


def test_topics_are_a_table_on_a_terminal(hf: FakeServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[topics.agents]\nkeywords = ["agent", "tool use"]\ncategories = ["cs.AI"]\n'
        '[topics.safety]\nkeywords = ["safety"]\n'
    )
    assert on_terminal("today", "-q", "--no-pager", columns=80).code == 0
    run = on_terminal("topics", columns=80)
    assert run.code == 0, run.text
    assert run.lines[0].split() == ["Topic", "Papers", "Matches"]
    assert run.lines[2].split()[:2] == ["agents", "0"]
    assert run.lines[2].endswith("keywords: agent, tool use; categories: cs.AI")
    assert run.lines[3].split()[:2] == ["safety", "2"]
    assert "\t" not in run.text
