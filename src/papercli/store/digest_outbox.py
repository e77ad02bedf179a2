"""Intents: what a digest is about to deliver, on disk before anything is sent.

A delivery of several messages (a chat digest split to fit the service's limits) keeps one
marker per part beside its intent: ``KEY.N.part`` from the start, renamed to ``KEY.N.done``
once the service confirmed that part, so a crash mid-digest neither repeats a confirmed part
nor loses the rest.

Each intent is one file in ``state/digest-NAME.outbox/``: ``KEY.pending`` from before the
delivery starts until the channel confirmed it, then renamed to ``KEY.sent`` until it is
folded into the state file and removed. A rename needs no free space, so once a server has
accepted a message a full disk cannot make papercli forget it; and an intent that cannot be
written (full, read-only) stops the run before anything is sent.

    {"format": "papercli.digest-intent", "version": 1, "digest": "default",
     "channel": "email", "key": "5f0c...", "created_at": "2026-06-12T20:00:00+00:00",
     "ids": ["2606.07867"], "coverage": {"hf": {"from": "2026-06-11", "days": ["2026-06-11"]}},
     "payload": {"message_id": "<...>", "recipients": ["me@example.org"], "message": "..."}}
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from papercli.errors import ConfigError
from papercli.models import LazyPattern, is_valid_id
from papercli.store.cache import Store
from papercli.store.digest_state import (
    CoverageUpdate,
    is_channel_key,
    is_source_key,
    state_file_name,
)
from papercli.store.files import atomic_write, dump_json, storage_error

INTENT_FORMAT = "papercli.digest-intent"
INTENT_VERSION = 1
_KEY = LazyPattern(r"[0-9a-f]{16,64}")
_SUFFIXES = (".pending", ".sent")


@dataclass(frozen=True)
class Intent:
    """One delivery to one channel: the papers, the coverage it completes, what to send."""

    digest: str
    channel: str
    key: str  # derived from what it delivers: the same papers to the same place, the same key
    created_at: str
    ids: tuple[str, ...]
    coverage: dict[str, CoverageUpdate] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)  # the channel's own fields
    sent: bool = False  # the channel confirmed it; only recording it remains

    def to_dict(self) -> dict[str, Any]:
        """The on-disk form."""
        return {
            "format": INTENT_FORMAT,
            "version": INTENT_VERSION,
            "digest": self.digest,
            "channel": self.channel,
            "key": self.key,
            "created_at": self.created_at,
            "ids": list(self.ids),
            "coverage": {
                k: {"from": u.start.isoformat(), "days": [d.isoformat() for d in u.days]}
                for k, u in sorted(self.coverage.items())
            },
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: Any, *, sent: bool) -> Intent:
        """Parse the on-disk form; raises ValueError on anything unexpected."""
        if not isinstance(data, dict) or data.get("format") != INTENT_FORMAT:
            raise ValueError("not a papercli digest intent")
        if data.get("version") != INTENT_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        ids, coverage, payload = data.get("ids"), data.get("coverage"), data.get("payload")
        key, channel = data.get("key"), data.get("channel")
        if not isinstance(ids, list) or not all(isinstance(i, str) and is_valid_id(i) for i in ids):
            raise ValueError("bad ids")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError("bad key")
        if not isinstance(channel, str) or not is_channel_key(channel):
            raise ValueError("bad channel")
        if not isinstance(coverage, dict) or not isinstance(payload, dict):
            raise ValueError("bad coverage or payload")
        updates = {}
        for source, value in coverage.items():
            if not is_source_key(source) or not isinstance(value, dict):
                raise ValueError("bad coverage")
            days = value.get("days")
            if not isinstance(days, list) or not all(isinstance(d, str) for d in days):
                raise ValueError("bad coverage days")
            updates[source] = CoverageUpdate(
                date.fromisoformat(str(value.get("from"))),
                tuple(date.fromisoformat(d) for d in days),
            )
        created = data.get("created_at")
        digest = data.get("digest")
        if not isinstance(created, str) or not isinstance(digest, str):
            raise ValueError("bad intent header")
        return cls(digest, channel, key, created, tuple(ids), updates, payload, sent)


def outbox_dir(store: Store, name: str) -> Path:
    """Where a digest's intents live (``name`` was validated as a state name)."""
    return store.state_path(state_file_name(name)).with_suffix(".outbox")


def _path(store: Store, intent: Intent) -> Path:
    suffix = ".sent" if intent.sent else ".pending"
    return outbox_dir(store, intent.digest) / f"{intent.key}{suffix}"


def _sync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def save_intent(store: Store, intent: Intent) -> None:
    """Write a pending intent durably, before its delivery starts (StorageError if it can't)."""
    path = _path(store, replace(intent, sent=False))
    atomic_write(path, dump_json(intent.to_dict()))
    _sync_dir(path.parent)


def mark_sent(store: Store, intent: Intent) -> Intent:
    """The channel confirmed the delivery: rename the intent to ``.sent`` (needs no space)."""
    pending = _path(store, replace(intent, sent=False))
    sent = replace(intent, sent=True)
    try:
        os.replace(pending, _path(store, sent))
    except OSError as exc:
        raise storage_error(exc, pending) from None
    _sync_dir(pending.parent)
    return sent


def discard(store: Store, intent: Intent) -> None:
    """Remove an intent that is recorded, or whose delivery certainly did not happen."""
    with contextlib.suppress(FileNotFoundError):
        _path(store, intent).unlink()
    for marker in _markers(store, intent):
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()


def _part(store: Store, intent: Intent, number: int, suffix: str) -> Path:
    return outbox_dir(store, intent.digest) / f"{intent.key}.{number}.{suffix}"


def _markers(store: Store, intent: Intent) -> list[Path]:
    directory = outbox_dir(store, intent.digest)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    prefix = f"{intent.key}."
    return [directory / n for n in names if n.startswith(prefix) and n.endswith((".part", ".done"))]


def open_parts(store: Store, intent: Intent, count: int) -> None:
    """Create the markers of a delivery in ``count`` parts, before any is sent."""
    for number in range(count):
        path = _part(store, intent, number, "part")
        if not _part(store, intent, number, "done").exists():
            atomic_write(path, b"")
    _sync_dir(outbox_dir(store, intent.digest))


def confirm_part(store: Store, intent: Intent, number: int) -> None:
    """The service confirmed part ``number``: rename its marker to ``.done`` (needs no space)."""
    pending, done = _part(store, intent, number, "part"), _part(store, intent, number, "done")
    try:
        os.replace(pending, done)
    except FileNotFoundError:
        atomic_write(done, b"")  # its marker was never made (killed while making them)
    except OSError as exc:
        raise storage_error(exc, pending) from None
    _sync_dir(done.parent)


def confirmed_parts(store: Store, intent: Intent) -> set[int]:
    """The parts of a delivery that the service confirmed."""
    done = set()
    for marker in _markers(store, intent):
        number, _, suffix = marker.name.removeprefix(f"{intent.key}.").partition(".")
        if suffix == "done" and number.isdigit() and number.isascii():
            done.add(int(number))
    return done


def load_intents(store: Store, name: str) -> list[Intent]:
    """The intents an earlier run left, oldest first; a damaged one stops the run."""
    directory = outbox_dir(store, name)
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(f"cannot read {directory}: {exc.strerror}") from None
    found = []
    for entry in names:
        stem, suffix = os.path.splitext(entry)
        if suffix not in _SUFFIXES or not _KEY.fullmatch(stem):
            continue  # temp files of an interrupted write, set-aside files
        path = directory / entry
        try:
            intent = Intent.from_dict(json.loads(path.read_bytes()), sent=suffix == ".sent")
            if intent.digest != name or intent.key != stem:
                raise ValueError("intent of another digest")
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
            with contextlib.suppress(OSError):
                path.replace(path.with_name(entry + ".bad"))
            raise ConfigError(
                f"digest intent {path} is unreadable ({exc}); moved it to {entry}.bad",
                hint="papers it held may be sent again; run again to carry on",
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        found.append(intent)
    return sorted(found, key=lambda i: (i.created_at, i.key))
