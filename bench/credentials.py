"""Between-runs reset and credentials, run inside the measured database's environment.

``bench/run.py`` starts ``python -m bench.credentials '<json>'`` with the same ``PLAZA_*``
environment as the server it measures (SQLite data dir or ``PLAZA_DATABASE_URL``), so the
same code works on either database through Django's own connection. It:

1. deletes what earlier runs posted (posts with an id above the build's newest, and the rows
   pointing at them; messages above the extension's newest), the sessions and the bench's
   OAuth application (its tokens go with it);
2. makes a logged-in session per user, the way ``django.contrib.auth.login`` does;
3. registers one API application and issues each user an access token with
   :func:`mastodon.actions.issue_token` (the stored row holds only a checksum of the token);

and prints ``{"sessions": {user_id: key}, "tokens": {user_id: token}}`` as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any

APP_NAME = "Plaza bench"


def reset(max_post_id: int) -> None:
    """Delete posts above ``max_post_id`` and every row that references them, sessions and
    the bench's API application (cascading to its tokens)."""
    from django.db import connection, transaction

    from mastodon.models import Application
    from posts.models import Post

    with transaction.atomic(), connection.cursor() as cur:
        # Every reverse relation, hidden ones too (``related_name="+"``: feed entries...).
        for rel in Post._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
                continue
            if rel.related_model is Post:
                continue
            table = rel.related_model._meta.db_table  # type: ignore[union-attr]
            column = rel.field.column  # type: ignore[union-attr]
            cur.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [max_post_id])
        # Posts made by runs are never replies/reshares of one another's, but be safe.
        cur.execute(
            f'DELETE FROM "{Post._meta.db_table}" WHERE id > %s', [max_post_id]
        )  # fmt: skip
        cur.execute('DELETE FROM "django_session"')
        Application.objects.filter(name=APP_NAME).delete()


def make_sessions(user_ids: list[int]) -> dict[int, str]:
    """Logged-in sessions made the way ``django.contrib.auth.login`` makes them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys: dict[int, str] = {}
    for user in User.objects.filter(pk__in=user_ids):
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "accounts.backends.AccountModelBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        assert s.session_key is not None
        keys[user.pk] = s.session_key
    return keys


def make_tokens(user_ids: list[int]) -> dict[int, str]:
    """One API application, one ``read write`` access token per user (in clear)."""
    from accounts.models import User
    from mastodon.actions import issue_token, register_app
    from mastodon.models import OOB_REDIRECT_URI

    app, _secret = register_app(
        name=APP_NAME, redirect_uris=[OOB_REDIRECT_URI], scopes="read write"
    )
    tokens: dict[int, str] = {}
    for user in User.objects.filter(pk__in=user_ids):
        _row, raw = issue_token(user, app, scopes="read write")
        tokens[user.pk] = raw
    return tokens


def reset_messages(max_message_id: int) -> None:
    """Delete the messages earlier runs sent (ids above the extension's newest) and what
    points at them; conversations whose newest message was one of them point at none."""
    from django.db import connection, transaction

    from messaging.models import (
        Conversation,
        Message,
        MessageHiddenFor,
        MessageMedia,
        MessageReaction,
        Participant,
    )

    messages = Message._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f'UPDATE "{Conversation._meta.db_table}" SET last_message_id = NULL '
            "WHERE last_message_id > %s",
            [max_message_id],
        )
        cur.execute(
            f'UPDATE "{messages}" SET reply_to_id = NULL WHERE reply_to_id > %s', [max_message_id]
        )
        for model in (MessageHiddenFor, MessageMedia, MessageReaction):
            cur.execute(
                f'DELETE FROM "{model._meta.db_table}" WHERE message_id > %s', [max_message_id]
            )
        cur.execute(f'DELETE FROM "{messages}" WHERE id > %s', [max_message_id])
        cur.execute(
            f'UPDATE "{Participant._meta.db_table}" SET unread_count = 0, '
            "last_read_message_id = NULL WHERE last_read_message_id > %s",
            [max_message_id],
        )


def prepare(
    max_post_id: int | None, user_ids: list[int], max_message_id: int | None = None
) -> dict[str, Any]:
    """Reset (when ``max_post_id`` / ``max_message_id`` are given), then sessions and tokens
    for ``user_ids``."""
    from django.db import connection

    if max_post_id is not None:
        reset(max_post_id)
    if max_message_id is not None:
        reset_messages(max_message_id)
    out = {"sessions": make_sessions(user_ids), "tokens": make_tokens(user_ids)}
    connection.close()
    return out


def main(argv: list[str]) -> int:
    import django

    django.setup()
    args = json.loads(argv[0])
    users = [int(u) for u in args["user_ids"]]
    print(json.dumps(prepare(args.get("max_post_id"), users, args.get("max_message_id"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
