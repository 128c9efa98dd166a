"""Schemathesis over the moderators' endpoints with a staff token holding the admin scopes
(the whole-API run in tests/api uses an ordinary token, so it only reaches their 403s):
no server errors, and every answer as the published schema says."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from moderation import actions
from moderation.queries import target_for_account, target_for_post
from posts.actions import publish
from tests.api.fuzzing import fuzz, operations
from tests.factories import make_account

MAX_EXAMPLES = 25


@pytest.mark.slow
def test_no_server_errors_in_the_moderators_api(staff: Account, wsgi_app: Any) -> None:
    ana, troll = make_account("ana"), make_account("troll")
    for i in range(3):
        post = publish(troll, text=f"spam {i}")
        actions.report(ana, target_for_post(ana, post.pk), category="spam")
    actions.report(ana, target_for_account(ana, troll), category="harassment")
    app, _ = register_app(
        name="Fuzz", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="admin:read admin:write"
    )
    _, token = issue_token(staff.user, app, scopes="admin:read admin:write")
    ops = operations(lambda op: "/moderation/" in op.path)
    assert len(ops) >= 7
    failures, statuses = fuzz(wsgi_app, ops, token, max_examples=MAX_EXAMPLES)

    assert not failures, "\n\n".join(failures[:10])
    assert sum(n for status, n in statuses.items() if status < 300) > 0, statuses
