"""A full disk around a digest: never a send without a record, never a re-send after one.

Two ways to fill it: an injected ENOSPC at one exact write (``inject/sitecustomize.py``, in a
real process), and a real 1 MB tmpfs that the SMTP server fills up while it takes the message
(root and mount namespaces needed; skipped without them).
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digestenv import day_ids, digest, env_for, outbox, serve_days, state_file, write_email_config
from fakeserver import FakeServer
from smtpserver import SmtpServer
from test_delivery import FRI, IDS, NOW, THU

INJECT = str(Path(__file__).parent / "inject")
injected = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="the ENOSPC injection reads /proc/self/fd"
)


@pytest.fixture
def hf(server: FakeServer) -> FakeServer:
    serve_days(server, {THU: day_ids(THU), FRI: day_ids(FRI)})
    return server


@injected
def test_no_room_for_the_intent_means_nothing_is_sent(hf: FakeServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        full = env_for(home, hf, NOW, PYTHONPATH=INJECT, PAPERS_TEST_ENOSPC=".*.pending.*.tmp")
        result = digest(full, "--email", "--source", "hf", "--quiet")
        assert result.returncode == 11, result.stderr
        assert result.stderr.startswith("Error: cannot write ")
        assert ".pending: No space left on device" in result.stderr
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
        assert smtp.inbox.messages == []
        assert not state_file(home).exists() and outbox(home) == []
        later = digest(env_for(home, hf, NOW), "--email", "--source", "hf")
        assert later.returncode == 0, later.stderr
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}


@injected
def test_no_room_for_the_record_after_the_send_never_sends_again(
    hf: FakeServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    with SmtpServer() as smtp:
        write_email_config(home, smtp.port)
        full = env_for(
            home, hf, NOW, PYTHONPATH=INJECT, PAPERS_TEST_ENOSPC=".digest-default.json.*.tmp"
        )
        result = digest(full, "--email", "--source", "hf", "--quiet")
        assert result.returncode == 11, result.stderr
        assert "digest-default.json: No space left on device" in result.stderr
        assert "Traceback" not in result.stderr
        [sent] = outbox(home)
        assert sent.suffix == ".sent"  # the fact survives, in a rename that needs no space
        later = digest(env_for(home, hf, NOW), "--email", "--source", "hf")
        assert later.returncode == 10, later.stderr
        assert outbox(home) == []
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}
    state = json.loads(state_file(home).read_text())
    assert sorted(state["channels"]["email"]["delivered"]) == sorted(IDS)


def _can_mount_tmpfs(where: Path) -> str | None:
    if sys.platform != "linux" or not shutil.which("unshare"):
        return "needs Linux with unshare(1)"
    where.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs '{where}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return None if probe.returncode == 0 else f"cannot mount a tmpfs: {probe.stderr.strip()}"


def test_a_real_disk_that_fills_during_the_send(hf: FakeServer, tmp_path: Path) -> None:
    """1 MB tmpfs as the data dir; the server fills it while it queues the message."""
    home = tmp_path / "home"
    reason = _can_mount_tmpfs(home)
    if reason:
        pytest.skip(reason)
    out = tmp_path / "out"
    out.mkdir()
    env = env_for(home, hf, NOW, PAPERS_CONFIG=str(tmp_path / "config.toml"))
    script = f"""
mount -t tmpfs -o size=1m tmpfs "$PAPERS_HOME" || exit 99
"{sys.executable}" -m papercli digest --email --source hf --quiet 2>"{out}/first.err"
echo $? >"{out}/first.code"
ls "$PAPERS_HOME/state/digest-default.outbox" >"{out}/outbox" 2>&1
rm -f "$PAPERS_HOME/filler"
"{sys.executable}" -m papercli digest --email --source hf --quiet 2>"{out}/second.err"
echo $? >"{out}/second.code"
cp "$PAPERS_HOME/state/digest-default.json" "{out}/state.json"
"""
    with SmtpServer() as smtp:
        write_email_config(tmp_path, smtp.port)
        process = subprocess.Popen(["unshare", "-m", "sh", "-c", script], env=env)

        def fill_the_disk() -> None:
            # The shell's view of the mount: its /proc root sees its namespace.
            filler = Path(f"/proc/{process.pid}/root{home}/filler")
            with filler.open("wb") as handle:
                try:
                    while True:
                        handle.write(b"\0" * 65536)
                        handle.flush()
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC

        smtp.inbox.on_data = fill_the_disk
        assert process.wait(timeout=60) == 0
        smtp.inbox.on_data = None
    first, second = (out / "first.code").read_text(), (out / "second.code").read_text()
    assert first.strip() == "11", (out / "first.err").read_text()
    assert "No space left on device" in (out / "first.err").read_text()
    assert (out / "outbox").read_text().strip().endswith(".sent")
    assert second.strip() == "10", (out / "second.err").read_text()
    assert smtp.inbox.delivered() == {i: 1 for i in IDS}
    state = json.loads((out / "state.json").read_text())
    assert sorted(state["channels"]["email"]["delivered"]) == sorted(IDS)
