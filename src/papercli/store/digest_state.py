"""The delivery state of each digest: per channel, what it delivered and what it covered.

Version 2 (``state/digest-NAME.json``)::

    {"format": "papercli.digest-state", "version": 2, "name": "default",
     "channels": {"email": {
         "delivered": {"2606.07867": "2026-06-12"},     # id -> day first delivered there
         "coverage": {"hf": {"from": "2026-06-11", "covered": [["2026-06-11", "2026-06-11"]]},
                      "arxiv/cs.CL": {"from": "2026-06-11", "covered": []}},
         "resume_from": null, "last_sent_at": "2026-06-12T20:00:05+00:00", "runs": 1}}}

A channel is where a digest goes (``stdout``, ``file``, ``email``; later chat and webhook
channels add their own keys), so a paper delivered to one channel and not yet to another goes
to the other next time. Coverage is kept per source (``hf``, ``arxiv/CATEGORY``): ``from`` is
the first day the channel follows that source, ``covered`` the days (inclusive ranges) whose
final listing was read and delivered there; every other day since ``from`` is still owed.

Version 1 (the previous release) had one ``seen`` map and one ``last_complete`` day for the
whole digest. It is read as the history of every channel that release had, so nothing it
records is sent again, and sources without coverage resume at ``last_complete`` as they did.

Ids are versionless, so a replacement, a repeated feed or HF featuring an older paper is never
news twice within KEEP_SEEN_DAYS. Read strictly: a damaged file stops the run (and is set
aside) rather than letting every paper be sent again; a newer version is left untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from papercli.errors import ConfigError
from papercli.models import CATEGORY_RE, LazyPattern, is_valid_id
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json, load_json, read_file

STATE_FORMAT = "papercli.digest-state"
STATE_VERSION = 2
KEEP_SEEN_DAYS = 400  # ids and coverage older than this are forgotten
V1_CHANNELS = ("stdout", "file", "email")  # where a version-1 digest could have gone
_CHANNEL = LazyPattern(r"[a-z][a-z0-9_.:\-]{0,63}")
_MAX_RANGES = 2000
_MAX_RANGE_DAYS = 2 * KEEP_SEEN_DAYS


def source_key(source: str, category: str | None = None) -> str:
    """``hf`` or ``arxiv/cs.CL``: how coverage names a source."""
    return source if category is None else f"{source}/{category}"


def is_source_key(key: str) -> bool:
    """True for ``hf`` and ``arxiv/<category>``."""
    if key == "hf":
        return True
    source, _, category = key.partition("/")
    return source == "arxiv" and CATEGORY_RE.fullmatch(category) is not None


def is_channel_key(key: str) -> bool:
    """True for a channel name papercli could have written."""
    return _CHANNEL.fullmatch(key) is not None


class CoverageUpdate(NamedTuple):
    """What a delivery adds to one source's coverage: where tracking starts, days now done."""

    start: date
    days: tuple[date, ...]


@dataclass
class Coverage:
    """One source on one channel: followed since ``start``; ``days`` were covered completely."""

    start: date
    days: set[date] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form: the days as inclusive ranges."""
        ranges: list[list[str]] = []
        for day in sorted(self.days):
            if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == day:
                ranges[-1][1] = day.isoformat()
            else:
                ranges.append([day.isoformat(), day.isoformat()])
        return {"from": self.start.isoformat(), "covered": ranges}

    @classmethod
    def from_dict(cls, data: Any) -> Coverage:
        """Parse and bound the on-disk form; raises ValueError."""
        if not isinstance(data, dict) or not isinstance(data.get("covered"), list):
            raise ValueError("bad coverage")
        ranges = data["covered"]
        if len(ranges) > _MAX_RANGES:
            raise ValueError("implausible coverage")
        days: set[date] = set()
        for pair in ranges:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError("bad coverage range")
            first, last = _day(pair[0]), _day(pair[1])
            if not 0 <= (last - first).days <= _MAX_RANGE_DAYS:
                raise ValueError("implausible coverage range")
            days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        return cls(start=_day(data.get("from")), days=days)


@dataclass
class ChannelState:
    """What one channel of a digest received."""

    delivered: dict[str, str] = field(default_factory=dict)  # id -> day first delivered
    coverage: dict[str, Coverage] = field(default_factory=dict)
    resume_from: date | None = None  # from a version-1 file: where untracked sources resume
    last_sent_at: str | None = None
    runs: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "delivered": dict(sorted(self.delivered.items())),
            "coverage": {k: v.to_dict() for k, v in sorted(self.coverage.items())},
            "resume_from": self.resume_from.isoformat() if self.resume_from else None,
            "last_sent_at": self.last_sent_at,
            "runs": self.runs,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ChannelState:
        """Parse the on-disk form; raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("bad channel")
        coverage = data.get("coverage")
        if not isinstance(coverage, dict) or not all(map(is_source_key, coverage)):
            raise ValueError("bad coverage")
        resume = data.get("resume_from")
        return cls(
            delivered=_delivered(data.get("delivered")),
            coverage={k: Coverage.from_dict(v) for k, v in coverage.items()},
            resume_from=_day(resume) if resume is not None else None,
            last_sent_at=_optional_text(data.get("last_sent_at")),
            runs=_count(data.get("runs")),
        )

    def record(
        self,
        ids: Iterable[str],
        today: date,
        coverage: Mapping[str, CoverageUpdate],
        *,
        sent_at: str | None,
    ) -> None:
        """Add a confirmed delivery (or, with no ids, a run that found nothing new)."""
        stamp = today.isoformat()
        ids = list(ids)
        for paper_id in ids:
            self.delivered.setdefault(paper_id, stamp)
        for key, update in coverage.items():
            entry = self.coverage.get(key)
            if entry is None:
                self.coverage[key] = Coverage(update.start, set(update.days))
            else:
                entry.start = max(entry.start, update.start)
                entry.days.update(update.days)
        if coverage:
            # Every source of the run now has its own entry; a later source starts afresh.
            self.resume_from = None
        if sent_at is not None:
            self.last_sent_at = sent_at
            self.runs += 1
        self.prune(today)

    def prune(self, today: date) -> None:
        """Forget ids and covered days older than KEEP_SEEN_DAYS."""
        cutoff = today - timedelta(days=KEEP_SEEN_DAYS)
        stamp = cutoff.isoformat()
        self.delivered = {k: v for k, v in self.delivered.items() if v >= stamp}
        for entry in self.coverage.values():
            entry.start = max(entry.start, cutoff)  # forgotten days are not owed either
            entry.days = {d for d in entry.days if d >= cutoff}


@dataclass
class DigestState:
    """Every channel's record for one digest name."""

    name: str
    channels: dict[str, ChannelState] = field(default_factory=dict)

    def channel(self, key: str) -> ChannelState:
        """A channel's record (an empty one, not yet stored, for a channel never used)."""
        return self.channels.get(key) or ChannelState()

    def prune(self, today: date) -> None:
        """Forget, on every channel, what is older than KEEP_SEEN_DAYS."""
        for channel in self.channels.values():
            channel.prune(today)

    def record(
        self,
        channel: str,
        ids: Iterable[str],
        today: date,
        coverage: Mapping[str, CoverageUpdate],
        *,
        sent_at: str | None,
    ) -> None:
        """Record a confirmed delivery on ``channel``."""
        self.channels.setdefault(channel, self.channel(channel)).record(
            ids, today, coverage, sent_at=sent_at
        )

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form (always the current version)."""
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "name": self.name,
            "channels": {k: v.to_dict() for k, v in sorted(self.channels.items())},
        }

    @classmethod
    def from_dict(cls, data: Any, name: str) -> DigestState:
        """Parse version 2, or migrate version 1; raises ValueError (NewerState for later)."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError("not a papercli digest state")
        version = data.get("version")
        if version == 1:
            return cls._from_v1(data, name)
        if isinstance(version, int) and not isinstance(version, bool) and version > 2:
            raise NewerState(version)
        if version != STATE_VERSION:
            raise ValueError(f"unknown version {version!r}")
        channels = data.get("channels")
        if not isinstance(channels, dict) or not all(map(is_channel_key, channels)):
            raise ValueError("bad channels")
        return cls(name, {k: ChannelState.from_dict(v) for k, v in channels.items()})

    @classmethod
    def _from_v1(cls, data: dict[str, Any], name: str) -> DigestState:
        seen = _delivered(data.get("seen"))
        last = data.get("last_complete")
        resume = _day(last) if last is not None else None
        sent_at = _optional_text(data.get("last_sent_at"))
        runs = _count(data.get("runs"))
        return cls(
            name,
            {
                channel: ChannelState(dict(seen), {}, resume, sent_at, runs)
                for channel in V1_CHANNELS
            },
        )


class NewerState(ValueError):
    """A state file from a newer papercli: never set aside or overwritten by this one."""

    def __init__(self, version: int) -> None:
        super().__init__(f"version {version}")
        self.version = version


def _day(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("bad date")
    return date.fromisoformat(value)


def _delivered(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("bad delivered list")
    for key, day in value.items():
        if not (isinstance(key, str) and is_valid_id(key)):
            raise ValueError("bad paper id in the delivered list")
        _day(day)
    return dict(value)


def _optional_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("bad text field")
    return value


def _count(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("bad run count")
    return value


def state_file_name(name: str) -> str:
    """The state file (and lock) name of a digest."""
    return f"digest-{name}"


def load_state(store: Store, name: str) -> DigestState:
    """The state of a digest; a damaged file stops the run instead of re-sending all."""
    path = store.state_path(state_file_name(name))
    try:
        raw = read_file(path)
    except FileNotFoundError:
        return DigestState(name=name)
    except OSError as exc:
        raise ConfigError(f"cannot read digest state {path}: {exc.strerror}") from None
    try:
        return DigestState.from_dict(load_json(raw), name)
    except NewerState as exc:
        raise ConfigError(
            f"digest state {path} is version {exc.version}, from a newer papercli",
            hint="upgrade papercli; this version leaves the file as it is",
        ) from None
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        aside = path.with_name(path.name + ".bad")
        try:
            path.replace(aside)
        except OSError:
            raise ConfigError(f"digest state {path} is unreadable ({exc})") from None
        raise ConfigError(
            f"digest state {path} is unreadable ({exc}); moved it to {aside.name}",
            hint="run again to start this digest afresh (papers already sent may be sent again)",
        ) from None


def save_state(store: Store, state: DigestState) -> None:
    """Write a digest's state atomically (StorageError when it cannot be written)."""
    atomic_write(store.state_path(state_file_name(state.name)), dump_json(state.to_dict()))
