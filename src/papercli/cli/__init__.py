"""The ``papers`` command line: Typer commands over the core, one module per group."""

from papercli.cli import cache, config_cmd, digest_cmd, listing, search  # noqa: F401
from papercli.cli.app import app, main

__all__ = ["app", "main"]
