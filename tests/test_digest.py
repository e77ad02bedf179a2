"""papers digest: seen-state across runs, every format, e-mail to a local SMTP server, locks."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, date, datetime
from email.message import Message
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.cli import app
from papercli.digest.build import build
from papercli.digest.render import render_atom, render_html, render_markdown, render_text
from papercli.formats.summary import summarize
from papercli.models import Paper, Topic
from papercli.store.cache import Store
from smtpserver import SmtpServer, free_port

FRIDAY = "2026-06-12T20:00:00+00:00"
HF_DAY = json.loads(fixture("hf_daily_2026-06-12.json"))


def hf_items(items: list[dict], day: str) -> bytes:
    body = json.dumps(items).replace("2026-06-12T00:00:00.000Z", f"{day}T00:00:00.000Z")
    return body.encode()


@pytest.fixture
def hf(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    server.serve_hf_days({"2026-06-12": hf_items(HF_DAY, "2026-06-12")})
    monkeypatch.setenv("PAPERS_NOW", FRIDAY)
    return server


def write_config(path: Path, smtp_port: int | None = None, extra: str = "") -> None:
    text = (
        '[topics.agents]\nkeywords = ["agent*"]\n\n'
        '[topics.llm]\nkeywords = ["LLM*", "language model"]\n'
    )
    if smtp_port is not None:
        text += (
            f'\n[digest.email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
            'from = "papercli@example.org"\nto = ["a@example.org", "b@example.org"]\n'
        )
    path.write_text(text + extra)


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


def state_of(home: Path, name: str = "default") -> dict:
    return json.loads((home / "state" / f"digest-{name}.json").read_text())


def test_failed_send_repeats_next_time_and_a_sent_digest_never(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, isolated: Path
) -> None:
    port = free_port()
    write_config(tmp_path / "config.toml", port)
    failed = run(runner, "digest", "--email")
    assert failed.exit_code == 9
    assert f"could not send the digest via 127.0.0.1:{port} after 3 attempts" in failed.stderr
    assert not (isolated / "state" / "digest-default.json").exists()
    with SmtpServer(port=port) as smtp:
        sent = run(runner, "digest", "--email")
        assert sent.exit_code == 0, sent.stderr
        assert len(smtp.inbox.messages) == 1
        assert len(state_of(isolated)["channels"]["email"]["delivered"]) == 12
        again = run(runner, "digest", "--email")
        assert again.exit_code == 10
        assert "nothing to send" in again.stderr
        assert len(smtp.inbox.messages) == 1


def test_a_returning_paper_is_not_new_again(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "config.toml")
    out = tmp_path / "d.json"
    assert run(runner, "digest", "-f", "json", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["count"] == 12
    fresh = json.loads(json.dumps(HF_DAY[0]))
    fresh["paper"]["id"] = "2606.99999"
    fresh["paper"]["title"] = "A Brand New Agent Paper"
    returning = HF_DAY[3]  # featured again on Monday
    hf.route(
        "/api/daily_papers",
        Reply(hf_items([fresh, returning], "2026-06-15"), 200, JSON),
        query={"date": "2026-06-15"},
    )
    monkeypatch.setenv("PAPERS_NOW", "2026-06-15T20:00:00+00:00")
    result = run(runner, "digest", "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert [p["id"] for g in data["groups"] for p in g["papers"]] == ["2606.99999"]
    assert data["since"] == "2026-06-12" and data["until"] == "2026-06-15"


def test_email_has_subject_headers_and_both_parts(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    with SmtpServer() as smtp:
        write_config(tmp_path / "config.toml", smtp.port)
        smtp.inbox.fail_next = 1  # a transient 451 is retried
        result = run(runner, "digest", "--email")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        (message,) = smtp.inbox.messages
    assert message["Subject"] == "papercli: 12 new papers, 2026-06-11 to 2026-06-12"
    assert message["From"] == "papercli@example.org"
    assert message["To"] == "a@example.org, b@example.org"
    assert smtp.inbox.envelopes[0][1] == ["a@example.org", "b@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    parts: list[Message] = list(message.walk())[1:]
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    text = parts[0].get_payload(decode=True).decode()
    html = parts[1].get_payload(decode=True).decode()
    assert "AGENTS (" in text and "https://arxiv.org/abs/2606.07867" in text
    assert html.startswith("<!DOCTYPE html>") and 'style="' in html and "<style" not in html


def test_password_from_environment_is_used_and_never_printed(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cr3t-hunter2"
    with SmtpServer(password=secret) as smtp:
        write_config(tmp_path / "config.toml", smtp.port, extra='username = "me"\n')
        monkeypatch.setenv("PAPERS_SMTP_PASSWORD", "wrong-" + secret)
        refused = run(runner, "digest", "--email")
        assert refused.exit_code == 9
        assert "rejected the login for me" in refused.stderr
        assert secret not in refused.stderr + refused.stdout
        monkeypatch.setenv("PAPERS_SMTP_PASSWORD", secret)
        accepted = run(runner, "digest", "--email")
        assert accepted.exit_code == 0, accepted.stderr
        assert smtp.inbox.logins == [("me", "PLAIN")]
    shown = run(runner, "config", "show")
    assert secret not in shown.stdout


def test_password_command(runner: CliRunner, hf: FakeServer, tmp_path: Path) -> None:
    with SmtpServer(password="from-command") as smtp:
        write_config(
            tmp_path / "config.toml",
            smtp.port,
            extra='username = "me"\npassword_command = "printf from-command"\n',
        )
        result = run(runner, "digest", "--email")
        assert result.exit_code == 0, result.stderr
        assert len(smtp.inbox.messages) == 1


def test_email_needs_settings(runner: CliRunner, hf: FakeServer, tmp_path: Path) -> None:
    write_config(tmp_path / "config.toml")
    result = run(runner, "digest", "--email")
    assert result.exit_code == 3
    assert "--email needs digest.email.host" in result.stderr


def test_nothing_new_on_a_weekend_sends_no_mail_and_exits_10(
    runner: CliRunner, hf: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERS_NOW", "2026-06-13T20:00:00+00:00")
    with SmtpServer() as smtp:
        write_config(tmp_path / "config.toml", smtp.port)
        result = run(runner, "digest", "--email", "--days", "1")
        assert result.exit_code == 10
        assert smtp.inbox.messages == []
        assert "nothing to send" in result.stderr
        write_config(tmp_path / "config.toml", smtp.port, extra="\n[digest]\nsend_empty = true\n")
        result = run(runner, "digest", "--email", "--days", "1")
        assert result.exit_code == 10
        (message,) = smtp.inbox.messages
    assert message["Subject"] == "papercli: 0 new papers, 2026-06-13"
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "Hugging Face features no papers on weekends" in text


def test_topics_group_each_paper_once_and_note_the_others(
    runner: CliRunner, hf: FakeServer, tmp_path: Path
) -> None:
    write_config(tmp_path / "config.toml")
    data = json.loads(run(runner, "digest", "--dry-run", "-f", "json").stdout)
    titles = [g["title"] for g in data["groups"]]
    assert titles == ["agents", "llm", "Other papers"]
    ids = [p["id"] for g in data["groups"] for p in g["papers"]]
    assert len(ids) == len(set(ids)) == 12
    both = [p for p in data["groups"][0]["papers"] if p["also"] == ["llm"]]
    assert both, "a paper about LLM agents is listed under agents with llm noted"
    for group in data["groups"]:
        upvotes = [p["upvotes"] for p in group["papers"]]
        assert upvotes == sorted(upvotes, reverse=True)
    only = json.loads(run(runner, "digest", "--dry-run", "-f", "json", "--topic", "llm").stdout)
    assert [g["title"] for g in only["groups"]] == ["llm"]


def test_dry_run_remembers_nothing(runner: CliRunner, hf: FakeServer, isolated: Path) -> None:
    assert run(runner, "digest", "--dry-run").exit_code == 0
    assert not (isolated / "state").exists()
    assert run(runner, "digest", "--dry-run").exit_code == 0


def test_output_file_only(runner: CliRunner, hf: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "digest.html"
    result = run(runner, "digest", "--format", "html", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_a_held_lock_makes_a_second_run_wait_or_exit(
    runner: CliRunner, hf: FakeServer, isolated: Path, tmp_path: Path
) -> None:
    store = Store(isolated)
    with store.lock("digest-default"):
        busy = run(runner, "digest", "--wait", "0", "-o", str(tmp_path / "x.md"))
    assert busy.exit_code == 8
    assert "another papercli run holds digest-default.lock" in busy.stderr
    assert not (isolated / "state" / "digest-default.json").exists()

    held = store.lock("digest-default")
    held.__enter__()
    threading.Timer(0.3, held.__exit__, args=(None, None, None)).start()
    started = time.monotonic()
    waited = run(runner, "digest", "--wait", "10", "-o", str(tmp_path / "x.md"))
    assert waited.exit_code == 0, waited.stderr
    assert time.monotonic() - started >= 0.25


def test_a_corrupt_state_stops_the_run_then_starts_afresh(
    runner: CliRunner, hf: FakeServer, isolated: Path, tmp_path: Path
) -> None:
    (isolated / "state").mkdir(parents=True)
    (isolated / "state" / "digest-default.json").write_text('{"format": "papercli.digest-st')
    result = run(runner, "digest", "-o", str(tmp_path / "d.md"))
    assert result.exit_code == 3
    assert "digest state" in result.stderr and "is unreadable" in result.stderr
    assert (isolated / "state" / "digest-default.json.bad").exists()
    assert run(runner, "digest", "-o", str(tmp_path / "d.md")).exit_code == 0


# -- the formats, on hostile content ------------------------------------------------------------

HOSTILE = Paper(
    id="2611.00001",
    title='<script>alert("x")</script> [bold]Bold[/bold] & *emph* [link](javascript:alert(1))',
    authors=("Ann <img src=x onerror=alert(1)>", "Bob \x1b[31mRed\x1b[0m"),
    abstract="First sentence here. Second sentence follows! Third one? " + "word " * 200,
    ai_summary=None,
    github="javascript:alert(1)",
    project_page="https://example.org/p?a=1&b=2",
    upvotes=3,
    listed="2026-11-27",
    categories=("cs.CL",),
    sources=("hf",),
)


def hostile_digest():
    return build(
        [HOSTILE],
        name="default",
        topics=[Topic("t", keywords=("sentence",))],
        since=date(2026, 11, 26),
        until=date(2026, 11, 27),
        generated=datetime(2026, 11, 27, 6, 0, tzinfo=UTC),
        notes=["arXiv makes no announcements on weekends"],
    )


def test_html_escapes_every_upstream_string() -> None:
    page = render_html(hostile_digest())
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert 'href="https://example.org/p?a=1&amp;b=2"' in page
    assert "\x1b" not in page


def test_markdown_keeps_untrusted_text_inert() -> None:
    text = render_markdown(hostile_digest())
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # escaped brackets make no link
    assert "\\[link\\]" in text
    assert "<script>" not in text and "\\<script\\>" in text


def test_text_reads_at_80_columns() -> None:
    text = render_text(hostile_digest())
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\x1b" not in text
    assert "Note: arXiv makes no announcements on weekends" in text


def test_atom_round_trips_through_feedparser() -> None:
    parsed = feedparser.parse(render_atom(hostile_digest()).encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "papercli: 1 new paper, 2026-11-26 to 2026-11-27"
    (entry,) = parsed.entries
    assert entry.link == "https://arxiv.org/abs/2611.00001"
    assert entry.id == "https://arxiv.org/abs/2611.00001"
    assert entry.title.startswith('<script>alert("x")</script>')  # as text, not markup
    assert [a.name for a in entry.authors][1] == "Bob Red"
    assert entry.tags[0].term == "cs.CL"


@pytest.mark.parametrize(
    ("paper", "expected"),
    [
        (Paper(id="2611.00001", ai_summary="HF says so.", abstract="Ignored."), "HF says so."),
        (Paper(id="2611.00001", abstract="One. Two is here. Three."), "One. Two is here. Three."),
        (Paper(id="2611.00001", abstract=""), ""),
    ],
)
def test_summary_prefers_hf_then_first_sentences(paper: Paper, expected: str) -> None:
    assert summarize(paper) == expected


def test_summaries_stop_at_a_sentence_or_a_word_boundary() -> None:
    assert summarize(HOSTILE) == "First sentence here. Second sentence follows!"
    rambling = Paper(id="2611.00001", abstract="We study " + "very " * 100 + "long sentences.")
    summary = summarize(rambling)
    assert len(summary) <= 320 and summary.endswith("very…")


def test_since_last_and_days_are_alternatives(runner: CliRunner, hf: FakeServer) -> None:
    both = run(runner, "digest", "--since-last", "--days", "2", "--dry-run")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert run(runner, "digest", "--since-last", "--dry-run").exit_code == 0
