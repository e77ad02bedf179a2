"""The digest state file: its on-disk format, the migration from version 1, and its memory.

``fixtures/digest_state_v1.json`` was written by the previous release (papercli at 0331890,
``papers digest`` on the HF fixture day); ``digest_state_v2.json`` by this one (the same day,
``--email`` and ``--output``).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from digestenv import day_ids, digest, env_for, hf_body, serve_days, state_file, write_email_config
from fakeserver import JSON, FakeServer, Reply, fixture
from papercli.errors import ConfigError
from papercli.store.cache import Store
from papercli.store.digest_state import (
    Coverage,
    DigestState,
    load_state,
)
from papercli.store.files import dump_json
from smtpserver import SmtpServer

FIXTURES = Path(__file__).parent / "fixtures"
V1 = FIXTURES / "digest_state_v1.json"
V2 = FIXTURES / "digest_state_v2.json"
FRIDAY_IDS = sorted(json.loads(V1.read_text())["seen"])


def test_the_version_2_format_is_pinned() -> None:
    raw = V2.read_bytes()
    state = DigestState.from_dict(json.loads(raw), "default")
    assert dump_json(state.to_dict()) == raw  # read and written back byte for byte
    data = json.loads(raw)
    assert list(data) == ["format", "version", "name", "channels"]
    assert (data["format"], data["version"]) == ("papercli.digest-state", 2)
    email = data["channels"]["email"]
    assert list(email) == ["delivered", "coverage", "resume_from", "last_sent_at", "runs"]
    assert sorted(email["delivered"]) == FRIDAY_IDS
    assert email["coverage"] == {"hf": {"from": "2026-06-11", "covered": [["2026-06-11"] * 2]}}


def test_a_run_writes_the_pinned_format(server: FakeServer, tmp_path: Path) -> None:
    """The same run as the one that wrote the fixture writes the same bytes."""
    home = tmp_path / "home"
    server.serve_hf_days({"2026-06-12": fixture("hf_daily_2026-06-12.json")})
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        env = env_for(home, server, "2026-06-12T20:00:00+00:00")
        result = digest(env, "--email", "--source", "hf", "-o", str(home / "d.md"))
        assert result.returncode == 0, result.stderr
    assert state_file(home).read_bytes() == V2.read_bytes()


def test_coverage_ranges_round_trip() -> None:
    days = {date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 5)}
    data = Coverage(date(2026, 5, 30), days).to_dict()
    assert data == {
        "from": "2026-05-30",
        "covered": [["2026-06-01", "2026-06-03"], ["2026-06-05", "2026-06-05"]],
    }
    assert Coverage.from_dict(data).days == days


@pytest.mark.parametrize(
    "covered",
    [
        [["2026-06-05", "2026-06-01"]],  # backwards
        [["0001-01-01", "9999-12-31"]],  # millions of days: refused, not expanded
        [["2026-06-01"]],
        "2026-06-01",
    ],
)
def test_hostile_coverage_is_refused(covered: object) -> None:
    with pytest.raises(ValueError):
        Coverage.from_dict({"from": "2026-06-01", "covered": covered})


def test_version_1_from_the_previous_release_is_migrated_and_never_resent(
    server: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "state").mkdir(parents=True)
    shutil.copy(V1, state_file(home))
    monday = date(2026, 6, 15)
    server.serve_hf_days(
        {
            "2026-06-12": fixture("hf_daily_2026-06-12.json"),  # all in the v1 seen list
            "2026-06-15": hf_body(monday, day_ids(monday, 3)),
        }
    )
    env = env_for(home, server, "2026-06-15T20:00:00+00:00")
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        mailed = digest(env, "--email", "--source", "hf")
        assert mailed.returncode == 0, mailed.stderr
        # Version 1 resumed at its last_complete day, as it would have.
        assert "papercli: 3 new papers, 2026-06-12 to 2026-06-15" in mailed.stderr
    assert smtp.inbox.delivered() == {i: 1 for i in day_ids(monday, 3)}
    out = tmp_path / "d.json"
    written = digest(env, "--source", "hf", "-f", "json", "-o", str(out))
    assert written.returncode == 0, written.stderr
    # The file channel also had the v1 history: only Monday's papers are new there too.
    ids = [p["id"] for g in json.loads(out.read_text())["groups"] for p in g["papers"]]
    assert sorted(ids) == day_ids(monday, 3)
    state = json.loads(state_file(home).read_text())
    assert state["version"] == 2
    assert sorted(state["channels"]) == ["email", "file", "stdout"]
    for channel in state["channels"].values():
        assert set(FRIDAY_IDS) <= set(channel["delivered"])
    assert state["channels"]["stdout"]["resume_from"] == "2026-06-12"  # not used yet
    assert state["channels"]["email"]["resume_from"] is None


def test_a_state_from_a_newer_papercli_is_left_alone(isolated: Path) -> None:
    path = state_file(isolated)
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "papercli.digest-state", "version": 3, "channels": {}}')
    with pytest.raises(ConfigError, match="version 3, from a newer papercli"):
        load_state(Store(isolated), "default")
    assert path.exists() and not path.with_name(path.name + ".bad").exists()


def test_seen_papers_are_remembered_400_days_and_no_longer(
    server: FakeServer, tmp_path: Path
) -> None:
    """Featured again a week later: not sent again; 400 days later neither; 401: it may be."""
    home = tmp_path / "home"
    first = date(2026, 6, 12)
    returning = day_ids(first, 1)
    out = tmp_path / "d.json"

    warnings: list[str] = []

    def run_on(day: date, ids: list[str]) -> list[str]:
        server.route(
            "/api/daily_papers", Reply(hf_body(day, ids), 200, JSON),
            query={"date": day.isoformat()},
        )  # fmt: skip
        env = env_for(home, server, f"{day.isoformat()}T20:00:00+00:00")
        result = digest(env, "--source", "hf", "-f", "json", "-o", str(out))
        assert result.returncode in (0, 10), result.stderr
        warnings.extend(line for line in result.stderr.splitlines() if "Warning" in line)
        if result.returncode == 10:
            return []
        return [p["id"] for g in json.loads(out.read_text())["groups"] for p in g["papers"]]

    serve_days(server, {})
    assert run_on(first, returning) == returning
    week = first + timedelta(days=7)
    assert run_on(week, [*returning, *day_ids(week, 1)]) == day_ids(week, 1)
    day_400 = first + timedelta(days=400)
    assert warnings == []
    assert run_on(day_400, returning) == []
    # A year without a run: the days it missed are older than the 30 days it goes back.
    assert warnings == [
        "Warning: Hugging Face: 2026-06-19..2027-06-17 (364 days) never reached this digest "
        "completely and are more than 30 days old; a digest goes back at most 30 days"
    ]
    day_401 = first + timedelta(days=401)
    assert run_on(day_401, returning) == returning
