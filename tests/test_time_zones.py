"""The time-sensitive tests again, far east and far west of UTC, in one run of the suite.

CI runs the suite once, in whatever zone the machine has; papercli must not care (date
arguments count from the UTC day, ``query.dates.current_day``). So this runs the modules
that turn clocks into days in two child pytest processes at once, one at UTC+14 and one at
UTC-11, where a local-zone "today" is a different date from the UTC one for most of the day.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from papercli.query.dates import current_day

ROOT = Path(__file__).resolve().parents[1]
ZONES = {"Pacific/Kiritimati": "+1400", "Pacific/Pago_Pago": "-1100"}
TIME_SENSITIVE = [
    "tests/test_dates.py",
    "tests/test_cli.py",
    "tests/test_options.py",
    "tests/test_digest.py",
    "tests/test_digest_options.py",
]
CHILD = "PAPERS_TEST_ZONE_CHILD"


def zone_offset(zone: str) -> str:
    probe = subprocess.run(
        [sys.executable, "-c", "import time; print(time.strftime('%z'))"],
        env={**os.environ, "TZ": zone}, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return probe.stdout.strip()


@pytest.mark.skipif(bool(os.environ.get(CHILD)), reason="already a zone run")
def test_time_sensitive_tests_pass_at_utc_plus_14_and_minus_11(tmp_path: Path) -> None:
    missing = [zone for zone, offset in ZONES.items() if zone_offset(zone) != offset]
    if missing:
        pytest.skip(f"no time-zone data for {missing} (apt-get install tzdata)")
    runs = {}
    for zone in ZONES:
        env = {**os.environ, "TZ": zone, CHILD: zone, "TMPDIR": str(tmp_path)}
        runs[zone] = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
             *TIME_SENSITIVE],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    for zone, process in runs.items():
        output, _ = process.communicate(timeout=900)
        assert process.returncode == 0, f"TZ={zone}:\n{output[-4000:]}"


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-11-27T23:30:00-05:00", "2026-11-28"),  # evening in New York: the UTC day is next
        ("2026-11-28T08:00:00+14:00", "2026-11-27"),  # morning at Kiritimati: UTC is behind
        ("2026-11-27T00:00:00+00:00", "2026-11-27"),
        ("2026-11-27T23:59:59+00:00", "2026-11-27"),
    ],
)
def test_today_is_the_utc_day(moment: str, day: str) -> None:
    assert current_day(datetime.fromisoformat(moment)).isoformat() == day


def test_today_ignores_the_zone_of_the_clock() -> None:
    instant = datetime(2026, 11, 27, 12, tzinfo=UTC)
    for hours in range(-12, 15):
        local = instant.astimezone(timezone(timedelta(hours=hours)))
        assert current_day(local).isoformat() == "2026-11-27"
