"""Digests for cron: what each channel (stdout, a file, e-mail) is owed, built, rendered
(Markdown, HTML, text, JSON, Atom) and delivered exactly once.

Its delivery state lives in ``store.digest_state`` and its intents in ``store.digest_outbox``;
fetching goes through ``core``. A digest never records a paper as delivered before the channel
confirmed it, never sends what it could not first record as about to be sent, and never
prints on its own: the stdout channel writes to the stream the CLI hands it.
"""
