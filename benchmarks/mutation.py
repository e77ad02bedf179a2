"""Mutation testing: how many small bugs planted in the code the test suite notices.

    python benchmarks/mutation.py                       # every module it knows, every mutant
    python benchmarks/mutation.py query/dates.py models.py --sample 60 --seed 1
    python benchmarks/mutation.py store/index.py --list # the mutants only, no tests run
    python benchmarks/mutation.py --survivors           # print each mutant that lived

Each mutant is one change to one module's syntax tree: a comparison flipped (``<`` to ``<=``,
``==`` to ``!=``, ``in`` to ``not in``), ``and`` to ``or``, a ``not`` dropped, ``+`` to ``-``,
a number changed by one, ``True`` to ``False``, ``max`` to ``min``, ``any`` to ``all``,
``break`` to ``continue``, a returned value replaced by ``None``, a statement replaced by
``pass``. Strings are left alone (changing a message is rarely a bug a test should pin), and
so are docstrings, annotations and ``TYPE_CHECKING`` blocks.

A mutant is *killed* when the module's tests (``TESTS`` below; a subset of the suite that
exercises it, for speed) fail or time out with it in place. The run copies ``src/`` to a
temporary tree once per worker, writes each mutant there and runs pytest in a forked child
with that tree first on ``sys.path`` and ``PYTHONPATH`` (so subprocesses that tests start
see the mutant too). Nothing in the working tree is touched.

Mutants that cannot change behaviour (equivalent mutants) are listed in
``mutation_equivalent.txt`` beside this script, one per line as
``module | source line | mutation | reason``; one that survives counts as killed and is
reported apart (the tests still run it: a mutant they kill counts as killed).

The run is not part of the test suite: it takes minutes per module. It prints a table of kill
rates per module and writes every result to ``--report`` (JSON) for comparison.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "papercli"
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.txt")

# Which test files exercise each module (all of tests/ would be thorough but ~60 s a mutant).
# The CLI-level option tests run for every module: they are where a user's bug shows.
COMMON = ["tests/test_options.py"]
TESTS: dict[str, list[str]] = {
    "query/dates.py": ["tests/test_dates.py", "tests/test_time_zones.py", "tests/test_cli.py"],
    "query/matching.py": ["tests/test_filters.py", "tests/test_ranking.py"],
    "query/expression.py": ["tests/test_filters.py"],
    "query/filters.py": ["tests/test_filters.py", "tests/test_ranking.py"],
    "query/ranking.py": ["tests/test_ranking.py", "tests/test_filters.py"],
    "store/cache.py": ["tests/test_store.py", "tests/test_listings.py", "tests/test_index.py"],
    "store/index.py": ["tests/test_index.py", "tests/test_listings.py"],
    "store/files.py": ["tests/test_store.py", "tests/test_faults.py", "tests/test_data_dir.py"],
    "store/library.py": ["tests/test_library_cli.py", "tests/test_store.py"],
    "store/notes.py": ["tests/test_notes.py"],
    "store/digest_state.py": ["tests/test_digest_state.py", "tests/test_digest.py"],
    "store/digest_outbox.py": ["tests/test_delivery.py", "tests/test_digest.py"],
    "models.py": [
        "tests/test_models.py", "tests/test_validation.py", "tests/test_sources.py",
        "tests/test_store.py",
    ],
    "digest/build.py": ["tests/test_digest.py", "tests/test_digest_options.py"],
    "digest/render.py": ["tests/test_digest.py", "tests/test_hostile.py"],
    "digest/coverage.py": [
        "tests/test_coverage.py", "tests/test_digest.py", "tests/test_digest_state.py"
    ],
    "digest/run.py": ["tests/test_digest.py", "tests/test_digest_options.py"],
    "digest/deliver.py": [
        "tests/test_delivery.py", "tests/test_digest.py", "tests/test_digest_outage.py"
    ],
    "digest/channels.py": ["tests/test_delivery.py", "tests/test_digest.py"],
    "digest/guard.py": ["tests/test_delivery.py", "tests/test_digest.py"],
    "digest/mail.py": ["tests/test_digest.py", "tests/test_secrets.py", "tests/test_mail_tls.py"],
    "digest/smtp.py": ["tests/test_digest.py", "tests/test_mail_tls.py", "tests/test_delivery.py"],
    "digest/chat.py": ["tests/test_channels.py", "tests/test_channel_messages.py"],
    "digest/remote.py": ["tests/test_channels.py", "tests/test_http_send.py"],
    "digest/slack.py": ["tests/test_channel_messages.py", "tests/test_channels.py"],
    "digest/discord.py": ["tests/test_channel_messages.py", "tests/test_channels.py"],
    "digest/matrix.py": ["tests/test_channel_messages.py", "tests/test_channels.py"],
    "digest/webhook.py": ["tests/test_channel_messages.py", "tests/test_channels.py"],
    "digest/secrets.py": ["tests/test_channel_secrets.py", "tests/test_secrets.py"],
    "digest/feeds.py": ["tests/test_feeds.py"],
    "store/feed_state.py": ["tests/test_feeds.py"],
    "store/zotero_state.py": ["tests/test_zotero.py"],
    "store/index_file.py": ["tests/test_index.py", "tests/test_broken_data_dir.py"],
    "store/spill.py": ["tests/test_spill.py"],
    "store/index_rows.py": ["tests/test_index.py", "tests/test_spill.py"],
}  # fmt: skip
# Test files too slow or too broad to run per mutant (real-process stress runs, the linter).
SKIP_TESTS = {"tests/test_concurrency.py", "tests/test_architecture.py"}
# Mutants run with the time-zone reruns off: each would rerun five modules twice.
os.environ.setdefault("PAPERS_TEST_ZONE_CHILD", "mutation run")

COMPARE_SWAPS: dict[type, list[type]] = {
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Lt: [ast.LtE, ast.Gt],
    ast.LtE: [ast.Lt, ast.GtE],
    ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt, ast.LtE],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
}
BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.FloorDiv: ast.Mult,
    ast.Div: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
NAME_SWAPS = {"max": "min", "min": "max", "any": "all", "all": "any"}
SYMBOL = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+",
    ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/", ast.Mod: "%",
    ast.BitOr: "|", ast.BitAnd: "&",
}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    """One planted change: where, what, and the node it changes (by walk order)."""

    module: str
    line: int
    source: str
    mutation: str
    node: int
    variant: int

    def key(self) -> tuple[str, str, str]:
        """What identifies a mutant across edits that move lines."""
        return (self.module, self.source, self.mutation)


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of nodes never mutated: docstrings, annotations, TYPE_CHECKING blocks."""
    skipped: set[int] = set()

    def skip(node: ast.AST | None) -> None:
        if node is not None:
            skipped.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip(first)
        if isinstance(node, ast.AnnAssign):
            skip(node.annotation)
        if isinstance(node, ast.arg):
            skip(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip(node.returns)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip(node)
        if isinstance(node, ast.ImportFrom | ast.Import):
            skip(node)
        if isinstance(node, ast.JoinedStr):
            skip(node)
    return skipped


def _variants(node: ast.AST) -> list[str]:
    """The mutations that apply to one node, described; empty when none do."""
    out: list[str] = []
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in COMPARE_SWAPS.get(type(op), []):
                out.append(f"op{i}: {SYMBOL[type(op)]} -> {SYMBOL[new]}")
    elif isinstance(node, ast.BoolOp):
        out.append("and -> or" if isinstance(node.op, ast.And) else "or -> and")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append("drop not")
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in BINOP_SWAPS:
        op = type(node.op)
        out.append(f"{SYMBOL[op]} -> {SYMBOL[BINOP_SWAPS[op]]}")
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            out.append(f"{value} -> {not value}")
        elif isinstance(value, int):
            out.append(f"{value} -> {value + 1}")
            if value not in (0, 1):
                out.append(f"{value} -> {value - 1}")
        elif isinstance(value, float):
            out.append(f"{value} -> {value * 2 or 1.0}")
    elif isinstance(node, ast.Name) and node.id in NAME_SWAPS and isinstance(node.ctx, ast.Load):
        out.append(f"{node.id} -> {NAME_SWAPS[node.id]}")
    elif isinstance(node, ast.Break):
        out.append("break -> continue")
    elif isinstance(node, ast.Continue):
        out.append("continue -> break")
    elif isinstance(node, ast.Return) and node.value is not None:
        returns_none = isinstance(node.value, ast.Constant) and node.value.value is None
        if not returns_none:
            out.append("return None")
    if isinstance(node, ast.Expr | ast.Assign | ast.AugAssign | ast.Raise) and not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ):
        out.append("statement -> pass")
    return out


def _apply(node: ast.AST, mutation: str) -> ast.AST:
    """The replacement for ``node`` under ``mutation`` (a copy; the tree is a fresh parse)."""
    if mutation == "statement -> pass":
        return ast.copy_location(ast.Pass(), node)
    if mutation == "return None":
        return ast.copy_location(ast.Return(ast.Constant(None)), node)
    if mutation == "break -> continue":
        return ast.copy_location(ast.Continue(), node)
    if mutation == "continue -> break":
        return ast.copy_location(ast.Break(), node)
    new = copy.copy(node)
    if isinstance(node, ast.Compare):
        index, swap = mutation.split(": ")
        i = int(index[2:])
        target = swap.split(" -> ")[1]
        ops = list(node.ops)
        ops[i] = next(t for t, s in SYMBOL.items() if s == target and t in COMPARE_SWAPS)()
        new.ops = ops  # type: ignore[attr-defined]
    elif isinstance(node, ast.BoolOp):
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()  # type: ignore[attr-defined]
    elif isinstance(node, ast.UnaryOp):
        return node.operand
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        new.op = BINOP_SWAPS[type(node.op)]()  # type: ignore[attr-defined]
    elif isinstance(node, ast.Constant):
        text = mutation.split(" -> ")[1]
        new.value = ast.literal_eval(text)  # type: ignore[attr-defined]
    elif isinstance(node, ast.Name):
        new.id = NAME_SWAPS[node.id]  # type: ignore[attr-defined]
    return new


def mutants_of(module: str) -> list[Mutant]:
    """Every mutant of one module (a path relative to src/papercli)."""
    source = (PACKAGE / module).read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    skipped = _skipped_nodes(tree)
    found = []
    for number, node in enumerate(ast.walk(tree)):
        if id(node) in skipped or not hasattr(node, "lineno"):
            continue
        for variant, mutation in enumerate(_variants(node)):
            text = lines[node.lineno - 1].strip()
            found.append(Mutant(module, node.lineno, text, mutation, number, variant))
    return found


def mutated_source(mutant: Mutant) -> str:
    """The module's source with one mutant in place."""
    tree = ast.parse((PACKAGE / mutant.module).read_text())
    target = list(ast.walk(tree))[mutant.node]

    class Swap(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            if node is target:
                return _apply(node, mutant.mutation)
            return super().generic_visit(node)

    return ast.unparse(ast.fix_missing_locations(Swap().visit(tree)))


def load_equivalent() -> dict[tuple[str, str, str], str]:
    """Mutants judged equivalent, with the reason."""
    known: dict[tuple[str, str, str], str] = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                # The source line may hold " | " itself (type unions); the rest never do.
                module, rest = line.split(" | ", 1)
                source, mutation, reason = rest.rsplit(" | ", 2)
                module, source, mutation = module.strip(), source.strip(), mutation.strip()
                known[(module, source, mutation)] = reason
    return known


@dataclass
class Result:
    """What happened to one mutant."""

    module: str
    line: int
    source: str
    mutation: str
    outcome: str  # killed | survived | timeout | equivalent | invalid
    seconds: float


def _run_child(tree: Path, tests: list[str]) -> None:
    """In the forked child: run pytest against the mutated tree, exit with its status."""
    sys.path.insert(0, str(tree))
    os.environ["PYTHONPATH"] = str(tree) + os.pathsep + os.environ.get("PYTHONPATH", "")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    import pytest

    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-W", "ignore", *tests])
    os._exit(int(code))


def run_one(mutant: Mutant, tree: Path, tests: list[str], timeout: float) -> Result:
    """Plant one mutant in the worker's tree, run its tests, and put the module back."""
    target = tree / "papercli" / mutant.module
    original = (PACKAGE / mutant.module).read_text()
    started = time.monotonic()
    try:
        code = mutated_source(mutant)
        compile(code, str(target), "exec")
    except (SyntaxError, ValueError):
        return Result(**_fields(mutant), outcome="invalid", seconds=0.0)
    target.write_text(code)
    try:
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            _run_child(tree, tests)
        outcome = "survived"
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                outcome = "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
                break
            if time.monotonic() - started > timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                outcome = "timeout"
                break
            time.sleep(0.02)
    finally:
        target.write_text(original)
    return Result(**_fields(mutant), outcome=outcome, seconds=time.monotonic() - started)


def _fields(mutant: Mutant) -> dict[str, object]:
    return {
        "module": mutant.module,
        "line": mutant.line,
        "source": mutant.source,
        "mutation": mutant.mutation,
    }


def tests_for(module: str) -> list[str]:
    """The test files run against a module's mutants (those that exist in this checkout)."""
    chosen = TESTS.get(module, ["tests"]) + COMMON
    return [t for t in dict.fromkeys(chosen) if (ROOT / t).exists() and t not in SKIP_TESTS]


def worker(
    mutants: list[Mutant],
    timeout_factor: float,
    results: list[Result],
    baseline: dict[str, float],
    progress: Path | None = None,
) -> None:
    """Run mutants one after another in a private copy of src/."""
    with tempfile.TemporaryDirectory(prefix="papercli-mutants-") as scratch:
        tree = Path(scratch)
        shutil.copytree(PACKAGE, tree / "papercli", ignore=shutil.ignore_patterns("__pycache__"))
        for mutant in mutants:
            tests = tests_for(mutant.module)
            timeout = max(10.0, baseline[mutant.module] * timeout_factor)
            result = run_one(mutant, tree, tests, timeout)
            if result.outcome == "timeout":
                # A busy machine can stretch a run: only a second, longer timeout counts.
                result = run_one(mutant, tree, tests, timeout * 3)
            results.append(result)
            if progress is not None:
                with progress.open("a") as log:  # partial results survive an interrupted run
                    log.write(json.dumps(asdict(result)) + "\n")
            mark = {"killed": ".", "timeout": "T", "survived": "S", "invalid": "?"}
            print(mark.get(result.outcome, "?"), end="", flush=True)


def time_tests(module: str) -> float:
    """Seconds the unmutated tests of a module take (they must pass)."""
    with tempfile.TemporaryDirectory(prefix="papercli-mutants-") as scratch:
        tree = Path(scratch)
        shutil.copytree(PACKAGE, tree / "papercli", ignore=shutil.ignore_patterns("__pycache__"))
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            _run_child(tree, tests_for(module))
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"the tests of {module} fail without any mutant: {tests_for(module)}")
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths under src/papercli (default: all)")
    parser.add_argument("--sample", type=int, help="at most N random mutants per module")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument(
        "--timeout", type=float, help="seconds per mutant, instead of timing the tests first"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--survivors", action="store_true", help="print surviving mutants")
    parser.add_argument("--report", type=Path, help="write every result here as JSON")
    parser.add_argument(
        "--again",
        type=Path,
        metavar="REPORT",
        help="run only what an earlier --report did not record as killed, keeping its kills",
    )
    args = parser.parse_args()
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    sys.dont_write_bytecode = True
    os.chdir(ROOT)
    modules = args.modules or list(TESTS)
    equivalent = load_equivalent()
    todo: list[Mutant] = []
    for module in modules:
        found = mutants_of(module)
        if args.sample and len(found) > args.sample:
            found = random.Random(f"{args.seed}:{module}").sample(found, args.sample)
        todo += found
    earlier: list[Result] = []
    if args.again:
        # Tests only grow between runs: a mutant killed (or timed out) then is killed now.
        # Survivors run again, and mutants of lines new since.
        current = {m.key() for m in todo}
        earlier = [
            r
            for r in (Result(**r) for r in json.loads(args.again.read_text()))
            if r.outcome in ("killed", "timeout") and (r.module, r.source, r.mutation) in current
        ]
        done = {(r.module, r.source, r.mutation) for r in earlier}
        todo = [m for m in todo if m.key() not in done]
    if args.list:
        for m in todo:
            print(f"{m.module}:{m.line}: {m.mutation:<24} {m.source}")
        print(f"{len(todo)} mutants")
        return
    # Import the heavy third-party libraries once, so each forked child starts warm; papercli
    # itself must not be imported here, or the children would not see the mutants.
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import rich.console  # noqa: F401
    import typer  # noqa: F401

    if args.timeout:
        baseline = {module: args.timeout / args.timeout_factor for module in modules}
    else:
        baseline = {module: time_tests(module) for module in modules}
    results: list[Result] = [r for r in earlier if r.module in modules]
    pending = todo
    started = time.monotonic()
    shares = [pending[i :: args.workers] for i in range(args.workers)]
    children = []
    for share in shares:
        out = Path(tempfile.mkstemp(prefix="papercli-mutants-", suffix=".json")[1])
        pid = os.fork()
        if pid == 0:
            mine: list[Result] = []
            progress = args.report.with_suffix(".partial.jsonl") if args.report else None
            worker(share, args.timeout_factor, mine, baseline, progress)
            out.write_text(json.dumps([asdict(r) for r in mine]))
            os._exit(0)
        children.append((pid, out))
    for pid, out in children:
        os.waitpid(pid, 0)
        results += [Result(**r) for r in json.loads(out.read_text() or "[]")]
        out.unlink()
    # Listed as equivalent counts only for a mutant that the tests did not kill anyway.
    for r in results:
        if r.outcome == "survived" and (r.module, r.source, r.mutation) in equivalent:
            r.outcome = "equivalent"
    print(f"\n{len(pending)} mutants run in {time.monotonic() - started:.0f} s\n")
    report(results, modules, show_survivors=args.survivors, equivalent=equivalent)
    if args.report:
        args.report.write_text(json.dumps([asdict(r) for r in results], indent=1))


def report(
    results: list[Result],
    modules: list[str],
    *,
    show_survivors: bool,
    equivalent: dict[tuple[str, str, str], str],
) -> None:
    """A table of kill rates per module; equivalent and invalid mutants shown apart."""
    print(
        f"{'module':<24}{'mutants':>8}{'killed':>8}{'equiv':>7}{'lived':>7}{'rate':>8}{'timeouts':>10}"
    )
    for module in modules:
        mine = [r for r in results if r.module == module and r.outcome != "invalid"]
        killed = sum(r.outcome in ("killed", "timeout") for r in mine)
        equiv = sum(r.outcome == "equivalent" for r in mine)
        lived = sum(r.outcome == "survived" for r in mine)
        rate = (killed + equiv) / len(mine) if mine else 1.0
        timeouts = sum(r.outcome == "timeout" for r in mine)
        print(
            f"{module:<24}{len(mine):>8}{killed:>8}{equiv:>7}{lived:>7}{rate:>8.1%}{timeouts:>10}"
        )
    if show_survivors:
        print()
        for r in sorted(results, key=lambda r: (r.module, r.line)):
            if r.outcome == "survived":
                print(f"{r.module}:{r.line}: {r.mutation:<24} {r.source}")
    del equivalent


if __name__ == "__main__":
    main()
