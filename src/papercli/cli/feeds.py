"""``papers feeds``: Atom feeds per topic, "For you" and everything, with an OPML index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import open_session, settings, terminal
from papercli.cli.options import (
    CategoryOpt,
    OfflineOpt,
    QuietOpt,
    SourceOpt,
    choose_sources,
    make_criteria,
)
from papercli.errors import UsageError


@root.command("feeds")
def feeds(
    directory: Annotated[
        Path, typer.Option("--dir", "-d", metavar="DIR", help="Write the feeds here.")
    ],
    entries: Annotated[
        int | None,
        typer.Option(
            "--entries", min=1, max=10000, help="Newest N entries per feed [feeds.entries: 100]."
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=30, help="Read the last N days [feeds.days: 3]."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", metavar="URL", help="Where DIR is served, for absolute links."),
    ] = None,
    source: SourceOpt = None,
    category: CategoryOpt = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for another run on DIR.")
    ] = 60.0,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one Atom feed per topic, one for everything and an index.opml, for feed readers.

    Each feed keeps its newest N entries across runs: a paper enters a feed once, with the
    same entry id every run, so a reader sees no duplicates; one that polls at least once
    per N new papers misses none. Files change only when their content does. Run it from
    cron next to `papers digest`. Exit codes: 0 written; 4 or 5 a source failed (what was
    cached was used); 7 --offline and nothing cached; 8 another run on DIR held its lock;
    11 DIR or the state cannot be written.

    Examples:
      papers feeds --dir ~/public/papers
      papers feeds --dir /var/www/papers --base-url https://me.example.org/papers --entries 200
    """
    from papercli.digest.feeds import FeedsRequest, lock_name, write_feeds

    config = settings()
    hf, cats = choose_sources(config, source, category)
    url = base_url if base_url is not None else config["feeds.base_url"]
    if url and not url.startswith(("https://", "http://")):
        raise UsageError(f"--base-url must be an http(s) URL, got {url!r}")
    criteria = make_criteria(
        config, keywords=None, all_keywords=False, exclude=None, where=None, authors=None,
        categories=category, types=None, min_upvotes=None, has_code=False, topics=None,
    )  # fmt: skip
    target = directory.expanduser().absolute()
    request = FeedsRequest(
        directory=target,
        entries=entries or config["feeds.entries"] or 100,
        days=days or config["feeds.days"] or 3,
        hf=hf, categories=tuple(cats), topics=tuple(config.topics.values()),
        criteria=criteria, base_url=url,
    )  # fmt: skip
    with (
        open_session(config, offline=offline, quiet=quiet, term=terminal()) as session,
        session.store.lock(lock_name(target), timeout=wait),
    ):
        outcome = write_feeds(session, request, wait)
        added = ", ".join(f"{name} +{n}" for name, n in outcome.added.items())
        session.info(f"feeds in {target}: {added}; {len(outcome.written)} files written")
        if outcome.failures:
            for extra in outcome.failures[1:]:
                session.warn(str(extra))
            error = outcome.failures[0]
            error.hint = "the feeds hold what was cached; the next run adds what was missed"
            raise error
