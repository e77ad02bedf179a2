"""Config values that would crash or silently switch a limit off, and arXiv's taxonomy.

Numbers must be finite and within their key's range (exit 3 naming the key); categories must
be arXiv's (exit 2 on the command line, exit 3 in the file or environment), with a "did you
mean", before any request is made.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from fakeserver import XML, FakeServer, Reply, api_feed, fixture
from papercli import config as config_module
from papercli import config_text, taxonomy
from papercli.cli import app
from papercli.config import load_settings
from papercli.core import refresh
from papercli.core.session import Session
from papercli.errors import ConfigError
from papercli.models import CATEGORY_RE


def run(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


BAD_NUMBERS = [
    ("timeout", "inf"),
    ("timeout", "nan"),
    ("timeout", "1e308"),
    ("timeout", "0"),
    ("timeout", "-inf"),
    ("max_response_mb", "inf"),
    ("max_response_mb", "nan"),
    ("max_response_mb", "1e308"),
    ("max_response_mb", "0"),
    ("arxiv_delay", "inf"),
    ("arxiv_delay", "nan"),
    ("arxiv_delay", "1e308"),
    ("arxiv_delay", "-1"),
    ("retries", "1e308"),
    ("retries", "inf"),
    ("retries", "2.5"),
    ("hf_concurrency", "0"),
]


@pytest.mark.parametrize(("key", "value"), BAD_NUMBERS)
def test_a_number_that_disables_a_limit_is_a_config_error(
    runner: CliRunner, config_file: Path, key: str, value: str
) -> None:
    config_file.write_text(f"[network]\n{key} = {value}\n")
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3, result.stderr
    error = result.stderr.splitlines()[0]
    assert error.startswith(f"Error: {config_file}, line 2, key 'network.{key}': expected a ")
    assert error.endswith(f", got {tomllib.loads(f'v = {value}')['v']!r}")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PAPERS_TIMEOUT", "inf"), ("PAPERS_TIMEOUT", "nan"), ("PAPERS_TIMEOUT", "0"),
     ("PAPERS_ARXIV_DELAY", "1e308"), ("PAPERS_RETRIES", "1e308"), ("PAPERS_TTL_MINUTES", "inf")],
)  # fmt: skip
def test_the_same_numbers_from_the_environment_name_the_variable_and_key(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    dotted = next(k.name for k in config_module.KEYS.values() if k.env == variable)
    assert result.stderr.startswith(f"Error: {variable} ({dotted}): expected a ")


def test_arxiv_delay_zero_and_ordinary_values_stay_valid(config_file: Path) -> None:
    config_file.write_text("[network]\narxiv_delay = 0\ntimeout = 0.5\nmax_response_mb = 1\n")
    settings = load_settings(environ={}, config_path=config_file)
    assert settings["network.arxiv_delay"] == 0.0
    assert settings["network.timeout"] == 0.5 and settings["network.retries"] == 3


def test_config_set_refuses_a_bad_number_as_a_usage_error(
    runner: CliRunner, config_file: Path
) -> None:
    config_file.write_text("[network]\ntimeout = 20\n")
    result = run(runner, "config", "set", "network.timeout", "inf")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: network.timeout: expected a number above 0")
    assert config_file.read_text() == "[network]\ntimeout = 20\n"


def arxiv_session(delay: str, monkeypatch: pytest.MonkeyPatch, answer) -> Session:
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", delay)
    monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", "https://rss.arxiv.org")
    monkeypatch.setenv("PAPERS_ARXIV_API_URL", "https://export.arxiv.org")
    return Session.create(
        load_settings(),
        now=lambda: datetime(2026, 8, 15, 12, tzinfo=UTC),
        transport=httpx.MockTransport(answer),
    )


def saturday(request: httpx.Request) -> httpx.Response:
    if request.url.path.startswith("/rss/"):
        return httpx.Response(200, content=fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml"))
    return httpx.Response(200, content=api_feed([]))


@pytest.mark.parametrize("delay", ["0", "1", "2.9"])
def test_a_fast_pace_against_arxiv_itself_warns_once_per_run(
    monkeypatch: pytest.MonkeyPatch, delay: str
) -> None:
    session = arxiv_session(delay, monkeypatch, saturday)
    refresh.latest_arxiv(session, ["cs.LG"])  # the RSS feed, then the API to fill Friday
    warnings = [n.text for n in session.notices if n.level == "warning"]
    assert warnings == [
        f"network.arxiv_delay is {delay} s (env PAPERS_ARXIV_DELAY); arXiv asks for at "
        "least 3 s between requests and may block clients that go faster"
    ]


def test_the_polite_pace_or_a_local_mirror_gives_no_warning(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer
) -> None:
    polite = arxiv_session("3", monkeypatch, saturday)
    refresh.latest_arxiv(polite, ["cs.LG"])
    assert [n for n in polite.notices if n.level == "warning"] == []
    server.route("/rss/cs.LG", Reply(fixture("arxiv_rss_cs.LG_2026-08-15_saturday_empty.xml")))
    server.route("/api/query", Reply(api_feed([])))
    monkeypatch.setenv("PAPERS_ARXIV_RSS_URL", server.url)
    monkeypatch.setenv("PAPERS_ARXIV_API_URL", server.url)
    monkeypatch.setenv("PAPERS_ARXIV_DELAY", "0")
    mirror = Session.create(load_settings(), now=lambda: datetime(2026, 8, 15, 12, tzinfo=UTC))
    refresh.latest_arxiv(mirror, ["cs.LG"])
    assert [n for n in mirror.notices if n.level == "warning"] == []


# -- the taxonomy ------------------------------------------------------------------------------


def test_the_shipped_taxonomy_covers_every_archive() -> None:
    known = taxonomy.taxonomy()
    names = {c.name for c in known.categories.values()}
    assert len(names) == 155
    for single in ("hep-th", "hep-ph", "hep-ex", "hep-lat", "gr-qc", "quant-ph", "math-ph",
                   "nucl-th", "nucl-ex"):  # fmt: skip
        assert single in names
    counts = {archive: len(members) for archive, members in known.archives.items()}
    assert counts == {
        "cs": 40, "econ": 3, "eess": 4, "math": 32, "astro-ph": 6, "cond-mat": 9, "nlin": 5,
        "physics": 22, "q-bio": 10, "q-fin": 9, "stat": 6,
    }  # fmt: skip
    for category in known.categories.values():
        assert CATEGORY_RE.fullmatch(category.name), category  # every one can be cached
        if category.alias_of:
            assert taxonomy.canonical(category.alias_of) == category.alias_of


@pytest.mark.parametrize(
    ("given", "message", "hint"),
    [
        ("cs.XX", "'cs.XX' is not an arXiv category", "did you mean cs."),
        ("foo", "'foo' is not an arXiv category", "categories look like cs.CL"),
        ("math", "'math' is an arXiv archive, not a category", "its 32 categories: math.AC"),
        ("cs.ml", "'cs.ml' is not an arXiv category", "did you mean stat.ML"),
        ("cs.CLL", "'cs.CLL' is not an arXiv category", "did you mean cs.CL"),
    ],
)
def test_a_category_typo_is_a_usage_error_before_any_request(
    runner: CliRunner, server: FakeServer, isolated: Path, given: str, message: str, hint: str
) -> None:
    for command in (["today"], ["list", "--days", "3"], ["fetch"], ["digest", "--dry-run"]):
        result = run(runner, *command, "-c", "cs.CL", "-c", given)
        assert result.exit_code == 2, (command, result.stderr)
        error, hint_line = result.stderr.splitlines()
        assert error == f"Error: {message}"
        assert hint_line.startswith("Hint: ") and hint in hint_line
    assert server.requests == []
    assert not (isolated / "cache").exists()  # no junk folder for the typo


def test_categories_are_spelled_as_arxiv_spells_them(runner: CliRunner, server: FakeServer,
                                                     monkeypatch) -> None:  # fmt: skip
    monkeypatch.setenv("PAPERS_NOW", "2026-08-21T12:00:00+00:00")
    server.route("/rss/cs.CL", Reply(fixture("arxiv_rss_cs.CL_2026-08-21.xml"), 200, XML))
    result = run(runner, "today", "-s", "arxiv", "-c", "CS.cl", "-c", "cs.CL", "--format", "ids")
    assert result.exit_code == 0, result.stderr
    assert [r.path for r in server.requests] == ["/rss/cs.CL"]
    assert "arXiv cs.CL: Fri 2026-08-21" in result.stderr


def test_config_set_of_a_wrong_category_is_a_usage_error(
    runner: CliRunner, config_file: Path
) -> None:
    config_file.write_text('[sources]\narxiv_categories = ["cs.CL"]\n')
    result = run(runner, "config", "set", "sources.arxiv_categories", "cs.CL, cs.XX")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: sources.arxiv_categories: 'cs.XX' is not an arXiv")
    assert "Hint: did you mean" in result.stderr
    assert config_file.read_text() == '[sources]\narxiv_categories = ["cs.CL"]\n'
    assert run(runner, "config", "set", "sources.arxiv_categories", "cs.lg").exit_code == 0
    assert 'arxiv_categories = ["cs.LG"]' in config_file.read_text()


def test_a_wrong_category_in_the_file_or_environment_is_a_config_error(
    runner: CliRunner, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('[sources]\narxiv_categories = ["cs.CL", "math"]\n')
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    assert "line 2, key 'sources.arxiv_categories': 'math' is an arXiv archive" in result.stderr
    config_file.write_text("")
    monkeypatch.setenv("PAPERS_CATEGORIES", "cs.CL,hep-thh")
    result = run(runner, "today", "--offline")
    assert result.exit_code == 3
    assert "PAPERS_CATEGORIES (sources.arxiv_categories): 'hep-thh' is not" in result.stderr
    assert "did you mean hep-th" in result.stderr


def test_topics_may_name_an_archive_but_not_a_typo(config_file: Path) -> None:
    config_file.write_text('[topics.geometry]\ncategories = ["MATH", "cs.cg"]\n')
    topics = load_settings(environ={}, config_path=config_file).topics
    assert topics["geometry"].categories == ("math", "cs.CG")
    config_file.write_text('[topics.geometry]\ncategories = ["math.XX"]\n')
    with pytest.raises(ConfigError, match=r"line 1, topic 'geometry': 'math.XX' is not"):
        load_settings(environ={}, config_path=config_file)


def test_a_run_without_categories_never_reads_the_taxonomy(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    taxonomy.taxonomy.cache_clear()
    monkeypatch.setattr(taxonomy, "_DATA", tmp_path / "missing.tsv")
    try:
        result = run(runner, "today", "--offline", "-s", "hf")
        assert result.exit_code == 0, result.stderr  # the taxonomy was not needed
        assert "Hugging Face: no listing in the cache" in result.stderr
    finally:
        taxonomy.taxonomy.cache_clear()


# -- thousands of topics -----------------------------------------------------------------------


def many_topics(count: int, last: str = "") -> str:
    body = "".join(
        f'[topics.t{n}]\nkeywords = ["word{n}", "phrase {n}"]\ncategories = ["cs.CL"]\n'
        for n in range(count)
    )
    return body + last


def test_ten_thousand_topics_load_without_scanning_the_file_per_topic(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[int] = []
    real = config_text.Lines._index
    monkeypatch.setattr(config_text.Lines, "_index", lambda self: scans.append(1) or real(self))
    config_file.write_text(many_topics(10_000))
    settings = load_settings(environ={}, config_path=config_file)
    assert len(settings.topics) == 10_000
    assert settings.topics["t9999"].keywords == ("word9999", "phrase 9999")
    assert scans == []  # line numbers are looked up only for an error
    config_file.write_text(many_topics(10_000, '[topics.bad]\ncategories = ["cs.XX"]\n'))
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, config_path=config_file)
    assert re.search(r", line 30001, topic 'bad': 'cs.XX' is not", caught.value.message)
    assert scans == [1]


def test_normalise_spells_and_deduplicates() -> None:
    assert taxonomy.normalise(["cs.cl", "CS.CL", "hep-th"]) == ("cs.CL", "hep-th")
    assert taxonomy.canonical("nlin.si") == "nlin.SI" and taxonomy.is_archive("q-fin")


def test_a_large_config_loads_the_same_from_its_parsed_copy(tmp_path: Path) -> None:
    """A config past 64 KB keeps its parsed form in the cache; an edit is read afresh."""
    from papercli.config import load_settings

    home = tmp_path / "home"
    config = tmp_path / "big.toml"
    body = "".join(f'[topics.t{n}]\nkeywords = ["word{n}"]\n' for n in range(3000))
    config.write_text(body)
    first = load_settings(environ={"PAPERS_HOME": str(home)}, config_path=config)
    copies = list((home / "cache").glob("config-*.m"))
    assert len(copies) == 1
    again = load_settings(environ={"PAPERS_HOME": str(home)}, config_path=config)
    assert again.topics == first.topics and len(again.topics) == 3000
    config.write_text(body + '[topics.extra]\nkeywords = ["new"]\n')
    edited = load_settings(environ={"PAPERS_HOME": str(home)}, config_path=config)
    assert len(edited.topics) == 3001
    assert list((home / "cache").glob("config-*.m")) != copies  # the old copy is gone
    copy = next((home / "cache").glob("config-*.m"))
    copy.write_bytes(b"damaged")
    assert len(load_settings(environ={"PAPERS_HOME": str(home)}, config_path=config).topics) == 3001
    config.write_text(body + "[topics.broken\n")
    with pytest.raises(ConfigError):
        load_settings(environ={"PAPERS_HOME": str(home)}, config_path=config)
