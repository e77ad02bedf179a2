"""The digest e-mail over STARTTLS and SSL, to a real TLS SMTP server on 127.0.0.1.

The server's certificate is self-signed, made here with openssl, and trusted the way a user
trusts a private CA: ``SSL_CERT_FILE``, which papercli's own ``ssl.create_default_context``
reads. Without it the same send must fail: papercli verifies the certificate and the name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import FakeServer, fixture
from papercli.cli import app
from smtpserver import SmtpServer, make_certificate

PASSWORD = "tls-only-secret"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    try:
        return make_certificate(tmp_path_factory.mktemp("tls"))
    except FileNotFoundError:
        pytest.skip("the openssl tool is not installed (apt-get install openssl)")


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def configure(path: Path, port: int, security: str) -> None:
    path.write_text(
        f'[digest.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
        'username = "me"\nfrom = "papercli@example.org"\nto = ["me@example.org"]\n'
    )
    path.chmod(0o600)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_goes_over_tls_and_logs_in_only_inside_it(
    security: str,
    certificate: tuple[Path, Path],
    runner: CliRunner,
    hf: FakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", PASSWORD)
    with SmtpServer(password=PASSWORD, tls=security, certificate=certificate) as smtp:
        configure(tmp_path / "config.toml", smtp.port, security)
        result = runner.invoke(app, ["digest", "--email"])
        assert result.exit_code == 0, result.stderr
        (message,) = smtp.inbox.messages
    assert smtp.inbox.encrypted == [True]
    assert [login for login, _ in smtp.inbox.logins] == ["me"]
    assert message["Subject"].startswith("papercli: 12 new papers")
    assert PASSWORD not in result.stdout + result.stderr
    state = json.loads((tmp_path / "home" / "state" / "digest-default.json").read_text())
    assert len(state["channels"]["email"]["delivered"]) == 12  # recorded once delivered


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused_and_nothing_is_recorded(
    security: str,
    certificate: tuple[Path, Path],
    runner: CliRunner,
    hf: FakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only
    monkeypatch.setenv("PAPERS_SMTP_PASSWORD", PASSWORD)
    with SmtpServer(password=PASSWORD, tls=security, certificate=certificate) as smtp:
        configure(tmp_path / "config.toml", smtp.port, security)
        result = runner.invoke(app, ["digest", "--email"])
        assert smtp.inbox.messages == [] and smtp.inbox.logins == []
    assert result.exit_code == 9, result.stderr
    assert result.stderr.startswith("Error: ") and "certificate" in result.stderr.lower()
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr
    assert not (tmp_path / "home" / "state" / "digest-default.json").exists()


def test_a_certificate_for_another_name_is_refused(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trusted certificate, but for mail.example.org: reached as 127.0.0.1, refused."""
    try:
        other = make_certificate(tmp_path / "other", names="DNS:mail.example.org")
    except FileNotFoundError:
        pytest.skip("the openssl tool is not installed (apt-get install openssl)")
    monkeypatch.setenv("SSL_CERT_FILE", str(other[0]))
    with SmtpServer(tls="ssl", certificate=other) as smtp:
        configure(tmp_path / "config.toml", smtp.port, "ssl")
        result = runner.invoke(app, ["digest", "--email"])
        assert smtp.inbox.messages == []
    assert result.exit_code == 9, result.stderr
    assert "127.0.0.1" in result.stderr and "certificate" in result.stderr.lower()


def test_starttls_against_a_server_without_it_is_not_sent_in_the_clear(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    with SmtpServer() as smtp:  # plain SMTP, no STARTTLS offered
        configure(tmp_path / "config.toml", smtp.port, "starttls")
        result = runner.invoke(app, ["digest", "--email"])
        assert smtp.inbox.messages == []
    assert result.exit_code == 9, result.stderr
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
