"""``papers digest``: only what's new, for cron, as a file, on stdout or by e-mail."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from papercli.cli import root
from papercli.cli.common import open_session, settings, terminal
from papercli.cli.options import (
    AllOpt,
    AuthorOpt,
    CategoryOpt,
    DaysOpt,
    ExcludeOpt,
    HasCodeOpt,
    KeywordOpt,
    MinUpvotesOpt,
    OfflineOpt,
    QuietOpt,
    SourceOpt,
    TopicOpt,
    TypeOpt,
    WhereOpt,
    choices,
    choose_sources,
    make_criteria,
)
from papercli.core.session import Session
from papercli.digest import deliver, run
from papercli.digest.guard import Guard
from papercli.digest.render import RENDERERS
from papercli.errors import ExitCode, PaperCliError, SendError, UsageError
from papercli.formats.terminal import write_message
from papercli.store.digest_state import state_file_name

if TYPE_CHECKING:
    from papercli.config import Settings
    from papercli.digest.channels import Channel
    from papercli.digest.mail import Mail


class DigestFormat(StrEnum):
    """Digest formats."""

    markdown = "markdown"
    html = "html"
    text = "text"
    json = "json"
    atom = "atom"
    jsonfeed = "jsonfeed"
    ris = "ris"
    csljson = "csljson"


class DigestSort(StrEnum):
    """Orders within a digest's groups."""

    upvotes = "upvotes"
    for_you = "for-you"


@root.command("digest")
def digest(
    name: Annotated[str, typer.Option("--name", help="Digest name: each has its own state.")] = (
        "default"
    ),
    topic: TopicOpt = None,
    only_topics: Annotated[
        bool, typer.Option("--only-topics", help="Leave out papers matching no topic.")
    ] = False,
    since_last: Annotated[
        bool, typer.Option("--since-last", help="Cover the days since the last digest (default).")
    ] = False,
    days: DaysOpt = None,
    keyword: KeywordOpt = None,
    all_keywords: AllOpt = False,
    exclude: ExcludeOpt = None,
    where: WhereOpt = None,
    author: AuthorOpt = None,
    category: CategoryOpt = None,
    type_: TypeOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    has_code: HasCodeOpt = False,
    source: SourceOpt = None,
    fmt: Annotated[
        DigestFormat,
        typer.Option("--format", "-f", metavar="FORMAT", help=f"{choices(DigestFormat)}."),
    ] = DigestFormat.markdown,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE.")] = None,
    email: Annotated[bool, typer.Option("--email", help="Send by SMTP ([digest.email]).")] = False,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="NAME",
            help="Deliver to the channel [digest.channels.NAME] (Slack, Discord, Matrix, "
            "webhook); repeatable.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print it; send nothing, remember nothing.")
    ] = False,
    per_group: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most N papers per topic.")
    ] = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for another digest run.")
    ] = 60.0,
    sort: Annotated[
        DigestSort,
        typer.Option("--sort", metavar="KEY", help=f"Order in each group: {choices(DigestSort)}."),
    ] = DigestSort.upvotes,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """New papers since the last digest of this name, grouped by topic, for cron.

    Once your reading list holds 5 papers, the digest opens with a "For you" section: the
    digest.for_you (default 5; 0 turns it off) new papers most like what you saved. They are
    not repeated in the topic groups. Dismissed papers never appear.

    Each channel (stdout, --output, --email, each --to NAME) gets every new paper once: what
    it was sent is recorded before the next run can repeat it, and a run that could not
    finish leaves the days it owes for the next one. A channel that fails does not hold the
    others back. Exit codes for cron: 0 delivered; 10 nothing new (no mail unless
    digest.send_empty); 4 or 5 a source failed (what arrived was delivered, the rest comes
    later); 7 --offline and days not cached; 8 another run held the lock past --wait; 9 a
    channel could not be delivered to, or its fate is unknown (the rest goes next run);
    11 the state cannot be written (nothing was sent); 12 delivered, but the mail server
    refused some recipients; 130 Ctrl-C; 143 SIGTERM.

    Examples:
      papers digest --dry-run
      papers digest --topic agents --format html --output ~/digest.html
      papers digest --email --quiet
      papers digest --to lab-slack --to matrix --quiet
    """
    config = settings()
    if days is not None and since_last:
        raise UsageError("give --since-last or --days N, not both")
    to = _channel_names(config, to or [])
    hf, cats = choose_sources(config, source, category)
    mail = None
    if email and not dry_run:
        from papercli.digest.mail import mail_settings

        mail = mail_settings(config, os.environ)
    grouping = [config.topics[t] for t in topic] if topic else list(config.topics.values())
    criteria = make_criteria(
        config, keywords=keyword, all_keywords=all_keywords, exclude=exclude, where=where,
        authors=author, categories=category, types=type_, min_upvotes=min_upvotes,
        has_code=has_code, topics=topic if (topic or only_topics) else None,
    )  # fmt: skip
    if only_topics and not grouping:
        raise UsageError("--only-topics needs topics in the config")
    request = run.DigestRequest(
        name=name, criteria=criteria, topics=tuple(grouping), include_other=not only_topics,
        days=days, hf=hf, categories=tuple(cats), per_group=per_group,
        for_you=int(config["digest.for_you"]), sort_for_you=sort is DigestSort.for_you,
    )  # fmt: skip
    term = terminal()
    with (
        open_session(config, offline=offline, quiet=quiet, term=term) as session,
        # A dry run changes no state: it only waits for a real run of this digest to finish,
        # and works on a data dir it cannot write.
        session.store.lock(state_file_name(name), timeout=wait, shared=dry_run, read_only=dry_run),
    ):
        if dry_run:
            channel = "email" if email else "file" if output else (to or ["stdout"])[0]
            selection, failures = deliver.preview(session, request, channel, wait)
            _print(RENDERERS[fmt.value](selection.digest), fmt)
            _finish(session, failures, delivered=False)
            nothing_new = selection.digest.count == 0
        else:
            channels = _channels(session, fmt, output, mail, to or [])

            def notify(text: str) -> None:
                if not quiet:
                    write_message(sys.stderr, "warning", text, color=term.err_color)

            try:
                with Guard(notify) as guard:
                    outcome = deliver.run_digest(session, request, channels, guard, wait=wait)
            finally:
                for channel in channels:
                    getattr(channel, "close", lambda: None)()
            failures = [*outcome.failures_by_channel.values(), *outcome.failures]
            _finish(session, failures, delivered=bool(outcome.delivered))
            if outcome.refused:
                raise typer.Exit(int(ExitCode.REFUSED))
            nothing_new = outcome.nothing_new
    if nothing_new:
        raise typer.Exit(int(ExitCode.NOTHING_NEW))


def _channel_names(config: Settings, names: list[str]) -> list[str]:
    """The --to names, each a configured channel, once each."""
    for name in names:
        if name not in config.channels:
            known = ", ".join(sorted(config.channels)) or "none"
            raise UsageError(
                f"--to {name}: no [digest.channels.{name}] in {config.config_path} "
                f"(configured: {known})",
                hint="see the README's digest channels for an example",
            )
    return list(dict.fromkeys(names))


def _channels(
    session: Session, fmt: DigestFormat, output: str | None, mail: Mail | None, to: list[str]
) -> list[Channel]:
    """The channels this run delivers to: a file, e-mail and --to channels, else stdout."""
    from pathlib import Path

    from papercli.digest.channels import EmailChannel, FileChannel, StdoutChannel
    from papercli.formats.atom import self_link

    base_url = session.settings["feeds.base_url"]
    channels: list[Channel] = []
    if output is not None:
        path = Path(output).expanduser().absolute()
        channels.append(FileChannel(path, fmt.value, link=self_link(base_url, str(path))))
    if mail is not None:
        channels.append(EmailChannel(mail, session.sleep, session.now().timestamp()))
    if to:
        from papercli.digest.remote import RemoteChannel

        for name in to:
            channels.append(RemoteChannel(session.settings.channels[name], session, os.environ))
    return channels or [StdoutChannel(sys.stdout, fmt.value, link=self_link(base_url, None))]


def _print(text: str, fmt: DigestFormat) -> None:
    """The digest on stdout: Markdown drawn by Rich on a terminal, as text in a pipe."""
    term = terminal()
    if fmt is DigestFormat.markdown and term.stdout_tty:
        from papercli.formats.terminal import render_markdown, write_paged

        def draw(out: TextIO, width: int | None) -> None:
            render_markdown(text, out, term._replace(width=width) if width else term)

        write_paged(draw, sys.stdout, term, pager=None)
    else:
        sys.stdout.write(text)
    sys.stdout.flush()


def _finish(session: Session, failures: list[PaperCliError], *, delivered: bool) -> None:
    """A channel or a source failed: warn about all but the first, which becomes the error
    and the code (a channel's failure first: exit 9 outranks 4, 5 and 7)."""
    if not failures:
        return
    for extra in failures[1:]:
        session.warn(str(extra) + (f" ({extra.hint})" if isinstance(extra, SendError) else ""))
    error = failures[0]
    if not isinstance(error, SendError):
        error.hint = (
            "what arrived was delivered; the days it missed come in a later digest"
            if delivered
            else "nothing was sent or recorded; the next run tries these days again"
        )
    raise error
