"""Redirects stay on the same host, scheme and port; SMTP never sends an empty password or a
password in clear to another machine."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, Reply, fixture
from papercli.cli import app
from papercli.errors import UpstreamError
from papercli.sources.http import HttpClient
from smtpserver import SmtpServer


def client_for(handler) -> HttpClient:
    return HttpClient(transport=httpx.MockTransport(handler), sleep=lambda _s: None)


def redirecting(location: str):
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if len(calls) == 1:
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, content=b"followed")

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


@pytest.mark.parametrize(
    ("start", "location", "why"),
    [
        ("https://x.test/a", "https://x.test:8443/a", "another port (8443)"),
        ("http://x.test/a", "http://x.test:8080/a", "another port (8080)"),
        ("http://x.test:8000/a", "http://x.test:8001/a", "another port (8001)"),
        ("https://x.test/a", "http://x.test/a", "plain http (from https)"),
        ("https://x.test:8443/a", "http://x.test:8443/a", "plain http (from https)"),
        ("http://x.test:8080/a", "https://x.test:8080/a", None),  # explicit port: same port
        ("http://x.test:8080/a", "https://x.test/a", "another port (443)"),
        ("https://x.test/a", "ftp://x.test/a", "a ftp: URL"),
        ("https://x.test/a", "https://evil.test/a", "another host (evil.test)"),
        ("https://x.test/a", "https://x.test.evil.test/a", "another host"),
    ],
)
def test_redirects_that_change_port_or_downgrade_are_refused(
    start: str, location: str, why: str | None
) -> None:
    handler = redirecting(location)
    if why is None:
        assert client_for(handler).get(start, source="T").content == b"followed"
        return
    with pytest.raises(UpstreamError, match="not following") as caught:
        client_for(handler).get(start, source="T")
    assert why in caught.value.message
    assert handler.calls == [start]  # nothing was sent to the new place


@pytest.mark.parametrize(
    ("start", "location"),
    [
        ("https://x.test/a", "/b"),
        ("https://x.test/a", "https://x.test:443/b"),
        ("https://x.test:443/a", "https://x.test/b"),
        ("http://x.test/a", "https://x.test/b"),  # the usual upgrade, default ports
        ("http://127.0.0.1:8000/a", "/b?c=1"),
    ],
)
def test_redirects_on_the_same_origin_or_upgrading_are_followed(start: str, location: str):
    handler = redirecting(location)
    assert client_for(handler).get(start, source="T").content == b"followed"
    assert len(handler.calls) == 2


def test_a_real_server_redirecting_to_another_local_port_is_refused(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T15:00:00+00:00")
    with FakeServer() as other:
        other.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
        server.route("/api/daily_papers", Reply(b"", 302, {"Location": f"{other.url}/x"}))
        result = runner.invoke(app, ["today", "--source", "hf"])
        assert result.exit_code == 5, result.stderr
        assert "another port" in result.stderr and "not following" in result.stderr
        assert other.requests == []


# -- SMTP ----------------------------------------------------------------------------------


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def email_config(path: Path, host: str, port: int, security: str, extra: str) -> None:
    path.write_text(
        f'[digest.email]\nhost = "{host}"\nport = {port}\nsecurity = "{security}"\n'
        f'username = "me"\nfrom = "me@example.org"\nto = ["me@example.org"]\n{extra}'
    )
    path.chmod(0o600)


@pytest.mark.parametrize(
    "command", ["true", "printf ''", "printf '\\n'", "printf '\\nsecret-on-line-2\\n'"]
)
def test_a_password_command_that_prints_no_password_is_an_error(
    command: str, runner: CliRunner, hf: FakeServer, tmp_path: Path, isolated: Path
) -> None:
    with SmtpServer(password="") as smtp:
        email_config(
            tmp_path / "config.toml", "127.0.0.1", smtp.port, "none",
            f'password_command = "{command}"\n',
        )  # fmt: skip
        result = runner.invoke(app, ["digest", "--email"])
        assert result.exit_code == 3, result.stderr
        assert "password_command printed no password" in result.stderr
        assert "secret-on-line-2" not in result.stderr
        assert smtp.inbox.logins == [] and smtp.inbox.messages == []
    assert not (isolated / "state" / "digest-default.json").exists()


def test_only_the_first_line_of_the_password_command_is_the_password(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    # `pass show` prints the password, then notes on the lines below it.
    with SmtpServer(password="pa ss") as smtp:
        email_config(
            tmp_path / "config.toml", "127.0.0.1", smtp.port, "none",
            "password_command = \"printf 'pa ss\\\\nuser: me\\\\n'\"\n",
        )  # fmt: skip
        result = runner.invoke(app, ["digest", "--email"])
        assert result.exit_code == 0, result.stderr
        assert [login for login, _mech in smtp.inbox.logins] == ["me"]  # "pa ss" was accepted


def test_password_command_runs_without_a_shell(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".smtp-password").write_text("from-a-file\n")
    with SmtpServer(password="from-a-file") as smtp:
        config = tmp_path / "config.toml"
        email_config(
            config, "127.0.0.1", smtp.port, "none", 'password_command = "cat ~/.smtp-password"\n'
        )
        literal = runner.invoke(app, ["digest", "--email"])
        assert literal.exit_code == 3  # cat got the literal "~/.smtp-password" and failed
        assert smtp.inbox.messages == []
        email_config(
            config, "127.0.0.1", smtp.port, "none",
            "password_command = \"sh -c 'cat ~/.smtp-password | head -n 1'\"\n",
        )  # fmt: skip
        shell = runner.invoke(app, ["digest", "--email"])
        assert shell.exit_code == 0, shell.stderr
        assert len(smtp.inbox.messages) == 1


@pytest.mark.parametrize("host", ["smtp.example.org", "192.0.2.10", "10.0.0.1", "::ffff:1.2.3.4"])
def test_no_security_with_a_login_to_another_machine_is_refused_before_connecting(
    host: str, runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch
) -> None:
    ran = tmp_path / "password-command-ran"
    email_config(tmp_path / "config.toml", host, 25, "none", f'password_command = "touch {ran}"\n')
    monkeypatch.delenv("PAPERS_SMTP_PASSWORD", raising=False)
    result = runner.invoke(app, ["digest", "--email"])
    assert result.exit_code == 3, result.stderr
    assert f'security = "none" would send the password for me to {host} in clear' in result.stderr
    assert "starttls" in result.stderr
    assert not ran.exists()  # the password was not even looked up


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_no_security_with_a_login_to_this_machine_still_works(
    host: str, runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", "pw")
    with SmtpServer(password="pw") as smtp:
        email_config(tmp_path / "config.toml", host, smtp.port, "none", "")
        result = runner.invoke(app, ["digest", "--email"])
        assert result.exit_code == 0, result.stderr
        assert [login for login, _mech in smtp.inbox.logins] == ["me"]
