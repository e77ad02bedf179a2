"""Delivering a digest exactly once: intent on disk, then delivery, then its record.

For each channel: write the intent (if that fails, nothing is sent: StorageError, exit 11),
deliver, rename the intent to ``.sent`` (the record that survives a full disk), fold it into
the state file, remove it. SIGINT and SIGTERM wait (``Guard``) from the point where the
delivery may have happened until it is recorded. An intent left by an earlier run is settled
first: a ``.sent`` one is folded, a pending e-mail is sent again with the same Message-ID.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from papercli.core.session import Session
from papercli.digest.channels import LOCAL_SETTLERS, Channel
from papercli.digest.guard import Guard
from papercli.digest.run import DigestRequest, Selection, gather, plans, select
from papercli.digest.smtp import Receipt, UncertainDelivery
from papercli.errors import PaperCliError, SendError
from papercli.query.dates import current_day
from papercli.store.digest_outbox import Intent, discard, load_intents, mark_sent, save_intent
from papercli.store.digest_state import DigestState, load_state, save_state


@dataclass(frozen=True)
class Delivered:
    """One confirmed delivery."""

    channel: str
    count: int
    subject: str
    receipt: Receipt
    earlier: bool = False  # an intent an earlier run left pending


@dataclass
class Outcome:
    """What a digest run did, for the exit code and the log line."""

    delivered: list[Delivered] = field(default_factory=list)
    failures: list[PaperCliError] = field(default_factory=list)  # sources
    failures_by_channel: dict[str, SendError] = field(default_factory=dict)
    nothing_new: bool = True

    @property
    def refused(self) -> dict[str, str]:
        """Recipients a server refused, with its reply."""
        return {r: why for d in self.delivered for r, why in d.receipt.refused.items()}


def _fold(session: Session, state: DigestState, intent: Intent) -> None:
    """Record a confirmed intent in the state file, then drop it."""
    now = session.now()
    state.record(
        intent.channel, intent.ids, current_day(now), intent.coverage,
        sent_at=now.isoformat(),
    )  # fmt: skip
    save_state(session.store, state)
    discard(session.store, intent)


def _confirm(session: Session, state: DigestState, intent: Intent) -> None:
    _fold(session, state, mark_sent(session.store, intent))


def deliver_one(
    session: Session, state: DigestState, channel: Channel, intent: Intent, guard: Guard
) -> Receipt:
    """Intent, delivery, record; the intent goes only when the delivery surely did not happen.

    A delivery in parts that fails for certain records the parts the service confirmed (their
    papers, not the days: the rest stay owed). Any other failure of one keeps it pending.
    """
    save_intent(session.store, intent)
    try:
        receipt = channel.deliver(intent, guard)
    except UncertainDelivery:
        raise  # it stays pending: the next run sends the same message again
    except SendError:
        _drop(session, state, intent)
        raise
    except BaseException:
        if not getattr(channel, "resumable", False):
            with contextlib.suppress(OSError):
                discard(session.store, intent)
        raise  # a delivery in parts stays pending: the next run resumes it
    _confirm(session, state, intent)
    return receipt


def _drop(session: Session, state: DigestState, intent: Intent) -> None:
    """A delivery that certainly failed: record what parts of it arrived, drop the intent."""
    from papercli.digest.remote import ids_confirmed

    arrived = ids_confirmed(session, intent)
    if arrived:
        now = session.now()
        state.record(intent.channel, arrived, current_day(now), {}, sent_at=now.isoformat())
        save_state(session.store, state)
    with contextlib.suppress(OSError):
        discard(session.store, intent)


def settle(
    session: Session,
    state: DigestState,
    channels: dict[str, Channel],
    guard: Guard,
    outcome: Outcome,
) -> None:
    """Finish what earlier runs left: fold confirmed intents, deliver or drop pending ones.

    A channel whose earlier delivery cannot be finished now gets nothing new this run (its
    new digest would repeat papers of the pending one); the other channels carry on.
    """
    for intent in load_intents(session.store, state.name):
        if intent.sent:
            _fold(session, state, intent)
            continue
        channel = channels.get(intent.channel)
        if channel is not None:
            try:
                receipt = channel.settle(intent, guard)
            except SendError as exc:
                if not isinstance(exc, UncertainDelivery):
                    exc.hint = (
                        "it stays pending (its first send may have arrived): the next run "
                        "tries it again before anything new goes to that channel"
                    )
                outcome.failures_by_channel[intent.channel] = exc
                continue
        elif intent.channel in LOCAL_SETTLERS:
            receipt = LOCAL_SETTLERS[intent.channel](intent)
        else:
            option = (
                f"--{intent.channel}" if intent.channel in ("email", "file", "stdout")
                else f"--to {intent.channel}"
            )  # fmt: skip
            session.warn(
                f"a {intent.channel} digest of {len(intent.ids)} papers prepared at "
                f"{intent.created_at} is not confirmed as delivered; the next run with "
                f"{option} finishes it"
            )
            continue
        if receipt is None:
            discard(session.store, intent)
            continue
        _confirm(session, state, intent)
        outcome.delivered.append(
            Delivered(intent.channel, len(intent.ids), "", receipt, earlier=True)
        )
        session.info(
            f"delivered the {intent.channel} digest of {len(intent.ids)} papers prepared at "
            f"{intent.created_at}, which an earlier run could not confirm"
        )


def _summary(selection: Selection, receipt: Receipt) -> tuple[str, bool]:
    """The log line of a delivery, and whether it is a warning (something was refused)."""
    subject = selection.digest.subject()
    if not receipt.refused:
        return f"{subject}: delivered to {', '.join(receipt.accepted)}", False
    refused = "; ".join(f"{r} ({why})" for r, why in receipt.refused.items())
    return (
        f"{subject}: delivered to {', '.join(receipt.accepted)}; the server refused {refused}",
        True,
    )


def run_digest(
    session: Session,
    request: DigestRequest,
    channels: list[Channel],
    guard: Guard,
    *,
    wait: float,
) -> Outcome:
    """Settle earlier intents, then build and deliver each channel's digest."""
    outcome = Outcome()
    with guard.abortable():
        state = load_state(session.store, request.name)
    settle(session, state, {c.key: c for c in channels}, guard, outcome)
    with guard.abortable():
        owed = plans(session, request, state, [c.key for c in channels])
        gathered = gather(session, owed, wait)
        selections = [select(session, request, state, p, gathered) for p in owed]
    outcome.failures = gathered.failures
    outcome.nothing_new = not any(d.count for d in outcome.delivered)
    send_empty = session.settings["digest.send_empty"]
    named = len(channels) > 1
    for channel, selection in zip(channels, selections, strict=True):
        digest = selection.digest
        if channel.key in outcome.failures_by_channel:
            if digest.count:
                outcome.nothing_new = False
            continue  # its earlier delivery is unfinished: nothing new goes there before it
        if digest.count:
            outcome.nothing_new = False
        elif outcome.failures:
            continue  # an outage changes nothing: the owed days stay owed
        elif not send_empty:
            where = f" ({channel.key})" if named else ""
            session.info(f"{digest.subject()}: nothing to send{where}")
            today = current_day(session.now())
            state.record(channel.key, (), today, selection.coverage, sent_at=None)
            save_state(session.store, state)
            continue
        intent = channel.prepare(request.name, selection, session.now().isoformat())
        try:
            receipt = deliver_one(session, state, channel, intent, guard)
        except SendError as exc:
            outcome.failures_by_channel[channel.key] = exc
            continue  # a channel that fails does not hold the others back
        outcome.delivered.append(Delivered(channel.key, digest.count, digest.subject(), receipt))
        line, warning = _summary(selection, receipt)
        (session.warn if warning else session.info)(line)
    return outcome


def preview(
    session: Session, request: DigestRequest, channel: str, wait: float
) -> tuple[Selection, list[PaperCliError]]:
    """The digest ``channel`` would get next, and the failures; changes nothing (--dry-run)."""
    state = load_state(session.store, request.name)
    for intent in load_intents(session.store, request.name):
        if intent.channel == channel:
            session.info(
                f"a {channel} digest of {len(intent.ids)} papers prepared at "
                f"{intent.created_at} awaits confirmation; the next run settles it first"
            )
    owed = plans(session, request, state, [channel])
    gathered = gather(session, owed, wait)
    return select(session, request, state, owed[0], gathered), gathered.failures
