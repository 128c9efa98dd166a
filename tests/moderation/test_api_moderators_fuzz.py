"""Schemathesis over the moderators' endpoints with a staff token holding the admin scopes
(the whole-API run in tests/api uses an ordinary token, so it only reaches their 403s):
no server errors, and every answer as the published schema says."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Account
from mastodon.actions import issue_token, register_app
from moderation import actions
from moderation.queries import target_for_account, target_for_post
from plaza.api import api
from posts.actions import publish
from tests.factories import make_account

MAX_EXAMPLES = 25


@pytest.fixture
def wsgi_app() -> Any:
    # As in tests/api/test_schemathesis.py: keep the test's transaction across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    operations = [
        r.ok()
        for r in schema.get_all_operations()
        if isinstance(r, Ok) and "/moderation/" in r.ok().path
    ]
    assert len(operations) >= 7
    failures: list[str] = []
    statuses: Counter[int] = Counter()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def run(case: Any) -> None:
            response = case.call(app=wsgi_app, headers={"Authorization": f"Bearer {token}"})
            statuses[response.status_code] += 1
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except Exception as exc:  # collected, so one run reports every operation
                failures.append(f"{case.method} {case.formatted_path}: {exc}")

        run()

    assert not failures, "\n\n".join(failures[:10])
    assert sum(n for status, n in statuses.items() if status < 300) > 0, statuses
