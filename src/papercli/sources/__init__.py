"""One module per upstream: a fetch that returns bytes, and a pure parse into Papers."""
