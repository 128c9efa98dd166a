"""Schemathesis over the whole native API, in-process (WSGI): zero server errors, and every
answer conforming to the OpenAPI schema the API publishes."""

from __future__ import annotations

from typing import Any

import pytest

from network import actions as network
from posts import actions
from tests.api.fuzzing import fuzz, operations
from tests.factories import make_account

MAX_EXAMPLES = 15


@pytest.mark.slow
def test_no_server_errors_anywhere_in_the_native_api(
    api_for: Any,
    wsgi_app: Any,
    run_tasks: Any,
) -> None:
    me, friend = make_account("me"), make_account("friend")
    with run_tasks():
        network.follow(me, friend)
        network.request_connection(friend, me, note="hello")
        actions.publish(friend, text="Hi #plaza", visibility="public")
        actions.publish(me, text="Mine", visibility="connections")
    token = api_for(me)._token
    ops = operations()
    assert len(ops) >= 40
    failures, statuses = fuzz(wsgi_app, ops, token, max_examples=MAX_EXAMPLES)
    assert not failures, "\n\n".join(failures[:10])
    # The run reached the operations themselves, not only their error paths.
    assert sum(n for status, n in statuses.items() if status < 300) > len(ops), statuses
