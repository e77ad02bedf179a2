"""The upstreams: Hugging Face Daily Papers, arXiv RSS and the arXiv API, and the one HTTP
client every request goes through (timeouts, bounded retries, pacing, size caps).

Each source module fetches bytes and parses them with a pure function into ``Paper`` records.
Sources never touch the cache or the clock of their own accord, never print, and never let
feedparser or httpx fetch a URL by themselves.
"""
