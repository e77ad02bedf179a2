"""Channel secrets (webhook URLs, access tokens) never come from the config file and never
appear in any output, including messages about requests that failed for real."""

from __future__ import annotations

import socket
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chatservers import MATRIX_TOKEN, SLACK_PATH, ChatServer
from digestenv import day_ids, digest, env_for, serve_days
from fakeserver import FakeServer

NOW = "2026-06-12T20:00:00+00:00"
FRI = date(2026, 6, 12)
SECRET = "s3cr3tSLACKtoken"


@pytest.fixture
def hf(server: FakeServer) -> FakeServer:
    serve_days(server, {FRI: day_ids(FRI, 3)})
    return server


class Echo:
    """A server that answers every request with an error quoting the request's path and
    headers back (as some proxies and misconfigured receivers do)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def _echo(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = f"forbidden: {self.path} {dict(self.headers)}".encode()
                self.send_response(403)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = _echo

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text)


@pytest.mark.parametrize("key", ["url", "webhook_url", "token", "access_token", "password"])
def test_a_secret_in_the_config_file_is_refused_without_echoing_it(
    key: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    write(home, f'[digest.channels.lab]\ntype = "slack"\n{key} = "https://x.example/{SECRET}"\n')
    result = digest(env_for(home, None, NOW), "--to", "lab")
    assert result.returncode == 3
    assert "never reads a secret from its config file" in result.stderr
    assert SECRET not in result.stderr + result.stdout


@pytest.mark.parametrize("fault", ["refused", "echo", "dropped"])
@pytest.mark.parametrize("debug", ["", "1"])
def test_a_failed_request_never_shows_the_webhook_url_or_token(
    fault: str, debug: str, hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    echo = Echo()
    try:
        with ChatServer() as chat:
            base = {
                "refused": f"http://127.0.0.1:{closed_port()}",
                "echo": echo.url,
                "dropped": chat.url,
            }[fault]
            chat.slack.faults = ["drop-before"] * 5
            chat.matrix.faults = ["drop-before"] * 5
            write(
                home,
                '[digest.channels.lab]\ntype = "slack"\n'
                f'[digest.channels.room]\ntype = "matrix"\nhomeserver = "{base}"\n'
                'room = "!room:example.org"\n',
            )
            env = env_for(
                home, hf, NOW,
                PAPERS_CHANNEL_LAB_URL=base + SLACK_PATH,
                PAPERS_CHANNEL_ROOM_TOKEN=MATRIX_TOKEN,
                PAPERS_DEBUG=debug,
            )  # fmt: skip
            result = digest(env, "--source", "hf", "--to", "lab", "--to", "room")
    finally:
        echo.close()
    assert result.returncode == 9, result.stderr
    output = result.stdout + result.stderr
    assert "Error: " in result.stderr and "Slack channel lab" in output
    for secret in (SECRET, MATRIX_TOKEN, "s3cr3t", SLACK_PATH):
        assert secret not in output
    assert "Traceback" not in output


def test_a_secret_from_a_command_is_used_and_a_failing_command_shows_nothing_of_it(
    hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with ChatServer() as chat:
        script = tmp_path / "secret.py"
        script.write_text(f"print({(chat.url + SLACK_PATH)!r})\n")
        command = f"{sys.executable} {script}"
        write(home, f'[digest.channels.lab]\ntype = "slack"\nurl_command = "{command}"\n')
        ok = digest(env_for(home, hf, NOW), "--source", "hf", "--to", "lab")
        assert ok.returncode == 0, ok.stderr
        assert len(chat.slack.messages) == 1
    script.write_text(f"import sys\nprint('https://x/{SECRET}')\nsys.exit(4)\n")
    failed = digest(env_for(home, hf, NOW), "--source", "hf", "--to", "lab", "--days", "1")
    assert failed.returncode == 3
    assert "url_command exited with 4" in failed.stderr
    assert SECRET not in failed.stderr


def test_a_channel_without_its_secret_says_which_variable_to_set(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home, '[digest.channels.lab-chat]\ntype = "discord"\n')
    result = digest(env_for(home, None, NOW), "--to", "lab-chat")
    assert result.returncode == 3
    assert "$PAPERS_CHANNEL_LAB_CHAT_URL is not set" in result.stderr
    unknown = digest(env_for(home, None, NOW), "--to", "nope")
    assert unknown.returncode == 2
    assert "no [digest.channels.nope]" in unknown.stderr and "lab-chat" in unknown.stderr


def test_config_show_lists_channels_by_where_their_secret_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from papercli.cli import app

    (tmp_path / "config.toml").write_text(
        '[digest.channels.lab]\ntype = "slack"\nurl_env = "LAB_HOOK"\n'
    )
    monkeypatch.setenv("LAB_HOOK", f"https://hooks.example/{SECRET}")
    runner = CliRunner()
    text = runner.invoke(app, ["config", "show"])
    assert 'digest.channels.lab = slack, url_env "LAB_HOOK"' in text.stdout
    shown = runner.invoke(app, ["config", "show", "--json"])
    assert '"lab": {' in shown.stdout and '"url_env": "LAB_HOOK"' in shown.stdout
    assert SECRET not in text.stdout + shown.stdout + text.stderr


def test_dry_run_to_a_channel_shows_its_next_digest_without_its_secret(
    hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    write(home, '[digest.channels.lab]\ntype = "slack"\n')
    result = digest(env_for(home, hf, NOW), "--source", "hf", "--to", "lab", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# papercli: 3 new papers")
    assert not (home / "state" / "digest-default.json").exists()
