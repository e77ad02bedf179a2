"""Everything papercli keeps on disk: cached listings and papers, the derived SQLite index,
the reading list, digest state, and the locks and atomic writes they all use.

Files are versioned JSON, written atomically and read tolerantly (an unreadable cache file is
set aside with a warning; an unreadable state file stops the run rather than lose data). The
store never fetches, never prints and never builds a path from text it has not validated.
"""
