"""The For you model file: derived state in cache/, beside the index.

It is keyed by a fingerprint of what it was trained on (the reading list, the dismissals and
the model version): a file with another fingerprint is stale and a file that cannot be read
is rebuilt, with one warning. It is never the source of truth and ``cache clear`` may drop it.
"""

from __future__ import annotations

import errno
import json
from typing import Any

from papercli.errors import StorageError
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json, read_file

FORMAT = "papercli.foryou-model"
NAME = "foryou-model.json"


def load(store: Store, fingerprint: str) -> dict[str, Any] | None:
    """The stored model's data when it matches ``fingerprint``; None when it must be trained."""
    path = store.cache_dir / NAME
    try:
        raw = read_file(path)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            store.warn(f"cannot read the For you model {path}: {exc.strerror}; rebuilding it")
        return None
    try:
        # Plain json.loads: load_json's per-number hooks would cost more than the ranking;
        # the model's reader checks every weight is a finite number.
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a papercli model file")
        if data.get("fingerprint") != fingerprint:
            return None  # trained on another reading list: stale, not broken
        model = data["model"]
        if not isinstance(model, dict):
            raise ValueError("no model in it")
        return model
    except (ValueError, KeyError, UnicodeDecodeError, RecursionError):
        store.warn(f"the For you model {path} is corrupt; rebuilding it")
        return None


def save(store: Store, fingerprint: str, model: dict[str, Any]) -> None:
    """Write the model atomically (a failure to write only costs a retrain next time)."""
    path = store.cache_dir / NAME
    data = {"format": FORMAT, "fingerprint": fingerprint, "model": model}
    try:
        with store.cache_lock(shared=True):
            atomic_write(path, dump_json(data))
    except (OSError, StorageError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        store.warn(f"cannot write the For you model {path}: {reason}")
