"""Every byte a user reads: terminal tables, cards and messages, machine formats (TSV, CSV,
JSON), documents (Markdown, HTML, notes), references (BibTeX, RIS, CSL-JSON), feeds (Atom,
JSON Feed), the --jq and --template shaping of records, and the escaping each context needs.

Upstream text is untrusted here: it reaches Rich only as ``Text``, and every format escapes
for its own context. Formats never fetch, never read the cache and never decide what to
show: they render what they are given to the stream they are given.
"""
