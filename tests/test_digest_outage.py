"""Sources that fail under a digest: the exit code says so, and no paper is lost or doubled.

Real processes, a real HF/arXiv fake and a real SMTP server. An outage changes no state; a
partial outage delivers what arrived and leaves the failed source's days owed, and a later
run delivers exactly those, once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digestenv import day_ids, digest, env_for, hf_body, serve_days, snapshot, write_email_config
from fakeserver import ATOM, JSON, XML, FakeServer, Reply, api_feed, fixture
from smtpserver import SmtpServer

THU, FRI, MON = date(2026, 6, 11), date(2026, 6, 12), date(2026, 6, 15)
HTML = Reply(b"<!DOCTYPE html><h1>Maintenance</h1>", 200, {"Content-Type": "text/html"})


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        (Reply(action="reset"), 4, "dropped the connection"),
        (HTML, 5, "HTML page"),
    ],
    ids=["unreachable", "html"],
)
def test_an_outage_exits_with_the_source_code_and_changes_nothing(
    fault: Reply, code: int, words: str, server: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    days = {THU: day_ids(THU), FRI: day_ids(FRI), MON: day_ids(MON)}
    serve_days(server, {THU: days[THU], FRI: days[FRI]})
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        friday = env_for(home, server, "2026-06-12T20:00:00+00:00")
        assert digest(friday, "--email", "--source", "hf").returncode == 0
        before = snapshot(home / "state")
        server.route("/api/daily_papers", fault)
        monday = env_for(home, server, "2026-06-15T20:00:00+00:00")
        down = digest(monday, "--email", "--source", "hf", "--quiet")
        assert down.returncode == code, down.stderr
        assert down.stdout == ""
        errors = [line for line in down.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "Hugging Face" in errors[0] and words in errors[0]
        assert "Hint: nothing was sent or recorded" in down.stderr
        assert "nothing to send" not in down.stderr
        assert snapshot(home / "state") == before
        assert len(smtp.inbox.messages) == 1
        serve_days(server, {d: ids for d, ids in days.items()})
        back = digest(monday, "--email", "--source", "hf")
        assert back.returncode == 0, back.stderr
    # Friday's papers were owed (Friday was not final on Friday), Monday's are new: all once.
    assert smtp.inbox.delivered() == {i: 1 for ids in days.values() for i in ids}


def test_every_source_down_names_each_and_exits_with_the_first(
    server: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    server.route("/api/daily_papers", Reply(action="reset"))
    server.route("/rss/cs.CL", HTML)
    env = env_for(home, server, "2026-08-21T20:00:00+00:00", PAPERS_CATEGORIES="cs.CL")
    result = digest(env, "--source", "hf", "--source", "arxiv", "--quiet")
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    assert "Error: Hugging Face" in result.stderr
    assert "Warning: arXiv" in result.stderr
    assert snapshot(home / "state") == {}


ARXIV_THU = api_feed(
    [
        {"id": "2608.10001v1", "title": "Thursday mailing paper", "primary": "cs.CL",
         "categories": "cs.CL", "published": "2026-08-18T20:00:00Z"},
    ]
)  # fmt: skip
RSS_FRI = fixture("arxiv_rss_cs.CL_2026-08-21.xml")
RSS_SAT = fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml").replace(
    b"Sat, 15 Aug", b"Sat, 22 Aug"
)
# New submissions and cross-lists; the fixture's replacements are left out by default.
ARXIV_IDS = {
    "2608.10001", "2608.19199", "2608.19200", "2608.19201", "2608.19202", "2608.19303",
    "2608.19430",
}  # fmt: skip


def test_a_partial_outage_delivers_what_arrived_and_later_the_rest_exactly_once(
    server: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    thu, fri = date(2026, 8, 20), date(2026, 8, 21)
    hf_thu = day_ids(thu)
    hf_fri = [*day_ids(fri, 11), "2608.19199"]  # HF also features an arXiv paper of Friday
    server.route("/rss/cs.CL", Reply(RSS_FRI, 200, XML))
    server.route("/api/query", Reply(ARXIV_THU, 200, ATOM))
    server.route("/api/daily_papers", Reply(b"", 503))
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        friday = env_for(home, server, "2026-08-21T20:00:00+00:00", PAPERS_CATEGORIES="cs.CL")
        partial = digest(friday, "--email", "--source", "hf", "--source", "arxiv", "--quiet")
        assert partial.returncode == 4, partial.stderr
        assert "Error: Hugging Face" in partial.stderr
        assert "Hint: what arrived was delivered" in partial.stderr
        assert set(smtp.inbox.delivered()) == ARXIV_IDS
        text = smtp.inbox.messages[0].get_payload()[0].get_payload(decode=True).decode()
        assert "Hugging Face could not be reached" in text
        # Saturday: HF is back, arXiv has no mailing.
        server.route("/rss/cs.CL", Reply(RSS_SAT, 200, XML))
        server.route("/api/daily_papers", Reply(b"[]", 200, JSON))
        for day, ids in ((thu, hf_thu), (fri, hf_fri)):
            server.route(
                "/api/daily_papers", Reply(hf_body(day, ids), 200, JSON),
                query={"date": day.isoformat()},
            )  # fmt: skip
        saturday = env_for(home, server, "2026-08-22T20:00:00+00:00", PAPERS_CATEGORIES="cs.CL")
        rest = digest(saturday, "--email", "--source", "hf", "--source", "arxiv", "--quiet")
        assert rest.returncode == 0, rest.stderr
        again = digest(saturday, "--email", "--source", "hf", "--source", "arxiv")
        assert again.returncode == 10, again.stderr
    counts = smtp.inbox.delivered()
    assert set(counts) == ARXIV_IDS | set(hf_thu) | set(hf_fri)
    assert set(counts.values()) == {1}, "no paper twice"
    assert len(smtp.inbox.messages) == 2


def test_offline_days_not_cached_are_owed_and_exit_7(server: FakeServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    serve_days(server, {THU: day_ids(THU), FRI: day_ids(FRI)})
    out = tmp_path / "d.json"
    friday = env_for(home, server, "2026-06-12T20:00:00+00:00")
    assert digest(friday, "--source", "hf", "-f", "json", "-o", str(out)).returncode == 0
    before = snapshot(home / "state")
    monday = env_for(home, None, "2026-06-15T20:00:00+00:00")
    offline = digest(monday, "--offline", "--source", "hf", "-f", "json", "-o", str(out))
    assert offline.returncode == 7, offline.stderr
    assert "offline, not cached: Hugging Face 2026-06-13..2026-06-15 (3 days)" in offline.stderr
    # Friday's cached listing is not final, and gave nothing new: nothing changed.
    assert snapshot(home / "state") == before
