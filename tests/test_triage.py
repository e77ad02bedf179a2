"""papers triage on a real pseudo-terminal (pexpect, read back with pyte): every key."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foryou_corpus import PROTEIN, seed_home
from papercli.cli import app

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")


class Screen:
    """A triage session on a pty, 100 x 40, whose screen can be read back."""

    def __init__(self, home: Path, browser: Path) -> None:
        self.screen = pyte.Screen(100, 40)
        self.stream = pyte.ByteStream(self.screen)
        env = {**os.environ, "TERM": "xterm-256color", "BROWSER": str(browser)}
        self.child = pexpect.spawn(
            sys.executable, ["-m", "papercli", "triage", "--offline", "--source", "hf"],
            dimensions=(40, 100), env=env,
        )  # fmt: skip

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.text)
            if match:
                return match
            try:
                self.stream.feed(self.child.read_nonblocking(1 << 16, timeout=0.2))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                break
        raise AssertionError(f"{pattern!r} never showed; the screen:\n{self.text}")

    def press(self, key: str, then: str) -> re.Match[str]:
        self.child.send(key)
        return self.wait_for(then)

    def card(self) -> str:
        return self.wait_for(r"╭─ (\d{4}\.\d{5}) ").group(1)

    def exit_code(self) -> int | None:
        self.child.expect(pexpect.EOF, timeout=30)
        self.child.close()
        return self.child.exitstatus if self.child.signalstatus is None else -1


@pytest.fixture
def triage(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seed_home(isolated, monkeypatch)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {opened}\n')
    browser.chmod(0o755)
    runner = CliRunner()
    assert runner.invoke(app, ["save", "--offline", *PROTEIN[:3]]).exit_code == 0
    return lambda: Screen(isolated, browser), opened, runner


def listed(runner: CliRunner, command: str) -> list[str]:
    result = runner.invoke(app, [command, "-f", "json"] if command == "saved" else [command])
    return [p["id"] for p in json.loads(result.stdout)]


def test_every_key(triage) -> None:
    start, opened, runner = triage
    screen = start()
    screen.wait_for(r"1 of 21 +s save · d dismiss · o open · n/space next · p previous · q quit")
    first = screen.card()
    assert first in PROTEIN[3:]  # For you order: the unsaved protein papers first
    screen.press("n", r"2 of 21")
    second = screen.card()
    screen.press(" ", r"3 of 21")
    third = screen.card()
    screen.press("p", r"2 of 21")
    assert screen.card() == second
    screen.press("s", rf"saved {second}")
    screen.wait_for(r"3 of 21")
    assert second in listed(runner, "saved")  # on disk at once, before quitting
    assert screen.card() == third
    screen.press("d", rf"dismissed {third}")
    screen.wait_for(r"4 of 21")
    fourth = screen.card()
    screen.press("o", rf"opened https://arxiv.org/abs/{fourth}")
    assert opened.read_text().split() == [f"https://arxiv.org/abs/{fourth}"]
    screen.press("x", r"unknown key 'x'")
    screen.press("p", r"3 of 21")
    screen.press("p", r"2 of 21")
    screen.press("p", r"1 of 21")
    screen.press("p", r"that is the first one")
    assert screen.card() == first
    screen.child.send("q")
    assert screen.exit_code() == 0
    dismissed = json.loads((opened.parent / "home" / "state" / "dismissed.json").read_text())
    assert [p["paper"]["id"] for p in dismissed["papers"]] == [third]


def test_ctrl_c_loses_nothing(triage) -> None:
    start, _opened, runner = triage
    screen = start()
    screen.wait_for(r"1 of 21")
    first = screen.card()
    screen.press("s", rf"saved {first}")
    screen.child.kill(signal.SIGINT)
    screen.child.expect(pexpect.EOF, timeout=30)
    screen.child.close()
    assert screen.child.exitstatus == 130
    assert first in listed(runner, "saved")


def test_triage_refuses_without_a_terminal(runner: CliRunner) -> None:
    result = runner.invoke(app, ["triage"])
    assert result.exit_code == 2
    assert "papers triage needs a terminal on stdin and stdout" in result.stderr
