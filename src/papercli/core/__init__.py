"""The use cases: today's papers, a span of days, one paper, search, downloads, config edits.

Owns the rules that decide when the cache answers and when a source is asked (``refresh``),
and one invocation's context (``session``). Built on ``query``, ``sources`` and ``store``.
It never prints and never exits: what the user should know becomes a notice on the session
or a ``PaperCliError``, and the CLI decides how to show it. Nothing here imports Typer or Rich.
"""
