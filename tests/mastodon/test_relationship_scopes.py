"""Mastodon API: every relationship change enforces its own OAuth scope.

One row per endpoint of ``mastodon.views.accounts_relations`` (and the endorse aliases):
the granular scope it needs succeeds, the top-level ``write`` covers it, and a token with
only ``read`` or with another granular write scope is refused with a 403 that changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Account
from network import actions as network_actions
from network.models import Block, Endorsement, Follow, FollowRequest, Mute
from tests.factories import make_account
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db
ApiFor = Callable[..., Api]

WRITE_SCOPES = ("write:follows", "write:blocks", "write:mutes", "write:accounts")

# (URL under /api/v1 with {id} for the other account, the scope it needs)
ENDPOINTS = [
    ("accounts/{id}/follow", "write:follows"),
    ("accounts/{id}/unfollow", "write:follows"),
    ("accounts/{id}/remove_from_followers", "write:follows"),
    ("accounts/{id}/block", "write:blocks"),
    ("accounts/{id}/unblock", "write:blocks"),
    ("accounts/{id}/mute", "write:mutes"),
    ("accounts/{id}/unmute", "write:mutes"),
    ("accounts/{id}/note", "write:accounts"),
    ("accounts/{id}/pin", "write:accounts"),
    ("accounts/{id}/unpin", "write:accounts"),
    ("accounts/{id}/endorse", "write:accounts"),
    ("accounts/{id}/unendorse", "write:accounts"),
    ("follow_requests/{id}/authorize", "write:follows"),
    ("follow_requests/{id}/reject", "write:follows"),
]


def _state(me: Account) -> list[int]:
    """Everything these endpoints can change, as counts."""
    return [
        Follow.objects.count(),
        FollowRequest.objects.count(),
        Block.objects.count(),
        Mute.objects.count(),
        Endorsement.objects.count(),
        Account.objects.get(pk=me.pk).followers_count,
    ]


def _setup(suffix: str = "") -> tuple[Account, Account]:
    """A locked ``me`` following ``other`` (so ``other`` can be endorsed), with a pending
    follow request from ``other`` (so it can be authorized or rejected)."""
    me = make_account(f"me{suffix}", locked=True)
    other = make_account(f"other{suffix}")
    assert network_actions.follow(me, other) == "following"
    assert network_actions.follow(other, me) == "requested"
    return me, other


@pytest.mark.parametrize(("url", "scope"), ENDPOINTS)
def test_each_relationship_change_needs_its_scope(api_for: ApiFor, url: str, scope: str) -> None:
    me, other = _setup()
    path = "/api/v1/" + url.format(id=other.pk)
    before = _state(me)
    refused = ["read", "follow" if scope == "write:accounts" else "read:follows"]
    refused += [s for s in WRITE_SCOPES if s != scope]
    for wrong in refused:
        response = api_for(me, wrong).post(path)
        assert response.status_code == 403, (wrong, response.content)
        assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert _state(me) == before, "a refused call changed something"

    response = api_for(me, scope).post(path)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(other.pk)


@pytest.mark.parametrize(("url", "scope"), ENDPOINTS)
def test_write_and_legacy_follow_scopes(api_for: ApiFor, url: str, scope: str) -> None:
    # The legacy "follow" scope covers follows, blocks and mutes, not account notes/pins.
    for granted, expected in (
        ("write", 200),
        ("follow", 403 if scope == "write:accounts" else 200),
    ):
        me, other = _setup(granted)
        path = "/api/v1/" + url.format(id=other.pk)
        response = api_for(me, granted).post(path)
        assert response.status_code == expected, (granted, response.content)
