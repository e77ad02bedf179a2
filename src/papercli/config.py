"""Settings: defaults < config file < PAPERS_* environment < command-line flags.

Also owns where papercli keeps things (platformdirs, PAPERS_HOME, PAPERS_CONFIG). Editing the
file (``papers config set``) is a use case: ``core.config_file``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from papercli.config_text import Lines, Where, parse_config_text, read_config_file
from papercli.errors import ConfigError, UsageError
from papercli.models import ANNOUNCE_TYPES, LazyPattern, Topic

APP_NAME = "papercli"
TOPIC_NAME_RE = LazyPattern(r"[A-Za-z0-9_\-]+")
_SECURITY = ("starttls", "ssl", "none")
_SECRET_NAMES = frozenset({"password", "pass", "passwd", "secret", "token", "smtp_password"})


# The default of a mapping field: shared, so it must not be changeable.
_NOTHING: Mapping[str, Any] = MappingProxyType({})


class Key(NamedTuple):
    """One setting: its dotted name in the file, its type, default and environment variable.

    Numbers must be finite and lie in [low, high]; ``above`` makes low itself invalid.
    """

    name: str
    kind: str  # bool | int | float | str | url | list | categories | types | security
    default: Any
    env: str | None = None
    low: float = 0
    high: float = math.inf
    above: bool = False


ARXIV_POLITE_DELAY = 3.0  # arXiv's terms of use: one request every 3 seconds


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("sources.hf", "bool", True, None),
        Key(
            "sources.arxiv_categories",
            "categories",
            (),
            "PAPERS_CATEGORIES",
        ),
        Key(
            "sources.arxiv_announce_types",
            "types",
            ("new", "cross"),
            None,
        ),
        Key("network.hf_url", "url", "https://huggingface.co", "PAPERS_HF_URL"),
        Key(
            "network.arxiv_rss_url",
            "url",
            "https://rss.arxiv.org",
            "PAPERS_ARXIV_RSS_URL",
        ),
        Key(
            "network.arxiv_api_url",
            "url",
            "https://export.arxiv.org",
            "PAPERS_ARXIV_API_URL",
        ),
        Key(
            "network.arxiv_pdf_url",
            "url",
            "https://arxiv.org",
            "PAPERS_ARXIV_PDF_URL",
        ),
        Key("network.arxiv_delay", "float", 3.0, "PAPERS_ARXIV_DELAY", high=60),
        Key("network.timeout", "float", 20.0, "PAPERS_TIMEOUT", high=600, above=True),
        Key("network.retries", "int", 3, "PAPERS_RETRIES", high=10),
        Key("network.contact", "str", "", "PAPERS_CONTACT"),
        Key("network.max_response_mb", "float", 32.0, None, high=1024, above=True),
        Key("network.hf_concurrency", "int", 8, None, low=1, high=32),
        Key("cache.ttl_minutes", "float", 60.0, "PAPERS_TTL_MINUTES", high=366 * 24 * 60),
        Key("feeds.base_url", "link", "", "PAPERS_FEEDS_BASE_URL"),
        Key("digest.send_empty", "bool", False, None),
        Key("digest.for_you", "int", 5, None, high=100),
        Key("digest.email.host", "str", "", "PAPERS_SMTP_HOST"),
        Key("digest.email.port", "int", 587, "PAPERS_SMTP_PORT", low=1, high=65535),
        Key("digest.email.security", "security", "starttls", None),
        Key("digest.email.username", "str", "", "PAPERS_SMTP_USER"),
        Key("digest.email.from", "str", "", None),
        Key("digest.email.to", "list", (), None),
        Key("digest.email.password_command", "str", "", None),
        Key("feeds.entries", "int", 100, None),
        Key("feeds.days", "int", 3, None),
        Key("zotero.url", "url", "http://127.0.0.1:23119", "PAPERS_ZOTERO_URL"),
    )
}


class Settings(NamedTuple):
    """The effective configuration of one invocation."""

    # A NamedTuple, not a dataclass: see models._PaperFields (start-up cost).

    data_dir: Path
    config_path: Path
    values: Mapping[str, Any]
    origins: Mapping[str, str]
    topics: Mapping[str, Topic] = _NOTHING
    warnings: tuple[str, ...] = ()  # for the CLI to show once (e.g. a world-readable file)
    channels: Mapping[str, ChannelSpec] = _NOTHING  # [digest.channels.*]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def categories(self) -> tuple[str, ...]:
        """The arXiv categories followed."""
        return self.values["sources.arxiv_categories"]

    @property
    def ttl_seconds(self) -> float:
        """How long the newest listing counts as fresh."""
        return float(self.values["cache.ttl_minutes"]) * 60.0

    def impolite_arxiv_delay(self, url: str) -> str | None:
        """A warning when requests to ``url``, one of arXiv's own hosts, would come faster
        than arXiv asks. A delay of 0 is fine against a local mirror or a test server."""
        delay = self.values["network.arxiv_delay"]
        if delay >= ARXIV_POLITE_DELAY:
            return None
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").lower()
        if host != "arxiv.org" and not host.endswith(".arxiv.org"):
            return None
        return (
            f"network.arxiv_delay is {delay:g} s ({self.origins['network.arxiv_delay']}); "
            f"arXiv asks for at least {ARXIV_POLITE_DELAY:g} s between requests "
            "and may block clients that go faster"
        )


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the cache and state live: $PAPERS_HOME or the platform's user data dir."""
    home = (os.environ if environ is None else environ).get("PAPERS_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: $PAPERS_CONFIG or the platform's user config dir."""
    path = (os.environ if environ is None else environ).get("PAPERS_CONFIG")
    if path:
        return Path(path).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def convert(key: Key, value: Any, where: object) -> Any:
    """Check and convert one raw value (from TOML, env text or a flag) to the key's type."""
    kind = key.kind
    try:
        if kind == "bool":
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in ("1", "true", "yes", "on"):
                    return True
                if lowered in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if isinstance(value, bool):
                return value
            raise ValueError
        if kind in ("int", "float"):
            return _number(key, value, where)
        if kind in ("list", "categories", "topic_categories", "types"):
            items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
            if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
                raise ValueError
            items = tuple(v for v in items if v)
            if kind in ("categories", "topic_categories"):
                from papercli.taxonomy import normalise

                try:
                    # Topics filter, so an archive (every math.* paper) is a fair choice there.
                    items = normalise(items, archives=kind == "topic_categories")
                except UsageError as exc:
                    raise ConfigError(f"{where}: {exc.message}", hint=exc.hint) from None
            if kind == "types":
                bad = [t for t in items if t not in ANNOUNCE_TYPES]
                if bad:
                    allowed = ", ".join(ANNOUNCE_TYPES)
                    raise ConfigError(f"{where}: {bad[0]!r} is not one of {allowed}")
            return items
        if not isinstance(value, str):
            raise ValueError
        if kind == "url":
            if not re.match(r"https?://[^/\s]+", value):
                raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
            return value.rstrip("/")
        if kind == "link":  # an optional URL, kept exactly (a trailing / means a folder)
            if value and not re.fullmatch(r"https?://[^/\s]+\S*", value):
                raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
            return value
        if kind == "security" and value not in _SECURITY:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(_SECURITY)}")
        return value
    except (TypeError, ValueError):
        expected = {
            "bool": "true or false",
            "list": "a list of text",
            "categories": "a list of arXiv categories",
            "topic_categories": "a list of arXiv categories",
            "types": "a list of announce types",
        }.get(kind, "text")
        raise ConfigError(f"{where}: expected {expected}, got {_shown(value)}") from None


def _number(key: Key, value: Any, where: object) -> int | float:
    """A finite number within the key's bounds: inf, nan, 1e308 or a zero timeout would
    disable what the setting bounds, or crash later."""
    whole = key.kind == "int"
    number: int | float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and len(value.strip()) <= 40:
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is not None and whole and isinstance(number, float):
        number = int(number) if math.isfinite(number) and number.is_integer() else None
    low = f"above {key.low:g}" if key.above else f"at least {key.low:g}"
    span = low if key.high == math.inf else f"{low} and at most {key.high:g}"
    if (
        number is None
        or not math.isfinite(number)
        or number < key.low
        or (key.above and number == key.low)
        or number > key.high
    ):
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{where}: expected {kind} {span}, got {_shown(value)}")
    return int(number) if whole else float(number)


def _shown(value: Any) -> str:
    """A value for an error message, cut short (a hostile config can hold anything)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _flatten(table: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in table.items():
        dotted = f"{prefix}{name}"
        # No setting is nested deeper than digest.email.x: stop instead of recursing on.
        if isinstance(value, dict) and dotted not in KEYS and depth < 4:
            flat.update(_flatten(value, dotted + ".", depth + 1))
        else:
            flat[dotted] = value
    return flat


def _parse_topics(raw: Any, path: Path, lines: Lines) -> dict[str, Topic]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [topics] must be a table of tables")
    topics: dict[str, Topic] = {}
    list_key = Key("", "list", ())
    cats_key = Key("", "topic_categories", ())
    fields = {"keywords", "exclude", "categories", "authors"}
    checked: dict[tuple[str, ...], tuple[str, ...]] = {}  # topics share category lists
    name_ok = TOPIC_NAME_RE.fullmatch
    for name, body in raw.items():
        where = Where(path, lines, name)
        if not name_ok(name):
            raise ConfigError(f"{where}: a topic name may hold letters, digits, - and _")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: expected a table ([topics.{name}])")
        if not body.keys() <= fields:
            raise ConfigError(f"{where}: unknown key {sorted(set(body) - fields)[0]!r}")
        raw_cats = body.get("categories", [])
        key = tuple(raw_cats) if isinstance(raw_cats, list) else None
        cats = checked.get(key) if key is not None else None
        if cats is None:
            cats = convert(cats_key, raw_cats, where)
            if key is not None:
                checked[key] = cats
        topics[name] = Topic(
            name=name,
            keywords=_texts(list_key, body.get("keywords"), where),
            exclude=_texts(list_key, body.get("exclude"), where),
            categories=cats,
            authors=_texts(list_key, body.get("authors"), where),
        )
    return topics


def _texts(key: Key, value: Any, where: Where) -> tuple[str, ...]:
    """A list of text from a topic (the common case without ``convert``'s generality)."""
    if value is None:
        return ()
    if type(value) is list and all(type(v) is str for v in value):
        return tuple(v for v in value if v)
    return convert(key, value, where)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Build the effective settings; raises ConfigError naming file, line and key."""
    env = os.environ if environ is None else environ
    path = config_path or default_config_path(env)
    # The parsed copy of a large config lives in the data dir's cache; a caller that passes
    # its own environment without PAPERS_HOME (tests, tools) keeps nothing anywhere.
    keep = environ is None or "PAPERS_HOME" in env
    data, text = read_config_file(path, default_data_dir(env) / "cache" if keep else None)
    return build_settings(data, text, path, env, overrides)


def validate_config_text(text: str, path: Path) -> None:
    """Raise ConfigError if ``text`` would not load as the config file at ``path``."""
    build_settings(parse_config_text(text, path), text, path, {}, None)


def build_settings(
    data: dict[str, Any],
    text: str,
    path: Path,
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None,
) -> Settings:
    """Settings from parsed file data, the environment and flags, in that order."""
    data = dict(data)
    raw_topics = data.pop("topics", {})
    raw_channels: Any = {}
    if isinstance(data.get("digest"), dict) and "channels" in data["digest"]:
        data["digest"] = dict(data["digest"])
        raw_channels = data["digest"].pop("channels")
    values = {name: key.default for name, key in KEYS.items()}
    origins = dict.fromkeys(KEYS, "default")
    lines = Lines(text)
    for dotted, value in _flatten(data).items():
        key = KEYS.get(dotted)
        where = f"{path}, {lines.key(dotted)}, key {dotted[:80]!r}"
        if key is None and dotted.rsplit(".", 1)[-1] in _SECRET_NAMES:
            # Never echo the value: it is probably the secret itself.
            raise ConfigError(
                f"{where}: papercli never reads a password from its config file",
                hint="set PAPERS_SMTP_PASSWORD, or digest.email.password_command",
            )
        if key is None:
            raise ConfigError(f"{where}: unknown setting", hint="`papers config show` lists them")
        values[dotted] = convert(key, value, where)
        origins[dotted] = "file"
    for dotted, key in KEYS.items():
        if key.env and env.get(key.env, "") != "":
            values[dotted] = convert(key, env[key.env], f"{key.env} ({dotted})")
            origins[dotted] = f"env {key.env}"
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        values[dotted] = convert(KEYS[dotted], value, f"option for {dotted}")
        origins[dotted] = "flag"
    return Settings(
        data_dir=default_data_dir(env),
        config_path=path,
        values=values,
        origins=origins,
        topics=_parse_topics(raw_topics, path, lines),
        channels=_parse_channels(raw_channels, path, lines),
        warnings=_exposure_warnings(path, values, origins),
    )


CHANNEL_TYPES = ("slack", "discord", "matrix", "webhook")
RESERVED_CHANNELS = ("stdout", "file", "email")  # the built-in channels' state keys
_CHANNEL_NAME = LazyPattern(r"[a-z][a-z0-9_\-]{0,31}")
_ENV_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_CHANNEL_KEYS = {
    "slack": {"url_env", "url_command"},
    "discord": {"url_env", "url_command", "username"},
    "matrix": {"homeserver", "room", "token_env", "token_command", "msgtype"},
    "webhook": {"url_env", "url_command", "token_env", "token_command", "max_bytes"},
}
_SECRET_KEYS = frozenset({"url", "webhook", "webhook_url", "token", "access_token", "api_key"})


class ChannelSpec(NamedTuple):
    """One ``[digest.channels.NAME]`` table: its type and checked options (never a secret)."""

    name: str
    type: str
    options: Mapping[str, Any] = _NOTHING


def _parse_channels(raw: Any, path: Path, lines: Lines) -> dict[str, ChannelSpec]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [digest.channels] must be a table of tables")
    channels = {}
    for name, body in raw.items():
        line = lines.of(f"[digest.channels.{name}]", f"digest.channels.{name}", name) or "?"
        where = f"{path}, line {line}, channel {name!r}"
        if not _CHANNEL_NAME.fullmatch(name) or name in RESERVED_CHANNELS:
            raise ConfigError(
                f"{where}: a channel name is lower-case letters, digits, - and _ (at most 32), "
                f"and not {', '.join(RESERVED_CHANNELS)}"
            )
        if not isinstance(body, dict) or body.get("type") not in CHANNEL_TYPES:
            raise ConfigError(f"{where}: needs type = one of {', '.join(CHANNEL_TYPES)}")
        kind = body["type"]
        for key, value in body.items():
            if key in _SECRET_KEYS or key in _SECRET_NAMES:
                # Never echo the value: it is the secret (a webhook URL embeds one).
                raise ConfigError(
                    f"{where}: papercli never reads a secret from its config file "
                    f"({key!r}; a webhook URL is one)",
                    hint=f"name an environment variable ({_secret_of(key)}_env) or a "
                    f"command that prints it ({_secret_of(key)}_command)",
                )
            if key != "type" and key not in _CHANNEL_KEYS[kind]:
                allowed = ", ".join(sorted(_CHANNEL_KEYS[kind]))
                raise ConfigError(f"{where}: unknown key {key!r} for {kind} (known: {allowed})")
            _check_channel_value(key, value, where)
        if kind == "matrix" and not (body.get("homeserver") and body.get("room")):
            raise ConfigError(f"{where}: a matrix channel needs homeserver and room")
        options = {k: v for k, v in body.items() if k != "type"}
        if "homeserver" in options:
            options["homeserver"] = options["homeserver"].rstrip("/")
        channels[name] = ChannelSpec(name, kind, options)
    return channels


def _secret_of(key: str) -> str:
    return "url" if "url" in key or "webhook" in key else "token"


def _check_channel_value(key: str, value: Any, where: str) -> None:
    if key == "max_bytes":
        if isinstance(value, bool) or not isinstance(value, int) or not 1024 <= value <= 1 << 30:
            raise ConfigError(f"{where}: max_bytes must be a whole number of bytes >= 1024")
        return
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be non-empty text")
    if key.endswith("_env") and not _ENV_NAME.fullmatch(value):
        raise ConfigError(f"{where}: {key} must name an environment variable")
    if key == "homeserver" and not re.fullmatch(r"https?://[^/\s@]+(/[^\s]*)?", value):
        raise ConfigError(f"{where}: homeserver must be an http(s) URL without credentials")
    if key == "room" and not re.fullmatch(r"![^:\s/]+:[^\s/]+", value):
        raise ConfigError(
            f"{where}: room must be a room id like !abcdef:example.org",
            hint="Element shows it under Room settings > Advanced",
        )
    if key == "msgtype" and value not in ("m.notice", "m.text"):
        raise ConfigError(f"{where}: msgtype must be m.notice or m.text")
    if key == "username" and len(value) > 80:
        raise ConfigError(f"{where}: username must be at most 80 characters")


def _exposure_warnings(
    path: Path, values: Mapping[str, Any], origins: Mapping[str, str]
) -> tuple[str, ...]:
    """A config file naming SMTP credentials should not be readable by other users."""
    holds = [
        k for k in ("digest.email.username", "digest.email.password_command")
        if origins[k] == "file" and values[k]
    ]  # fmt: skip
    if not holds or os.name == "nt":
        return ()
    try:
        mode = path.stat().st_mode
    except OSError:
        return ()
    if mode & 0o077:
        return (
            f"{path} holds SMTP credentials ({', '.join(holds)}) and other users can read it; "
            f"run: chmod 600 {path}",
        )
    return ()
