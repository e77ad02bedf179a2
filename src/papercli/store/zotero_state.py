"""Which papers ``papers zotero push`` already added to Zotero (``state/zotero.json``).

Zotero's connector does not recognise an item it already has, so papercli remembers what it
pushed and skips it next time (``--again`` pushes anyway). A record is written after Zotero
confirmed the batch; a run killed in between pushes that batch again, which Zotero drops for
ten minutes by its save session id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from papercli.errors import ConfigError
from papercli.models import is_valid_id
from papercli.store.cache import Store
from papercli.store.files import atomic_write, dump_json

NAME = "zotero"
FORMAT = "papercli.zotero-pushed"


def pushed(store: Store) -> dict[str, str]:
    """Paper id -> when it was pushed."""
    path = store.state_path(NAME)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ConfigError(
            f"cannot read {path} ({exc})", hint="delete it to forget what was pushed"
        ) from None
    items = data.get("pushed") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(items, dict) or not all(
        is_valid_id(k) and isinstance(v, str) for k, v in items.items()
    ):
        raise ConfigError(f"{path} is not papercli's record of Zotero pushes",
                          hint="delete it to forget what was pushed")  # fmt: skip
    return dict(items)


def record_pushed(store: Store, ids: Iterable[str], when: str) -> None:
    """Add ids Zotero confirmed (StorageError when the record cannot be written)."""
    items = pushed(store)
    for paper_id in ids:
        items.setdefault(paper_id, when)
    data = {"format": FORMAT, "version": 1, "pushed": dict(sorted(items.items()))}
    atomic_write(store.state_path(NAME), dump_json(data))
