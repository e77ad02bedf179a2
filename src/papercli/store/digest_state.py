"""The seen-state of each digest: which papers an earlier digest of that name delivered.

Keyed by versionless id, so a replacement, a repeated feed or HF featuring an older paper is
never news twice. Read strictly: a damaged file stops the run (and is set aside) rather than
letting every paper be sent again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from papercli.errors import ConfigError
from papercli.models import Paper, is_valid_id
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json

STATE_FORMAT = "papercli.digest-state"
STATE_VERSION = 1
KEEP_SEEN_DAYS = 400  # ids older than this are forgotten; arXiv ids never come back that late


@dataclass
class DigestState:
    """What earlier digests of one name delivered, and up to when they were complete."""

    name: str
    seen: dict[str, str] = field(default_factory=dict)  # id -> day first delivered
    last_complete: str | None = None  # the last day a digest covered with every source working
    last_sent_at: str | None = None
    runs: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "name": self.name,
            "seen": dict(sorted(self.seen.items())),
            "last_complete": self.last_complete,
            "last_sent_at": self.last_sent_at,
            "runs": self.runs,
        }

    @classmethod
    def from_dict(cls, data: Any, name: str) -> DigestState:
        """Parse the on-disk form; raises ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError("not a papercli digest state")
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        seen = data.get("seen")
        if not isinstance(seen, dict) or not all(
            isinstance(k, str) and is_valid_id(k) and isinstance(v, str) for k, v in seen.items()
        ):
            raise ValueError("bad seen list")
        last = data.get("last_complete")
        if last is not None:
            date.fromisoformat(last)
        return cls(
            name=name,
            seen=dict(seen),
            last_complete=last,
            last_sent_at=data.get("last_sent_at"),
            runs=int(data.get("runs") or 0),
        )

    def delivered(
        self, papers: Iterable[Paper], today: date, *, complete_until: date | None
    ) -> None:
        """Record a successful delivery (only ever called after the digest went out)."""
        stamp = today.isoformat()
        papers = list(papers)
        for paper in papers:
            self.seen.setdefault(paper.id, stamp)
        cutoff = date.fromordinal(today.toordinal() - KEEP_SEEN_DAYS).isoformat()
        self.seen = {k: v for k, v in self.seen.items() if v >= cutoff}
        if complete_until is not None:
            self.last_complete = complete_until.isoformat()
        if papers:
            self.runs += 1


def state_file_name(name: str) -> str:
    """The state file (and lock) name of a digest."""
    return f"digest-{name}"


def load_state(store: Store, name: str) -> DigestState:
    """The seen-state of a digest; a damaged file stops the run instead of re-sending all."""
    path = store.state_path(state_file_name(name))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return DigestState(name=name)
    except OSError as exc:
        raise ConfigError(f"cannot read digest state {path}: {exc.strerror}") from None
    try:
        return DigestState.from_dict(json.loads(raw), name)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        aside = path.with_name(path.name + ".bad")
        path.replace(aside)
        raise ConfigError(
            f"digest state {path} is unreadable ({exc}); moved it to {aside.name}",
            hint="run again to start this digest afresh (papers already sent may be sent again)",
        ) from None


def save_state(store: Store, state: DigestState) -> None:
    """Write a digest's state atomically."""
    atomic_write(store.state_path(state_file_name(state.name)), dump_json(state.to_dict()))
