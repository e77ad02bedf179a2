"""The SMTP password never shows up anywhere; credentials in a readable config get a warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from smtpserver import SmtpServer, free_port

SECRET = "hunter2-s3cr3t-\u00e9"


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def email_config(path: Path, port: int, extra: str = "") -> None:
    path.write_text(
        f'[digest.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'username = "me"\nfrom = "me@example.org"\nto = ["me@example.org"]\n{extra}'
    )
    path.chmod(0o600)


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def test_password_never_printed_in_errors_show_or_debug_output(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", SECRET)
    env = {**os.environ, "PAPERS_DEBUG": "1"}
    with SmtpServer(password="something else") as smtp:
        email_config(config, smtp.port)
        rejected = run(runner, "digest", "--email")
        # The debug run fails the same way, in a real process with tracebacks switched on.
        debug = subprocess.run(
            [sys.executable, "-m", "papercli", "digest", "--email"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert smtp.inbox.messages == []
    down = free_port()
    email_config(config, down)
    unreachable = run(runner, "digest", "--email")
    shown = run(runner, "config", "show")
    shown_json = run(runner, "config", "show", "--json")
    assert rejected.exit_code == 9 and unreachable.exit_code == 9
    assert debug.returncode == 9, debug.stderr
    assert shown.exit_code == 0 and shown_json.exit_code == 0
    for result in (rejected, unreachable, debug):
        stderr = result.stderr
        assert any(line.startswith("Error:") for line in stderr.splitlines()), stderr
    assert "127.0.0.1" in rejected.stderr and "127.0.0.1" in unreachable.stderr
    for result in (rejected, unreachable, shown, shown_json):
        assert SECRET not in result.stdout + result.stderr
    assert SECRET not in debug.stdout + debug.stderr


def test_a_password_in_the_config_is_refused_without_echoing_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    email_config(config, 25, extra=f'password = "{SECRET}"\n')
    result = run(runner, "today")
    assert result.exit_code == 3
    assert "never reads a password from its config file" in result.stderr
    assert SECRET not in result.stderr


def test_a_readable_config_with_credentials_gets_a_warning(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    email_config(config, 25, extra='password_command = "pass show smtp"\n')
    quiet = run(runner, "today")
    assert "other users can read it" not in quiet.stderr
    config.chmod(0o644)
    loud = run(runner, "today")
    assert loud.exit_code == 0
    assert f"Warning: {config} holds SMTP credentials" in loud.stderr
    assert f"chmod 600 {config}" in loud.stderr


def test_password_command_output_is_never_echoed_on_failure(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    email_config(config, 25, extra=f"password_command = \"sh -c 'echo {SECRET}; exit 3'\"\n")
    result = run(runner, "digest", "--email")
    assert result.exit_code == 3
    assert "password_command exited with 3" in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_a_non_ascii_password_logs_in(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", SECRET)  # smtplib alone would crash on the é
    with SmtpServer(password=SECRET) as smtp:
        email_config(tmp_path / "config.toml", smtp.port)
        result = run(runner, "digest", "--email")
        assert result.exit_code == 0, result.stderr
        assert smtp.inbox.logins == [("me", "PLAIN")] and len(smtp.inbox.messages) == 1
