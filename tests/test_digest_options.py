"""The digest's own options, as typed: topics and --only-topics, --limit per group, filters, --name.

Against the seeded cache (``seeded.py``), offline, reading the JSON format's groups. A digest
never goes out with days missing, so the days the seed leaves out are cached here as empty
(a weekend, and mailings with nothing in these categories).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papercli.cli import app
from papercli.store.cache import Listing, Store
from seeded import A1, A2, A5, FETCHED, H1, H2, H3, H5, L1, SHOWN

OTHER = "Other papers"
RANKED_REST = [H1, H5, H2, A1, A5]  # by upvotes; papers without any, newest first


@pytest.fixture(autouse=True)
def whole_week(cached: Path) -> None:
    store = Store(cached)
    empty: list[tuple[str, str | None, str]] = [
        ("hf", None, d) for d in ("2026-11-21", "2026-11-22", "2026-11-23")
    ]
    empty += [("arxiv", "cs.CL", d) for d in ("2026-11-23", "2026-11-24", "2026-11-25")]
    empty += [("arxiv", "cs.LG", d) for d in ("2026-11-23", "2026-11-24", "2026-11-25",
                                            "2026-11-26")]  # fmt: skip
    for source, category, day in empty:
        store.write_listing(Listing(source, date.fromisoformat(day), (), FETCHED, category, True))


def groups(runner: CliRunner, *args: str) -> dict[str, list[str]]:
    result = runner.invoke(
        app, ["digest", "--offline", "--dry-run", "--days", "7", "--format", "json", *args]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return {g["title"]: [p["id"] for p in g["papers"]] for g in data["groups"]}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            [], {"agents": [L1], "people": [H3], "vision": [A2], OTHER: RANKED_REST},
            id="every-topic-then-the-rest",
        ),
        pytest.param(
            ["--only-topics"], {"agents": [L1], "people": [H3], "vision": [A2]},
            id="--only-topics",
        ),
        pytest.param(
            ["--limit", "1"], {"agents": [L1], "people": [H3], "vision": [A2], OTHER: [H1]},
            id="--limit-per-group",
        ),
        pytest.param(["-n", "2", "--only-topics", "--topic", "people"], {"people": [H3]},
                     id="--topic-only"),
        # A chosen topic also narrows the digest to it (`--topic agents --name agents`).
        pytest.param(["--topic", "people"], {"people": [H3]}, id="--topic"),
        pytest.param(["--has-code"], {"people": [H3], OTHER: [H1]}, id="--has-code"),
        pytest.param(["--source", "hf", "--only-topics"], {"people": [H3]}, id="--source"),
        pytest.param(["--min-upvotes", "15"], {"people": [H3], OTHER: [H1]}, id="--min-upvotes"),
        pytest.param(["-k", "zebra", "-k", "momentum"], {"people": [H3], OTHER: [H5]},
                     id="-k"),
        pytest.param(["--exclude", "robots", "--only-topics"], {"agents": [L1], "vision": [A2]},
                     id="--exclude"),
        pytest.param(["--type", "cross", "--only-topics"], {"vision": [A2]}, id="--type"),
    ],
)  # fmt: skip
def test_digest_groups(
    runner: CliRunner, cached: Path, args: list[str], expected: dict[str, list[str]]
) -> None:
    assert groups(runner, *args) == expected


def test_a_paper_appears_once_in_the_digest(runner: CliRunner, cached: Path) -> None:
    found = groups(runner)
    every = [pid for ids in found.values() for pid in ids]
    assert sorted(every) == sorted(SHOWN)


def test_names_keep_separate_memories(runner: CliRunner, cached: Path, tmp_path: Path) -> None:
    args = ["digest", "--offline", "--days", "7", "--name"]
    first = runner.invoke(app, [*args, "a", "--output", str(tmp_path / "a.md")])
    assert first.exit_code == 0, first.stderr
    assert H1 in (tmp_path / "a.md").read_text()
    again = runner.invoke(app, [*args, "a", "--output", str(tmp_path / "a2.md")])
    assert again.exit_code == 10, again.stderr  # nothing new for "a"
    other = runner.invoke(app, [*args, "b", "--output", str(tmp_path / "b.md")])
    assert other.exit_code == 0, other.stderr
    assert H1 in (tmp_path / "b.md").read_text()  # "b" has delivered nothing yet
