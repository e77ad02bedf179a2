"""papercli on a real terminal: a pseudo-terminal driving a real process.

CliRunner's streams are never terminals, so the progress bar, the default table and card,
colour, NO_COLOR and the pager are tested here, as a user at a terminal sees them.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from seeded import H1, H2, H3

SGR = b"\x1b["


def on_terminal(
    args: list[str], *, stderr_too: bool = True, rows: int = 40, cols: int = 100, **env: str
) -> tuple[int, bytes, bytes]:
    """Run ``papers ARGS`` with stdout (and stderr) on a pty; (exit code, pty bytes, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    environ = {**os.environ, "TERM": "xterm-256color", **env}
    environ.pop("COLUMNS", None)
    environ.pop("LINES", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "papercli", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave if stderr_too else subprocess.PIPE,
        env=environ,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer closed its end
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(master)
    stderr = b"" if stderr_too else process.stderr.read()
    if not stderr_too:
        process.stderr.close()
    return process.wait(timeout=60), b"".join(chunks), stderr


@pytest.fixture
def hf_days(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    body = fixture("hf_daily_2026-06-12.json")
    # A little latency, so the bar has something to show; no assertion depends on it.
    server.serve_hf_days({"2026-06-11": body, "2026-06-12": body}, delay=0.05)
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def test_fetch_draws_a_progress_bar_on_a_terminal(hf_days: FakeServer) -> None:
    code, screen, _ = on_terminal(["fetch", "--days", "3", "--source", "hf", "--refresh"])
    assert code == 0, screen
    assert b"Hugging Face" in screen
    assert "━".encode() in screen  # the bar itself
    assert b"\x1b[?25l" in screen  # the cursor hidden while it runs...
    assert b"\x1b[?25h" in screen  # ...and shown again
    assert b"cached 24 papers listed 2026-06-10..2026-06-12" in screen


@pytest.mark.parametrize(
    ("args", "stderr_too"),
    [
        pytest.param(["--quiet"], True, id="--quiet"),
        pytest.param([], False, id="stderr-piped"),
    ],
)
def test_no_progress_bar_when_quiet_or_off_a_terminal(
    hf_days: FakeServer, args: list[str], stderr_too: bool
) -> None:
    code, screen, stderr = on_terminal(
        ["fetch", "--days", "3", "--source", "hf", "--refresh", *args], stderr_too=stderr_too
    )
    assert code == 0, screen + stderr
    assert "━".encode() not in screen + stderr
    assert b"\x1b[?25l" not in screen + stderr
    if not stderr_too:
        assert stderr.decode().startswith("cached 24 papers listed 2026-06-10..2026-06-12")


def test_list_on_a_terminal_is_a_coloured_table_with_links(
    cached: Path,
) -> None:
    code, screen, _ = on_terminal(["list", "--offline", "--no-pager"])
    assert code == 0, screen
    text = screen.decode()
    assert "Title" in text and H1 in text and "Diffusion Language Models" in text
    assert "\t" not in text  # a table, not the piped TSV
    assert SGR in screen
    assert b"\x1b]8;id=" in screen or b"\x1b]8;;https://arxiv.org/abs/" in screen


def test_no_color_keeps_the_table_and_drops_the_colour(cached: Path) -> None:
    code, screen, _ = on_terminal(["list", "--offline", "--no-pager"], NO_COLOR="1")
    assert code == 0, screen
    assert H1 in screen.decode() and "Title" in screen.decode()
    assert b"\x1b[3" not in screen and b"\x1b[1m" not in screen  # no colour, no bold
    never = on_terminal(["--color", "never", "list", "--offline", "--no-pager"])[1]
    assert b"\x1b[3" not in never and H1 in never.decode()


@pytest.mark.parametrize(("flag", "paged"), [("--pager", True), ("--no-pager", False)])
def test_a_table_taller_than_the_screen_goes_through_the_pager_unless_told_not_to(
    cached: Path,
    tmp_path: Path,
    flag: str,
    paged: bool,
) -> None:
    marker = tmp_path / "paged"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    pager.chmod(0o755)
    code, screen, _ = on_terminal(["list", "--offline", flag], rows=8, PAGER=str(pager))
    assert code == 0, screen
    assert marker.exists() is paged
    assert H1 in screen.decode()  # shown either way


def test_show_on_a_terminal_is_a_card(cached: Path) -> None:
    code, screen, _ = on_terminal(["show", H1, "--offline"])
    assert code == 0, screen
    text = screen.decode()
    assert "╭" in text and "╰" in text
    assert f"{H1}v2" in text and "Diffusion Language Models for Code" in text


def test_render_detail_card_holds_every_part(runner: CliRunner, cached: Path) -> None:
    result = runner.invoke(app, ["show", H1, "--offline", "--format", "card"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0].startswith("╭─ 2611.00001v2")
    assert "Diffusion Language Models for Code" in out
    assert lines[-1].startswith("╰")
    parts = [
        "José Núñez, Ada Lovelace", "cs.CL", "AI summary", "Diffusion for code.", "Abstract",
        "We train diffusion models on code.", "https://github.com/ex/dlm",
        "https://arxiv.org/abs/2611.00001", "https://arxiv.org/pdf/2611.00001",
    ]  # fmt: skip
    for part in parts:
        assert part in out, part
    headings = [line.strip("│ ") for line in lines]
    assert headings.index("AI summary") < headings.index("Abstract")  # summary first
    assert headings[headings.index("Abstract") + 1] == "We train diffusion models on code."
    plain = runner.invoke(app, ["show", H2, "--offline", "--format", "card"])
    assert "AI summary" not in plain.stdout  # no summary: no heading
    assert "2611.00002v1" in plain.stdout and "A Survey of Autonomous Agents" in plain.stdout
    assert H3 not in plain.stdout
