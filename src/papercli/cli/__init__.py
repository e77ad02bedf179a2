"""The ``papers`` command line: Typer commands over the core, one module per group."""

from papercli.cli import cache, listing  # noqa: F401  (registers the commands)
from papercli.cli.app import app, main

__all__ = ["app", "main"]
