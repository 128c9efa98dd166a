"""Materialized home feeds (fan-out on write).

Each row says "this post belongs in this account's home feed". Rows are written by the
fan-out task when a post is published and removed when a follow, connection or post goes
away. Posts by accounts with more followers than ``PLAZA_FANOUT_LIMIT`` are not fanned out;
they are merged in at read time (see :mod:`feeds.queries`).
"""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from posts.models import Post


class HomeFeedEntry(models.Model):
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    # Who put the post here (the author, or the resharer for a reshare): lets an unfollow or
    # mute remove exactly that account's entries with one indexed delete.
    source = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "post"], name="home_feed_unique")]
        indexes = [
            models.Index(fields=["owner", "-post"], name="home_feed_page_idx"),
            models.Index(fields=["owner", "source"], name="home_feed_source_idx"),
        ]
