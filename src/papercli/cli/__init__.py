"""The ``papers`` command line: Typer commands over the core, one module per group."""

from papercli.cli import (  # noqa: F401  (importing registers the commands)
    cache,
    config_cmd,
    digest_cmd,
    library_cmd,
    listing,
    search,
)
from papercli.cli.app import app, main

__all__ = ["app", "main"]
