"""Deciding which papers a user asked for, and in what order: date arguments, keyword and
author matching, the ``--where`` language, filter criteria and relevance ranking.

Pure functions over ``Paper`` records and dates: query never does I/O (no files, no network,
no clock of its own; "today" is always passed in) and never prints.
"""
