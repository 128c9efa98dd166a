"""``manage.py rebuild_search_index``: index every account, group and post again (with a progress bar).

Run it once after upgrading an instance that has posts from before search existed, or after
restoring a backup of the main tables only. Safe while the site runs: new posts are indexed
by their own tasks as usual.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from accounts.models import Account
from posts.models import Post
from search import index


class Command(BaseCommand):
    help = "Rebuild the full-text search index of accounts, groups and posts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=index.BATCH, help="rows per batch")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["no_progress"] or options["verbosity"] < 1
        bars = {
            "accounts": tqdm(
                total=Account.objects.count(), desc="accounts", unit="", disable=quiet
            ),
            "groups": tqdm(desc="groups", unit="", disable=quiet),
            "posts": tqdm(total=Post.objects.count(), desc="posts", unit="", disable=quiet),
        }

        def progress(kind: str, n: int) -> None:
            bars[kind].update(n)

        counts = index.rebuild(progress, batch=options["batch"])
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {counts['accounts']:,} accounts, {counts['groups']:,} groups "
                f"and {counts['posts']:,} posts."
            )
        )
