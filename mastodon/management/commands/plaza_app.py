"""``manage.py plaza_app register --name N --redirect-uri URI [--client-id ID]
[--client-secret S] [--scopes "read write"] [--website W] [--json]`` — register an OAuth
application, or update the one with that client id (so provisioning scripts can rerun)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mastodon import actions
from mastodon.management.commands._common import command_error
from mastodon.models import Application
from plaza.errors import ActionError


class Command(BaseCommand):
    help = "Register OAuth applications (API clients) from the command line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser(
            "register", help="Register an application; update it when the client id exists."
        )
        register.add_argument("--name", required=True)
        register.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            help="Repeat for several, or separate with spaces. urn:ietf:wg:oauth:2.0:oob "
            "shows the code on a page.",
        )
        register.add_argument("--client-id")
        register.add_argument("--client-secret")
        register.add_argument("--scopes", default="read")
        register.add_argument("--website", default="")
        register.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "register":  # pragma: no cover - argparse refuses others
            raise CommandError(f"Unknown action {options['action']}")
        uris = [u for value in options["redirect_uri"] for u in value.split()]
        client_id = options["client_id"]
        existing = Application.objects.filter(client_id=client_id).first() if client_id else None
        try:
            if existing is not None:
                app = actions.update_app(
                    existing,
                    name=options["name"],
                    redirect_uris=uris,
                    scopes=options["scopes"],
                    website=options["website"],
                    client_secret=options["client_secret"],
                )
                secret = options["client_secret"]
                verb = "Updated"
            else:
                app, secret = actions.register_app(
                    name=options["name"],
                    redirect_uris=uris,
                    scopes=options["scopes"],
                    website=options["website"],
                    client_id=client_id,
                    client_secret=options["client_secret"],
                )
                verb = "Registered"
        except (ValidationError, ActionError) as exc:
            raise command_error(exc) from exc
        if options["json"]:
            result = {
                "id": str(app.pk),
                "name": app.name,
                "client_id": app.client_id,
                "client_secret": secret,
                "scopes": app.scopes.split(),
                "redirect_uris": app.redirect_uris.split(),
                "created": existing is None,
            }
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"{verb} application {app.name!r}")
        self.stdout.write(f"client_id: {app.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
        else:
            self.stdout.write("client_secret: (unchanged)")
        self.stdout.write(f"scopes: {app.scopes}")
