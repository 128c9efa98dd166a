"""Schemathesis over native API operations, in-process (WSGI): what the whole-API run
(tests/api/test_schemathesis.py) and the moderators' run (tests/moderation) share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
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

from plaza.api import api


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    # Django's test client does the same: closing "old" connections at the end of each request
    # would close the test's transaction, and with it the data made for the run.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def operations(keep: Callable[[Any], bool] = lambda op: True) -> list[Any]:
    """The native API's operations (from the schema it publishes) that ``keep`` accepts."""
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    found = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    return [op for op in found if keep(op)]


def fuzz(
    wsgi_app: Any, ops: list[Any], token: str, *, max_examples: int
) -> tuple[list[str], Counter[int]]:
    """Run ``max_examples`` generated calls of each operation with ``token``; returns the
    failures (server errors, answers not as the schema says) and the status counts."""
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for operation in ops:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
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
    return failures, statuses
