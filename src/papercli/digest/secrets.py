"""A channel's secret (a webhook URL, an access token): from the environment or a command.

Never from the config file (``config`` refuses such keys), never stored, never printed. A
channel named ``lab`` reads ``$PAPERS_CHANNEL_LAB_URL`` (or ``_TOKEN``) unless it names
another variable (``url_env``) or a command that prints the secret (``url_command``), run
without a shell, at most COMMAND_TIMEOUT seconds, its output never shown.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping

from papercli.config import ChannelSpec
from papercli.errors import ConfigError

COMMAND_TIMEOUT = 30.0


def default_env(spec: ChannelSpec, what: str) -> str:
    """``PAPERS_CHANNEL_LAB_URL`` for the ``url`` of channel ``lab``."""
    return f"PAPERS_CHANNEL_{re.sub(r'[^A-Z0-9]', '_', spec.name.upper())}_{what.upper()}"


def resolve(
    spec: ChannelSpec, what: str, environ: Mapping[str, str], *, required: bool = True
) -> str | None:
    """The secret ``what`` (``url`` or ``token``) of a channel; ConfigError when missing."""
    where = f"digest.channels.{spec.name}"
    env_name = spec.options.get(f"{what}_env") or default_env(spec, what)
    command = spec.options.get(f"{what}_command")
    value = environ.get(env_name, "").strip()
    if not value and command:
        value = _run(command, f"{where}.{what}_command")
    if not value:
        if not required:
            return None
        raise ConfigError(
            f"channel {spec.name} ({spec.type}) has no {_noun(spec, what)}: "
            f"${env_name} is not set" + ("" if command else f" and {where} has no {what}_command"),
            hint=f"export {env_name}=..., or set {what}_command in [{where}]",
        )
    if what == "url" and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
        # Not echoed: it is the secret, or close to it.
        raise ConfigError(f"the {_noun(spec, what)} of channel {spec.name} is not an http(s) URL")
    if any(c in value for c in "\r\n\0"):
        raise ConfigError(f"the {_noun(spec, what)} of channel {spec.name} holds a line break")
    return value


def _noun(spec: ChannelSpec, what: str) -> str:
    if what == "token":
        return "access token" if spec.type == "matrix" else "token"
    return "webhook URL"


def _run(command: str, where: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError:
        raise ConfigError(f"{where} is not a valid command line (unbalanced quotes)") from None
    if not argv:
        raise ConfigError(f"{where} is empty")
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where} did not finish within {COMMAND_TIMEOUT:g} s") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where} failed to run ({type(exc).__name__})") from None
    if done.returncode != 0:
        # Its output is not shown: it may hold the secret or part of it.
        raise ConfigError(f"{where} exited with {done.returncode}")
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if lines else ""
