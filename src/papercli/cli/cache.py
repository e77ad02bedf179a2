"""``papers cache``: where the cache is, what it holds, and clearing it."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import settings
from papercli.errors import BusyError
from papercli.store.cache import Store

cache_app = typer.Typer(help="The local cache of listings and papers.", no_args_is_help=True)
root.group("cache", cache_app)


@cache_app.command("path")
def cache_path() -> None:
    """Print the data directory ($PAPERS_HOME or the platform's user data dir)."""
    typer.echo(str(settings().data_dir))


def _summary(store: Store) -> dict[str, object]:
    files = list(store.cache_files())
    listings = {"hf": store.listing_days("hf")}
    for category in store.cached_categories():
        listings[f"arxiv/{category}"] = store.listing_days("arxiv", category)
    return {
        "path": str(store.root),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "set_aside": sum(1 for p in files if p.name.endswith(".bad")),
        "listings": {
            name: {"days": len(days), "first": str(days[0]), "last": str(days[-1])}
            for name, days in listings.items()
            if days
        },
    }


@cache_app.command("info")
def cache_info(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> None:
    """What the cache holds: files, size, and the days cached per source."""
    summary = _summary(Store(settings().data_dir))
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    from papercli.formats.summary import count_noun
    from papercli.formats.table import aligned

    rows = [
        ("path", str(summary["path"])),
        ("files", f"{summary['files']} ({int(summary['bytes']) / 1e6:.1f} MB)"),  # type: ignore[call-overload]
    ]
    if summary["set_aside"]:
        rows.append(("set aside", f"{summary['set_aside']} unreadable (*.bad)"))
    for name, info in summary["listings"].items():  # type: ignore[attr-defined]
        days = count_noun(info["days"], "day")
        rows.append((name, f"{days}, {info['first']} .. {info['last']}"))
    sys.stdout.write(aligned(rows))


@cache_app.command("clear")
def cache_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for runs using the cache.")
    ] = 60.0,
) -> None:
    """Delete cached listings and papers (your reading list and digest state stay).

    Waits for runs that are writing the cache (fetch, digest) to finish first: exit 8 if
    they still hold it after --wait seconds.
    """
    store = Store(settings().data_dir)
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("refusing to clear without --yes when not on a terminal")
        typer.confirm(f"Delete the cache in {store.cache_dir}?", abort=True, err=True)
    try:
        removed = store.clear_cache(timeout=0)
    except BusyError:
        if not wait:
            raise
        typer.echo(f"waiting up to {wait:g} s for other papercli runs to finish with the cache",
                   err=True)  # fmt: skip
        removed = store.clear_cache(timeout=wait)
    typer.echo(f"removed {removed} file(s) from {store.cache_dir}", err=True)
