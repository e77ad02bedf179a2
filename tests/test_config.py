"""Settings: precedence, validation with file/line/key, the example config."""

from __future__ import annotations

from pathlib import Path

import pytest

from papercli.config import KEYS, load_settings
from papercli.errors import ConfigError

ROOT = Path(__file__).parent.parent


def test_example_config_documents_every_setting_with_its_default() -> None:
    text = (ROOT / "config.example.toml").read_text()
    settings = load_settings(config_path=ROOT / "config.example.toml", environ={})
    for name, key in KEYS.items():
        assert name.rsplit(".", 1)[-1] in text, f"{name} is not documented"
        assert settings[name] == key.default, name


def test_precedence_default_file_env_flag(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[network]\ntimeout = 5\nretries = 2\n")
    env = {"PAPERS_TIMEOUT": "7"}
    settings = load_settings({"network.retries": 9}, environ=env, config_path=path)
    assert (
        settings["network.timeout"] == 7.0
        and settings.origins["network.timeout"] == "env PAPERS_TIMEOUT"
    )
    assert settings["network.retries"] == 9 and settings.origins["network.retries"] == "flag"
    assert settings.origins["network.arxiv_delay"] == "default"
    file_only = load_settings(environ={}, config_path=path)
    assert file_only["network.timeout"] == 5.0 and file_only.origins["network.timeout"] == "file"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[network]\ntimeout = 'soon'\n", r"line 2, key 'network.timeout': expected a number"),
        ("[network]\n\ntiemout = 3\n", r"line 3, key 'network.tiemout': unknown setting"),
        ("[sources]\narxiv_categories = ['cs CL']\n", "is not an arXiv category"),
        ("[network]\nhf_url = 'ftp://x'\n", "is not an http"),
        ("[network\n", "is not valid TOML"),
        ("[sources]\narxiv_announce_types = ['brand-new']\n", "'brand-new' is not one of"),
    ],
)
def test_bad_config_names_file_line_and_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(environ={}, config_path=path)
    assert str(path) in str(info.value)


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    named = r"PAPERS_ARXIV_DELAY \(network.arxiv_delay\): expected a number"
    with pytest.raises(ConfigError, match=named):
        load_settings(environ={"PAPERS_ARXIV_DELAY": "fast"}, config_path=tmp_path / "none.toml")


def test_papers_home_moves_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"PAPERS_HOME": str(tmp_path / "x")}, config_path=tmp_path / "n"
    )
    assert settings.data_dir == tmp_path / "x"
