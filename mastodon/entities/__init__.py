"""Mastodon entity shapes (docs.joinmastodon.org/entities), built from Plaza's models.

Each builder takes what it needs already loaded; list builders load what they need in a
fixed number of queries, whatever the list's length.
"""
