"""Running ``papers digest`` as a real process against local HF, arXiv and SMTP servers."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from fakeserver import FakeServer, fixture

HF_ITEMS = json.loads(fixture("hf_daily_2026-06-12.json"))


def day_ids(day: date, count: int = 12, first: int = 0) -> list[str]:
    """Distinct arXiv-style ids for a day's papers: 2606.1200n for 2026-06-12."""
    return [f"{day.year % 100:02d}{day.month:02d}.{day.day * 1000 + n:05d}" for n in
            range(first, first + count)]  # fmt: skip


def hf_body(day: date, ids: list[str]) -> bytes:
    """HF's answer for ``day``: the fixture's items, renumbered to ``ids``."""
    stamp = f"{day.isoformat()}T00:00:00.000Z"
    items = []
    for n, paper_id in enumerate(ids):
        item = json.loads(json.dumps(HF_ITEMS[n % len(HF_ITEMS)]))
        item["paper"]["id"] = paper_id
        item["paper"]["title"] = f"Paper {paper_id}"
        item["publishedAt"] = stamp
        item["paper"]["publishedAt"] = stamp
        items.append(item)
    return json.dumps(items).encode()


def serve_days(server: FakeServer, days: dict[date, list[str]], delay: float = 0.0) -> None:
    """HF lists these ids on these days (and nothing on any other)."""
    server.serve_hf_days({d.isoformat(): hf_body(d, ids) for d, ids in days.items()}, delay=delay)


def env_for(home: Path, server: FakeServer | None, now: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    url = server.url if server is not None else "http://127.0.0.1:9"
    env.update(
        PAPERS_HOME=str(home),
        PAPERS_CONFIG=str(home / "config.toml"),
        PAPERS_NOW=now,
        PAPERS_HF_URL=url,
        PAPERS_ARXIV_RSS_URL=url,
        PAPERS_ARXIV_API_URL=url,
        PAPERS_ARXIV_DELAY="0",
        PAPERS_RETRIES="1",
    )
    env.update(extra)
    return env


def write_email_config(
    home: Path, port: int, to: tuple[str, ...] = ("me@example.org",), extra: str = ""
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    recipients = ", ".join(f'"{r}"' for r in to)
    (home / "config.toml").write_text(
        f'[digest.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'from = "papercli@example.org"\nto = [{recipients}]\n{extra}'
    )


def papers(*args: str) -> list[str]:
    return [sys.executable, "-m", "papercli", *args]


def digest(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``papers digest ARGS`` to the end."""
    return subprocess.run(
        papers("digest", *args), env=env, capture_output=True, text=True, timeout=timeout
    )


def state_file(home: Path, name: str = "default") -> Path:
    return home / "state" / f"digest-{name}.json"


def outbox(home: Path, name: str = "default") -> list[Path]:
    directory = home / "state" / f"digest-{name}.outbox"
    return sorted(directory.iterdir()) if directory.exists() else []


def snapshot(root: Path) -> dict[str, str]:
    """Every file under a directory, hashed (locks aside): what 'unchanged' means."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }
