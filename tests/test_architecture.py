"""The house rules that keep papercli fast and layered, checked by reading the source."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "papercli"

# Who may import whom (papercli modules only); anything unlisted may import nothing of ours
# beyond errors and models.
LAYERS = {
    "errors": set(),
    "models": {"errors"},
    "config": {"errors", "models"},
    "dates": {"errors", "models"},
    "matching": {"errors", "models"},
    "expression": {"errors", "matching"},
    "filters": {"errors", "models", "matching", "expression"},
    "ranking": {"errors", "models", "filters", "matching"},
    "configfile": {"config", "errors", "models", "store"},
    "schedule": set(),
    "http": {"errors"},
    "store": {"errors", "models"},
    "session": {"config", "errors", "store", "http", "index"},
    "sources": {"errors", "models", "http"},
    "listings": {"errors", "models", "schedule", "session", "sources", "store", "index"},
    "core": {
        "errors",
        "models",
        "schedule",
        "session",
        "listings",
        "sources",
        "store",
        "filters",
        "ranking",
        "index",
    },
    "export": {"errors", "models", "markup", "bibtex", "digest", "feeds"},
    "markup": {"models"},
    "feeds": {"models", "markup"},
    "bibtex": {"models", "markup"},
    "digest": {"errors", "models", "filters", "matching"},
    "digest_render": {"digest", "export", "feeds", "markup", "models", "schedule"},
    "mailer": {"config", "errors"},
    "dispatch": {
        "core",
        "digest",
        "errors",
        "filters",
        "models",
        "ranking",
        "schedule",
        "session",
        "store",
    },
    "render": {"errors", "models", "digest"},
    "library": {"errors", "models", "store"},
    "downloads": {"core", "errors", "models", "session"},
    "index": {"matching", "models", "store"},
}
# Heavy third-party modules and the only places that may import them.
ALLOWED_HEAVY = {
    "httpx": {"http"},
    "feedparser": {"sources.arxiv"},
    "rich": {"render", "cli.common"},
    "typer": {"cli"},
    "platformdirs": {"config"},
}


def modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in SRC.rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix("__init__")
        name = name.rstrip(".")
        found.append((name, ast.parse(path.read_text())))
    return found


def imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(module, at top level?) for every import in a file."""
    top = {id(node) for node in tree.body}
    result = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            result.extend((alias.name, id(node) in top) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            result.append((node.module, id(node) in top))
    return result


def owner(name: str) -> str:
    return name.split(".")[0] if name else name


@pytest.mark.parametrize(("name", "tree"), modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_dependencies_point_one_way(name: str, tree: ast.Module) -> None:
    if name.startswith("cli") or name in ("", "__main__"):
        return
    allowed = LAYERS[owner(name)] | {owner(name)}
    for module, _ in imports(tree):
        if module.startswith("papercli"):
            target = module.removeprefix("papercli").lstrip(".")
            if not target:
                continue  # __version__
            assert owner(target) in allowed, f"{name} imports {module}"


@pytest.mark.parametrize(("name", "tree"), modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_heavy_imports_stay_where_they_belong(name: str, tree: ast.Module) -> None:
    for module, at_top in imports(tree):
        package = module.split(".")[0]
        if package not in ALLOWED_HEAVY:
            continue
        places = ALLOWED_HEAVY[package]
        assert any(name == p or name.startswith(p + ".") for p in places), (
            f"{name} imports {module}"
        )
        if package in ("httpx", "feedparser", "rich"):
            assert not at_top, f"{name} imports {module} at import time; import it lazily"


def test_nothing_imports_the_cli() -> None:
    for name, tree in modules():
        if not name.startswith("cli") and name != "__main__":
            assert not any(m.startswith("papercli.cli") for m, _ in imports(tree)), name


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
    reason="ruff not installed",
)
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    root = SRC.parent.parent
    targets = [d for d in ("src", "tests", "benchmarks") if (root / d).is_dir()]
    lint = subprocess.run([ruff, "check", *targets], cwd=root, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [ruff, "format", "--check", *targets],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout
