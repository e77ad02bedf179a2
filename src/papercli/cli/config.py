"""``papers config``: where the config is, a starter file, the effective settings, edits."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from papercli.cli import root
from papercli.cli.common import settings
from papercli.config import KEYS, default_config_path
from papercli.core.config_file import init_config, set_value

config_app = typer.Typer(
    help="The TOML config file and the effective settings.", no_args_is_help=True
)
root.group("config", config_app)


def complete_key(incomplete: str) -> list[str]:
    """Shell completion for `config set KEY`: every setting and the configured topics' fields."""
    from papercli.config import load_settings
    from papercli.core.config_file import settable_keys
    from papercli.errors import PaperCliError

    try:
        topics = tuple(load_settings().topics)
    except PaperCliError:
        topics = ()
    return [key for key in settable_keys(topics) if key.startswith(incomplete)]


@config_app.command("path")
def config_path() -> None:
    """Print where the config file is ($PAPERS_CONFIG or the platform's config dir)."""
    typer.echo(str(default_config_path()))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter config (every setting, with its default)."""
    path = default_config_path()
    init_config(path, force=force)
    typer.echo(f"wrote {path}", err=True)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


@config_app.command("show")
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> None:
    """The effective settings, and where each came from: default, file, env or flag."""
    config = settings()
    if as_json:
        data = {
            "config_path": str(config.config_path),
            "data_dir": str(config.data_dir),
            "settings": {
                name: {"value": config[name], "origin": config.origins[name]} for name in KEYS
            },
            "topics": {
                name: {
                    "keywords": list(t.keywords),
                    "exclude": list(t.exclude),
                    "categories": list(t.categories),
                    "authors": list(t.authors),
                }
                for name, t in config.topics.items()
            },
            "channels": {
                name: {"type": c.type, **c.options} for name, c in config.channels.items()
            },
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    lines = [f"# config file: {config.config_path}", f"# data dir:    {config.data_dir}"]
    width = max(len(name) for name in KEYS)
    for name in KEYS:
        lines.append(f"{name:<{width}} = {_shown(config[name])}  # {config.origins[name]}")
    for name, topic in config.topics.items():
        lines.append(
            f"topics.{name} = keywords {_shown(topic.keywords)}, exclude {_shown(topic.exclude)}, "
            f"categories {_shown(topic.categories)}, authors {_shown(topic.authors)}  # file"
        )
    for name, channel in config.channels.items():
        options = ", ".join(f"{k} {_shown(v)}" for k, v in channel.options.items())
        lines.append(
            f"digest.channels.{name} = {channel.type}{', ' if options else ''}{options}  # file"
        )
    typer.echo("\n".join(lines))


# ignore_unknown_options: `config set network.timeout -1` is a value, not an unknown option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            autocompletion=complete_key, help="A setting (network.timeout) or topics.NAME.FIELD."
        ),
    ],
    value: Annotated[str, typer.Argument(help='The value; lists as "a, b" or a TOML array.')],
) -> None:
    """Change one value in the config file, keeping its comments; refuses invalid results.

    Examples:
      papers config set sources.arxiv_categories "cs.CL, cs.LG"
      papers config set network.timeout 30
      papers config set topics.agents.keywords '["agent", "tool use"]'
    """
    path = default_config_path()
    set_value(path, key, value)
    typer.echo(f"set {key} in {path}", err=True)
