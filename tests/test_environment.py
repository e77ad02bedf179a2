"""Every documented environment variable, and the arXiv backfill of past mailing days, via the CLI.

Each test sets the variable and checks what it changes: where files go, which server is
asked, what the request carries, how often and how long papercli waits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import ATOM, XML, FakeServer, Reply, api_feed, fixture
from papercli.cli import app
from smtpserver import SmtpServer

HF_DAY = fixture("hf_daily_2026-06-12.json")
RSS_FRIDAY = fixture("arxiv_rss_cs.CL_2026-08-21.xml")


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def friday(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": HF_DAY})
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    return server


def test_papers_home_and_config_say_where_everything_is(
    runner: CliRunner, friday: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, config = tmp_path / "elsewhere", tmp_path / "my.toml"
    monkeypatch.setenv("PAPERS_HOME", str(home))
    monkeypatch.setenv("PAPERS_CONFIG", str(config))
    config.write_text('[sources]\narxiv_categories = ["cs.CL"]\n')
    assert run(runner, "cache", "path").stdout.strip() == str(home)
    assert run(runner, "config", "path").stdout.strip() == str(config)
    assert run(runner, "fetch", "--source", "hf").exit_code == 0
    assert (home / "cache" / "hf" / "2026-06-12.json").exists()
    shown = json.loads(run(runner, "config", "show", "--json").stdout)
    assert (shown["config_path"], shown["data_dir"]) == (str(config), str(home))
    categories = shown["settings"]["sources.arxiv_categories"]
    assert categories == {"value": ["cs.CL"], "origin": "file"}


def test_each_url_variable_points_its_source_at_its_own_server(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    with FakeServer() as hf, FakeServer() as rss, FakeServer() as api:
        hf.serve_hf_days({})
        rss.route("/rss/cs.CL", Reply(RSS_FRIDAY, 200, XML))
        api.route("/api/query", Reply(api_feed([]), 200, ATOM))
        monkeypatch.setenv("PAPERS_HF_URL", hf.url)
        monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", rss.url)
        monkeypatch.setenv("PAPERS_ARXIV_API_URL", api.url)
        result = run(runner, "list", "-c", "cs.CL", "--since", "2026-08-20", "-q")
        assert result.exit_code == 0, result.stderr
    assert {r.path for r in hf.requests} == {"/api/daily_papers"}
    assert {r.path for r in rss.requests} == {"/rss/cs.CL"}
    assert {r.path for r in api.requests} == {"/api/query"}  # Thursday's mailing, backfilled


def test_contact_goes_into_the_user_agent(
    runner: CliRunner, friday: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(runner, "today")
    plain = friday.requests[-1].headers["User-Agent"]
    assert plain.startswith("papercli/") and "mailto:" not in plain
    monkeypatch.setenv("PAPERS_CONTACT", "me@example.org")
    run(runner, "today", "--refresh")
    assert "mailto:me@example.org" in friday.requests[-1].headers["User-Agent"]


@pytest.mark.parametrize("retries", [1, 2, 4])
def test_retries_is_the_number_of_attempts(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch, retries: int
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    monkeypatch.setenv("PAPERS_RETRIES", str(retries))
    server.route("/api/daily_papers", Reply(b"busy", 503))
    result = run(runner, "list", "--date", "2026-06-12", "--source", "hf")
    assert result.exit_code == 4, result.stderr
    assert server.hits("/api/daily_papers") == retries
    assert f"after {retries} attempt" in result.stderr


def test_timeout_bounds_a_server_that_never_answers(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    monkeypatch.setenv("PAPERS_TIMEOUT", "0.3")
    monkeypatch.setenv("PAPERS_RETRIES", "1")
    server.route("/api/daily_papers", Reply(action="hang"))
    result = run(runner, "list", "--date", "2026-06-12", "--source", "hf")
    assert result.exit_code == 4
    assert "timed out" in result.stderr


@pytest.mark.parametrize(("ttl", "refetched"), [("5", True), ("60", False)])
def test_ttl_minutes_decides_when_the_newest_day_is_fetched_again(
    runner: CliRunner,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    ttl: str,
    refetched: bool,
) -> None:
    server.serve_hf_days({"2026-06-12": HF_DAY})
    monkeypatch.setenv("PAPERS_TTL_MINUTES", ttl)
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T12:00:00+00:00")
    assert run(runner, "today", "-q").exit_code == 0
    asked = server.hits("/api/daily_papers")
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T12:10:00+00:00")  # ten minutes later
    assert run(runner, "today", "-q").exit_code == 0
    assert (server.hits("/api/daily_papers") > asked) is refetched


def test_arxiv_delay_spaces_arxiv_requests(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr("papercli.core.session._sleep", waits.append)
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "7")
    server.route("/rss/cs.CL", Reply(RSS_FRIDAY, 200, XML))
    server.route("/api/query", Reply(api_feed([]), 200, ATOM))
    result = run(runner, "list", "-c", "cs.CL", "-s", "arxiv", "--since", "2026-08-19", "-q")
    assert result.exit_code == 0, result.stderr
    assert server.hits("/rss/cs.CL") + server.hits("/api/query") >= 2
    assert any(6 < w <= 7 for w in waits), waits  # the second request waited its turn


def test_smtp_host_port_and_user_from_the_environment(
    runner: CliRunner, friday: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(
        '[digest.email]\nsecurity = "none"\nfrom = "p@example.org"\nto = ["me@example.org"]\n'
    )
    with SmtpServer(password="pw") as smtp:
        monkeypatch.setenv("PAPERS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PAPERS_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("PAPERS_SMTP_USER", "envuser")
        monkeypatch.setenv("PAPERS_SMTP_PASSWORD", "pw")
        result = run(runner, "digest", "--email")
        assert result.exit_code == 0, result.stderr
        assert len(smtp.inbox.messages) == 1
    assert [user for user, _ in smtp.inbox.logins] == ["envuser"]


def test_papers_now_pretends_a_time_and_a_bad_one_is_a_usage_error(
    runner: CliRunner, friday: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(runner, "today")
    assert "showing" not in result.stderr and "Fri 2026-06-12" in result.stderr
    monkeypatch.setenv("PAPERS_NOW", "2026-06-13T15:00:00+00:00")
    assert "nothing on Sat 2026-06-13" in run(runner, "today").stderr
    monkeypatch.setenv("PAPERS_NOW", "next tuesday")
    bad = run(runner, "today")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: PAPERS_NOW is not an ISO 8601 time: 'next tuesday'")


def test_papers_debug_shows_the_traceback_of_a_bug(
    runner: CliRunner, friday: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("papercli.core.listing.today", boom)
    quiet = run(runner, "today")
    assert quiet.exit_code == 1 and "Traceback" not in quiet.stderr
    monkeypatch.setenv("PAPERS_DEBUG", "1")
    loud = run(runner, "today")
    # The exception goes through to Python itself, which prints the traceback and exits 1.
    assert loud.exit_code == 1 and loud.stderr == ""
    assert isinstance(loud.exception, RuntimeError) and str(loud.exception) == "kaboom"


def test_past_mailing_days_are_backfilled_from_the_api_once(
    runner: CliRunner, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A span of past mailings (not in the feed any more) comes from the arXiv API, by date."""
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    server.route("/rss/cs.CL", Reply(RSS_FRIDAY, 200, XML))
    entries = [
        # Submitted Friday 16:00 and Monday 08:00 Eastern: the Tuesday 2026-08-18 mailing.
        {"id": "2608.00001v1", "title": "Friday Submission", "published": "2026-08-14T20:00:00Z",
         "primary": "cs.CL", "categories": "cs.CL"},
        {"id": "2608.00002v1", "title": "Monday Morning Submission",
         "published": "2026-08-17T12:00:00Z", "primary": "cs.CL", "categories": "cs.CL,cs.AI"},
        # A cross-list from another archive.
        {"id": "2608.00003v2", "title": "Cross Listed From Vision",
         "published": "2026-08-17T13:00:00Z", "primary": "cs.CV", "categories": "cs.CV,cs.CL"},
    ]  # fmt: skip
    server.route("/api/query", Reply(api_feed(entries), 200, ATOM))
    args = ["list", "-c", "cs.CL", "-s", "arxiv", "--date", "2026-08-18", "--format", "json"]
    result = run(runner, *args)
    assert result.exit_code == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"2608.00001", "2608.00002", "2608.00003"}
    assert all(r["listed"] == "2026-08-18" for r in rows.values())
    assert rows["2608.00003"]["announce_type"] == "cross"
    assert rows["2608.00003"]["version"] == 2
    queries = [r.query for r in server.requests if r.path == "/api/query"]
    assert queries and all("cat:cs.CL" in q["search_query"] for q in queries)
    assert all("submittedDate" in q["search_query"] for q in queries)
    assert server.hits("/rss/cs.CL") == 0  # the feed only has the newest mailing
    asked = len(server.requests)
    again = run(runner, *args)
    assert again.exit_code == 0 and len(json.loads(again.stdout)) == 3
    assert len(server.requests) == asked  # a past mailing, once fetched, is final


def test_a_broken_ssl_cert_file_is_a_config_error_not_a_crash(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept() -> None:  # a TLS port that never gets as far as a handshake
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("PAPERS_HF_URL", f"https://127.0.0.1:{port}")
    monkeypatch.setenv("PAPERS_NOW", "2026-06-12T20:00:00+00:00")
    try:
        result = run(runner, "today", "--source", "hf")
    finally:
        listener.close()
    assert result.exit_code == 3, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: cannot load the CA certificates from SSL_CERT_FILE=")
    assert str(bundle) in first
