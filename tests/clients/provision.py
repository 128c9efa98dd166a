"""Prepare the database of the live server the client tests drive, with the operator's tools.

Run by ``tests/clients/conftest.py`` with the project's Python and the server's ``PLAZA_*``
environment, before the server starts: ``migrate``, then ``plaza_user create``, ``plaza_app
register`` and ``plaza_token issue`` (the admin commands, in one process to save start-up
time). Reads the wanted users from argv as JSON, prints the provisioned users and tokens as JSON.
"""

from __future__ import annotations

import io
import json
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaza.settings")
    django.setup()
    from django.core.management import call_command

    spec = json.loads(sys.argv[1])
    call_command("migrate", "--noinput", verbosity=0)

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue().strip()

    app = spec["app"]
    run(
        "plaza_app",
        "register",
        "--name",
        app["name"],
        "--client-id",
        app["client_id"],
        "--client-secret",
        app["client_secret"],
        "--redirect-uri",
        "urn:ietf:wg:oauth:2.0:oob",
        "--scopes",
        app["scopes"],
    )
    users = {}
    for user in spec["users"]:
        args = [
            "plaza_user",
            "create",
            user["username"],
            "--email",
            f"{user['username']}@example.org",
            "--password",
            user["password"],
        ]
        if user.get("locked"):
            args.append("--locked")
        run(*args)
        token = run(
            "plaza_token",
            "issue",
            "--client-id",
            app["client_id"],
            "--user",
            user["username"],
            "--scopes",
            app["scopes"],
        )
        users[user["username"]] = {**user, "token": token}
    print(json.dumps(users))


if __name__ == "__main__":
    main()
