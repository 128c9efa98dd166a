"""``manage.py plaza_user create USERNAME --email E [--password P | --random-password]
[--admin] [--locked] [--confirmed]`` — create a person, like Mastodon's ``tootctl accounts
create``. Prints the password when it was generated."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mastodon import actions
from mastodon.management.commands._common import command_error
from plaza.errors import ActionError


class Command(BaseCommand):
    help = "Manage people from the command line (create)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a person who can log in right away.")
        create.add_argument("username")
        create.add_argument("--email", required=True)
        password = create.add_mutually_exclusive_group()
        password.add_argument("--password", help="Use this password (checked like sign-up).")
        password.add_argument(
            "--random-password",
            action="store_true",
            help="Generate a password and print it (the default without --password).",
        )
        create.add_argument(
            "--allow-weak-password",
            action="store_true",
            help="Skip the password strength rules (test servers, fixed fixtures).",
        )
        create.add_argument(
            "--admin", action="store_true", help="Staff and superuser (Django admin)."
        )
        create.add_argument("--locked", action="store_true", help="Approve followers manually.")
        create.add_argument(
            "--confirmed",
            action="store_true",
            help="Accepted for tootctl compatibility: Plaza accounts need no confirmation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "create":  # pragma: no cover - argparse refuses others
            raise CommandError(f"Unknown action {options['action']}")
        try:
            account, password = actions.create_user(
                username=options["username"],
                email=options["email"],
                password=options["password"],
                admin=options["admin"],
                locked=options["locked"],
                check_password=not options["allow_weak_password"],
            )
        except (ValidationError, ActionError) as exc:
            raise command_error(exc) from exc
        self.stdout.write(f"Created @{account.username} (id {account.pk})")
        if options["password"] is None:
            self.stdout.write(f"New password: {password}")
