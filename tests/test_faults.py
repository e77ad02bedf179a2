"""Fault injection against a real HTTP server on 127.0.0.1.

For every fault: the message the user sees, the exit code, how many requests were made, the
total wait papercli chose (bounded), and that the cache and the digest state are byte-for-byte
unchanged when a refresh fails.
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakeserver import JSON, XML, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.sources.http import MAX_TOTAL_WAIT

HF_DAY = fixture("hf_daily_2026-06-12.json")
RSS = fixture("arxiv_rss_cs.CL_2026-08-21.xml")
FIRST_RUN = "2026-06-12T15:00:00+00:00"
LATER = "2026-06-12T18:00:00+00:00"  # the listing is 3 h old: past the TTL, so refreshed


@dataclass(frozen=True)
class Fault:
    name: str
    replies: tuple[Reply, ...]
    exit_code: int
    message: str
    attempts: int
    waits: tuple[float, ...] = ()


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


HF_FAULTS = [
    Fault("connection reset", (Reply(action="reset"),), 4, "dropped the connection", 3, (1.0, 2.0)),
    Fault("503 burst", (Reply(b"", 503), Reply(b"", 502), Reply(b"", 504)), 4,
          "returned HTTP 504", 3, (1.0, 2.0)),
    Fault("429 without Retry-After", (Reply(b"slow down", 429),), 4, "returned HTTP 429", 3,
          (1.0, 2.0)),
    Fault("429 asking for an hour", (Reply(b"", 429, {"Retry-After": "3600"}),), 4,
          "asks to wait 3600 s", 1),
    Fault("HTML with status 200", (Reply(b"<!DOCTYPE html><h1>Sign in</h1>", 200,
          {"Content-Type": "text/html"}),), 5, "with an HTML page, not JSON", 1),
    Fault("truncated JSON", (Reply(HF_DAY[:3000], 200, JSON),), 5, "malformed JSON", 1),
    Fault("connection closed mid-body", (Reply(HF_DAY, 200, JSON, action="truncate"),), 4,
          "Hugging Face", 3, (1.0, 2.0)),
    Fault("XML where JSON was expected", (Reply(RSS, 200, XML),), 5, "not JSON", 1),
    Fault("invalid UTF-8", (Reply(b'[{"paper": {"id": "2606.00001", "title": "\xff\xfe"}}]',
          200, JSON),), 5, "malformed JSON", 1),
    Fault("redirect to another host", (Reply(b"", 302, {"Location": "http://localhost:9/x"}),),
          5, "redirected", 1),
    Fault("an error object", (Reply(b'{"error": "Invalid date"}', 200, JSON),), 5,
          "said: Invalid date", 1),
]  # fmt: skip


def snapshot(root: Path) -> dict[str, str]:
    """Every file under the data dir, hashed: what 'unchanged' means."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("papercli.core.session._sleep", waits.append)
    return waits


def backoff_matches(sleeps: list[float], bases: tuple[float, ...]) -> bool:
    """Each wait is its exponential base plus up to one second of jitter."""
    return len(sleeps) == len(bases) and all(
        b <= s < b + 1 for s, b in zip(sleeps, bases, strict=True)
    )


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def serve_hf(server: FakeServer, *replies: Reply) -> None:
    server.route("/api/daily_papers", *replies)


@pytest.mark.parametrize("fault", HF_FAULTS, ids=lambda f: f.name)
def test_hf_fault_without_cache(
    fault: Fault, runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch,
    isolated: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    serve_hf(server, *fault.replies)
    result = run(runner, "today")
    assert result.exit_code == fault.exit_code, result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and fault.message in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert server.hits("/api/daily_papers") == fault.attempts
    assert backoff_matches(sleeps, fault.waits)
    assert sum(sleeps) <= MAX_TOTAL_WAIT
    assert not (isolated / "cache" / "hf").exists() or not list(
        (isolated / "cache" / "hf").iterdir()
    )


@pytest.mark.parametrize("fault", HF_FAULTS, ids=lambda f: f.name)
def test_hf_fault_on_refresh_keeps_the_cache(
    fault: Fault, runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch,
    isolated: Path, tmp_path: Path,
) -> None:  # fmt: skip
    serve_hf(server, Reply(HF_DAY, 200, JSON))
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    assert run(runner, "today").exit_code == 0
    assert run(runner, "digest", "-o", str(tmp_path / "d.md")).exit_code == 0
    before = snapshot(isolated)
    serve_hf(server, *fault.replies)
    monkeypatch.setenv("PAPERS_NOW", LATER)
    result = run(runner, "today")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 12  # the cached listing, shown
    assert (
        "showing the cached Hugging Face listing of 2026-06-12 (fetched 3 h ago)" in result.stderr
    )
    assert fault.message in result.stderr
    digest = run(runner, "digest", "-o", str(tmp_path / "d.md"))
    assert digest.exit_code == 10  # nothing new, and nothing lost
    assert snapshot(isolated) == before


def test_timeouts_are_retried_then_reported(
    runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    monkeypatch.setenv("PAPERS_TIMEOUT", "0.3")
    monkeypatch.setenv("PAPERS_RETRIES", "2")
    serve_hf(server, Reply(action="hang"))
    started = time.monotonic()
    result = run(runner, "today")
    assert result.exit_code == 4
    assert "Hugging Face timed out" in result.stderr and "after 2 attempts" in result.stderr
    assert server.hits("/api/daily_papers") == 2
    assert time.monotonic() - started < 5


def test_connection_refused(runner: CliRunner, sleeps: list[float], monkeypatch) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)  # conftest points every source at port 9
    result = run(runner, "today")
    assert result.exit_code == 4
    assert "Hugging Face refused the connection" in result.stderr
    assert "after 3 attempts" in result.stderr and backoff_matches(sleeps, (1.0, 2.0))


@pytest.mark.parametrize(
    "retry_after", ["7", "date"], ids=["Retry-After seconds", "Retry-After HTTP date"]
)
def test_429_with_retry_after_is_honoured(
    retry_after: str, runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    value = http_date(20) if retry_after == "date" else retry_after
    serve_hf(server, Reply(b"", 429, {"Retry-After": value}), Reply(HF_DAY, 200, JSON))
    result = run(runner, "today")
    assert result.exit_code == 0, result.stderr
    assert server.hits("/api/daily_papers") >= 2
    expected = 20 if retry_after == "date" else 7
    assert sleeps and abs(sleeps[0] - expected) <= 2


def test_a_5xx_burst_that_recovers(
    runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    serve_hf(server, Reply(b"", 503), Reply(b"", 502), Reply(HF_DAY, 200, JSON))
    result = run(runner, "today", "--source", "hf")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 12 and backoff_matches(sleeps, (1.0, 2.0))


def test_wrong_content_type_with_good_json_is_accepted(
    runner: CliRunner, server: FakeServer, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    serve_hf(server, Reply(HF_DAY, 200, {"Content-Type": "text/plain"}))
    assert run(runner, "today").exit_code == 0


def test_oversized_responses_are_cut_off(
    runner: CliRunner, server: FakeServer, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAPERS_NOW", FIRST_RUN)
    (tmp_path / "config.toml").write_text("[network]\nmax_response_mb = 0.01\n")
    serve_hf(server, Reply(HF_DAY, 200, JSON))
    result = run(runner, "today")
    assert result.exit_code == 5
    assert "sent more than 0 MB" in result.stderr or "stopped reading" in result.stderr
    assert server.hits("/api/daily_papers") == 1


# -- arXiv feeds ---------------------------------------------------------------------------

RSS_FAULTS = [
    Fault("truncated XML", (Reply(RSS[:9000], 200, XML),), 5, "malformed or truncated feed", 1),
    Fault("HTML rate-limit page", (Reply(b"<html><body>Rate exceeded.</body></html>", 200,
          {"Content-Type": "text/html"}),), 5, "HTML page", 1),
    Fault("503 burst", (Reply(b"", 503),), 4, "returned HTTP 503", 3, (1.0, 2.0)),
    Fault("empty body", (Reply(b"", 200, XML),), 5, "not a feed", 1),
]  # fmt: skip


@pytest.mark.parametrize("fault", RSS_FAULTS, ids=lambda f: f.name)
def test_rss_faults(
    fault: Fault, runner: CliRunner, server: FakeServer, sleeps: list[float], monkeypatch,
    isolated: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    server.route("/rss/cs.CL", Reply(RSS, 200, XML))
    assert run(runner, "today", "--source", "arxiv", "-c", "cs.CL").exit_code == 0
    before = snapshot(isolated)
    server.route("/rss/cs.CL", *fault.replies)
    monkeypatch.setenv("PAPERS_NOW", "2026-08-24T12:00:00+00:00")  # Monday: a new mailing
    result = run(runner, "today", "--source", "arxiv", "-c", "cs.CL")
    assert result.exit_code == 0, result.stderr  # Friday's listing is shown instead
    assert fault.message in result.stderr
    assert "showing cached arXiv listings" in result.stderr
    assert server.hits("/rss/cs.CL") == 1 + fault.attempts
    # The backoff starts from arxiv_delay (0 in tests, so 1 s; 3 s by default).
    assert backoff_matches(sleeps, fault.waits)
    assert snapshot(isolated) == before


def test_invalid_utf8_in_a_feed_is_not_a_crash(
    runner: CliRunner, server: FakeServer, monkeypatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    broken = RSS.replace(b"Virtual Member", b"Virtual \xff\xfe Member")
    server.route("/rss/cs.CL", Reply(broken, 200, XML))
    result = run(runner, "today", "--source", "arxiv", "-c", "cs.CL")
    # One bad byte in one title spoils neither the feed nor that paper.
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "arXiv cs.CL: Fri 2026-08-21, 12 announcements\n"
    lines = result.stdout.splitlines()
    assert len(lines) == 6  # the 6 new and cross-listed; replacements are hidden
    (damaged,) = [line for line in lines if line.startswith("2608.19199\t")]
    assert "A Virtual " in damaged and " Member of a Community of Practice" in damaged


def test_api_error_feed_during_show(runner: CliRunner, server: FakeServer) -> None:
    server.route("/api/papers/2606.00001", Reply(b'{"error": "Paper not found"}', 404, JSON))
    server.route("/api/query", Reply(fixture("arxiv_api_error_http400_malformed_id.xml"), 400, XML))
    result = run(runner, "show", "2606.00001")
    assert result.exit_code == 5
    assert "arXiv API said: incorrect id format for abc" in result.stderr
