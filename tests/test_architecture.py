"""The house rules that keep papercli layered and fast, checked by reading the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "papercli"
ROOT = SRC.parent.parent

# The base every package may use. ``checks`` (what a valid link, date or DOI is) sits under
# ``models``, whose ``from_dict`` applies it, and beside it for the writers that check again.
BASE = {"errors", "checks", "models", "config", "config_text", "schedule", "taxonomy"}
# Who may import whom, by top-level module or package. Dependencies point one way:
# base <- query, sources, store <- core <- formats, digest <- cli; nothing imports cli.
LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "schedule": set(),
    "checks": set(),
    "models": {"errors", "checks"},
    "taxonomy": {"errors"},
    "config_text": {"errors", "models"},
    "config": {"errors", "models", "config_text", "taxonomy"},
    "query": BASE,
    "sources": BASE,
    "store": BASE | {"query"},
    "core": BASE | {"query", "sources", "store"},
    "formats": BASE,
    "digest": BASE | {"query", "sources", "store", "core", "formats"},
    "cli": BASE | {"query", "sources", "store", "core", "formats", "digest"},
    "__main__": {"cli"},
}
# Third-party modules that only some places may import, and whether even those must import
# them lazily (inside the function that needs them) to keep cached commands fast.
RESTRICTED = {
    "typer": ({"cli"}, False),
    "rich": ({"cli", "formats"}, True),
    "httpx": ({"sources.http"}, True),
    "httpcore": ({"sources.transport"}, True),
    "feedparser": ({"sources.arxiv"}, True),
    "platformdirs": ({"config"}, True),
    # The optional jq extra: only --jq loads it, and papercli runs without it.
    "jq": ({"formats.jqfilter"}, True),
}
MAX_TOP_LEVEL_MODULES = 10


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text()) for p in sorted(SRC.rglob("*.py"))}


def imports(name: str, tree: ast.Module) -> list[tuple[str, bool]]:
    """(absolute module, at top level?) for every import in a module."""
    top = {id(node) for node in tree.body}
    package = name if (SRC / Path(*name.split("."))).is_dir() else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = ["papercli", *package.split(".")][
                    : len(package.split(".")) + 2 - node.level
                ]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, id(node) in top))
            # ``from papercli.core import listing`` imports the module papercli.core.listing.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if (
                    candidate.startswith("papercli.")
                    and (SRC / Path(*candidate.split(".")[1:])).with_suffix(".py").exists()
                ):
                    found.append((candidate, id(node) in top))
    return found


def ours(module: str) -> str | None:
    """``papercli.core.listing`` -> ``core.listing``; None for other packages."""
    if module == "papercli" or not module.startswith("papercli."):
        return None
    return module.removeprefix("papercli.")


def owner(name: str) -> str:
    return name.split(".")[0]


MODULES = modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_dependencies_point_one_way(name: str) -> None:
    if not name:
        return  # papercli/__init__.py: __version__ only
    allowed = LAYERS[owner(name)] | {owner(name)}
    for module, _ in imports(name, MODULES[name]):
        target = ours(module)
        if target is not None:
            assert owner(target) in allowed, f"{name} imports {module}"


def test_no_import_cycles_between_modules() -> None:
    graph = {
        name: {t for m, at_top in imports(name, tree) if at_top and (t := ours(m)) in MODULES}
        for name, tree in MODULES.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] if nxt in path else path
                raise AssertionError("import cycle: " + " -> ".join([*cycle, nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_restricted_libraries_stay_where_they_belong(name: str) -> None:
    for module, at_top in imports(name, MODULES[name]):
        library = module.split(".")[0]
        if library not in RESTRICTED:
            continue
        places, lazy = RESTRICTED[library]
        assert any(name == p or name.startswith(p + ".") for p in places), (
            f"{name} imports {module}"
        )
        if lazy:
            assert not at_top, f"{name} imports {module} at import time; import it lazily"


def test_nothing_imports_the_cli() -> None:
    for name, tree in MODULES.items():
        if owner(name) not in ("cli", "__main__"):
            assert not any((ours(m) or "").startswith("cli") for m, _ in imports(name, tree)), name


def test_the_cached_today_path_imports_no_heavy_module_at_load_time() -> None:
    """What `papers today` loads before it runs: the CLI entry, the listing commands and
    everything they import at module level. None of it may pull in the network, the
    feed parser, SQLite or Rich."""
    todo = ["cli", "cli.root", "cli.listing"]
    loaded: set[str] = set()
    heavy: list[str] = []
    while todo:
        name = todo.pop()
        if name in loaded:
            continue
        loaded.add(name)
        for module, at_top in imports(name, MODULES[name]):
            if not at_top:
                continue
            if module.split(".")[0] in ("httpx", "httpcore", "feedparser", "sqlite3", "rich"):
                heavy.append(f"{name} imports {module}")
            target = ours(module)
            if target in MODULES:
                todo.append(target)
    assert not heavy
    assert {"core.listing", "formats.terminal"} <= loaded  # the walk did follow the imports
    # Nor the index (only long spans query it), the id lookup of `show`, or any source: a
    # cached listing is read from its fast copy (store.fastcache) through the store.
    assert not loaded & {"store.index", "store.index_file", "core.lookup", "sources.http"}
    assert {"store.fastcache", "store.fts_query"} <= loaded


def test_every_package_says_what_it_owns_and_must_never_do() -> None:
    for init in SRC.rglob("__init__.py"):
        if init.parent == SRC:
            continue
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert len(doc) > 80 and "never" in doc.lower(), f"{init} needs a docstring"


def test_the_top_level_is_small() -> None:
    top = [p.name for p in SRC.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
    for name in ("errors.py", "models.py", "config.py", "schedule.py"):
        assert name in top


def ruff() -> Path:
    return Path(sys.executable).with_name("ruff")


def test_ruff_is_clean() -> None:
    # Not a skip: the test extra pins ruff, so a missing one means a broken install.
    assert ruff().exists(), f"no {ruff()}: install the test extra, pip install -e '.[test]'"
    targets = [d for d in ("src", "tests", "benchmarks") if (ROOT / d).is_dir()]
    lint = subprocess.run(
        [ruff(), "check", *targets], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [ruff(), "format", "--check", *targets], cwd=ROOT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert fmt.returncode == 0, fmt.stdout


def test_ruff_is_the_pinned_version() -> None:
    """The lint test runs the venv's ruff, at the version pyproject.toml pins."""
    assert ruff().exists(), f"no {ruff()}: install the test extra, pip install -e '.[test]'"
    pinned = next(
        line.split("==")[1].strip(' ",')
        for line in (ROOT / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"ruff==')
    )
    shown = subprocess.run([ruff(), "--version"], capture_output=True, text=True, check=False)
    assert shown.stdout.split()[-1] == pinned
