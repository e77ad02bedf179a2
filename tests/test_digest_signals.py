"""SIGINT and SIGTERM at random moments of a send: nothing lost, nothing twice.

Each round is its own data dir and its own recipient: ``papers digest --email`` starts on a
slow server (RCPT and the reply to DATA each take a while) and gets the signal after a random
delay, counted in half the rounds from the moment its intent is on disk (the send has
begun), in the other half from the moment the server has queued the message (its reply, and
the record of it, still to come); then a clean run follows. The server counts, per
recipient, how many accepted messages carried each paper: exactly one, every time.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from digestenv import day_ids, digest, env_for, papers, serve_days, write_email_config
from fakeserver import FakeServer
from smtpserver import SmtpServer

NOW = "2026-06-12T20:00:00+00:00"
THU, FRI = date(2026, 6, 11), date(2026, 6, 12)
IDS = set(day_ids(THU) + day_ids(FRI))
ROUNDS = 30
EXPECTED = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _round(
    n: int, signum: int, when: tuple[bool, float], server: FakeServer, smtp: SmtpServer,
    root: Path,
) -> dict[str, object]:  # fmt: skip
    home = root / f"round{n}"
    recipient = f"round{n}@example.org"
    shutil.copytree(root / "template" / "cache", home / "cache")  # fresh: nothing to fetch
    write_email_config(home, smtp.port, to=(recipient,))
    env = env_for(home, server, NOW)
    process = subprocess.Popen(
        papers("digest", "--email", "--source", "hf", "--quiet"),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    box = home / "state" / "digest-default.outbox"
    queued, delay = when
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        if queued and smtp.inbox.delivered(recipient):
            break  # the server has the message; its reply is still to come
        if not queued and box.exists() and any(box.iterdir()):
            break  # the intent is on disk: the send has begun
        time.sleep(0.002)
    time.sleep(delay)
    process.send_signal(signum)  # a no-op when it has exited already
    _, err = process.communicate(timeout=60)
    # 0: it finished before the signal arrived (possibly while it was exiting).
    interrupted = process.returncode == EXPECTED[signum]
    accepted_before = sum(smtp.inbox.delivered(recipient).values()) > 0
    clean = digest(env, "--email", "--source", "hf", "--quiet")
    return {
        "interrupted": interrupted,
        "code": process.returncode,
        "err": err,
        "clean": clean.returncode,
        "clean_err": clean.stderr,
        "accepted_before": accepted_before,
        "counts": smtp.inbox.delivered(recipient),
    }


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_at_random_moments_of_a_send_lose_nothing_and_send_nothing_twice(
    signum: int, server: FakeServer, tmp_path: Path
) -> None:
    serve_days(server, {THU: day_ids(THU), FRI: day_ids(FRI)})
    template = env_for(tmp_path / "template", server, NOW)
    subprocess.run(papers("fetch", "--days", "2", "--source", "hf"), env=template, check=True,
                   capture_output=True)  # fmt: skip
    rng = random.Random(20260612 + signum)
    with SmtpServer() as smtp:
        smtp.inbox.stall = {"RCPT": 0.05, "DATA": 0.25}
        # Half the signals come some time after the send began (connecting, RCPT, the body),
        # half once the server has queued the message and before or after its reply.
        whens = [(n % 2 == 1, rng.uniform(0.0, 0.3 if n % 2 else 0.4)) for n in range(ROUNDS)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            rounds = list(
                pool.map(
                    lambda a: _round(a[0], signum, a[1], server, smtp, tmp_path),
                    enumerate(whens),
                )
            )
    lost = duplicated = 0
    for r in rounds:
        counts: Counter[str] = r["counts"]  # type: ignore[assignment]
        lost += len(IDS - set(counts))
        duplicated += sum(c - 1 for c in counts.values() if c > 1)
        assert r["code"] in (EXPECTED[signum], 0), r["err"]
        assert r["err"] == "", r["err"]  # quiet, with no traceback
        assert r["clean"] in (0, 10), r["clean_err"]
    interrupted = [r for r in rounds if r["interrupted"]]
    after_acceptance = [r for r in interrupted if r["accepted_before"]]
    print(
        f"\n{signal.Signals(signum).name}: {len(rounds)} rounds, {len(interrupted)} interrupted "
        f"({len(after_acceptance)} after the server had the message), "
        f"papers lost {lost}, duplicated {duplicated}"
    )
    assert lost == 0 and duplicated == 0
    assert len(interrupted) >= ROUNDS * 2 // 3, "the signals must land during sends"
    assert after_acceptance and len(after_acceptance) < len(interrupted), (
        "some signals must land before the server had the message, some after"
    )
