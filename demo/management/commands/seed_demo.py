"""``manage.py seed_demo``: fill an empty Plaza with a believable demo community."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from accounts.models import Account
from demo.community import AlreadySeeded, SeedOptions, seed


class Command(BaseCommand):
    help = "Seed people, brands, follows, connections and 90 days of posts, with a demo login."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SeedOptions()
        parser.add_argument("--people", type=int, default=defaults.people)
        parser.add_argument("--orgs", type=int, default=defaults.orgs)
        parser.add_argument("--posts", type=int, default=defaults.posts)
        parser.add_argument("--days", type=int, default=defaults.days)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any account exists (used by `make run`).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["if_empty"] and Account.objects.exists():
            self.stdout.write("Accounts exist already; not seeding (--if-empty).")
            return
        options = SeedOptions(
            people=opts["people"],
            orgs=opts["orgs"],
            posts=opts["posts"],
            days=opts["days"],
            seed=opts["seed"],
        )
        bars: list[tqdm[Any]] = []
        quiet = opts["verbosity"] == 0

        def progress(label: str, total: int) -> Callable[[int], object]:
            for bar in bars:
                bar.close()
            bar = tqdm(total=total, desc=f"{label:<9}", unit="", disable=quiet, leave=True)
            bars.append(bar)
            return bar.update

        try:
            result = seed(options, progress)
        except (AlreadySeeded, ValueError) as exc:
            raise CommandError(str(exc))
        finally:
            for bar in bars:
                bar.close()
        self.stdout.write(
            f"Seeded {result.accounts} accounts, {result.follows} follows, "
            f"{result.connections} connections, {result.posts} posts, {result.likes} likes, "
            f"{result.media} media files, {result.feed_entries} home-feed entries, "
            f"{result.notifications} notifications, {result.groups} groups with "
            f"{result.group_posts} posts, {result.conversations} conversations with "
            f"{result.messages} messages in {result.seconds:.1f} s."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login: username “{result.username}”, password “{result.password}”"
            )
        )
