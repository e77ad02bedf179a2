"""``--jq``: a jq program over the JSON output, through the ``jq`` package or the jq binary.

Either backend gives the same text: each result on its own line, strings raw (as ``jq -r``
and ``gh --jq`` print them), everything else as compact JSON. The ``jq`` package (the
``papercli[jq]`` extra) runs in-process; without it the ``jq`` program on PATH does. Both
are looked for only when ``--jq`` is given, never at start-up.
"""

from __future__ import annotations

import json
from typing import Literal

from papercli.errors import UsageError

Backend = Literal["python", "binary"]


def _missing() -> UsageError:
    return UsageError(
        "--jq needs jq: neither the jq Python package nor a jq program on PATH was found",
        hint="pip install 'papercli[jq]', or install the jq program (apt install jq)",
    )


def find_backend() -> tuple[Backend, str | None]:
    """The backend to use: the ``jq`` package if it imports, else the binary (with its path)."""
    try:
        import jq  # noqa: F401
    except ImportError:
        import shutil

        path = shutil.which("jq")
        if path is None:
            raise _missing() from None
        return "binary", path
    return "python", None


def check_program(program: str) -> Backend:
    """Find a backend and, in-process, compile the program: a typo is a usage error before
    anything is fetched. (The jq binary has no compile-only mode; it reports at run time.)"""
    backend, _ = find_backend()
    if backend == "python":
        import jq

        try:
            jq.compile(program)
        except ValueError as exc:
            raise _problem(str(exc)) from None
    return backend


def _problem(text: str) -> UsageError:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else "the program failed"
    return UsageError(
        f"--jq: {first.removeprefix('jq: ')}",
        hint="the program reads the array that --format json prints",
    )


def _with_python(program: str, document: str) -> str:
    import jq

    try:
        compiled = jq.compile(program)
    except ValueError as exc:
        raise _problem(str(exc)) from None
    try:
        results = compiled.input_text(document).all()
    except ValueError as exc:
        raise _problem(str(exc)) from None
    lines = [
        r if isinstance(r, str) else json.dumps(r, ensure_ascii=False, separators=(",", ":"))
        for r in results
    ]
    return "".join(line + "\n" for line in lines)


def _with_binary(path: str, program: str, document: str) -> str:
    import subprocess

    # jq 1.6 has no "--": a leading space keeps a program like "-1" from reading as an option.
    try:
        done = subprocess.run(
            [path, "-r", "-c", " " + program],
            input=document,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise UsageError(f"--jq: cannot run {path}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise _problem(done.stderr)
    return done.stdout


def run_jq(program: str, document: str, backend: Backend | None = None) -> str:
    """The output of ``program`` run over the JSON text ``document``; bad programs and
    runtime errors are UsageErrors (exit 2) carrying jq's own message."""
    found, path = find_backend() if backend is None else (backend, None)
    if found == "binary":
        import shutil

        path = path or shutil.which("jq")
        if path is None:
            raise _missing()
        return _with_binary(path, program, document)
    return _with_python(program, document)
