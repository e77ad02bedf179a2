"""Digests for cron: build what is new since the last one, render it (Markdown, HTML, text,
JSON, Atom), deliver it (a file, stdout, e-mail), and only then record it as delivered.

Its seen-state lives in ``store.digest_state``; fetching goes through ``core``. A digest never
records a paper as delivered before the delivery happened, and never prints: the CLI does.
"""
