"""The For you model file: derived state in cache/, beside the index.

It is keyed by a fingerprint of what it was trained on (the reading list, the dismissals and
the model version): a file with another fingerprint is stale and a file that cannot be read
is rebuilt, with one warning. It is never the source of truth and ``cache clear`` may drop it.

Stored as ``marshal`` bytes, not JSON: a model trained on 500 saved papers holds ~20,000
weights, which JSON takes 20 ms to read and marshal 6 ms, on a path that must add at most
20 ms to ``papers today``. What is read back is checked by ``Model.from_dict`` (objects of
the right types, every weight a finite number) before it is used.
"""

from __future__ import annotations

import contextlib
import errno
import marshal
from typing import Any

from papercli.errors import StorageError
from papercli.store.cache import Store
from papercli.store.files import atomic_write, read_file

FORMAT = "papercli.foryou-model/2"
NAME = "foryou-model.bin"


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
        data = marshal.loads(raw)  # noqa: S302 - papercli's own derived file, checked below
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a papercli model file")
        if data.get("fingerprint") != fingerprint:
            return None  # trained on another reading list: stale, not broken
        model = data["model"]
        if not isinstance(model, dict):
            raise ValueError("no model in it")
        return model
    except (ValueError, KeyError, EOFError, TypeError, AttributeError):
        store.warn(f"the For you model {path} is corrupt; rebuilding it")
        return None


def save(store: Store, fingerprint: str, model: dict[str, Any]) -> None:
    """Write the model atomically (a failure to write only costs a retrain next time)."""
    path = store.cache_dir / NAME
    data = {"format": FORMAT, "fingerprint": fingerprint, "model": model}
    try:
        with store.cache_lock(shared=True):
            atomic_write(path, marshal.dumps(data))
            with contextlib.suppress(OSError):
                (store.cache_dir / "foryou-model.json").unlink()  # papercli 0.1's JSON form
    except (OSError, StorageError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        store.warn(f"cannot write the For you model {path}: {reason}")
