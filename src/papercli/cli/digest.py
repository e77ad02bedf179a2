"""``papers digest``: only what's new, for cron, as a file, on stdout or by e-mail."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

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
    choose_sources,
    make_criteria,
)
from papercli.core.session import Session
from papercli.digest import run
from papercli.digest.render import RENDERERS, render_html, render_text
from papercli.errors import ExitCode, UsageError
from papercli.store.digest_state import state_file_name

if TYPE_CHECKING:
    from papercli.digest.build import Digest
    from papercli.digest.mail import Mail


class DigestFormat(StrEnum):
    """Digest formats."""

    markdown = "markdown"
    html = "html"
    text = "text"
    json = "json"
    atom = "atom"
    jsonfeed = "jsonfeed"


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
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f", help="Format.")] = (
        DigestFormat.markdown
    ),
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE.")] = None,
    email: Annotated[bool, typer.Option("--email", help="Send by SMTP ([digest.email]).")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print it; send nothing, remember nothing.")
    ] = False,
    per_group: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most N papers per topic.")
    ] = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for another digest run.")
    ] = 60.0,
    offline: OfflineOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """New papers since the last digest of this name, grouped by topic, for cron.

    Exit codes for cron: 0 delivered, 10 nothing new (no mail unless digest.send_empty),
    8 another digest run held the lock past --wait, 9 the mail could not be sent (it will be
    retried next run), others as for every command.

    Examples:
      papers digest --dry-run
      papers digest --topic agents --format html --output ~/digest.html
      papers digest --email --quiet
    """
    config = settings()
    if days is not None and since_last:
        raise UsageError("give --since-last or --days N, not both")
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
    )  # fmt: skip
    term = terminal()
    with (
        open_session(config, offline=offline, quiet=quiet, term=term) as session,
        session.store.lock(state_file_name(name), timeout=wait),
    ):
        prepared = run.prepare(session, request)
        delivered = _deliver(session, prepared, fmt, output, mail, dry_run=dry_run)
    if not delivered or prepared.digest.count == 0:
        raise typer.Exit(int(ExitCode.NOTHING_NEW))


def _deliver(
    session: Session,
    prepared: run.Prepared,
    fmt: DigestFormat,
    output: str | None,
    mail: Mail | None,
    *,
    dry_run: bool,
) -> bool:
    """Write, print or mail the digest, then record it; False when there was nothing to send."""
    built = prepared.digest
    if built.count == 0 and not session.settings["digest.send_empty"]:
        session.info(f"{built.subject()}: nothing to send")
        if not dry_run:
            run.record(session, prepared, sent=False)
        return False
    text = RENDERERS[fmt.value](built)
    if dry_run or (output is None and mail is None):
        sys.stdout.write(text)
        sys.stdout.flush()
    if dry_run:
        return True
    if output is not None:
        run.write_output(output, text)
    if mail is not None:
        _send(session, mail, built)
    run.record(session, prepared, sent=True)
    session.info(f"{built.subject()}: delivered")
    return True


def _send(session: Session, mail: Mail, built: Digest) -> None:
    from papercli.digest.mail import build_message, send

    message = build_message(
        mail, built.subject(), render_text(built), render_html(built), session.now().timestamp()
    )
    refused = send(mail, message, sleep=session.sleep)
    if refused:
        session.warn(f"the SMTP server refused {', '.join(refused)}; the others got the digest")
