"""``manage.py plaza_token issue --client-id ID [--user USERNAME] [--scopes "read write"]
[--token VALUE]`` — issue an access token without a browser and print it (only the token,
so scripts can capture it). ``--token`` uses that exact value (fixed tokens for test
suites); issuing the same value again replaces the old token. Without ``--user`` the token
belongs to the application only (like the client-credentials grant)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from mastodon import actions
from mastodon.management.commands._common import command_error
from mastodon.models import Application
from plaza.errors import ActionError


class Command(BaseCommand):
    help = "Issue OAuth access tokens from the command line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token and print it.")
        issue.add_argument("--client-id", required=True)
        issue.add_argument("--user", help="Username of the token's owner (omit: app token).")
        issue.add_argument(
            "--scopes", help="Space-separated; defaults to all of the application's scopes."
        )
        issue.add_argument("--token", help="Use this value instead of a random one.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "issue":  # pragma: no cover - argparse refuses others
            raise CommandError(f"Unknown action {options['action']}")
        app = Application.objects.filter(client_id=options["client_id"]).first()
        if app is None:
            raise CommandError(f"No application with client id {options['client_id']!r}")
        user = None
        if options["user"]:
            username = options["user"].lstrip("@")
            account = (
                Account.objects.select_related("user").filter(username__iexact=username).first()
            )
            if account is None:
                raise CommandError(f"No account @{username}")
            user = account.user
        try:
            _, raw = actions.issue_token(
                user, app, scopes=options["scopes"] or app.scopes, token=options["token"]
            )
        except (ValidationError, ActionError) as exc:
            raise command_error(exc) from exc
        self.stdout.write(raw)
