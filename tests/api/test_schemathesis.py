"""Schemathesis over the whole native API, in-process (WSGI): zero server errors, and every
answer conforming to the OpenAPI schema the API publishes."""

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

from network import actions as network
from plaza.api import api
from posts import actions
from tests.factories import make_account

MAX_EXAMPLES = 15


@pytest.fixture
def wsgi_app() -> Any:
    # Django's test client does the same: closing "old" connections at the end of each request
    # would close the test's transaction, and with it the data made for the run.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_no_server_errors_anywhere_in_the_native_api(
    api_for: Any, wsgi_app: Any, run_tasks: Any
) -> None:
    me, friend = make_account("me"), make_account("friend")
    with run_tasks():
        network.follow(me, friend)
        network.request_connection(friend, me, note="hello")
        actions.publish(friend, text="Hi #plaza", visibility="public")
        actions.publish(me, text="Mine", visibility="connections")
    token = api_for(me)._token
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) >= 40

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
    # The run reached the operations themselves, not only their error paths.
    assert sum(n for status, n in statuses.items() if status < 300) > len(operations), statuses
